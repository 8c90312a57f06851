"""The pages, as each persona sees them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from audit.models import AuditEvent
from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.models import Status
from referrals.services.challenge import raise_challenge
from referrals.services.decision import decide_referral
from tests.conftest import WEDNESDAY_10AM, client_for, sign_in, submit


def error_summary(response) -> list[tuple[str, str]]:
    html = response.content.decode()
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', html)


def without_per_request_tokens(response) -> str:
    html = response.content.decode()
    html = re.sub(r'nonce="[^"]+"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# --- who may send ---


@pytest.mark.parametrize("persona", ["mash", "manager", "senior", "admin", "outsider"])
def test_people_who_do_not_send_referrals_cannot_open_the_form(world, persona):
    response = client_for(getattr(world, persona)).get("/referrals/new/")
    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()


def test_signed_out_people_are_sent_to_sign_in(world):
    response = Client().get("/referrals/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


# --- seeing a referral ---------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("hv", 200),
        ("lead_a", 200),
        ("mash", 200),
        ("manager", 200),
        ("senior", 200),
        ("admin", 200),
        ("gp", 404),
        ("outsider", 404),
    ],
)
def test_who_can_open_a_referral_page(world, persona, status):
    referral = submit(world.hv)
    response = client_for(getattr(world, persona)).get(f"/referrals/{referral.reference}/")
    assert response.status_code == status


def test_an_unknown_or_other_agencys_reference_gets_the_same_not_found_page(world):
    referral = submit(world.hv)
    gp = client_for(world.gp)
    forbidden = gp.get(f"/referrals/{referral.reference}/")
    unknown = gp.get("/referrals/FD-0000-0000/")
    nonsense = gp.get("/referrals/not-a-reference/")
    assert forbidden.status_code == unknown.status_code == nonsense.status_code == 404
    assert without_per_request_tokens(forbidden) == without_per_request_tokens(unknown)
    assert "Page not found" in forbidden.content.decode()


def test_viewing_a_referral_is_audited(world):
    referral = submit(world.hv)
    client_for(world.mash).get(f"/referrals/{referral.reference}/")
    assert AuditEvent.objects.filter(
        actor=world.mash, action="viewed", object_ref=referral.reference
    ).exists()


def test_a_reference_typed_in_lower_case_finds_the_referral(world):
    referral = submit(world.hv)
    response = client_for(world.hv).get(f"/referrals/{referral.reference.lower()}/")
    assert response.status_code == 200


def test_the_referrers_list_shows_who_acknowledged_and_when(world):
    from referrals.services.acknowledge import acknowledge_referral

    referral = submit(world.hv)
    acknowledge_referral(referral=referral, actor=world.mash)
    html = client_for(world.hv).get("/referrals/").content.decode()
    assert referral.reference in html
    assert "Maya Ashworth" in html


def test_the_list_shows_only_what_the_person_may_see(world):
    mine = submit(world.hv)
    colleague = submit(world.lead_a)
    other_agency = submit(world.gp)
    hv_page = client_for(world.hv).get("/referrals/").content.decode()
    lead_page = client_for(world.lead_a).get("/referrals/").content.decode()
    assert mine.reference in hv_page
    assert colleague.reference not in hv_page and other_agency.reference not in hv_page
    assert mine.reference in lead_page and colleague.reference in lead_page
    assert other_agency.reference not in lead_page


# --- the front door ------------------------------------------------------------


def test_the_queue_puts_urgent_referrals_first_then_the_nearest_deadline(world):
    now = dt.datetime.now(dt.UTC)
    later = submit(world.hv, now=now - dt.timedelta(minutes=5))
    earlier = submit(world.gp, now=now - dt.timedelta(days=1))
    urgent = submit(world.hv, urgency="urgent", now=now - dt.timedelta(minutes=1))
    html = client_for(world.mash).get("/front-door/queue/").content.decode()
    order = list(dict.fromkeys(re.findall(r"FD-[0-9A-Z]{4}-[0-9A-Z]{4}", html)))
    assert order == [urgent.reference, earlier.reference, later.reference]


def test_the_queue_of_one_front_door_shows_nothing_of_another(world):
    referral = submit(world.hv)
    html = client_for(world.outsider).get("/front-door/queue/").content.decode()
    assert referral.reference not in html


def test_a_practitioner_acknowledges_from_the_referral_page(world):
    referral = submit(world.hv)
    client = client_for(world.mash)
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Acknowledge this referral" in page
    response = client.post(f"/referrals/{referral.reference}/acknowledge/", follow=True)
    referral.refresh_from_db()
    assert referral.status == Status.ACKNOWLEDGED
    assert "You acknowledged" in response.content.decode()


def test_a_referrer_cannot_acknowledge_their_own_referral(world):
    referral = submit(world.hv)
    client = client_for(world.hv)
    assert (
        "Acknowledge this" not in client.get(f"/referrals/{referral.reference}/").content.decode()
    )
    assert client.post(f"/referrals/{referral.reference}/acknowledge/").status_code == 403


def test_acknowledging_twice_says_who_got_there_first(world):
    referral = submit(world.hv)
    client_for(world.mash).post(f"/referrals/{referral.reference}/acknowledge/")
    response = client_for(world.manager).post(
        f"/referrals/{referral.reference}/acknowledge/", follow=True
    )
    assert "already acknowledged by Maya Ashworth" in response.content.decode()


def test_the_referrer_sees_that_their_referral_was_escalated(world):
    referral = submit(world.hv, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=5))
    escalate_overdue_referrals()
    html = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Not acknowledged in time: escalated to front-door managers" in html
    assert "Not acknowledged in time: escalated to senior managers" in html


def test_the_manager_dashboard_counts_and_lists_what_nobody_owns(world):
    overdue = submit(world.hv, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=5))
    fresh = submit(world.gp)
    escalate_overdue_referrals()
    response = client_for(world.manager).get("/front-door/dashboard/")
    dashboard = response.context["dashboard"]
    assert dashboard.counts["not_acknowledged"] == 2
    assert dashboard.counts["overdue"] == 1
    assert dashboard.counts["escalated"] == 1
    assert [r.reference for r in dashboard.escalated] == [overdue.reference]
    assert {r.reference for r in dashboard.not_acknowledged} == {overdue.reference, fresh.reference}


def test_the_dashboard_uses_the_same_number_of_queries_however_many_referrals(
    world, django_assert_max_num_queries
):
    for _ in range(3):
        submit(world.hv, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=5))
    escalate_overdue_referrals()
    client = client_for(world.manager)
    client.get("/front-door/dashboard/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/front-door/dashboard/")
    for _ in range(20):
        submit(world.gp, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=5))
    escalate_overdue_referrals()
    with CaptureQueriesContext(connection) as many:
        client.get("/front-door/dashboard/")
    assert len(many) == len(few)


@pytest.mark.parametrize("persona", ["hv", "gp", "lead_a", "mash"])
def test_only_managers_see_the_dashboard(world, persona):
    assert client_for(getattr(world, persona)).get("/front-door/dashboard/").status_code == 403


def test_the_queue_counts_everything_waiting_and_pages_through_it(world):
    for _ in range(53):
        submit(world.gp)
    client = client_for(world.mash)
    first = client.get("/front-door/queue/").content.decode()
    assert "53 waiting (page 1 of 2)" in first
    assert len(set(re.findall(r"FD-[0-9A-Z]{4}-[0-9A-Z]{4}", first))) == 50
    second = client.get("/front-door/queue/?page=2").content.decode()
    assert len(set(re.findall(r"FD-[0-9A-Z]{4}-[0-9A-Z]{4}", second))) == 3
    assert client.get("/front-door/queue/?page=nonsense").status_code == 200


def test_the_agency_lead_sees_times_outcomes_and_challenges_for_the_whole_agency(world):
    from referrals.services.acknowledge import acknowledge_referral

    start = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
    referral = submit(world.hv, now=start)
    acknowledge_referral(
        referral=referral, actor=world.mash, now=start + dt.timedelta(hours=2, minutes=5)
    )
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="early_help",
        reasons="r",
        next_steps="",
        next_steps_owner="",
        now=start + dt.timedelta(hours=6),
    )
    raise_challenge(referral=referral, actor=world.lead_a, reasons="x")
    html = client_for(world.lead_a).get("/referrals/").content.decode()
    assert "every referral your agency has sent" in html
    assert "2 hours 5 minutes after it arrived" in html
    assert "Early help" in html and "6 hours after it arrived" in html
    assert "Challenge open" in html


def test_the_dashboard_links_each_number_to_its_list_and_shows_workload(world):
    from referrals.services.triage import assign_referral

    overdue = submit(world.hv, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=3))
    assign_referral(referral=overdue, actor=world.manager, assignee=world.mash)
    client = client_for(world.manager)
    html = client.get("/front-door/dashboard/").content.decode()
    assert 'href="/front-door/queue/?due=overdue"' in html
    assert 'href="/front-door/queue/?escalated=1"' in html
    dashboard = client.get("/front-door/dashboard/").context["dashboard"]
    mash_row = next(w for w in dashboard.workload if w["user_id"] == world.mash.pk)
    assert (mash_row["open"], mash_row["overdue"]) == (1, 1)
    queue = client.get("/front-door/queue/?due=overdue").content.decode()
    assert overdue.reference in queue


def test_each_dashboard_row_offers_every_worker_with_the_current_one_chosen(world):
    from agencies.models import Role
    from referrals.services.triage import assign_referral
    from tests.conftest import make_user

    make_user(
        "odd.name",
        agency=world.front_door,
        role=Role.PRACTITIONER,
        first='<b>"Jo"</b>',
        last="O'Neil",
    )
    assigned = submit(world.hv, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=3))
    assign_referral(referral=assigned, actor=world.manager, assignee=world.mash)
    unassigned = submit(world.hv, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    html = client_for(world.manager).get("/front-door/dashboard/").content.decode()

    def select_for(referral):
        start = html.index(f'action="/referrals/{referral.reference}/assign/"')
        return html[start : html.index("</select>", start)]

    mine = select_for(assigned)
    assert f'<option value="{world.mash.pk}" selected>' in mine
    assert mine.count(" selected") == 1 and '<option value="">Nobody</option>' not in mine
    nobody = select_for(unassigned)
    assert '<option value="">Nobody</option>' in nobody and " selected" not in nobody
    # Every worker on every row, names escaped.
    for select in (mine, nobody):
        assert "&lt;b&gt;&quot;Jo&quot;&lt;/b&gt; O&#x27;Neil" in select and "<b>" not in select
    assert f'href="/referrals/{assigned.reference}/"' in html


def test_a_manager_reassigns_from_the_dashboard_and_comes_back_to_it(world):
    referral = submit(world.hv, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=3))
    client = client_for(world.manager)
    response = client.post(
        f"/referrals/{referral.reference}/assign/",
        {"assignee": world.mash.pk, "next": "/front-door/dashboard/"},
    )
    assert response["Location"] == "/front-door/dashboard/"
    referral.refresh_from_db()
    assert referral.assigned_to == world.mash
    evil = client.post(
        f"/referrals/{referral.reference}/assign/",
        {"assignee": world.mash.pk, "next": "https://evil.example/"},
    )
    assert evil["Location"] == f"/referrals/{referral.reference}/"


def test_failed_and_retrying_emails_show_who_was_not_told(world):
    from notifications.models import DeliveryStatus, Notification

    referral = submit(world.hv)
    notes = list(Notification.objects.filter(referral=referral).order_by("id"))
    Notification.objects.filter(pk=notes[0].pk).update(status=DeliveryStatus.FAILED, attempts=6)
    Notification.objects.filter(pk=notes[1].pk).update(attempts=2)
    html = client_for(world.manager).get("/front-door/dashboard/").content.decode()
    assert notes[0].to_address in html and "Failed after 6 tries" in html
    assert notes[1].to_address in html and "Retrying" in html


def test_a_referral_page_uses_the_same_number_of_queries_however_many_emails_it_sent(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.models import DeliveryStatus, Notification

    referral = submit(world.hv)
    Notification.objects.filter(referral=referral).update(status=DeliveryStatus.SENT)
    client = client_for(world.mash)
    client.get(f"/referrals/{referral.reference}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/referrals/{referral.reference}/")
    now = dt.datetime.now(dt.UTC)
    Notification.objects.bulk_create(
        Notification(
            referral=referral,
            purpose="receipt",
            to_address=f"person{i}@example.test",
            subject="Received",
            body="See Front Door",
            status=DeliveryStatus.SENT,
            next_attempt_at=now,
            created_at=now,
            sent_at=now,
        )
        for i in range(15)
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/referrals/{referral.reference}/")
    assert response.content.decode().count("person1") >= 1
    assert len(many) == len(few)


def test_the_warning_names_the_rule_that_was_broken(world):
    from referrals.services.acknowledge import acknowledge_referral

    referral = submit(world.hv, now=WEDNESDAY_10AM)
    acknowledge_referral(
        referral=referral, actor=world.mash, now=WEDNESDAY_10AM + dt.timedelta(minutes=5)
    )
    escalate_overdue_referrals(now=WEDNESDAY_10AM + dt.timedelta(days=2))
    page = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert "No decision in time: escalated to front-door managers" in page
    assert "Not acknowledged in time" not in page


def test_html_and_script_typed_into_a_referral_are_shown_as_text(world):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    referral = submit(world.hv, child={"first_name": script}, concern={"what_happened": script})
    for persona in ("hv", "mash"):
        page = (
            client_for(getattr(world, persona))
            .get(f"/referrals/{referral.reference}/")
            .content.decode()
        )
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert" in page
    queue = client_for(world.mash).get("/front-door/queue/").content.decode()
    assert "<script>alert" not in queue


def test_forms_need_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, world.hv)
    response = client.post("/referrals/new/")
    assert response.status_code == 403
    assert "Sorry, that page had expired" in response.content.decode()


def test_an_answer_of_not_known_reads_as_words_on_the_referral_page(world):
    from tests.conftest import a_document

    document = a_document()
    father = document["adults"][1]
    father.update(lives_with_child="not_known", parental_responsibility="not_known")
    referral = submit(world.hv, adults=document["adults"])
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Notknown" not in page
    assert page.count(">Not known</dd>") >= 2


def test_a_decided_referral_says_when_it_was_decided_not_when_it_is_due(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Not yet. Due by" in page
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="nfa",
        reasons="The family has support.",
        next_steps="",
        next_steps_owner="",
    )
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Decided at" in page
    assert "after it was due" in page  # decided now, long after that Wednesday
    assert "Not yet. Due by" not in page.split("Decision</dt>")[1].split("</div>")[0]


def test_an_interpreter_needed_is_shown_even_without_a_language(world):
    from tests.conftest import a_document

    child = a_document()["children"][0]
    child.update(interpreter_needed="yes", first_language="")
    referral = submit(world.hv, children=[child])
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Interpreter needed</dt>" in page
    assert ">Yes</dd>" in page.split("Interpreter needed</dt>")[1][:80]


def test_a_referrer_is_told_of_a_question_on_their_list_and_at_the_top_of_the_referral(world):
    from referrals.services.triage import request_information

    asked = submit(world.hv)
    not_asked = submit(world.hv)
    question = request_information(
        referral=asked, actor=world.mash, question="Does the father live there?"
    )
    listing = client_for(world.hv).get("/referrals/").content.decode()
    assert "The front door has 1 question for you to answer" in listing
    assert f"/referrals/{asked.reference}/questions/{question.pk}/answer/" in listing
    rows = {
        ref: listing.split(f">{ref}</a>")[1].split("</tr>")[0]
        for ref in (asked.reference, not_asked.reference)
    }
    assert "Question to answer" in rows[asked.reference]
    assert "Question to answer" not in rows[not_asked.reference]
    page = client_for(world.hv).get(f"/referrals/{asked.reference}/").content.decode()
    banner = page.index("The front door has asked you a question")
    assert banner < page.index("Where it is")
    # Their safeguarding lead sees it too; the GP of another agency does not.
    assert "1 question for you" in client_for(world.lead_a).get("/referrals/").content.decode()
    assert "question for you" not in client_for(world.gp).get("/referrals/").content.decode()
    # The front door does not see the referrer's banner on the referral.
    staff = client_for(world.mash).get(f"/referrals/{asked.reference}/").content.decode()
    assert "The front door has asked you a question" not in staff
    # Answered: the banner and the tag go.
    from referrals.services.triage import answer_information_request

    answer_information_request(info=question, actor=world.hv, answer="Yes, most nights.")
    listing = client_for(world.hv).get("/referrals/").content.decode()
    assert "question for you" not in listing and "Question to answer" not in listing


def test_front_door_staff_are_not_offered_a_referral_form_they_cannot_open(world):
    referral = submit(world.hv)
    for path in ("/referrals/", f"/referrals/{referral.reference}/receipt/"):
        staff = client_for(world.mash).get(path).content.decode()
        assert 'href="/referrals/new/"' not in staff, path
        sender = client_for(world.hv).get(path).content.decode()
        assert 'href="/referrals/new/"' in sender, path
