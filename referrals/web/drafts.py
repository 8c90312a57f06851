"""The sending journey: question pages over a draft, check your answers, send.

Every page saves what was typed into the draft, valid or not, before it
shows errors or moves on, so an interrupted sender loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.selectors import get_access
from audit.services import Origin
from core.http import AuthenticatedHttpRequest
from referrals.content import (
    CONTACT_PAGE_ORDER,
    CONTACT_PAGE_TITLES,
    CONTACT_SECTIONS,
    PAGE_ORDER,
    PAGE_TITLES,
    SECTIONS,
    Section,
    bind,
    vague_words_in,
    validate_content,
)
from referrals.forms.content import FatherForm
from referrals.models import Draft
from referrals.selectors.access import front_door_recording_for
from referrals.selectors.drafts import drafts_of, get_draft
from referrals.services import drafts
from referrals.services.contacts import record_contact
from referrals.services.submit import DraftAlreadySent, submit_referral

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Journey:
    """The pages of one way of writing a draft: a partner agency sending a
    referral, or the front door recording a contact it received."""

    contact: bool
    sections: tuple[Section, ...]
    order: tuple[str, ...]
    titles: dict[str, str]
    start: str  # the URL name of its start page

    @property
    def list_pages(self) -> dict[str, Section]:
        return {s.page: s for s in self.sections if s.many}

    @property
    def single_pages(self) -> dict[str, Section]:
        return {s.page: s for s in self.sections if not s.many and s.form is not FatherForm}


SENDING = Journey(False, SECTIONS, PAGE_ORDER, PAGE_TITLES, "referral-start")
RECORDING = Journey(
    True, CONTACT_SECTIONS, CONTACT_PAGE_ORDER, CONTACT_PAGE_TITLES, "contact-start"
)
LIST_PAGES = SENDING.list_pages
SINGLE_PAGES = SENDING.single_pages
ITEM_NOUNS = {
    "children": ("child", "Add a child"),
    "adults": ("adult", "Add an adult"),
    "other-agencies": ("agency", "Add an agency"),
    "previous-areas": ("previous address", "Add a previous address"),
}


def _sender_grant(request: HttpRequest) -> Any:
    grant = get_access(request.user).sending_grant()
    if grant is None:
        raise PermissionDenied("Only people at a partner agency can send referrals")
    return grant


def journey_of(draft: Draft) -> Journey:
    """A contact's draft starts with its contact section (start_contact)."""
    return RECORDING if isinstance(draft.data.get("contact"), dict) else SENDING


def _draft_for(request: AuthenticatedHttpRequest, draft_id: str) -> tuple[Draft, Journey]:
    """The person's own draft, if they may still write it: a referral while
    they send for a partner agency, a contact while they work at a front door."""
    draft = get_draft(request.user, draft_id)
    journey = journey_of(draft)
    if journey.contact:
        if front_door_recording_for(request.user) is None:
            raise PermissionDenied("Only front-door practitioners and managers record contacts")
    else:
        _sender_grant(request)
    return draft, journey


def _next_url(draft: Draft, page: str, request: HttpRequest) -> str:
    order = journey_of(draft).order
    if request.GET.get("return") == "check" or page == order[-1]:
        return reverse("draft-check", args=[draft.pk])
    following = order[order.index(page) + 1]
    return reverse("draft-page", args=[draft.pk, following])


def _step(journey: Journey, page: str) -> str:
    return f"Step {journey.order.index(page) + 1} of {len(journey.order) + 1}"


def _values_for(section: Section, data: dict[str, Any], index: int | None = None) -> dict[str, Any]:
    if section.many:
        items = data.get(section.key) or []
        return items[index] if index is not None and 0 <= index < len(items) else {}
    if section.key:
        return data.get(section.key) or {}
    return {name: data.get(name) for name in section.form.base_fields if name in data}


def _initial_form(section: Section, values: dict[str, Any]) -> Any:
    """Bound to the saved answers when there are any, so their errors show
    again when the sender comes back; empty otherwise."""
    return section.form(initial=values) if not values else _bound_quietly(section, values)


def _bound_quietly(section: Section, values: dict[str, Any]) -> Any:
    form = bind(section.form, values)
    form.is_valid()
    # Coming back to a page shows the answers, not a page of errors.
    form._errors = {}  # noqa: SLF001 - deliberate: errors are shown after a submit only
    return form


@login_required
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    grant = _sender_grant(request)
    if request.method == "POST":
        phone = (
            request.user.memberships.filter(is_active=True)
            .exclude(phone="")
            .values_list("phone", flat=True)
            .first()
        )
        try:
            draft = drafts.start_draft(
                author=request.user, prefill={"sender": {"phone": phone or "", "availability": ""}}
            )
        except drafts.DraftLimit as limit:
            messages.error(request, limit.message)
            return redirect("referral-start")
        return redirect("draft-page", draft.pk, PAGE_ORDER[0])
    return render(
        request,
        "referrals/drafts/start.html",
        {
            "agency_name": grant.agency_name,
            "drafts": [d for d in drafts_of(request.user) if not journey_of(d).contact],
        },
    )


@login_required
def contact_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record a contact: a phone call, an email, a letter or someone at the desk."""
    if front_door_recording_for(request.user) is None:
        raise PermissionDenied("Only front-door practitioners and managers record contacts")
    if request.method == "POST":
        # Filled in with now, for the call still on the line; the worker
        # changes it to when it really came in.
        now = timezone.localtime()
        try:
            draft = drafts.start_draft(
                author=request.user,
                prefill={
                    "contact": {
                        "channel": "phone",
                        "received_on": {
                            "day": str(now.day),
                            "month": str(now.month),
                            "year": str(now.year),
                        },
                        "received_time": f"{now:%H:%M}",
                    }
                },
            )
        except drafts.DraftLimit as limit:
            messages.error(request, limit.message)
            return redirect("contact-start")
        return redirect("draft-page", draft.pk, CONTACT_PAGE_ORDER[0])
    return render(
        request,
        "referrals/drafts/contact_start.html",
        {"drafts": [d for d in drafts_of(request.user) if journey_of(d).contact]},
    )


@login_required
def page(request: AuthenticatedHttpRequest, draft_id: str, page: str) -> HttpResponse:
    draft, journey = _draft_for(request, draft_id)
    if page in journey.list_pages:
        return _list_page(request, draft, page)
    section = journey.single_pages.get(page)
    if section is None:
        raise Http404("No such page")
    if request.method == "POST":
        form = section.form(request.POST)
        try:
            drafts.save_section(
                draft=draft, key=section.key, values=drafts.json_safe(form.json_data())
            )
        except drafts.DraftLimit as limit:
            form.add_error(None, limit.message)
        if form.is_valid():
            return redirect(_next_url(draft, page, request))
    else:
        form = _initial_form(section, _values_for(section, draft.data))
    return render(
        request,
        "referrals/drafts/section.html",
        {
            "draft": draft,
            "form": form,
            "page": page,
            "title": journey.titles[page],
            "step": _step(journey, page),
            "back": _back_url(draft, page),
            "contact": journey.contact,
        },
    )


def _back_url(draft: Draft, page: str) -> str:
    journey = journey_of(draft)
    index = journey.order.index(page)
    if index == 0:
        return reverse(journey.start)
    return reverse("draft-page", args=[draft.pk, journey.order[index - 1]])


def _list_page(request: HttpRequest, draft: Draft, page: str) -> HttpResponse:
    journey = journey_of(draft)
    section = journey.list_pages[page]
    father_form = None
    if page == "adults":
        father_section = next(s for s in journey.sections if s.form is FatherForm)
        if request.method == "POST":
            father_form = FatherForm(request.POST)
            try:
                drafts.save_section(draft=draft, key="", values=father_form.json_data())
            except drafts.DraftLimit as limit:
                father_form.add_error(None, limit.message)
            draft.refresh_from_db()
        else:
            father_form = _initial_form(father_section, _values_for(father_section, draft.data))
    items = draft.data.get(section.key) or []
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        _, problems = validate_content(draft.data, contact=journey.contact)
        errors = [
            (p.path.replace(".", "-"), p.message)
            for p in problems
            if p.page == page and p.index is None
        ]
        if not errors:
            return redirect(_next_url(draft, page, request))
    noun, add_label = ITEM_NOUNS[page]
    summaries = [_summary(section, item) for item in items]
    return render(
        request,
        "referrals/drafts/list.html",
        {
            "draft": draft,
            "page": page,
            "title": journey.titles[page],
            "step": _step(journey, page),
            "items": summaries,
            "noun": noun,
            "add_label": add_label,
            "father_form": father_form,
            "errors": errors,
            "back": _back_url(draft, page),
            "return_to": request.GET.get("return", ""),
        },
    )


def _summary(section: Section, item: dict[str, Any]) -> dict[str, Any]:
    form = bind(section.form, item)
    valid = form.is_valid()
    if section.key in {"children", "adults"}:
        title = f"{item.get('first_name', '')} {item.get('last_name', '')}".strip() or "No name yet"
    elif section.key == "other_agencies":
        title = item.get("organisation") or "No organisation yet"
    else:
        title = item.get("local_authority") or "No local authority yet"
    rows = []
    for name, field in section.form.base_fields.items():
        value = item.get(name)
        if value in (None, "", [], {}):
            continue
        rows.append((field.label, _display(field, value)))
    return {"title": title, "rows": rows, "complete": valid}


def _display(field: Any, value: Any) -> str:
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value)
    if isinstance(value, dict):
        parts = [value.get(p, "") for p in ("day", "month", "year")]
        return "/".join(p for p in parts if p)
    if choices:
        return str(choices.get(value, value))
    if hasattr(field, "noun") and isinstance(value, str) and len(value) == 10:
        try:
            import datetime as dt

            return f"{dt.date.fromisoformat(value):%-d %B %Y}"
        except ValueError:
            return value
    return str(value)


@login_required
def item(
    request: AuthenticatedHttpRequest, draft_id: str, page: str, index: int | None = None
) -> HttpResponse:
    draft, journey = _draft_for(request, draft_id)
    section = journey.list_pages.get(page)
    if section is None:
        raise Http404("No such page")
    items = draft.data.get(section.key) or []
    if index is not None and not 0 <= index < len(items):
        raise Http404("No such item")
    noun, _ = ITEM_NOUNS[page]
    if request.method == "POST":
        form = section.form(request.POST)
        try:
            drafts.save_section(
                draft=draft, key=section.key, values=drafts.json_safe(form.json_data()), index=index
            )
        except drafts.DraftLimit as limit:
            form.add_error(None, limit.message)
        if form.is_valid():
            back = reverse("draft-page", args=[draft.pk, page])
            if request.GET.get("return") == "check":
                back += "?return=check"
            return redirect(back)
        if index is None:
            # Saved as a new item: further corrections edit that item.
            index = len(items)
    else:
        form = (
            _initial_form(section, _values_for(section, draft.data, index))
            if index is not None
            else section.form()
        )
    verb = "Change" if index is not None and index < len(items) else "Add"
    article = "an" if noun[0] in "aeiou" else "a"
    return render(
        request,
        "referrals/drafts/item.html",
        {
            "draft": draft,
            "form": form,
            "page": page,
            "noun": noun,
            "index": index,
            "title": f"{verb} {article} {noun}",
            "back": reverse("draft-page", args=[draft.pk, page]),
            "action": reverse("draft-item", args=[draft.pk, page, index])
            if index is not None
            else "",
        },
    )


@login_required
@require_POST
def remove_item(
    request: AuthenticatedHttpRequest, draft_id: str, page: str, index: int
) -> HttpResponse:
    draft, journey = _draft_for(request, draft_id)
    section = journey.list_pages.get(page)
    if section is None:
        raise Http404("No such page")
    drafts.remove_item(draft=draft, key=section.key, index=index)
    return redirect("draft-page", draft.pk, page)


@login_required
def check(request: AuthenticatedHttpRequest, draft_id: str) -> HttpResponse:
    try:
        draft, journey = _draft_for(request, draft_id)
    except Http404:
        if request.method != "POST":
            raise
        # Send pressed again after the first press went through but its
        # answer never arrived (the connection or the database dropped on the
        # way back): point to the list with the receipt, not a missing page.
        if front_door_recording_for(request.user) is not None:
            messages.info(
                request,
                "That contact is no longer a draft: it has been recorded or deleted. "
                "Everything recorded is in the queue below.",
            )
            return redirect("front-door-queue")
        messages.info(
            request,
            "That draft is no longer here: it has been sent or deleted. "
            "Everything you have sent is listed below, with its receipt.",
        )
        return redirect("referral-sent")
    content, problems = validate_content(draft.data, contact=journey.contact)
    closing_reasons = request.POST.get("closing_reasons", "")[:10_000]
    closing = request.method == "POST" and request.POST.get("action") == "close"
    closing_error = ""
    if closing and not closing_reasons.strip():
        closing_error = "Enter why the contact is closed as information only"
    if request.method == "POST" and content is not None and not closing_error:
        try:
            if journey.contact:
                referral = record_contact(
                    recorder=request.user,
                    content=content,
                    close_as_information_only=closing,
                    closing_reasons=closing_reasons,
                    origin=Origin.of(request),
                    draft=draft,
                )
            else:
                referral = submit_referral(
                    sender=request.user, content=content, origin=Origin.of(request), draft=draft
                )
        except DraftAlreadySent:
            if journey.contact:
                messages.info(request, "That contact has already been recorded.")
                return redirect("front-door-queue")
            messages.info(
                request, "That draft has already been sent. Its receipt is in your referrals."
            )
            return redirect("referral-sent")
        return redirect("referral-receipt", reference=referral.reference)
    concern = draft.data.get("concern") or {}
    vague = vague_words_in(
        str(concern.get("what_happened") or ""), str(concern.get("childs_experience") or "")
    )
    fix_links = _fix_links(draft, problems)
    if closing_error:
        fix_links.append(("#closing_reasons", closing_error))
    return render(
        request,
        "referrals/drafts/check.html",
        {
            "draft": draft,
            "contact": journey.contact,
            "problems": problems or ([closing_error] if closing_error else []),
            "fix_links": fix_links,
            "sections": _check_sections(draft),
            "vague_words": vague,
            "submitted": request.method == "POST",
            "closing_reasons": closing_reasons,
            "closing_error": closing_error,
        },
    )


def _fix_links(draft: Draft, problems: list[Any]) -> list[tuple[str, str]]:
    links = []
    seen = set()
    for problem in problems:
        if problem.index is not None:
            url = reverse("draft-item", args=[draft.pk, problem.page, problem.index])
            noun = ITEM_NOUNS[problem.page][0]
            message = f"{noun.capitalize()} {problem.index + 1}: {problem.message}"
        else:
            url = reverse("draft-page", args=[draft.pk, problem.page])
            message = problem.message
        url += "?return=check"
        if (url, message) not in seen:
            seen.add((url, message))
            links.append((url, message))
    return links


def _check_sections(draft: Draft) -> list[dict[str, Any]]:
    journey = journey_of(draft)
    sections = []
    for page in journey.order:
        change = reverse("draft-page", args=[draft.pk, page]) + "?return=check"
        if page in journey.list_pages:
            section = journey.list_pages[page]
            items = [_summary(section, item) for item in draft.data.get(section.key) or []]
            rows: list[tuple[StrOrPromise | None, str]] = []
            for number, summary in enumerate(items, start=1):
                rows.append((f"{ITEM_NOUNS[page][0].capitalize()} {number}", summary["title"]))
            if page == "adults" and draft.data.get("father_not_recorded_reason"):
                rows.append(
                    (
                        "Why no father or male carer is recorded",
                        draft.data["father_not_recorded_reason"],
                    )
                )
            sections.append(
                {
                    "title": journey.titles[page],
                    "rows": rows or [("", "None added")],
                    "change": change,
                    "items": items,
                }
            )
        else:
            section = journey.single_pages[page]
            values = _values_for(section, draft.data)
            rows = [
                (field.label, _display(field, values.get(name)))
                for name, field in section.form.base_fields.items()
                if values.get(name) not in (None, "", [], {})
            ]
            sections.append(
                {
                    "title": journey.titles[page],
                    "rows": rows or [("", "Not answered yet")],
                    "change": change,
                }
            )
    return sections


@login_required
@require_POST
def delete(request: AuthenticatedHttpRequest, draft_id: str) -> HttpResponse:
    draft, journey = _draft_for(request, draft_id)
    drafts.delete_draft(draft=draft, author=request.user)
    messages.success(request, "Draft deleted.")
    return redirect(journey.start)
