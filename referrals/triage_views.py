"""Pages for triage and for closing the loop: assign, ask, answer, decide,
challenge, link earlier history. Each looks the referral up through the one
access path and hands the form's answers to one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from referrals import selectors, triage
from referrals.triage_forms import (
    ChallengeAnswerForm,
    ChallengeForm,
    DecisionForm,
    InformationAnswerForm,
    InformationRequestForm,
)


def _form_page(request: HttpRequest, *, referral: Any, form: Any, title: str, button: str,
               intro: str = "", context: dict[str, Any] | None = None) -> HttpResponse:
    return render(request, "referrals/triage/form.html", {
        "referral": referral, "form": form, "title": title, "button": button, "intro": intro,
        **(context or {}),
    })


def _apply(form: Any, action: Any) -> bool:
    """Run a service; put its validation errors on the form. True on success."""
    try:
        action()
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    except triage.NotAllowedNow as exc:
        form.add_error(None, str(exc))
        return False
    return True


@login_required
def decide(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, reference)
    triage.check_front_door(request.user, referral)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and _apply(form, lambda: triage.decide_referral(
        referral=referral, actor=request.user, decision=form.cleaned_data["decision"],
        reasons=form.cleaned_data["reasons"], next_steps=form.cleaned_data["next_steps"],
        next_steps_owner=form.cleaned_data["next_steps_owner"], request=request,
    )):
        messages.success(request, f"Decision recorded. {referral.sender.get_full_name() or 'The referrer'} has been sent the outcome and reasons.")
        return redirect("referral-detail", reference=referral.reference)
    return _form_page(request, referral=referral, form=form, title="Record the decision", button="Record decision",
                      intro="The referrer is told the decision and your reasons as soon as you record it.")


@login_required
def ask(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, reference)
    triage.check_front_door(request.user, referral)
    agencies = triage.partner_agencies(referral)
    form = InformationRequestForm(request.POST if request.method == "POST" else None, agencies=agencies)
    chosen = lambda: next((a for a in agencies if str(a.pk) == form.cleaned_data["to_agency"]), None)  # noqa: E731
    if request.method == "POST" and form.is_valid() and _apply(form, lambda: triage.request_information(
        referral=referral, actor=request.user, question=form.cleaned_data["question"],
        to_agency=chosen(), request=request,
    )):
        who = chosen().name if chosen() else "The referrer"
        messages.success(request, f"Question sent. {who} has been asked to answer in Front Door.")
        return redirect("referral-detail", reference=referral.reference)
    return _form_page(request, referral=referral, form=form, title="Ask for more information",
                      button="Send question")


@login_required
def agency_questions(request: HttpRequest) -> HttpResponse:
    """Questions the front door asked this person's agency."""
    questions = triage.questions_for(request.user)
    return render(request, "referrals/triage/questions.html", {"questions": questions})


@login_required
def answer_agency_question(request: HttpRequest, question_id: int) -> HttpResponse:
    info = triage.get_question_for_user(request.user, question_id)
    form = InformationAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and _apply(form, lambda: triage.answer_information_request(
        info=info, actor=request.user, answer=form.cleaned_data["answer"], request=request,
    )):
        messages.success(request, "Answer sent to the front door.")
        return redirect("agency-questions")
    return render(request, "referrals/triage/agency_answer.html", {"info": info, "form": form})


@login_required
def answer(request: HttpRequest, reference: str, request_id: int) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, reference)
    info = referral.information_requests.filter(pk=request_id, to_agency__isnull=True).first()
    if info is None:
        raise Http404("No such question")
    triage.check_referrer_side(request.user, referral)
    form = InformationAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and _apply(form, lambda: triage.answer_information_request(
        info=info, actor=request.user, answer=form.cleaned_data["answer"], request=request,
    )):
        messages.success(request, "Answer sent to the front door.")
        return redirect("referral-detail", reference=referral.reference)
    return _form_page(request, referral=referral, form=form, title="Answer the front door's question",
                      button="Send answer", context={"question": info.question})


@login_required
def challenge(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, reference)
    triage.check_referrer_side(request.user, referral)
    form = ChallengeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and _apply(form, lambda: triage.raise_challenge(
        referral=referral, actor=request.user, reasons=form.cleaned_data["reasons"], request=request,
    )):
        messages.success(request, "Challenge sent. A front-door manager must answer it; you will be told.")
        return redirect("referral-detail", reference=referral.reference)
    return _form_page(request, referral=referral, form=form, title="Challenge the decision", button="Send challenge",
                      intro="If you disagree with the decision, say why. A front-door manager must answer; "
                            "if they do not answer in time, it goes to senior managers.")


@login_required
def answer_challenge(request: HttpRequest, reference: str, challenge_id: int) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, reference)
    item = referral.challenges.filter(pk=challenge_id).first()
    if item is None:
        raise Http404("No such challenge")
    triage.check_front_door(request.user, referral, triage.CHALLENGE_ANSWERING_ROLES)
    form = ChallengeAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and _apply(form, lambda: triage.answer_challenge(
        challenge=item, actor=request.user, outcome=form.cleaned_data["outcome"],
        response=form.cleaned_data["response"], request=request,
    )):
        messages.success(request, "Answer recorded. The referrer has been told.")
        return redirect("referral-detail", reference=referral.reference)
    return _form_page(request, referral=referral, form=form, title="Answer the challenge", button="Record answer",
                      context={"question": item.reasons})


@login_required
@require_POST
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, reference)
    assignee = request.user if request.POST.get("assignee") == "me" else triage.user_by_id(request.POST.get("assignee"))
    if assignee is None:
        messages.error(request, "Choose who to assign it to")
        return redirect("referral-detail", reference=referral.reference)
    try:
        triage.assign_referral(referral=referral, actor=request.user, assignee=assignee, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        who = "you" if assignee == request.user else (assignee.get_full_name() or assignee.get_username())
        messages.success(request, f"{referral.reference} is assigned to {who}.")
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("referral-detail", reference=referral.reference)


@login_required
@require_POST
def link(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, reference)
    earlier = selectors.get_referral_for_user(request.user, request.POST.get("earlier", ""))
    confirmed = request.POST.get("decision") == "confirm"
    triage.record_link(referral=referral, earlier=earlier, actor=request.user, confirmed=confirmed,
                       reason=request.POST.get("reason", ""), request=request)
    messages.success(request, f"{earlier.reference} {'linked' if confirmed else 'marked as not the same'}.")
    return redirect("referral-detail", reference=referral.reference)
