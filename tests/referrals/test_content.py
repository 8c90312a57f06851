"""What a referral must contain, checked once for the pages, drafts and API."""

from __future__ import annotations

import datetime as dt

import nhs_number
import pytest
from hypothesis import given
from hypothesis import strategies as st

from referrals.content import vague_words_in, validate_content
from referrals.forms.content import clean_nhs_number, clean_postcode
from tests.conftest import a_document


def problems_of(document) -> dict[str, str]:
    content, problems = validate_content(document)
    assert content is None
    return {p.path: p.message for p in problems}


def test_the_documented_example_is_valid():
    import json
    from pathlib import Path

    from django.conf import settings

    document = json.loads((Path(settings.BASE_DIR) / "docs/api/example-referral.json").read_text())
    content, problems = validate_content(document)
    assert problems == []
    assert content is not None
    assert content.earliest_due_date == dt.date(2027, 4, 20)


def test_a_referral_needs_at_least_one_child():
    assert problems_of(a_document(children=[]))["children"] == "Add at least one child"


def test_the_father_or_a_male_carer_must_be_recorded_or_explained():
    mother_only = a_document(adults=[a_document()["adults"][0]])
    assert problems_of(mother_only)["father_not_recorded_reason"] == (
        "Add the child's father or a male carer, or say why they are not known"
    )
    explained = {**mother_only, "father_not_recorded_reason": "Mother will not say who he is."}
    assert validate_content(explained)[1] == []


@pytest.mark.parametrize("relationship", ["father", "male_carer", "mothers_partner", "step_parent"])
def test_any_man_in_the_childs_life_answers_the_father_question(relationship):
    adults = [
        a_document()["adults"][0],
        {**a_document()["adults"][1], "relationship": relationship},
    ]
    assert validate_content(a_document(adults=adults))[1] == []


def test_an_unborn_child_needs_an_expected_date_of_delivery_not_a_birth_date():
    unborn = a_document(child={"born": "no", "date_of_birth": None})
    assert (
        problems_of(unborn)["children.0.expected_date_of_delivery"]
        == "Enter the expected date of delivery"
    )
    due = (dt.date.today() + dt.timedelta(weeks=20)).isoformat()
    content, _ = validate_content(
        a_document(
            child={"born": "no", "date_of_birth": "2019-01-01", "expected_date_of_delivery": due}
        )
    )
    assert content is not None
    assert content.children[0]["date_of_birth"] is None
    assert content.earliest_due_date is not None
    assert content.earliest_due_date.isoformat() == due


def test_a_due_date_years_away_is_refused():
    far = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    problems = problems_of(a_document(child={"born": "no", "expected_date_of_delivery": far}))
    assert problems["children.0.expected_date_of_delivery"] == (
        "Expected date of delivery must be between a month ago and 10 months from now"
    )


def test_a_born_child_needs_a_date_of_birth_in_the_past():
    assert problems_of(a_document(child={"date_of_birth": None}))["children.0.date_of_birth"] == (
        "Enter the child's date of birth"
    )
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert problems_of(a_document(child={"date_of_birth": tomorrow}))[
        "children.0.date_of_birth"
    ] == ("The child's date of birth must be today or in the past")


@pytest.mark.parametrize(
    "typed", ["2019-02-30", "14/06/2019", {"day": "31", "month": "2", "year": "2020"}]
)
def test_impossible_or_malformed_dates_are_refused(typed):
    problems = problems_of(a_document(child={"date_of_birth": typed}))
    assert problems["children.0.date_of_birth"].startswith(
        "The child's date of birth must be a real date"
    )


def test_a_date_typed_in_parts_with_one_missing_asks_for_it():
    problems = problems_of(
        a_document(child={"date_of_birth": {"day": "4", "month": "", "year": "2020"}})
    )
    assert problems["children.0.date_of_birth"] == "The child's date of birth must include a month"


def test_sharing_without_consent_needs_a_lawful_basis_and_a_reason():
    problems = problems_of(a_document(consent={"consent": "refused"}))
    assert (
        problems["consent.no_consent_basis"]
        == "Select why you are sharing this without their agreement"
    )
    assert (
        problems["consent.no_consent_reason"]
        == "Explain why you are sharing this without their agreement"
    )
    ok = a_document(
        consent={
            "consent": "not_sought",
            "no_consent_basis": "prejudice_investigation",
            "no_consent_reason": "Police asked us not to tell the family yet.",
        }
    )
    assert validate_content(ok)[1] == []


def test_consent_given_clears_any_reason_left_over_from_an_earlier_answer():
    content, _ = validate_content(
        a_document(
            consent={
                "consent": "given",
                "no_consent_basis": "other",
                "no_consent_reason": "left over",
            }
        )
    )
    assert content is not None
    assert content.consent["no_consent_basis"] == "" and content.consent["no_consent_reason"] == ""


def test_the_concern_needs_a_category_and_the_childs_experience():
    problems = problems_of(a_document(concern={"categories": [], "childs_experience": ""}))
    assert problems["concern.categories"] == "Select at least one kind of concern"
    assert (
        problems["concern.childs_experience"]
        == "Enter what life is like for the child, and what they have said"
    )


def test_booleans_from_json_are_understood_as_yes_and_no():
    content, problems = validate_content(a_document(concern={"immediate_risk": False}))
    assert problems == [] and content is not None
    assert content.concern["immediate_risk"] == "no"


@pytest.mark.parametrize("document", [[], "text", 42, None])
def test_a_body_that_is_not_an_object_is_refused(document):
    content, problems = validate_content(document)
    assert content is None and problems[0].path == "body"


def test_a_section_of_the_wrong_type_is_refused_not_crashed():
    assert problems_of(a_document(children="Leo"))["children"] == "Must be a list"
    assert problems_of(a_document(children=["Leo"]))["children.0"] == "Must be an object"
    document = a_document()
    document["concern"] = "bad"
    assert problems_of(document)["concern"] == "Must be an object"


# --- NHS numbers and postcodes -------------------------------------------------


@given(st.integers(min_value=400_000_000, max_value=999_999_999))
def test_every_number_with_the_right_check_digit_is_accepted(body):
    digits = str(body)
    check = nhs_number.calculate_checksum(digits)
    if check == 10:  # no valid number has this body
        return
    number = digits + str(check)
    assert clean_nhs_number(number).replace(" ", "") == number


@given(
    st.integers(min_value=400_000_000, max_value=999_999_999), st.integers(min_value=1, max_value=9)
)
def test_a_number_with_a_wrong_check_digit_is_refused(body, offset):
    digits = str(body)
    check = nhs_number.calculate_checksum(digits)
    if check == 10:
        return
    wrong = digits + str((check + offset) % 10)
    with pytest.raises(Exception, match="Enter a real NHS number"):
        clean_nhs_number(wrong)


def test_nhs_numbers_are_stored_in_the_usual_3_3_4_groups():
    assert clean_nhs_number("9434765919") == "943 476 5919"
    assert clean_nhs_number(" 943-476-5919 ") == "943 476 5919"


@pytest.mark.parametrize("typed", ["٩٤٣٤٧٦٥٩١٩", "９４３４７６５９１９", "९४३४७६५९१९"])
def test_an_nhs_number_in_other_scripts_digits_is_refused_not_stored_as_typed(typed):
    with pytest.raises(Exception, match="NHS number must be 10 digits"):
        clean_nhs_number(typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("sw1a2aa", "SW1A 2AA"), ("NB1 4QT", "NB1 4QT"), ("m1 1ae", "M1 1AE"), ("", "")],
)
def test_postcodes_are_checked_and_tidied(typed, stored):
    assert clean_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["NOTACODE", "12345", "SW1A 2A"])
def test_things_that_are_not_postcodes_are_refused(typed):
    with pytest.raises(Exception, match="Enter a real postcode"):
        clean_postcode(typed)


# --- vague words -------------------------------------------------------------------


def test_vague_words_are_found_once_each_and_only_as_whole_words():
    text = "Mum appears tired. He may have been hit; probably by dad. Probably not. Unlikelyhood."
    assert vague_words_in(text) == ["probably", "may have", "appears"]


@pytest.mark.parametrize(
    ("section", "item", "path", "message"),
    [
        (
            "adults",
            {"relationship": ""},
            "adults.0.relationship",
            "Select the adult's relationship to the child",
        ),
        (
            "adults",
            {"lives_with_child": "maybe"},
            "adults.0.lives_with_child",
            "Select whether this adult lives with the child",
        ),
        (
            "adults",
            {"known_concerns": ["gossip"]},
            "adults.0.known_concerns",
            "Select from the list",
        ),
        (
            "other_agencies",
            {"email": "not-an-email"},
            "other_agencies.0.email",
            "Enter an email address in the correct format, like name@example.com",
        ),
        (
            "other_agencies",
            {"phone": "ring me"},
            "other_agencies.0.phone",
            "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
        ),
        (
            "other_agencies",
            {"organisation": ""},
            "other_agencies.0.organisation",
            "Enter the name of the organisation",
        ),
        (
            "previous_areas",
            {"local_authority": ""},
            "previous_areas.0.local_authority",
            "Enter the local authority, or 'Not known'",
        ),
        (
            "children",
            {"postcode": "NOWHERE"},
            "children.0.postcode",
            "Enter a real postcode, like SW1A 2AA",
        ),
        ("children", {"sex": ""}, "children.0.sex", "Select the child's sex, or 'Not known'"),
        (
            "children",
            {"first_name": "x" * 101},
            "children.0.first_name",
            "First name must be 100 characters or fewer",
        ),
    ],
)
def test_each_part_of_a_list_item_is_checked(section, item, path, message):
    valid_items = {
        "adults": a_document()["adults"][1],
        "other_agencies": {"agency_type": "gp", "organisation": "Riverside Medical Practice"},
        "previous_areas": {"address": "7 Mill Lane", "local_authority": "Eastvale"},
        "children": a_document()["children"][0],
    }
    document = a_document()
    document[section] = [{**valid_items[section], **item}] + (
        document["adults"][:1] if section == "adults" else []
    )
    if section == "adults":
        document["father_not_recorded_reason"] = "Checked separately"
    assert problems_of(document)[path] == message


def test_the_sender_must_leave_a_phone_number():
    document = a_document()
    document["sender"] = {"phone": ""}
    assert (
        problems_of(document)["sender.phone"]
        == "Enter a phone number the front door can reach you on today"
    )


# Every non-mobile baby is asked about directly (Rapid Review A2, Child S).


def baby_born_days_ago(days: int, **child) -> dict:
    from django.utils import timezone

    born = timezone.localdate() - dt.timedelta(days=days)
    return {"date_of_birth": born.isoformat(), **child}


def unanswered_baby_questions(**overrides) -> dict:
    document = a_document(**overrides)
    for name in ("baby_injury", "baby_collapse"):
        del document["concern"][name]
    return document


def test_a_baby_under_six_months_must_be_asked_about_injury_and_collapse():
    problems = problems_of(unanswered_baby_questions(child=baby_born_days_ago(182)))
    assert problems["concern.baby_injury"] == (
        "Select whether the baby has any bruise, mark, burn, bleeding, swelling or "
        "suspected fracture"
    )
    assert problems["concern.baby_collapse"] == (
        "Select whether the baby has collapsed, stopped breathing, or gone floppy or limp"
    )


def test_a_child_of_six_months_or_more_who_moves_about_is_not_asked():
    document = unanswered_baby_questions(child=baby_born_days_ago(183, mobile="yes"))
    content, problems = validate_content(document)
    assert problems == [] and content is not None
    assert content.concern["baby_injury"] == "" and content.concern["baby_collapse"] == ""


def test_a_baby_aged_six_months_to_one_must_say_whether_they_move_about():
    for days in (183, 365):
        assert problems_of(a_document(child=baby_born_days_ago(days)))["children.0.mobile"] == (
            "Select whether the child is moving about on their own yet"
        )
    for days in (182, 366):
        assert validate_content(a_document(child=baby_born_days_ago(days)))[1] == []


def test_an_older_child_not_yet_moving_about_is_asked_about_like_a_baby():
    problems = problems_of(unanswered_baby_questions(child=baby_born_days_ago(300, mobile="no")))
    assert "concern.baby_injury" in problems and "concern.baby_collapse" in problems


def test_an_unborn_child_is_not_asked_about_injury():
    due = (dt.date.today() + dt.timedelta(weeks=20)).isoformat()
    document = unanswered_baby_questions(
        child={"born": "no", "date_of_birth": "", "expected_date_of_delivery": due}
    )
    assert validate_content(document)[1] == []


def test_the_baby_answers_accept_true_and_false_from_the_api():
    document = a_document(
        child=baby_born_days_ago(20), concern={"baby_injury": False, "baby_collapse": True}
    )
    content, _ = validate_content(document)
    assert content is not None
    assert (content.concern["baby_injury"], content.concern["baby_collapse"]) == ("no", "yes")


def test_a_baby_answer_must_be_yes_or_no():
    problems = problems_of(
        a_document(child=baby_born_days_ago(20), concern={"baby_injury": "maybe"})
    )
    assert problems["concern.baby_injury"].startswith("Select whether the baby has any bruise")


# A health referrer is asked whether abuse is part of the differential
# diagnosis (Child S, question 9); nobody else is.


def test_a_health_referrer_must_say_whether_abuse_is_in_the_differential_diagnosis():
    document = a_document()
    del document["concern"]["abuse_in_differential"]
    _, problems = validate_content(document, health_referrer=True)
    assert {p.path: p.message for p in problems} == {
        "concern.abuse_in_differential": (
            "Select whether abuse is part of your differential diagnosis"
        )
    }
    content, _ = validate_content(document, health_referrer=False)
    assert content is not None and content.concern["abuse_in_differential"] == ""


def test_the_differential_answer_is_kept_from_a_health_referrer_only():
    document = a_document(concern={"abuse_in_differential": "ruled_out"})
    health, _ = validate_content(document, health_referrer=True)
    other, _ = validate_content(document)
    assert health is not None and health.concern["abuse_in_differential"] == "ruled_out"
    assert other is not None and other.concern["abuse_in_differential"] == ""
