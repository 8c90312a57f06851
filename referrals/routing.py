"""Which front door a referral goes to.

1. Each child goes to the front door that covers their home postcode
   (agencies.selectors.front_door_for_postcode: the most specific entry wins).
2. A child with no fixed address, no postcode or a postcode no front door here
   covers goes to the front door the sender chose, if they chose one they may
   send to, or else to their own agency's front door.
3. Children of one referral who live in different front doors' areas make a
   referral per front door, each with its own children and everything else
   the sender wrote (the adults, the concern, consent), linked together.

Who may choose which front door: an agency that works across several areas
(`serves_many_areas`: an ambulance service, a police force) may send to any
front door on this deployment; any other agency, to its own front door.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from agencies.models import Agency, AgencyKind
from agencies.selectors import front_door_for_postcode


class RoutingProblem(ValueError):
    """The chosen front door is not one the sender may send to."""


@dataclass(frozen=True)
class Route:
    front_door: Agency
    # Positions in the referral's list of children of those going there.
    children: tuple[int, ...]
    # Which of those had no postcode a front door covers (default or chosen).
    unrouted: tuple[int, ...] = ()


def front_doors_for_sender(sending_agency: Agency) -> QuerySet[Agency]:
    """The front doors a sender may choose for a child whose postcode decides nothing."""
    doors = Agency.objects.filter(kind=AgencyKind.FRONT_DOOR, is_active=True)
    if sending_agency.serves_many_areas:
        return doors.order_by("name")
    if sending_agency.front_door_id is None:
        return doors.none()
    return doors.filter(pk=sending_agency.front_door_id)


def chosen_front_door(sending_agency: Agency, choice: object) -> Agency | None:
    """The front door the sender chose (an id), or None for "my own";
    RoutingProblem if it is not one they may send to."""
    if choice in (None, ""):
        return None
    try:
        key = int(str(choice))
    except ValueError:
        raise RoutingProblem("Choose a front door from the list") from None
    door = front_doors_for_sender(sending_agency).filter(pk=key).first()
    if door is None:
        raise RoutingProblem("Choose a front door from the list")
    return door


def route_children(
    *, sending_agency: Agency, postcodes: list[str], choice: object = None
) -> list[Route]:
    """Where each child goes, as routes in the order of the first child of each.

    Raises RoutingProblem for a choice the sender may not make, and when the
    sender's agency has no front door and nobody chose one."""
    fallback = chosen_front_door(sending_agency, choice)
    if fallback is None and sending_agency.front_door_id is not None:
        fallback = Agency.objects.filter(
            pk=sending_agency.front_door_id, kind=AgencyKind.FRONT_DOOR
        ).first()
    children: dict[int, list[int]] = {}
    unrouted: dict[int, list[int]] = {}
    doors: dict[int, Agency] = {}
    for position, postcode in enumerate(postcodes):
        door = front_door_for_postcode(postcode or "")
        if door is None:
            if fallback is None:
                raise RoutingProblem("Choose the front door to send this referral to")
            door = fallback
            unrouted.setdefault(door.pk, []).append(position)
        doors[door.pk] = door
        children.setdefault(door.pk, []).append(position)
    return [
        Route(
            front_door=doors[key],
            children=tuple(positions),
            unrouted=tuple(unrouted.get(key, [])),
        )
        for key, positions in children.items()
    ]
