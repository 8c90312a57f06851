"""Sending a referral page by page: drafts, errors, check your answers, receipt."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from notifications.models import Notification
from referrals.models import Draft, Referral
from tests.conftest import WEDNESDAY_10AM, a_document, client_for, token_for

CHILD = {
    "first_name": "Amira",
    "last_name": "Okafor",
    "born": "yes",
    "date_of_birth-day": "2",
    "date_of_birth-month": "9",
    "date_of_birth-year": "2025",
    "sex": "female",
    "nhs_number": "943 476 5919",
    "address": "Flat 3, 88 Station Road",
    "postcode": "nb2 7hd",
    "interpreter_needed": "no",
    "plan_status": "none",
}
MOTHER = {
    "first_name": "Grace",
    "last_name": "Okafor",
    "relationship": "mother",
    "lives_with_child": "yes",
    "parental_responsibility": "yes",
}
CONCERN = {
    "categories": ["domestic_abuse"],
    "what_happened": "Mother said her partner shouts at her and she is frightened when he drinks.",
    "when_happened": "Told at today's visit",
    "childs_experience": "Amira is alert and feeding well.",
    "action_taken": "Gave mother the helpline number.",
    "immediate_risk": "no",
    "abuse_in_differential": "not_assessed",
}
CONSENT = {"family_aware": "yes", "consent": "given"}


def error_summary(response) -> list[tuple[str, str]]:
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', response.content.decode())


def start(client: Client) -> str:
    response = client.post("/referrals/new/")
    match = re.match(r"^/referrals/drafts/([0-9a-f-]+)/type/$", response["Location"])
    assert match, response["Location"]
    return f"/referrals/drafts/{match.group(1)}"


def test_a_health_visitor_sends_a_referral_page_by_page(world):
    client = client_for(world.hv)
    draft = start(client)
    assert (
        client.post(f"{draft}/type/", {"kind": "referral", "urgency": "standard"})["Location"]
        == f"{draft}/children/"
    )
    assert client.post(f"{draft}/children/add/", CHILD)["Location"] == f"{draft}/children/"
    assert "Amira Okafor" in client.get(f"{draft}/children/").content.decode()
    assert client.post(f"{draft}/children/")["Location"] == f"{draft}/adults/"
    client.post(f"{draft}/adults/add/", MOTHER)
    # No father or male carer, and no reason given: asked to add him or explain.
    missing_father = client.post(f"{draft}/adults/", {"father_not_recorded_reason": ""})
    assert missing_father.status_code == 200
    message = "Add the child&#x27;s father or a male carer, or say why they are not known"
    html = missing_father.content.decode()
    assert message in html.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    # Beside the question too, tied to it for screen readers (WCAG 3.3.1).
    assert 'id="id_father_not_recorded_reason-error"' in html
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}' in html
    assert (
        'aria-describedby="'
        in html.split('name="father_not_recorded_reason"')[0][-400:]
        + (html.split('name="father_not_recorded_reason"')[1][:400])
    )
    explained = client.post(
        f"{draft}/adults/", {"father_not_recorded_reason": "Mother would not say who he is."}
    )
    assert explained["Location"] == f"{draft}/other-agencies/"
    assert client.post(f"{draft}/other-agencies/")["Location"] == f"{draft}/previous-areas/"
    assert client.post(f"{draft}/previous-areas/")["Location"] == f"{draft}/concern/"
    assert client.post(f"{draft}/concern/", CONCERN)["Location"] == f"{draft}/consent/"
    assert client.post(f"{draft}/consent/", CONSENT)["Location"] == f"{draft}/you/"
    you = client.get(f"{draft}/you/").content.decode()
    assert 'value="01632 960 000"' in you  # from the sender's profile
    assert (
        client.post(f"{draft}/you/", {"phone": "01632 960 222", "availability": "until 4pm"})[
            "Location"
        ]
        == f"{draft}/check/"
    )

    check = client.get(f"{draft}/check/").content.decode()
    assert "Check your answers before sending" in check
    assert "You still need to" not in check
    assert "Amira Okafor" in check and "Mother would not say who he is." in check

    response = client.post(f"{draft}/check/", follow=True)
    referral = Referral.objects.get()
    assert response.redirect_chain[-1][0] == f"/referrals/{referral.reference}/receipt/"
    assert referral.children.get().postcode == "NB2 7HD"
    assert referral.father_not_recorded_reason == "Mother would not say who he is."
    assert referral.sender_availability == "until 4pm"
    assert Draft.objects.count() == 0  # the draft became the referral


def test_a_mistake_on_a_page_is_listed_linked_and_what_was_typed_is_kept_and_saved(world):
    client = client_for(world.hv)
    draft = start(client)
    response = client.post(
        f"{draft}/children/add/",
        {**CHILD, "nhs_number": "943 476 5918", "date_of_birth-month": "13"},
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        ("id_date_of_birth-day", "The child&#x27;s date of birth must be a real date"),
        ("id_nhs_number", "Enter a real NHS number: check the digits against the record"),
    ]
    html = response.content.decode()
    assert "<title>Error: Add a child - Front Door</title>" in html
    assert 'value="943 476 5918"' in html and 'value="13"' in html
    saved = Draft.objects.get().data["children"][0]
    assert saved["nhs_number"] == "943 476 5918"
    assert saved["date_of_birth"] == {"day": "2", "month": "13", "year": "2025"}
    # Correcting it changes that child rather than adding a second one.
    client.post(f"{draft}/children/0/", CHILD)
    assert len(Draft.objects.get().data["children"]) == 1


def test_a_draft_survives_signing_out_and_is_there_to_carry_on(world):
    client = client_for(world.hv)
    draft = start(client)
    client.post(f"{draft}/children/add/", CHILD)
    client.post("/sign-out/")
    again = client_for(world.hv)
    start_page = again.get("/referrals/new/").content.decode()
    assert "Carry on with a draft" in start_page and "About Amira Okafor" in start_page
    assert "Amira Okafor" in again.get(f"{draft}/check/").content.decode()


@pytest.mark.parametrize("persona", ["gp", "lead_a"])
def test_a_draft_is_private_to_its_author(world, persona):
    draft = start(client_for(world.hv))
    other = client_for(getattr(world, persona))
    assert other.get(f"{draft}/check/").status_code == 404
    assert other.post(f"{draft}/type/", {"kind": "referral"}).status_code == 404
    assert other.post(f"{draft}/delete/").status_code == 404
    assert "Carry on with a draft" not in other.get("/referrals/new/").content.decode()


def test_front_door_staff_cannot_see_drafts(world):
    draft = start(client_for(world.hv))
    assert client_for(world.mash).get(f"{draft}/check/").status_code == 403


def test_sending_an_unfinished_draft_lists_what_is_missing_and_creates_nothing(world):
    client = client_for(world.hv)
    draft = start(client)
    page = client.get(f"{draft}/check/").content.decode()
    assert "You still need to" in page
    response = client.post(f"{draft}/check/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Check your answers before sending - Front Door</title>" in html
    assert f'href="{draft}/children/?return=check">Add at least one child</a>' in html
    assert Referral.objects.count() == 0


def test_vague_words_are_pointed_out_before_sending_but_do_not_block_it(world):
    client = client_for(world.hv)
    draft_path = start(client)
    draft = Draft.objects.get()
    draft.data = a_document(
        concern={"what_happened": "He probably hit her; the baby may have been there."}
    )
    draft.save()
    page = client.get(f"{draft_path}/check/").content.decode()
    assert "Your concern uses 'probably', 'may have'." in page
    assert client.post(f"{draft_path}/check/")["Location"].endswith("/receipt/")


def test_the_same_mistake_gets_the_same_message_on_the_pages_and_from_the_api(world):

    document = a_document(child={"nhs_number": "123"}, consent={"consent": "refused"})
    client = client_for(world.hv)
    draft_path = start(client)
    Draft.objects.filter(author=world.hv).update(data=document)
    page = client.get(f"{draft_path}/check/").content.decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.hv)}")
    fields = api.post("/api/v1/referrals/", document, format="json").json()["fields"]
    assert fields == {
        "children.0.nhs_number": ["NHS number must be 10 digits, like 943 476 5919"],
        "consent.no_consent_basis": ["Select why you are sharing this without their agreement"],
        "consent.no_consent_reason": ["Explain why you are sharing this without their agreement"],
    }
    for messages in fields.values():
        assert messages[0].replace("'", "&#x27;") in page


@pytest.mark.django_db(transaction=True)  # so the after-commit nudge really runs
def test_the_receipt_is_shown_even_when_the_task_broker_is_unreachable(world, broker_down, caplog):
    client = client_for(world.hv)
    draft_path = start(client)
    Draft.objects.filter(author=world.hv).update(data=a_document())
    response = client.post(f"{draft_path}/check/", follow=True)
    referral = Referral.objects.get()
    assert response.status_code == 200
    assert referral.reference in response.content.decode()
    assert Notification.objects.filter(referral=referral, status="pending").count() == 3
    assert "Could not reach the task broker" in caplog.text


def test_a_draft_is_deleted_only_once_the_sender_says_yes(world):
    client = client_for(world.hv)
    draft = start(client)
    asked = client.get(f"{draft}/delete/").content.decode()
    assert "Are you sure you want to delete this draft?" in asked
    assert 'name="confirm" value="yes"' in asked and "No, go back" in asked
    # A press of the old button, without the yes, only asks.
    assert "Are you sure" in client.post(f"{draft}/delete/").content.decode()
    assert Draft.objects.count() == 1
    client.post(f"{draft}/delete/", {"confirm": "yes"})
    assert Draft.objects.count() == 0
    assert client.get(f"{draft}/check/").status_code == 404


def test_a_child_is_removed_only_once_the_sender_says_yes(world):
    client = client_for(world.hv)
    draft = start(client)
    client.post(f"{draft}/children/add/", CHILD)
    asked = client.get(f"{draft}/children/0/remove/").content.decode()
    assert "Are you sure you want to remove Amira" in asked
    assert len(Draft.objects.get().data["children"]) == 1
    done = client.post(f"{draft}/children/0/remove/", {"confirm": "yes"}, follow=True)
    assert "removed." in done.content.decode()
    assert Draft.objects.get().data["children"] == []
    assert client.get(f"{draft}/children/0/remove/").status_code == 404


def test_a_second_send_of_the_same_draft_page_says_it_was_sent(world):
    client = client_for(world.hv)
    draft = Draft.objects.create(
        author=world.hv, data=a_document(), created_at=WEDNESDAY_10AM, updated_at=WEDNESDAY_10AM
    )
    first = client.post(f"/referrals/drafts/{draft.pk}/check/")
    assert first["Location"].endswith("/receipt/")
    second = client.post(f"/referrals/drafts/{draft.pk}/check/", follow=True)
    # The draft is gone; nothing sent twice, and the sender lands on their
    # referrals (with the receipt), not on "Page not found".
    assert second.redirect_chain == [("/referrals/", 302)]
    assert "it has been sent or deleted" in second.content.decode()
    assert Referral.objects.count() == 1


def test_a_nul_character_in_a_draft_is_dropped_not_a_server_error(world):
    from referrals.models import Draft

    client = client_for(world.hv)
    client.post("/referrals/new/")
    draft = Draft.objects.get(author=world.hv)
    response = client.post(
        f"/referrals/drafts/{draft.pk}/concern/", {"what_happened": "Bruise\x00 on cheek"}
    )
    assert response.status_code in (200, 302)
    draft.refresh_from_db()
    assert "\x00" not in str(draft.data) and "Bruise on cheek" in str(draft.data)


def test_a_huge_answer_is_cut_in_the_draft_and_the_page_says_it_is_too_long(world):
    client = client_for(world.hv)
    client.post("/referrals/new/")
    draft = Draft.objects.get(author=world.hv)
    huge = "A" * 2_400_000
    for _ in range(10):
        page = client.post(
            f"/referrals/drafts/{draft.pk}/children/add/",
            {"first_name": huge, "last_name": "Marsh", "born": "yes"},
        )
    draft.refresh_from_db()
    assert len(json.dumps(draft.data)) < 300_000
    shown = client.get(f"/referrals/drafts/{draft.pk}/children/").content.decode()
    assert len(shown) < 500_000
    assert page.status_code in (200, 302)


def test_a_list_stops_at_its_most_and_says_so(world):
    from referrals.content import SECTIONS

    most = next(s.max_items for s in SECTIONS if s.key == "children")
    client = client_for(world.hv)
    client.post("/referrals/new/")
    draft = Draft.objects.get(author=world.hv)
    draft.data = {**draft.data, "children": [{"first_name": "x"}] * most}
    draft.save()
    page = client.post(
        f"/referrals/drafts/{draft.pk}/children/add/", {"first_name": "One more"}
    ).content.decode()
    assert f"You can add no more than {most} here" in page
    assert 'value="One more"' in page  # what was typed is kept on the page
    draft.refresh_from_db()
    assert len(draft.data["children"]) == most


def test_a_person_has_at_most_fifty_drafts(world):
    from referrals.services.drafts import MAX_DRAFTS_PER_PERSON, start_draft

    for _ in range(MAX_DRAFTS_PER_PERSON):
        start_draft(author=world.hv)
    page = client_for(world.hv).post("/referrals/new/", follow=True).content.decode()
    assert "send or delete some before starting another" in page
    assert Draft.objects.filter(author=world.hv).count() == MAX_DRAFTS_PER_PERSON


def test_a_childs_date_of_birth_is_shown_in_words_and_a_wrong_one_as_typed(world):
    client = client_for(world.hv)
    draft = start(client)
    client.post(f"{draft}/children/add/", CHILD)
    children = client.get(f"{draft}/children/").content.decode()
    assert "2 September 2025" in children and "2/9/2025" not in children
    client.post(f"{draft}/children/0/", {**CHILD, "date_of_birth-month": "13"})
    children = client.get(f"{draft}/children/").content.decode()
    assert "2/13/2025" in children


def test_questions_that_depend_on_an_answer_sit_under_it(world):
    client = client_for(world.hv)
    draft = start(client)
    consent = client.get(f"{draft}/consent/").content.decode()
    group = consent.partition('data-reveal-field="consent" data-reveal-values="refused not_sought"')
    assert group[1], "the questions for sharing without agreement are not grouped"
    inside = group[2].partition('<button type="submit"')[0]
    assert 'name="no_consent_basis"' in inside and 'name="no_consent_reason"' in inside
    # Each question is on the page once, and the order follows the answers.
    assert consent.count('name="no_consent_reason"') == 1
    assert consent.index('name="consent"') < consent.index('name="no_consent_basis"')
    child = client.get(f"{draft}/children/add/").content.decode()
    born = child.partition('data-reveal-field="born" data-reveal-values="yes"')[2]
    assert 'name="date_of_birth-day"' in born.partition("</div>\n</div>")[0] or (
        born.index('name="date_of_birth-day"') < born.index('data-reveal-values="no"')
    )
    unborn = child.partition('data-reveal-field="born" data-reveal-values="no"')[2]
    assert unborn.index('name="expected_date_of_delivery-day"') < unborn.index('name="sex"')


def test_check_your_answers_shows_every_answer_with_a_change_link_for_each(world):
    client = client_for(world.hv)
    draft = start(client)
    client.post(f"{draft}/children/add/", CHILD)
    client.post(f"{draft}/adults/add/", MOTHER)
    client.post(f"{draft}/consent/", CONSENT)
    page = client.get(f"{draft}/check/").content.decode()
    # A card per person, with every answer, and a Change link to that person.
    card = page.partition('<h3 class="govuk-summary-card__title">Amira Okafor')[2]
    card = card.partition('<div class="govuk-summary-card">')[0]
    assert f'href="{draft}/children/0/?return=check"' in card
    for answer in ("2 September 2025", "943 476 5919", "Flat 3, 88 Station Road", "Female"):
        assert answer in card, answer
    assert "Grace Okafor" in page and f'href="{draft}/adults/0/?return=check"' in page
    # Every other answer has its own Change link, to its question.
    assert f'href="{draft}/consent/?return=check#id_family_aware"' in page
    assert f'href="{draft}/consent/?return=check#id_consent"' in page
    # Nothing yet about other agencies: said so, with a way to add one.
    assert "No agency added." in page


def baby_child(days_old: int, **extra) -> dict:
    import datetime as dt

    from django.utils import timezone

    born = timezone.localdate() - dt.timedelta(days=days_old)
    return {
        **CHILD,
        "date_of_birth-day": str(born.day),
        "date_of_birth-month": str(born.month),
        "date_of_birth-year": str(born.year),
        **extra,
    }


def draft_up_to_concern(client: Client, child: dict) -> str:
    draft = start(client)
    client.post(f"{draft}/type/", {"kind": "referral", "urgency": "standard"})
    client.post(f"{draft}/children/add/", child)
    client.post(f"{draft}/adults/add/", MOTHER)
    client.post(f"{draft}/adults/", {"father_not_recorded_reason": "Not known to the service."})
    return draft


BABY_INJURY_LABEL = (
    "Does Amira Okafor have any bruise, mark, burn, bleeding (including from the mouth or "
    "nose), swelling or suspected fracture?"
)


def test_the_concern_page_asks_directly_about_a_baby_and_says_what_is_missing(world):
    client = client_for(world.hv)
    draft = draft_up_to_concern(client, baby_child(21))
    page = client.get(f"{draft}/concern/").content.decode()
    assert BABY_INJURY_LABEL in page
    assert "Has Amira Okafor collapsed, stopped breathing, or gone floppy or limp?" in page
    response = client.post(f"{draft}/concern/", CONCERN)
    assert response.status_code == 200
    assert error_summary(response) == [
        (
            "id_baby_injury",
            "Select whether the baby has any bruise, mark, burn, bleeding, swelling or "
            "suspected fracture",
        ),
        (
            "id_baby_collapse",
            "Select whether the baby has collapsed, stopped breathing, or gone floppy or limp",
        ),
    ]
    assert "Mother said her partner shouts" in response.content.decode()  # typed work kept
    answered = {**CONCERN, "baby_injury": "no", "baby_collapse": "yes"}
    assert client.post(f"{draft}/concern/", answered)["Location"] == f"{draft}/consent/"
    client.post(f"{draft}/consent/", CONSENT)
    client.post(f"{draft}/you/", {"phone": "01632 960 222"})
    check = client.get(f"{draft}/check/").content.decode()
    assert "Has Amira Okafor collapsed, stopped breathing, or gone floppy or limp?" in check
    client.post(f"{draft}/check/")
    referral = Referral.objects.get()
    assert referral.non_mobile_injury and referral.urgency == "urgent"
    assert referral.baby_collapse == "yes"


def test_the_concern_page_does_not_ask_about_a_child_who_moves_about(world):
    client = client_for(world.hv)
    draft = draft_up_to_concern(client, baby_child(250, mobile="yes"))
    assert "collapsed, stopped breathing" not in client.get(f"{draft}/concern/").content.decode()
    assert client.post(f"{draft}/concern/", CONCERN)["Location"] == f"{draft}/consent/"


def test_a_baby_of_six_months_to_one_needs_an_answer_on_moving_about(world):
    client = client_for(world.hv)
    draft = start(client)
    response = client.post(f"{draft}/children/add/", baby_child(200))
    assert ("id_mobile", "Select whether the child is moving about on their own yet") in (
        error_summary(response)
    )


def test_the_api_asks_the_same_baby_questions_with_the_same_messages(world):
    import datetime as dt

    born = (dt.date.today() - dt.timedelta(weeks=3)).isoformat()
    document = a_document(child={"date_of_birth": born})
    del document["concern"]["baby_collapse"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.hv)}")
    response = api.post("/api/v1/referrals/", document, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "concern.baby_collapse": [
            "Select whether the baby has collapsed, stopped breathing, or gone floppy or limp"
        ]
    }
    document["concern"]["baby_collapse"] = True
    response = api.post("/api/v1/referrals/", document, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["urgency"] == "urgent"
    assert response.json()["urgent_reasons"] == [
        "a non-mobile baby collapsed, stopped breathing, or went floppy or limp"
    ]


def test_a_health_referrer_is_asked_about_the_differential_diagnosis_and_others_are_not(world):
    from agencies.models import Agency, AgencyKind, Role
    from tests.conftest import make_user

    school = Agency.objects.create(
        name="Canal Row Primary", kind=AgencyKind.SCHOOL, front_door=world.front_door
    )
    teacher = make_user("dsl.teacher", agency=school, role=Role.REFERRER)
    question = "Is abuse part of your differential diagnosis?"
    hv = client_for(world.hv)
    draft = draft_up_to_concern(hv, CHILD)
    assert question in hv.get(f"{draft}/concern/").content.decode()
    missing = {k: v for k, v in CONCERN.items() if k != "abuse_in_differential"}
    assert error_summary(hv.post(f"{draft}/concern/", missing)) == [
        ("id_abuse_in_differential", "Select whether abuse is part of your differential diagnosis")
    ]
    dsl = client_for(teacher)
    draft = draft_up_to_concern(dsl, CHILD)
    assert question not in dsl.get(f"{draft}/concern/").content.decode()
    assert dsl.post(f"{draft}/concern/", missing)["Location"] == f"{draft}/consent/"


def test_the_front_door_reads_the_differential_diagnosis_first(world):
    from tests.conftest import submit  # noqa: PLC0415

    referral = submit(world.hv, concern={"abuse_in_differential": "not_assessed"})
    assert referral.abuse_in_differential == "not_assessed"
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    answer = page.index("No medical assessment has been made yet")
    assert page.index("Is abuse part of the referrer's differential diagnosis?") < answer
    assert answer < page.index("The concern") and answer < page.index("Child: Leo Marsh")


def test_the_api_asks_a_health_referrer_about_the_differential_diagnosis(world):
    document = a_document()
    del document["concern"]["abuse_in_differential"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.gp)}")
    response = api.post("/api/v1/referrals/", document, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "concern.abuse_in_differential": [
            "Select whether abuse is part of your differential diagnosis"
        ]
    }
    document["concern"]["abuse_in_differential"] = "yes"
    created = api.post("/api/v1/referrals/", document, format="json")
    assert created.status_code == 201
    referral = Referral.objects.get(reference=created.json()["reference"])
    assert referral.abuse_in_differential == "yes"
