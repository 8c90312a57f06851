"""Whatever is typed into any form, the answer is a page, never a server error.

Hypothesis posts arbitrary text (control characters, NUL bytes, right-to-left
marks, very long strings, markup) into every field of every form a person
can reach, and into fields the forms do not have.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referrals.content import SECTIONS
from referrals.models import Draft
from tests.conftest import client_for, submit

nasty_text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "<script>alert(1)</script>",
            '=HYPERLINK("x")',
            "\u202eevil",
            "9999-99-99",
            "-1",
            "1e309",
            "   ",
            "x" * 20_000,
            "' OR 1=1 --",
            "{{ 7*7 }}",
        ]
    ),
)


def form_fields(form_class) -> list[str]:
    names = []
    for name, field in form_class.base_fields.items():
        if hasattr(field.widget, "parts"):
            names += [f"{name}-{part}" for part in field.widget.parts]
        else:
            names.append(name)
    return names + ["unexpected_field"]


def bodies(names: list[str]):
    return st.fixed_dictionaries({}, optional={name: nasty_text for name in names})


FUZZ = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.page)
@FUZZ
@given(data=st.data())
def test_every_referral_page_answers_any_input_without_a_server_error(world, section, data):
    client = client_for(world.hv)
    client.post("/referrals/new/")
    draft = Draft.objects.filter(author=world.hv).first()
    assert draft is not None
    path = f"/referrals/drafts/{draft.pk}/{section.page}/"
    if section.many:
        path += "add/"
    body = data.draw(bodies(form_fields(section.form)))
    response = client.post(path, body)
    assert response.status_code < 500, (path, body)


@pytest.mark.parametrize(
    ("persona", "action"),
    [
        ("mash", "decide"),
        ("mash", "ask"),
        ("hv", "challenge"),
        ("mash", "assign"),
        ("mash", "link"),
    ],
)
@FUZZ
@given(data=st.data())
def test_every_triage_form_answers_any_input_without_a_server_error(world, persona, action, data):
    from referrals.forms import triage as triage_forms

    referral = submit(world.hv)
    if action == "challenge":
        from referrals.services.decision import decide_referral

        decide_referral(
            referral=referral,
            actor=world.mash,
            decision="nfa",
            reasons="r",
            next_steps="",
            next_steps_owner="",
        )
    names = [
        "decision",
        "reasons",
        "next_steps",
        "next_steps_owner",
        "question",
        "to_agency",
        "due_in",
        "answer",
        "assignee",
        "earlier",
        "confirmed",
        "reason",
        "outcome",
        "response",
    ]
    names += form_fields(triage_forms.DecisionForm)
    body = data.draw(bodies(sorted(set(names))))
    response = client_for(getattr(world, persona)).post(
        f"/referrals/{referral.reference}/{action}/", body
    )
    assert response.status_code < 500, (action, body)


@FUZZ
@given(body=bodies(["username", "password", "next", "code"]))
def test_sign_in_and_code_pages_answer_any_input_without_a_server_error(world, body):
    from django.test import Client

    assert Client().post("/sign-in/", body).status_code < 500
    client = client_for(world.hv)
    client.session.flush()
    assert client.post("/sign-in/code/", body).status_code < 500
    assert (
        client_for(world.admin)
        .post(
            "/front-door/subject-access/",
            {
                "nhs_number": body.get("code", ""),
                "last_name": body.get("username", ""),
                "date_of_birth-day": body.get("password", ""),
                "date_of_birth-month": "1",
                "date_of_birth-year": "2020",
            },
        )
        .status_code
        < 500
    )
