"""The front door's search for people across all its referrals."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from agencies.selectors import get_access
from audit.services import Origin
from core.http import AuthenticatedHttpRequest
from referrals.forms.search import PersonSearchForm
from referrals.selectors import search


@login_required
def search_people(request: AuthenticatedHttpRequest) -> HttpResponse:
    # Sent by POST: names and dates of birth stay out of addresses, browser
    # history and server logs.
    if not get_access(request.user).is_front_door_staff:
        raise PermissionDenied("Only front-door staff can search people")
    form = PersonSearchForm(request.POST if request.method == "POST" else None)
    result = None
    query = None
    if request.method == "POST" and form.is_valid():
        query = search.PersonQuery(**form.cleaned_data)
        result = search.search_people(request.user, query)
        search.record_search(
            actor=request.user, query=query, result=result, origin=Origin.of(request)
        )
    return render(
        request,
        "referrals/search.html",
        {"form": form, "result": result, "query": query},
    )
