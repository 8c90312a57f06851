"""Pages for triage and for closing the loop: assign, ask, answer, decide,
challenge, link earlier history. Each looks the referral up through the one
access path and hands the form's answers to one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from agencies.models import Agency
from audit.services import Origin
from core.http import AuthenticatedHttpRequest
from core.names import display_name
from referrals.forms.attachments import AnswerWithDocumentForm
from referrals.forms.triage import (
    AreaCheckForm,
    ChallengeAnswerForm,
    ChallengeForm,
    DecisionForm,
    InformationRequestForm,
)
from referrals.models import DecisionProposal, PreviousArea
from referrals.selectors.access import (
    attachments_of_question,
    get_question_for_user,
    get_referral_for_user,
    permissions_for,
    questions_for,
    require,
)
from referrals.selectors.matching import get_related_for_link
from referrals.selectors.oversight import high_risk_reasons_for
from referrals.selectors.people import partner_agencies, user_by_id
from referrals.services.areas import record_area_check
from referrals.services.challenge import answer_challenge as answer_challenge_service
from referrals.services.challenge import raise_challenge
from referrals.services.common import NotAllowedNow
from referrals.services.decision import decide_referral
from referrals.services.triage import (
    answer_information_request,
    assign_referral,
    record_link,
    request_information,
)

FRONT_DOOR_ONLY = "Only front-door staff of this front door can do this"
REFERRER_ONLY = "Only the referrer or their agency's safeguarding lead can do this"


def _form_page(
    request: HttpRequest,
    *,
    referral: Any,
    form: Any,
    title: str,
    button: str,
    intro: str = "",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    return render(
        request,
        "referrals/triage/form.html",
        {
            "referral": referral,
            "form": form,
            "title": title,
            "button": button,
            "intro": intro,
            **(context or {}),
        },
    )


def _apply(form: Any, action: Any) -> bool:
    """Run a service; put its validation errors on the form. True on success."""
    try:
        action()
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    except NotAllowedNow as exc:
        form.add_error(None, str(exc))
        return False
    return True


@login_required
def decide(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    require(permissions_for(request.user, referral).can_act, FRONT_DOOR_ONLY)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    proposed: list[DecisionProposal | None] = []
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: proposed.append(
                decide_referral(
                    referral=referral,
                    actor=request.user,
                    decision=form.cleaned_data["decision"],
                    reasons=form.cleaned_data["reasons"],
                    next_steps=form.cleaned_data["next_steps"],
                    next_steps_owner=form.cleaned_data["next_steps_owner"],
                    origin=Origin.of(request),
                )
            ),
        )
    ):
        if proposed and proposed[0] is not None:
            messages.success(
                request,
                "Decision proposed. A front-door manager must endorse it before the referrer is "
                "told the outcome.",
            )
        else:
            messages.success(
                request,
                f"Decision recorded. {referral.sender.get_full_name() or 'The referrer'} has "
                "been sent the outcome and reasons.",
            )
        return redirect("referral-detail", reference=referral.reference)
    high_risk = high_risk_reasons_for(referral)
    intro = "The referrer is told the decision and your reasons as soon as you record it."
    if high_risk:
        intro = (
            f"This referral is high-risk ({'; '.join(high_risk)}). No further action, advice "
            "or early help is a proposal until a front-door manager endorses it; the referrer "
            "is told only then. Any other decision is final when you record it."
        )
    return _form_page(
        request,
        referral=referral,
        form=form,
        title="Record the decision",
        button="Record decision",
        intro=intro,
    )


@login_required
def ask(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    require(permissions_for(request.user, referral).can_act, FRONT_DOOR_ONLY)
    agencies = partner_agencies(referral)
    form = InformationRequestForm(
        request.POST if request.method == "POST" else None, agencies=agencies
    )

    def chosen() -> Agency | None:
        return next((a for a in agencies if str(a.pk) == form.cleaned_data["to_agency"]), None)

    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: request_information(
                referral=referral,
                actor=request.user,
                question=form.cleaned_data["question"],
                to_agency=chosen(),
                origin=Origin.of(request),
            ),
        )
    ):
        agency = chosen()
        who = agency.name if agency else "The referrer"
        messages.success(request, f"Question sent. {who} has been asked to answer in Front Door.")
        return redirect("referral-detail", reference=referral.reference)
    return _form_page(
        request,
        referral=referral,
        form=form,
        title="Ask for more information",
        button="Send question",
    )


@login_required
def agency_questions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Questions the front door asked this person's agency."""
    questions = questions_for(request.user)
    return render(request, "referrals/triage/questions.html", {"questions": questions})


@login_required
def answer_agency_question(request: AuthenticatedHttpRequest, question_id: int) -> HttpResponse:
    info = get_question_for_user(request.user, question_id)
    form = _answer_form(request, info.referral.reference)
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: answer_information_request(
                info=info,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                origin=Origin.of(request),
                files=form.files_received,
            ),
        )
    ):
        messages.success(request, "Answer sent to the front door.")
        return redirect("agency-questions")
    return render(
        request,
        "referrals/triage/agency_answer.html",
        {
            "info": info,
            "form": form,
            "documents": list(attachments_of_question(request.user, info)),
        },
    )


def _answer_form(request: AuthenticatedHttpRequest, reference: str) -> AnswerWithDocumentForm:
    """The answer, and a document to go with it if there is one."""
    posted = request.method == "POST"
    return AnswerWithDocumentForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        actor=request.user,
        object_ref=reference,
        origin=Origin.of(request),
    )


@login_required
def answer(request: AuthenticatedHttpRequest, reference: str, request_id: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    info = referral.information_requests.filter(pk=request_id, to_agency__isnull=True).first()
    if info is None:
        raise Http404("No such question")
    require(permissions_for(request.user, referral).referrer_side, REFERRER_ONLY)
    form = _answer_form(request, referral.reference)
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: answer_information_request(
                info=info,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                origin=Origin.of(request),
                files=form.files_received,
            ),
        )
    ):
        messages.success(request, "Answer sent to the front door.")
        return redirect("referral-detail", reference=referral.reference)
    return _form_page(
        request,
        referral=referral,
        form=form,
        title="Answer the front door's question",
        button="Send answer",
        context={"question": info.question, "multipart": True},
    )


@login_required
def challenge(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    require(permissions_for(request.user, referral).referrer_side, REFERRER_ONLY)
    form = ChallengeForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: raise_challenge(
                referral=referral,
                actor=request.user,
                reasons=form.cleaned_data["reasons"],
                child_at_risk_now=form.cleaned_data["child_at_risk_now"],
                origin=Origin.of(request),
            ),
        )
    ):
        raised = referral.challenges.filter(is_open=True).first()
        if form.cleaned_data["child_at_risk_now"]:
            who = "A senior manager must answer it within hours"
        elif raised is not None and raised.escalation_level >= 1:
            who = "The decision stood once, so a senior manager must answer it"
        else:
            who = "A front-door manager must answer it"
        messages.success(request, f"Challenge sent. {who}; you will be told.")
        return redirect("referral-detail", reference=referral.reference)
    return _form_page(
        request,
        referral=referral,
        form=form,
        title="Challenge the decision",
        button="Send challenge",
        intro="If you disagree with the decision, say why. A front-door manager must answer; "
        "if they do not answer in time, it goes to senior managers.",
    )


@login_required
def answer_challenge(
    request: AuthenticatedHttpRequest, reference: str, challenge_id: int
) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    item = referral.challenges.filter(pk=challenge_id).first()
    if item is None:
        raise Http404("No such challenge")
    require(permissions_for(request.user, referral).can_answer_challenge, FRONT_DOOR_ONLY)
    form = ChallengeAnswerForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: answer_challenge_service(
                challenge=item,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                response=form.cleaned_data["response"],
                origin=Origin.of(request),
            ),
        )
    ):
        messages.success(request, "Answer recorded. The referrer has been told.")
        return redirect("referral-detail", reference=referral.reference)
    return _form_page(
        request,
        referral=referral,
        form=form,
        title="Answer the challenge",
        button="Record answer",
        context={"question": item.reasons},
    )


@login_required
@require_POST
def assign(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    assignee = (
        request.user
        if request.POST.get("assignee") == "me"
        else user_by_id(request.POST.get("assignee"))
    )
    if assignee is None:
        messages.error(request, "Choose who to assign it to")
        return redirect("referral-detail", reference=referral.reference)
    try:
        assign_referral(
            referral=referral, actor=request.user, assignee=assignee, origin=Origin.of(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        who = "you" if assignee == request.user else display_name(assignee)
        messages.success(request, f"{referral.reference} is assigned to {who}.")
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("referral-detail", reference=referral.reference)


@login_required
@require_POST
def link(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    require(permissions_for(request.user, referral).can_link_history, FRONT_DOOR_ONLY)
    # The other referral, earlier or later, at a front door this one is
    # linked to: a link is kept from the later one to the earlier, whichever
    # page it was made on.
    other = get_related_for_link(
        referral, request.POST.get("other") or request.POST.get("earlier", "")
    )
    confirmed = request.POST.get("decision") == "confirm"
    later, earlier = (
        (other, referral) if other.received_at > referral.received_at else (referral, other)
    )
    record_link(
        referral=later,
        earlier=earlier,
        actor=request.user,
        confirmed=confirmed,
        reason=request.POST.get("reason", ""),
        origin=Origin.of(request),
    )
    messages.success(
        request, f"{other.reference} {'linked' if confirmed else 'marked as not the same'}."
    )
    return redirect("referral-detail", reference=referral.reference)


@login_required
def previous_area(request: AuthenticatedHttpRequest, reference: str, area_id: int) -> HttpResponse:
    """Record asking a previous area's local authority, and what came back."""
    referral = get_referral_for_user(request.user, reference)
    require(permissions_for(request.user, referral).can_act, FRONT_DOOR_ONLY)
    area = get_object_or_404(PreviousArea, pk=area_id, referral=referral)
    if request.method == "POST":
        form = AreaCheckForm(request.POST)
    else:
        initial = {
            "asked_on": area.asked_on,
            "answer": area.answer,
            "answered_on": area.answered_on,
        }
        form = AreaCheckForm(initial={k: v for k, v in initial.items() if v})
    if request.method == "POST" and form.is_valid():
        record_area_check(
            referral=referral,
            area=area,
            actor=request.user,
            asked_on=form.cleaned_data["asked_on"],
            answer=form.cleaned_data["answer"],
            answered_on=form.cleaned_data["answered_on"],
            origin=Origin.of(request),
        )
        messages.success(request, f"What you asked {area.local_authority} is recorded.")
        return redirect(reverse("referral-detail", args=[referral.reference]) + "#previous-areas")
    who = f" about {area.person}" if area.person else ""
    return _form_page(
        request,
        referral=referral,
        form=form,
        title=f"Ask {area.local_authority}",
        button="Save",
        intro=f"Record when you asked {area.local_authority}{who} what they know "
        f"({area.address.strip()}), and what came back. Only the front door sees this.",
    )
