"""Where a draft's children will go, for check your answers, and the page
where a sender serving many areas chooses a front door (no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from agencies.models import Agency
from agencies.selectors import get_access
from core.http import AuthenticatedHttpRequest
from referrals.forms.routing import OWN, FrontDoorChoiceForm
from referrals.models import Draft
from referrals.routing import RoutingProblem, front_doors_for_sender, route_children
from referrals.selectors.drafts import get_draft
from referrals.services import drafts


@dataclass(frozen=True)
class Destination:
    front_door: str
    children: list[str]
    unrouted: list[str]


@dataclass(frozen=True)
class RoutingSummary:
    destinations: list[Destination]
    can_choose: bool
    problem: str = ""

    @property
    def split(self) -> bool:
        return len(self.destinations) > 1

    @property
    def any_unrouted(self) -> bool:
        return any(d.unrouted for d in self.destinations)


def _name(child: Any, number: int) -> str:
    if not isinstance(child, dict):
        return f"Child {number}"
    name = f"{child.get('first_name') or ''} {child.get('last_name') or ''}".strip()
    return name or f"Child {number}"


def routing_summary(draft: Draft, agency_id: int) -> RoutingSummary:
    """Where each child of the draft would go if it were sent now."""
    agency = Agency.objects.get(pk=agency_id)
    children = [c for c in draft.data.get("children") or [] if isinstance(c, dict)]
    can_choose = front_doors_for_sender(agency).count() > 1
    try:
        routes = route_children(
            sending_agency=agency,
            postcodes=[str(c.get("postcode") or "") for c in children],
            choice=draft.data.get("front_door"),
        )
    except RoutingProblem as exc:
        return RoutingSummary(destinations=[], can_choose=can_choose, problem=str(exc))
    return RoutingSummary(
        destinations=[
            Destination(
                front_door=route.front_door.name,
                children=[_name(children[i], i + 1) for i in route.children],
                unrouted=[_name(children[i], i + 1) for i in route.unrouted],
            )
            for route in routes
        ],
        can_choose=can_choose,
    )


@login_required
def choose_front_door(request: AuthenticatedHttpRequest, draft_id: str) -> HttpResponse:
    grant = get_access(request.user).sending_grant()
    if grant is None:
        raise PermissionDenied("Only people at a partner agency can send referrals")
    draft = get_draft(request.user, draft_id)
    agency = Agency.objects.get(pk=grant.agency_id)
    choices = list(front_doors_for_sender(agency))
    own = next((d for d in choices if d.pk == agency.front_door_id), None)
    if own is None or len(choices) < 2:
        # Nothing to choose: their own front door takes such a child.
        raise Http404("No choice of front door")
    others = [d for d in choices if d.pk != own.pk]
    if request.method == "POST":
        form = FrontDoorChoiceForm(request.POST, own=own, others=others)
        if form.is_valid():
            chosen = form.cleaned_data["front_door"]
            drafts.save_section(
                draft=draft, key="", values={"front_door": "" if chosen == OWN else chosen}
            )
            return redirect("draft-check", draft.pk)
    else:
        saved = str(draft.data.get("front_door") or "") or OWN
        form = FrontDoorChoiceForm(initial={"front_door": saved}, own=own, others=others)
    return render(
        request,
        "referrals/drafts/front_door.html",
        {"draft": draft, "form": form, "back": reverse("draft-check", args=[draft.pk])},
    )
