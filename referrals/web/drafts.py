"""The sending journey: question pages over a draft, check your answers, send.

Every page saves what was typed into the draft, valid or not, before it
shows errors or moves on, so an interrupted sender loses nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from agencies.selectors import get_access
from audit.services import Origin
from core.http import AuthenticatedHttpRequest
from referrals.content import (
    PAGE_ORDER,
    PAGE_TITLES,
    SECTIONS,
    Problem,
    Section,
    bind,
    form_kwargs,
    vague_words_in,
    validate_content,
)
from referrals.forms.content import FatherForm
from referrals.models import Draft
from referrals.selectors.drafts import drafts_of, get_draft
from referrals.services import drafts
from referrals.services.submit import DraftAlreadySent, submit_referral
from referrals.web.routing import routing_summary

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

LIST_PAGES = {s.page: s for s in SECTIONS if s.many}
SINGLE_PAGES = {s.page: s for s in SECTIONS if not s.many and s.form is not FatherForm}
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


def _next_url(draft: Draft, page: str, request: HttpRequest) -> str:
    if request.GET.get("return") == "check" or page == PAGE_ORDER[-1]:
        return reverse("draft-check", args=[draft.pk])
    following = PAGE_ORDER[PAGE_ORDER.index(page) + 1]
    return reverse("draft-page", args=[draft.pk, following])


def _step(page: str) -> str:
    return f"Step {PAGE_ORDER.index(page) + 1} of {len(PAGE_ORDER) + 1}"


def _values_for(section: Section, data: dict[str, Any], index: int | None = None) -> dict[str, Any]:
    if section.many:
        items = data.get(section.key) or []
        return items[index] if index is not None and 0 <= index < len(items) else {}
    if section.key:
        return data.get(section.key) or {}
    return {name: data.get(name) for name in section.form.base_fields if name in data}


def _initial_form(section: Section, values: dict[str, Any], **kwargs: Any) -> Any:
    """Bound to the saved answers when there are any, so their errors show
    again when the sender comes back; empty otherwise."""
    if not values:
        return section.form(initial=values, **kwargs)
    return _bound_quietly(section, values, **kwargs)


def _bound_quietly(section: Section, values: dict[str, Any], **kwargs: Any) -> Any:
    form = bind(section.form, values, **kwargs)
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
            "drafts": drafts_of(request.user),
        },
    )


@login_required
def page(request: AuthenticatedHttpRequest, draft_id: str, page: str) -> HttpResponse:
    grant = _sender_grant(request)
    draft = get_draft(request.user, draft_id)
    if page in LIST_PAGES:
        return _list_page(request, draft, page)
    section = SINGLE_PAGES.get(page)
    if section is None:
        raise Http404("No such page")
    kwargs = form_kwargs(section, draft.data, health_referrer=grant.is_health)
    if request.method == "POST":
        form = section.form(request.POST, **kwargs)
        try:
            drafts.save_section(
                draft=draft, key=section.key, values=drafts.json_safe(form.json_data())
            )
        except drafts.DraftLimit as limit:
            form.add_error(None, limit.message)
        if form.is_valid():
            return redirect(_next_url(draft, page, request))
    else:
        form = _initial_form(section, _values_for(section, draft.data), **kwargs)
    return render(
        request,
        "referrals/drafts/section.html",
        {
            "draft": draft,
            "form": form,
            "page": page,
            "title": PAGE_TITLES[page],
            "step": _step(page),
            "back": _back_url(draft, page),
        },
    )


def _back_url(draft: Draft, page: str) -> str:
    index = PAGE_ORDER.index(page)
    if index == 0:
        return reverse("referral-start")
    return reverse("draft-page", args=[draft.pk, PAGE_ORDER[index - 1]])


def _list_page(request: HttpRequest, draft: Draft, page: str) -> HttpResponse:
    section = LIST_PAGES[page]
    father_form = None
    if page == "adults":
        father_section = next(s for s in SECTIONS if s.form is FatherForm)
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
        health = _sender_grant(request).is_health
        _, problems = validate_content(draft.data, health_referrer=health)
        errors = [
            (p.path.replace(".", "-"), p.message)
            for p in problems
            if p.page == page and p.index is None
        ]
        if not errors:
            return redirect(_next_url(draft, page, request))
        if father_form is not None:
            # The father's question shows its own error beside it, not only
            # in the summary at the top (WCAG 3.3.1).
            for anchor, message in errors:
                if anchor in father_form.fields and anchor not in father_form.errors:
                    father_form.add_error(anchor, message)
    noun, add_label = ITEM_NOUNS[page]
    summaries = [_summary(section, item) for item in items]
    return render(
        request,
        "referrals/drafts/list.html",
        {
            "draft": draft,
            "page": page,
            "title": PAGE_TITLES[page],
            "step": _step(page),
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
        parts = [str(value.get(p, "")).strip() for p in ("day", "month", "year")]
        try:
            day, month, year = (int(p) for p in parts)
            return f"{dt.date(year, month, day):%-d %B %Y}"
        except ValueError:
            # Not a date yet: shown as typed, for the person to correct.
            return "/".join(p for p in parts if p)
    if choices:
        return str(choices.get(value, value))
    if hasattr(field, "noun") and isinstance(value, str) and len(value) == 10:
        try:
            return f"{dt.date.fromisoformat(value):%-d %B %Y}"
        except ValueError:
            return value
    return str(value)


@login_required
def item(
    request: AuthenticatedHttpRequest, draft_id: str, page: str, index: int | None = None
) -> HttpResponse:
    _sender_grant(request)
    draft = get_draft(request.user, draft_id)
    section = LIST_PAGES.get(page)
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
def remove_item(
    request: AuthenticatedHttpRequest, draft_id: str, page: str, index: int
) -> HttpResponse:
    """Remove a child, an adult, an agency or an area, once the sender has
    said yes on a page that names what goes."""
    _sender_grant(request)
    draft = get_draft(request.user, draft_id)
    section = LIST_PAGES.get(page)
    if section is None:
        raise Http404("No such page")
    items = draft.data.get(section.key) or []
    if not 0 <= index < len(items):
        raise Http404("No such item")
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        drafts.remove_item(draft=draft, key=section.key, index=index)
        messages.success(request, f"{_summary(section, items[index])['title']} removed.")
        return redirect("draft-page", draft.pk, page)
    noun, _ = ITEM_NOUNS[page]
    name = _summary(section, items[index])["title"]
    return _confirm(
        request,
        title=f"Are you sure you want to remove {name}?",
        body=f"Everything you entered about this {noun} will be removed from the draft.",
        button=f"Yes, remove {name}",
        back=reverse("draft-page", args=[draft.pk, page]),
    )


def _confirm(
    request: HttpRequest, *, title: str, body: str, button: str, back: str
) -> HttpResponse:
    return render(
        request,
        "referrals/drafts/confirm.html",
        {"title": title, "body": body, "button": button, "back": back},
    )


@login_required
def check(request: AuthenticatedHttpRequest, draft_id: str) -> HttpResponse:
    grant = _sender_grant(request)
    health = grant.is_health
    try:
        draft = get_draft(request.user, draft_id)
    except Http404:
        if request.method != "POST":
            raise
        # Send pressed again after the first press went through but its
        # answer never arrived (the connection or the database dropped on the
        # way back): point to the list with the receipt, not a missing page.
        messages.info(
            request,
            "That draft is no longer here: it has been sent or deleted. "
            "Everything you have sent is listed below, with its receipt.",
        )
        return redirect("referral-sent")
    content, problems = validate_content(draft.data, health_referrer=health)
    routes = routing_summary(draft, grant.agency_id)
    if routes.problem:
        problems.append(Problem("front_door", routes.problem, "front-door"))
        content = None
    if request.method == "POST" and content is not None:
        try:
            referral = submit_referral(
                sender=request.user, content=content, origin=Origin.of(request), draft=draft
            )
        except DraftAlreadySent:
            messages.info(
                request, "That draft has already been sent. Its receipt is in your referrals."
            )
            return redirect("referral-sent")
        return redirect("referral-receipt", reference=referral.reference)
    concern = draft.data.get("concern") or {}
    vague = vague_words_in(
        str(concern.get("what_happened") or ""), str(concern.get("childs_experience") or "")
    )
    return render(
        request,
        "referrals/drafts/check.html",
        {
            "draft": draft,
            "problems": problems,
            "fix_links": _fix_links(draft, problems),
            "sections": _check_sections(draft, health_referrer=health),
            "vague_words": vague,
            "submitted": request.method == "POST",
            "documents": list(draft.attachments.select_related("document", "added_by")),
            "routes": routes,
        },
    )


def _fix_links(draft: Draft, problems: list[Any]) -> list[tuple[str, str]]:
    links = []
    seen = set()
    for problem in problems:
        if problem.page == "front-door":
            links.append((reverse("draft-front-door", args=[draft.pk]), problem.message))
            continue
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


def _check_sections(draft: Draft, *, health_referrer: bool) -> list[dict[str, Any]]:
    """Every answer, for Check your answers: a summary card per child, adult,
    agency and area with its own Change link, and a Change link on every
    other answer (the GOV.UK check answers pattern)."""
    sections = []
    for page in PAGE_ORDER:
        back = "?return=check"
        change = reverse("draft-page", args=[draft.pk, page]) + back
        if page in LIST_PAGES:
            section = LIST_PAGES[page]
            cards = [
                {
                    **_summary(section, item),
                    "change": reverse("draft-item", args=[draft.pk, page, index]) + back,
                }
                for index, item in enumerate(draft.data.get(section.key) or [])
            ]
            rows: list[tuple[StrOrPromise | None, str, str]] = []
            if page == "adults" and draft.data.get("father_not_recorded_reason"):
                rows.append(
                    (
                        "Why no father or male carer is recorded",
                        draft.data["father_not_recorded_reason"],
                        change + "#id_father_not_recorded_reason",
                    )
                )
            noun = ITEM_NOUNS[page][0]
            sections.append(
                {
                    "title": PAGE_TITLES[page],
                    "cards": cards,
                    "rows": rows,
                    "empty": "" if cards else f"No {noun} added",
                    "change": change,
                    "change_label": f"Add or remove a {noun}" if cards else f"Add a {noun}",
                }
            )
        else:
            section = SINGLE_PAGES[page]
            values = _values_for(section, draft.data)
            # The questions as asked now: a baby question answered before the
            # baby was taken off the children is not shown, nor sent.
            kwargs = form_kwargs(section, draft.data, health_referrer=health_referrer)
            asked = section.form(**kwargs).fields
            rows = [
                (field.label, _display(field, values.get(name)), f"{change}#id_{name}")
                for name, field in asked.items()
                if values.get(name) not in (None, "", [], {})
            ]
            sections.append(
                {
                    "title": PAGE_TITLES[page],
                    "cards": [],
                    "rows": rows,
                    "empty": "" if rows else "Not answered yet",
                    "change": change,
                    "change_label": "Answer these questions",
                }
            )
    return sections


@login_required
def delete(request: AuthenticatedHttpRequest, draft_id: str) -> HttpResponse:
    """Delete a draft, once the sender has said yes on a page that says
    nothing of it can be got back."""
    _sender_grant(request)
    draft = get_draft(request.user, draft_id)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        drafts.delete_draft(draft=draft, author=request.user)
        messages.success(request, "Draft deleted.")
        return redirect("referral-start")
    return _confirm(
        request,
        title="Are you sure you want to delete this draft?",
        body="Everything you have entered will be deleted and cannot be got back. "
        "Nothing has been sent to the front door.",
        button="Yes, delete this draft",
        back=reverse("draft-check", args=[draft.pk]),
    )
