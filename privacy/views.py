"""The subject-access export page, for a front door's administrators."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from agencies.models import Agency, Role
from agencies.selectors import get_access
from audit.models import Action
from audit.services import Origin, record_event
from privacy.forms import SubjectAccessForm
from privacy.subject_access import export_archive, export_for_child


@never_cache
@login_required
def subject_access(request: HttpRequest) -> HttpResponse:
    front_doors = get_access(request.user).front_door_ids_with({Role.ADMINISTRATOR})
    if not front_doors:
        raise PermissionDenied(
            "Only a front door's administrators can export what is held about a child"
        )
    front_door = Agency.objects.filter(pk__in=front_doors).order_by("name").first()
    form = SubjectAccessForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "front_door": front_door}
    if request.method == "POST" and form.is_valid():
        # One of the person's front doors as an administrator: an active agency.
        if front_door is None:
            raise PermissionDenied("Only a front door's administrators can export")
        data = form.cleaned_data
        export = export_for_child(
            front_door.pk,
            nhs_number=data["nhs_number"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
        )
        record_event(
            actor=request.user,
            action=Action.SUBJECT_ACCESS_EXPORTED,
            object_type="child",
            object_ref=f"{export['referral_count']} referrals",
            origin=Origin.of(request),
            detail={
                "references": [item["reference"] for item in export["referrals"]],
                "searched_by": "nhs_number" if data["nhs_number"] else "name_and_date_of_birth",
            },
        )
        if export["referral_count"] == 0:
            context["nothing_found"] = True
            return render(request, "privacy/subject_access.html", context)
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        if any(item["documents"] for item in export["referrals"]):
            # With the attached documents: a ZIP of the JSON and the files.
            response = HttpResponse(export_archive(export), content_type="application/zip")
            filename = f"subject-access-{stamp}.zip"
        else:
            response = HttpResponse(
                json.dumps(export, indent=2, ensure_ascii=False),
                content_type="application/json; charset=utf-8",
            )
            filename = f"subject-access-{stamp}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "privacy/subject_access.html", context)
