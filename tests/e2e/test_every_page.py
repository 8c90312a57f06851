"""Every page of the portal, as every kind of person who may open it, and its
error states: axe (WCAG 2.2 A and AA) finds nothing, and nothing scrolls
sideways at 320 CSS pixels (WCAG 1.4.10).

The addresses come from the URL map itself: a new page that is neither
visited here nor named in NOT_PAGES (with the reason) fails
test_every_address_is_visited_or_said_why_not, so a page cannot be added
without being checked. Who may open what comes from the permission matrix
(tests/portal/test_permission_matrix.py).

Screenshots of the main pages at a phone's width (390 pixels) and a laptop's
(1366 by 768) go to test-artifacts/screenshots/every-page/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver

from agencies.models import Role
from referrals.content import PAGE_ORDER
from referrals.services.challenge import raise_challenge
from referrals.services.decision import decide_referral
from referrals.services.drafts import start_draft
from referrals.services.triage import request_information
from referrals.web.drafts import ITEM_NOUNS
from tests.conftest import a_document, make_user, sign_in, submit
from tests.e2e.conftest import SCREENSHOTS, assert_accessible
from tests.portal.test_permission_matrix import PAGES

# Named addresses that are not pages a person opens, and why.
NOT_PAGES = {
    "healthz": "JSON for monitoring",
    "sign-out": "a button (POST) that signs out and goes to the sign-in page",
    "session-keep-alive": "a button (POST) that keeps the session going",
    "two-factor-passkey": "the passkey's answer (POST), sent by the code page's script",
    "single-sign-on-callback": "where the provider sends the browser back",
    "two-factor-set-up": "only before an authenticator app is set up (its own browser test)",
    "two-factor-codes": "shown once, straight after setting up (its own browser test)",
    "two-factor-verify": "visited by signing in (the sign-in states below)",
    "account-new-codes": "a button (POST) on Your account",
    "api-token-revoke": "a button (POST) on Your API tokens",
    "passkey-remove": "needs a passkey (tests/e2e/test_passkeys.py)",
    "referral-acknowledge": "a button (POST) on the referral page",
    "referral-convert": "a button (POST) on the referral page",
    "referral-assign": "a form (POST) on the referral page and the queue",
    "referral-link": "a form (POST) on the referral page",
    "home": "sends each person to their own first page, visited through it",
    "document-download": "a file, sent as an attachment (tests/referrals/web/test_attachments.py)",
    "police-acknowledge": "a button (POST) on the police's referral page",
    "notify-receipts": "GOV.UK Notify's delivery receipts (POST, JSON)",
}
# Pages checked with axe by their own journey, as the person who uses them.
CHECKED_BY_JOURNEY = {
    "referral-sign-off": "tests/e2e/test_oversight_journey.py",
    "strategy-record": "tests/e2e/test_strategy_journey.py",
    "strategy-conference": "tests/e2e/test_strategy_journey.py",
    "police-referrals": "tests/e2e/test_strategy_journey.py",
    "police-referral": "tests/e2e/test_strategy_journey.py",
}
# Pages with no axe check yet: each needs its own setting up (a transfer to
# an authority off the service, a decision audit, an agency serving many
# areas, a previous area). Listed so that they are not forgotten.
NOT_CHECKED_YET = {
    "referral-transfer-confirm",
    "decision-audit",
    "decision-audit-finding",
    "draft-front-door",
    "referral-previous-area",
}
# Addresses outside the pages' own URL map, with checks of their own.
OUTSIDE = ("admin/", "api/v1/")


def _named_addresses(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _named_addresses(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + str(pattern.pattern), pattern.name


@dataclass
class Crawl:
    """The pages each persona opens, as (name in the report, path)."""

    world: Any
    pages: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # (persona, name, path, what to do on the page to reach the error state)
    errors: list[tuple[str, str, str, Callable[[Any], None]]] = field(default_factory=list)
    visited_names: set[str] = field(default_factory=set)


PERSONAS = ["hv", "lead_a", "mash", "manager", "senior", "admin", "viewer", "anonymous"]


def press(button: str) -> Callable[[Any], None]:
    def act(page: Any) -> None:
        page.get_by_role("button", name=button, exact=True).first.click()
        page.wait_for_load_state()

    return act


def decide(world: Any, referral: Any, decision: str, reasons: str) -> None:
    """A final decision: proposed and signed off where the referral is high-risk."""
    from referrals.services.oversight import endorse_decision

    proposal = decide_referral(
        referral=referral,
        actor=world.mash,
        decision=decision,
        reasons=reasons,
        next_steps="",
        next_steps_owner="",
    )
    if proposal is not None:
        endorse_decision(proposal=proposal, actor=world.manager)


@pytest.fixture
def crawl(world: Any, live_server: Any) -> Crawl:
    world.viewer = make_user(
        "partnership.viewer", agency=world.front_door, role=Role.PARTNERSHIP_VIEWER
    )
    referral = submit(world.hv)
    decided = submit(world.hv)
    decide(world, decided, "nfa", "No further action: the family has support.")
    # A second decided referral, not yet challenged, for the challenge form.
    unchallenged = submit(world.hv)
    decide(world, unchallenged, "advice", "Advice given to the health visitor.")
    challenge = raise_challenge(
        referral=decided, actor=world.hv, reasons="The bruising is unexplained."
    )
    question = request_information(
        referral=referral, actor=world.mash, question="Who else lives there?"
    )
    agency_question = request_information(
        referral=referral,
        actor=world.mash,
        question="Is the family known to you?",
        to_agency=world.agency_a,
    )
    draft = start_draft(author=world.hv, prefill=a_document())
    empty_draft = start_draft(author=world.hv)
    crawl = Crawl(world=world)
    for persona in PERSONAS:
        crawl.pages[persona] = []
    paths = {
        "/R/": f"/{referral.reference}/",
        "/D/": f"/{decided.reference}/",
    }
    for template, expected in PAGES:
        path = template
        for placeholder, value in paths.items():
            path = path.replace(placeholder, value)
        for persona in PERSONAS:
            if expected.get(persona) == 200:
                crawl.pages[persona].append((template.strip("/").replace("/", "-"), path))
    public = [("help", "/help/"), ("privacy", "/privacy/"), ("accessibility", "/accessibility/")]
    crawl.pages["anonymous"] += [
        ("sign-in", "/sign-in/"),
        ("organisation-sign-in", "/sign-in/organisation/"),
        *public,
    ]
    crawl.pages["hv"] += [
        *public,
        ("not-found", "/referrals/FD-0000-0000/"),
        ("forbidden", "/front-door/queue/"),
        ("draft-check", f"/referrals/drafts/{draft.pk}/check/"),
        ("draft-check-with-problems", f"/referrals/drafts/{empty_draft.pk}/check/"),
        ("draft-child", f"/referrals/drafts/{draft.pk}/children/0/"),
        ("draft-adult", f"/referrals/drafts/{draft.pk}/adults/0/"),
        ("draft-add-adult", f"/referrals/drafts/{draft.pk}/adults/add/"),
        ("draft-add-agency", f"/referrals/drafts/{draft.pk}/other-agencies/add/"),
        ("draft-add-area", f"/referrals/drafts/{draft.pk}/previous-areas/add/"),
        ("api-tokens", "/account/api-tokens/"),
        ("passkey-add", "/account/passkeys/add/"),
        ("authenticator-remove", "/account/authenticator/remove/"),
        ("draft-delete", f"/referrals/drafts/{draft.pk}/delete/"),
        ("draft-document-add", f"/referrals/drafts/{draft.pk}/documents/add/"),
        ("referral-document-add", f"/referrals/{referral.reference}/documents/add/"),
        ("strategy-discussions", "/strategy-discussions/"),
        ("draft-remove-child", f"/referrals/drafts/{draft.pk}/children/0/remove/"),
    ]
    for page in PAGE_ORDER:
        crawl.pages["hv"].append((f"draft-{page}", f"/referrals/drafts/{draft.pk}/{page}/"))
    crawl.pages["lead_a"].append(("agency-question", f"/questions/{agency_question.pk}/"))
    crawl.pages["mash"] += [
        ("queue-filtered-to-nothing", "/front-door/queue/?urgency=urgent&pre_birth=yes"),
        ("referral-decided", f"/referrals/{decided.reference}/"),
    ]
    crawl.pages["manager"].append(("referral-challenged", f"/referrals/{decided.reference}/"))

    crawl.errors = [
        ("anonymous", "sign-in-empty", "/sign-in/", press("Sign in")),
        ("anonymous", "sign-in-wrong", "/sign-in/", _wrong_password(world)),
        (
            "mash",
            "decide-empty",
            f"/referrals/{referral.reference}/decide/",
            press("Record decision"),
        ),
        ("mash", "ask-empty", f"/referrals/{referral.reference}/ask/", press("Send question")),
        (
            "hv",
            "challenge-empty",
            f"/referrals/{unchallenged.reference}/challenge/",
            press("Send challenge"),
        ),
        (
            "hv",
            "answer-empty",
            f"/referrals/{referral.reference}/questions/{question.pk}/answer/",
            press("Send answer"),
        ),
        (
            "manager",
            "answer-challenge-empty",
            f"/referrals/{decided.reference}/challenges/{challenge.pk}/answer/",
            press("Record answer"),
        ),
        (
            "lead_a",
            "agency-answer-empty",
            f"/questions/{agency_question.pk}/",
            press("Send answer"),
        ),
        (
            "admin",
            "subject-access-empty",
            "/front-door/subject-access/",
            press("Download the export"),
        ),
        ("viewer", "partnership-bad-dates", "/reports/partnership/?start=2026-13-40", _nothing),
        ("hv", "draft-send-with-problems", f"/referrals/drafts/{empty_draft.pk}/check/", _send),
    ]
    for page in ("type", "concern", "consent", "you"):
        crawl.errors.append(
            (
                "hv",
                f"draft-{page}-empty",
                f"/referrals/drafts/{empty_draft.pk}/{page}/",
                press("Save and continue"),
            )
        )
    for page, noun in ITEM_NOUNS.items():
        crawl.errors.append(
            (
                "hv",
                f"draft-add-{page}-empty",
                f"/referrals/drafts/{empty_draft.pk}/{page}/add/",
                press(f"Save {noun[0]}"),
            )
        )
    # Last, as it leaves its browser half signed in.
    crawl.errors.append(("anonymous", "code-wrong", "/sign-in/", _wrong_code(world)))
    return crawl


def _nothing(page: Any) -> None:
    pass


def _send(page: Any) -> None:
    page.get_by_role("button", name="Send").last.click()
    page.wait_for_load_state()


def _wrong_password(world: Any) -> Callable[[Any], None]:
    def act(page: Any) -> None:
        page.get_by_label("Username").fill(world.hv.username)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return act


def _wrong_code(world: Any) -> Callable[[Any], None]:
    """Signs in with the password, then gives a code of the wrong length (as
    someone other than the health visitor, whose wrong password just now
    slows down her next sign-in)."""

    def act(page: Any) -> None:
        page.goto("/sign-in/")
        page.get_by_label("Username").fill(world.lead_a.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("Security code").fill("12")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()

    return act


PASSWORD = "a-long-test-password"


def _context_for(browser: Any, live_server: Any, user: Any | None) -> Any:
    from django.test import Client

    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(15_000)
    if user is not None:
        client = sign_in(Client(), user)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
    return context


def _check(page: Any, name: str) -> list[str]:
    """axe at a laptop's width, then reflow at 320 CSS pixels; the problems found."""
    problems: list[str] = []
    try:
        assert_accessible(page, name)
    except AssertionError as found:
        problems.append(str(found))
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{name}: scrolls sideways by {overflow}px at 320 CSS pixels")
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


SCREENSHOT_PAGES = {"referrals-R", "front-door-queue", "front-door-dashboard", "referrals"}


def _screenshots(page: Any, persona: str, name: str) -> None:
    folder = SCREENSHOTS / "every-page"
    folder.mkdir(parents=True, exist_ok=True)
    for device, size in (("phone", (390, 844)), ("laptop", (1366, 768))):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.screenshot(path=str(folder / f"{persona}-{name}-{device}.png"), full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_every_address_is_visited_or_said_why_not(crawl: Crawl) -> None:
    visited_paths = {path.split("?")[0] for pages in crawl.pages.values() for _, path in pages}
    visited_paths |= {path.split("?")[0] for _, _, path, _ in crawl.errors}
    from django.urls import resolve

    visited_names = {resolve(path).url_name for path in visited_paths}
    missing = []
    for route, name in _named_addresses(get_resolver().url_patterns):
        if route.startswith(OUTSIDE) or name in visited_names:
            continue
        if name in NOT_PAGES or name in CHECKED_BY_JOURNEY or name in NOT_CHECKED_YET:
            continue
        missing.append(f"{name} ({route})")
    assert missing == [], (
        "Pages nobody checks: visit them in tests/e2e/test_every_page.py "
        "or say in NOT_PAGES why they are not pages:\n" + "\n".join(missing)
    )
    both = set(NOT_PAGES) & visited_names
    assert not both, f"NOT_PAGES names pages that are visited: {both}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_passes_axe_and_reflows_for(
    crawl: Crawl, browser: Any, live_server: Any, persona: str
) -> None:
    user = None if persona == "anonymous" else getattr(crawl.world, persona)
    context = _context_for(browser, live_server, user)
    page = context.new_page()
    problems: list[str] = []
    try:
        for name, path in crawl.pages[persona]:
            response = page.goto(path)
            expected = {"not-found": 404, "forbidden": 403}.get(name, 200)
            assert response is not None and response.status == expected, f"{path}: {response}"
            problems += _check(page, f"{persona} {name} ({path})")
            if name in SCREENSHOT_PAGES or name.startswith("draft-check"):
                _screenshots(page, persona, name)
    finally:
        context.close()
    assert problems == [], "\n\n".join(problems)


def test_every_error_state_passes_axe_and_reflows(
    crawl: Crawl, browser: Any, live_server: Any
) -> None:
    problems: list[str] = []
    contexts: dict[str, Any] = {}
    crawl.world.lead_a.set_password(PASSWORD)
    crawl.world.lead_a.save(update_fields=["password"])
    try:
        for persona, name, path, act in crawl.errors:
            if persona not in contexts:
                user = None if persona == "anonymous" else getattr(crawl.world, persona)
                contexts[persona] = _context_for(browser, live_server, user).new_page()
            page = contexts[persona]
            page.goto(path)
            act(page)
            assert page.locator("body").count() == 1
            problems += _check(page, f"{persona} {name} ({path})")
            summary = page.locator(".govuk-error-summary")
            if name.endswith(("-empty", "-wrong", "-with-problems")) and summary.count() == 0:
                problems.append(f"{persona} {name}: no error summary after {path}")
    finally:
        for page in contexts.values():
            page.context.close()
    assert problems == [], "\n\n".join(problems)
