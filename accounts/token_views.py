"""Your API tokens: for a person's own scripts, made only just after entering
a security code, shown once."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import PersonalToken
from accounts.tokens import issue_personal_token, revoke_personal_token, tokens_of
from accounts.views import _confirm_first, _recently_confirmed
from audit.services import Origin
from core.forms import GovukForm
from core.http import AuthenticatedHttpRequest

NEW_TOKEN_SESSION_KEY = "new_personal_token"  # noqa: S105 - a session key's name # nosec B105


class TokenForm(GovukForm):
    name = forms.CharField(
        label="What is the token for?",
        max_length=100,
        help_text="For example, the name of your script. Only you see it.",
        error_messages={"required": "Enter what the token is for"},
    )
    days = forms.IntegerField(
        label="For how many days?",
        min_value=1,
        max_value=settings.PERSONAL_TOKEN_MAX_DAYS,
        initial=30,
        help_text=f"At most {settings.PERSONAL_TOKEN_MAX_DAYS}. It also stops working after "
        f"{settings.PERSONAL_TOKEN_IDLE_DAYS} days unused.",
        error_messages={
            "required": "Enter the number of days",
            "invalid": "Enter the number of days as a whole number, like 30",
            "min_value": "Enter at least 1 day",
            "max_value": f"Enter {settings.PERSONAL_TOKEN_MAX_DAYS} days or fewer",
        },
    )


@never_cache
@login_required
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        if not _recently_confirmed(request):
            messages.info(
                request, "Enter a security code to confirm it is you, then make the token."
            )
            return _confirm_first(request, reverse("api-tokens"))
        if form.is_valid():
            _, key = issue_personal_token(
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                origin=Origin.of(request),
            )
            request.session[NEW_TOKEN_SESSION_KEY] = key
            return redirect("api-tokens")
    return render(
        request,
        "registration/api_tokens.html",
        {
            "form": form,
            "tokens": tokens_of(request.user),
            "new_key": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
        },
    )


@require_POST
@login_required
def revoke_api_token(request: AuthenticatedHttpRequest, prefix: str) -> HttpResponse:
    token = PersonalToken.objects.filter(user=request.user, key_prefix=prefix).first()
    if token is None:
        raise Http404("No such token")
    revoke_personal_token(token=token, actor=request.user, origin=Origin.of(request))
    messages.success(request, f"The token for {token.name} no longer works.")
    return redirect("api-tokens")
