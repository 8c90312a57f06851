"""The Family T demo (issue 19): a care leaver's unborn twins, their father
named, both parents known to the front door as children; months later a
hospital refers the twins with injuries. Used by the demo data and by the
browser journey that tries it as a new user would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from agencies.models import Role
from agencies.selectors import members_with_role
from audit.services import COMMAND
from referrals.content import validate_content
from referrals.models import Referral
from referrals.services.decision import decide_referral
from referrals.services.oversight import endorse_decision
from referrals.services.submit import submit_referral

MOTHER = {"first_name": "Tia", "last_name": "Reynolds", "date_of_birth": "2006-03-09"}
FATHER = {"first_name": "Jordan", "last_name": "Blake", "date_of_birth": "2004-11-22"}
HOME = {"address": "Flat 2, 7 Quay Street, Northbridge", "postcode": "NB1 2QT"}


@dataclass
class FamilyT:
    mother_as_child: Referral
    father_as_child: Referral
    pre_birth: Referral
    twins: Referral


def _document(**parts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "referral",
        "urgency": "standard",
        "children": [],
        "adults": [],
        "father_not_recorded_reason": "",
        "other_agencies": [],
        "previous_areas": [],
        "consent": {"family_aware": "yes", "consent": "given"},
        "sender": {"phone": "01632 960 333", "availability": "Weekdays"},
    }
    base.update(parts)
    return base


def _submit(user: Any, document: dict[str, Any], when: dt.datetime) -> Referral:
    content, problems = validate_content(document)
    if content is None:
        raise ValueError(
            f"Family T referral is not valid: {[(p.path, p.message) for p in problems]}"
        )
    return submit_referral(sender=user, content=content, origin=COMMAND, now=when)


def _decide(referral: Referral, decider: Any, decision: str, reasons: str) -> None:
    proposal = decide_referral(
        referral=referral,
        actor=decider,
        decision=decision,
        reasons=reasons,
        next_steps="",
        next_steps_owner="",
        origin=COMMAND,
        now=referral.received_at + dt.timedelta(hours=3),
    )
    if proposal is not None:
        # A high-risk referral (the pre-birth one): a manager signed it off.
        manager = members_with_role(agency_id=referral.front_door_id, roles=[Role.MANAGER]).first()
        if manager is None:
            raise ValueError("Family T needs a front-door manager to sign off its decisions")
        endorse_decision(
            proposal=proposal,
            actor=manager.user,
            origin=COMMAND,
            now=referral.received_at + dt.timedelta(hours=4),
        )


def _as_child(person: dict[str, str], **more: str) -> dict[str, Any]:
    return {
        **person,
        "born": "yes",
        "sex": "female" if person is MOTHER else "male",
        "nhs_number": "",
        "interpreter_needed": "no",
        "plan_status": "none",
        **more,
    }


def _parent(person: dict[str, str], relationship: str, **more: Any) -> dict[str, Any]:
    return {
        **person,
        "relationship": relationship,
        "lives_with_child": "yes",
        "parental_responsibility": "yes",
        "known_concerns": [],
        **more,
    }


def seed_family_t(
    *, school: Any, midwife: Any, hospital: Any, decider: Any, now: dt.datetime | None = None
) -> FamilyT:
    """Four referrals, oldest first: Tia as a child (2019, looked after) and
    Jordan as a child (2018), both decided; the midwife's pre-birth referral
    about Tia's unborn twins (five months ago, decided); the hospital's
    referral about the twins, born three weeks ago, with injuries (now)."""
    now = now or timezone.now()
    today = timezone.localdate()
    born = today - dt.timedelta(days=21)
    due = born + dt.timedelta(days=14)  # twins come early
    mother_as_child = _submit(
        school,
        _document(
            children=[
                _as_child(
                    MOTHER,
                    address="Hillside Children's Home, Northbridge",
                    postcode="NB3 1HH",
                    plan_status="looked_after",
                )
            ],
            adults=[_parent({"first_name": "Carla", "last_name": "Reynolds"}, "mother")],
            father_not_recorded_reason="Not known to Tia or the school.",
            concern={
                "categories": ["neglect", "emotional_abuse"],
                "what_happened": "Tia (13) told her form tutor she had no food at home again.",
                "when_happened": "This week",
                "childs_experience": "Tia is withdrawn and often hungry.",
                "action_taken": "Breakfast club; spoke to the designated safeguarding lead.",
                "immediate_risk": "no",
            },
        ),
        dt.datetime(2019, 5, 14, 10, 0, tzinfo=dt.UTC),
    )
    _decide(mother_as_child, decider, "assessment", "Repeated neglect; assessment needed.")
    father_as_child = _submit(
        school,
        _document(
            children=[_as_child(FATHER, address="22 Mill Lane, Northbridge", postcode="NB2 5LW")],
            adults=[_parent({"first_name": "Dawn", "last_name": "Blake"}, "mother")],
            father_not_recorded_reason="Jordan's father is in prison; no contact.",
            concern={
                "categories": ["physical_abuse"],
                "what_happened": "Jordan (13) came to school with a black eye and said his "
                "mother's partner hit him.",
                "when_happened": "Last night",
                "childs_experience": "Jordan said he does not want to go home.",
                "action_taken": "Called the front door; Jordan stayed at school until collected.",
                "immediate_risk": "no",
            },
        ),
        dt.datetime(2018, 1, 22, 10, 0, tzinfo=dt.UTC),
    )
    _decide(father_as_child, decider, "strategy_discussion", "Injury disclosed by the child.")
    unborn = {
        "born": "no",
        "expected_date_of_delivery": due.isoformat(),
        "sex": "not_known",
        "nhs_number": "",
        "interpreter_needed": "no",
        "plan_status": "none",
        **HOME,
    }
    pre_birth = _submit(
        midwife,
        _document(
            children=[
                {**unborn, "first_name": "Twin 1", "last_name": "Reynolds"},
                {**unborn, "first_name": "Twin 2", "last_name": "Reynolds"},
            ],
            adults=[
                _parent(MOTHER, "mother", care_history="care_leaver", **HOME),
                _parent(
                    FATHER,
                    "father",
                    lives_with_child="not_known",
                    custody_history="yes",
                    custody_details="Released from prison last year after a sentence for assault.",
                ),
            ],
            concern={
                "categories": ["pre_birth", "domestic_abuse"],
                "what_happened": "Tia (20), a care leaver, is expecting twins. She told me Jordan "
                "pushed her against a wall last month.",
                "when_happened": "Told at the 20-week scan",
                "childs_experience": "Unborn twins; Tia has little support and no family nearby.",
                "action_taken": "Referred Tia to the domestic abuse service.",
                "immediate_risk": "no",
            },
        ),
        now - dt.timedelta(days=150),
    )
    _decide(pre_birth, decider, "early_help", "Early help with the leaving care team.")
    twin = {
        "born": "yes",
        "date_of_birth": born.isoformat(),
        "nhs_number": "",
        "interpreter_needed": "no",
        "plan_status": "none",
        **HOME,
    }
    twins = _submit(
        hospital,
        _document(
            children=[
                {**twin, "first_name": "Ava", "last_name": "Reynolds", "sex": "female"},
                {**twin, "first_name": "Isla", "last_name": "Reynolds", "sex": "female"},
            ],
            adults=[
                _parent({**MOTHER, "first_name": "Tia", "last_name": "Reynolds"}, "mother"),
                _parent(FATHER, "father", lives_with_child="not_known"),
            ],
            concern={
                "categories": ["physical_abuse"],
                "what_happened": "Ava has a fractured arm and Isla bruising to the face. Neither "
                "parent can explain the injuries.",
                "when_happened": "Brought to A&E this morning",
                "childs_experience": "Both babies are settled on the ward.",
                "action_taken": "Skeletal survey booked; both babies kept on the ward.",
                "immediate_risk": "yes",
                # Babies under six months: asked directly (the injured-baby pathway).
                "baby_injury": "yes",
                "baby_collapse": "no",
                "abuse_in_differential": "yes",
            },
        ),
        now - dt.timedelta(minutes=10),
    )
    return FamilyT(mother_as_child, father_as_child, pre_birth, twins)
