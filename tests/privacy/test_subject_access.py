"""Subject access: everything held about one child, for the administrators only."""

from __future__ import annotations

import json

from audit.models import Action, AuditEvent
from tests.conftest import client_for, submit

NHS = "943 476 5919"


def test_the_export_holds_every_referral_about_the_child_and_marks_other_people(world):
    first = submit(world.hv, child={"nhs_number": NHS})
    second = submit(world.gp, child={"nhs_number": "9434765919"})
    other_child = submit(
        world.hv, child={"nhs_number": "", "first_name": "Someone", "last_name": "Else"}
    )
    client_for(world.mash).get(f"/referrals/{first.reference}/")  # a view, to appear in the export

    response = client_for(world.admin).post(
        "/front-door/subject-access/", {"nhs_number": "943 476 5919"}
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="subject-access-')
    export = json.loads(response.content)
    assert {item["reference"] for item in export["referrals"]} == {
        first.reference,
        second.reference,
    }
    assert other_child.reference not in response.content.decode()
    entry = next(item for item in export["referrals"] if item["reference"] == first.reference)
    assert entry["children"][0]["third_party"] is False
    assert all(adult["third_party"] for adult in entry["adults"])
    assert entry["history"] and entry["referral"]["what_happened"]
    assert any(
        row["who"] == world.mash.username and row["what"] == "viewed"
        for row in entry["who_saw_or_changed_it"]
    )
    assert "Nothing here has been redacted" in export["note"]
    audit = AuditEvent.objects.get(action=Action.SUBJECT_ACCESS_EXPORTED)
    assert set(audit.detail["references"]) == {first.reference, second.reference}


def test_by_name_and_date_of_birth(world):
    referral = submit(world.hv, child={"nhs_number": "", "last_name": "Okafor"})
    born = referral.children.get().date_of_birth
    assert born is not None
    response = client_for(world.admin).post(
        "/front-door/subject-access/",
        {
            "first_name": "leo",
            "last_name": "okafor",
            "date_of_birth-day": born.day,
            "date_of_birth-month": born.month,
            "date_of_birth-year": born.year,
        },
    )
    assert [item["reference"] for item in json.loads(response.content)["referrals"]] == [
        referral.reference
    ]


def test_the_form_says_what_is_missing_and_when_nothing_is_found(world):
    client = client_for(world.admin)
    page = client.post("/front-door/subject-access/", {"last_name": "Okafor"}).content.decode()
    assert (
        "govuk-error-summary" in page
        and "Enter the child&#x27;s date of birth, or their NHS number" in page
    )
    page = client.post("/front-door/subject-access/", {"nhs_number": "123"}).content.decode()
    assert "NHS number must be 10 digits" in page
    page = client.post("/front-door/subject-access/", {"nhs_number": NHS}).content.decode()
    assert "No referral to" in page


def test_only_the_front_doors_administrators_can_export(world):
    submit(world.hv, child={"nhs_number": NHS})
    for persona in ("hv", "gp", "mash", "manager", "senior", "outsider"):
        response = client_for(getattr(world, persona)).post(
            "/front-door/subject-access/", {"nhs_number": NHS}
        )
        assert response.status_code == 403, persona
        assert NHS not in response.content.decode()


def test_another_front_doors_administrator_finds_nothing_of_ours(world):
    from agencies.models import Role
    from tests.conftest import make_user

    theirs = make_user("their.admin", agency=world.other_front_door, role=Role.ADMINISTRATOR)
    submit(world.hv, child={"nhs_number": NHS})
    page = (
        client_for(theirs).post("/front-door/subject-access/", {"nhs_number": NHS}).content.decode()
    )
    assert "No referral to" in page


def test_referrals_confirmed_as_the_same_childs_history_are_included(world):
    from referrals.services.triage import record_link

    first = submit(world.hv, child={"nhs_number": NHS})
    renamed = submit(
        world.gp, child={"nhs_number": "", "first_name": "Leo", "last_name": "Marsh-Okafor"}
    )
    record_link(referral=first, earlier=renamed, actor=world.mash, confirmed=True)
    response = client_for(world.admin).post("/front-door/subject-access/", {"nhs_number": NHS})
    export = json.loads(response.content)
    found = {item["reference"]: item["found_through"] for item in export["referrals"]}
    assert found[first.reference] == "the child's details"
    assert found[renamed.reference].startswith("a confirmed link")


def test_a_last_name_and_date_of_birth_alone_are_not_enough(world):
    client = client_for(world.admin)
    page = client.post(
        "/front-door/subject-access/",
        {
            "last_name": "Okafor",
            "date_of_birth-day": 14,
            "date_of_birth-month": 6,
            "date_of_birth-year": 2019,
        },
    ).content.decode()
    assert "their first name, last name and date of birth" in page


def test_another_familys_child_with_the_same_surname_and_birthday_is_not_exported(world):
    ours = submit(world.hv, child={"nhs_number": "", "first_name": "Leo", "last_name": "Okafor"})
    theirs = submit(world.gp, child={"nhs_number": "", "first_name": "Ada", "last_name": "Okafor"})
    born = ours.children.get().date_of_birth
    assert born == theirs.children.get().date_of_birth and born is not None
    response = client_for(world.admin).post(
        "/front-door/subject-access/",
        {
            "first_name": "Leo",
            "last_name": "Okafor",
            "date_of_birth-day": born.day,
            "date_of_birth-month": born.month,
            "date_of_birth-year": born.year,
        },
    )
    references = [item["reference"] for item in json.loads(response.content)["referrals"]]
    assert references == [ours.reference]


def test_a_link_marked_not_the_same_child_is_left_out_and_other_people_are_marked(world):
    from referrals.services.acknowledge import acknowledge_referral
    from referrals.services.triage import record_link

    first = submit(world.hv, child={"nhs_number": NHS})
    other = submit(world.gp, child={"nhs_number": "", "first_name": "Ada"})
    record_link(referral=first, earlier=other, actor=world.mash, confirmed=False)
    acknowledge_referral(referral=first, actor=world.mash)
    response = client_for(world.admin).post("/front-door/subject-access/", {"nhs_number": NHS})
    [item] = json.loads(response.content)["referrals"]
    assert item["earlier_history_links"] == []
    assert other.reference not in response.content.decode()
    assert item["third_party_fields"] == ["sender", "acknowledged_by", "assigned_to", "decided_by"]
    acknowledged = [e for e in item["history"] if e["kind"]["code"] == "acknowledged"]
    assert acknowledged and all(e["third_party"] for e in acknowledged)
    assert all(m["third_party"] for m in item["messages_sent"])
    assert all(w["third_party"] for w in item["who_saw_or_changed_it"])
