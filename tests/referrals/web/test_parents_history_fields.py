"""What the reviews found the front door needed about parents: a condition
another agency knew of, MARAC, care history, custody, drug or alcohol
misuse. Asked on the adults' page, shown on check your answers, carried by
the API, and shown at the top of the referral for the front door."""

from __future__ import annotations

from referrals.models import Adult, Referral
from tests.conftest import WEDNESDAY_10AM, a_document, client_for, submit
from tests.referrals.api.test_api import api_for, example
from tests.referrals.web.test_sending_journey import CHILD, start

MOTHER = {
    "first_name": "Grace",
    "last_name": "Okafor",
    "relationship": "mother",
    "lives_with_child": "yes",
    "parental_responsibility": "yes",
    "care_history": "care_leaver",
    "marac": "yes",
    "marac_actions": "Safety plan; IDVA allocated.",
}
FATHER = {
    "first_name": "Tom",
    "last_name": "Reid",
    "relationship": "father",
    "lives_with_child": "no",
    "parental_responsibility": "yes",
    "condition": "ADHD and autism",
    "condition_known_to": "Adult mental health team",
    "custody_history": "yes",
    "custody_details": "Six months in HMP Northbridge for assault, released in August.",
    "substance_misuse": "Cannabis daily.",
}


def test_the_adults_page_asks_and_the_list_of_adults_shows_the_answers(world):
    client = client_for(world.hv)
    draft = start(client)
    client.post(f"{draft}/type/", {"kind": "referral", "urgency": "standard"})
    client.post(f"{draft}/children/add/", CHILD)
    page = client.get(f"{draft}/adults/add/").content.decode()
    assert "Are they, or were they, looked after by a local authority? (optional)" in page
    assert "Are they known to MARAC" in page
    assert 'value=""' not in page.split("care_history")[1][:200]  # no blank radio
    client.post(f"{draft}/adults/add/", MOTHER)
    client.post(f"{draft}/adults/add/", FATHER)
    # The adults' list, which check your answers links to, shows each answer.
    check = client.get(f"{draft}/adults/").content.decode()
    assert "Yes: was looked after (a care leaver)" in check
    assert "Safety plan; IDVA allocated." in check
    assert "ADHD and autism" in check and "Adult mental health team" in check
    assert "Six months in HMP Northbridge" in check and "Cannabis daily." in check


def test_a_made_up_answer_is_refused_with_a_message_and_nothing_typed_is_lost(world):
    client = client_for(world.hv)
    draft = start(client)
    client.post(f"{draft}/type/", {"kind": "referral", "urgency": "standard"})
    response = client.post(f"{draft}/adults/add/", {**MOTHER, "care_history": "sometimes"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select one of the answers, or leave it blank" in html
    assert "Safety plan; IDVA allocated." in html


def test_the_fields_are_optional(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    mother = referral.adults.get(relationship="mother")
    assert (mother.care_history, mother.marac, mother.condition) == ("", "", "")
    html = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "What is known about the parents and carers" not in html


def test_the_front_door_sees_what_is_known_about_the_parents_at_the_top(world):
    adults = [a_document()["adults"][0] | MOTHER, a_document()["adults"][1] | FATHER]
    referral = submit(world.hv, now=WEDNESDAY_10AM, adults=adults)
    html = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    top = html.index("What is known about the parents and carers")
    assert top < html.index("Other referrals about this child")
    panel = html[top : html.index("</dl>", top)]
    assert "Grace Okafor (mother): care history" in panel
    assert "was looked after (a care leaver)" in panel
    assert "Grace Okafor (mother): marac" in panel and "Safety plan; IDVA allocated." in panel
    assert "Tom Reid (father): diagnosis or condition" in panel
    assert "ADHD and autism (known to Adult mental health team)" in panel
    assert "Six months in HMP Northbridge" in panel and "Cannabis daily." in panel
    # The referrer sees what they wrote with the adults, not the front door's panel.
    theirs = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert "What is known about the parents and carers" not in theirs
    assert "ADHD and autism" in theirs


def test_the_api_takes_and_gives_back_the_fields(world):
    response = api_for(world.gp).post("/api/v1/referrals/", example(), format="json")
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get(reference=response.json()["reference"])
    body = api_for(world.mash).get(f"/api/v1/referrals/{referral.reference}/").json()
    mother, partner = body["adults"]
    assert (mother["care_history"], mother["marac"]) == ("care_leaver", "yes")
    assert partner["condition"] == "ADHD and autism"
    assert partner["custody_history"] == "yes"
    assert Adult.objects.filter(referral=referral, substance_misuse__startswith="Drinks").exists()


def test_the_api_refuses_a_made_up_answer_with_a_field_error(world):
    document = a_document()
    document["adults"][0]["marac"] = "maybe"
    response = api_for(world.gp).post("/api/v1/referrals/", document, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["adults.0.marac"] == [
        "Select one of the answers, or leave it blank"
    ]


# --- vague words, shown to the front door as they were to the sender ---


def test_the_front_door_is_shown_the_vague_words_the_referrer_used(world):
    referral = submit(
        world.hv,
        now=WEDNESDAY_10AM,
        concern={
            "what_happened": "Bruise that was probably from a fall; mother may have hit him.",
            "childs_experience": "Seems happy.",
        },
    )
    html = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "The referrer wrote 'probably', 'may have', 'seems'." in html
    theirs = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert 'id="vague-words"' not in theirs


def test_no_warning_when_the_referrer_says_plainly_what_they_saw(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    html = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert 'id="vague-words"' not in html
