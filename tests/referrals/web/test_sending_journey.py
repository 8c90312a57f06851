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
    assert (
        "Add the child&#x27;s father or a male carer, or say why they are not known"
        in missing_father.content.decode()
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
    # Front-door staff write drafts of their own (contacts they record), so
    # a sender's draft is simply not theirs: the same 404 as a missing one.
    draft = start(client_for(world.hv))
    assert client_for(world.mash).get(f"{draft}/check/").status_code == 404
    assert client_for(world.senior).get(f"{draft}/check/").status_code == 404


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


def test_a_draft_can_be_deleted(world):
    client = client_for(world.hv)
    draft = start(client)
    client.post(f"{draft}/delete/")
    assert Draft.objects.count() == 0
    assert client.get(f"{draft}/check/").status_code == 404


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
