"""GOV.UK Notify's delivery receipts: what became of each message after
Notify took it (Rapid Review A2: nobody could prove a message arrived).

Notify calls back once a message is final:
- `delivered`: the recipient's provider has it; the referral page says
  "delivered at 22:31".
- `permanent-failure`: the address does not exist or cannot take messages.
  The message is failed (on the managers' dashboard, the resend page and the
  referral), and the front door's administrators are told, so the address is
  put right and someone phones in the meantime.
- `temporary-failure` (inbox full, phone off) and `technical-failure`
  (Notify's own trouble): sent again with the dispatcher's back-off while the
  message still matters, then failed like any other.

Each update is conditional on the receipt being about the attempt we hold
(Notify's id for it), so a late receipt for an earlier attempt, or the same
receipt twice, changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from agencies.selectors import members_with_role
from notifications.dispatch import retry_delay, still_matters
from notifications.models import DeliveryStatus, Notification, Purpose, Receipt
from notifications.services import (
    build_notifications,
    nudge_dispatcher,
    queue_notifications,
    recipients_for_users,
)

RECORDED = "recorded"
UNKNOWN = "unknown"
STALE = "stale"
IGNORED = "ignored"

BAD_ADDRESS = (
    "Not delivered: the address does not exist or cannot take messages "
    "(GOV.UK Notify's receipt: permanent failure)"
)


def record_delivery_receipt(
    *,
    reference: str,
    provider_id: str,
    status: str,
    completed_at: dt.datetime | None,
    now: dt.datetime | None = None,
) -> str:
    """Apply one receipt (see the module's list). Returns RECORDED, or why
    nothing changed: UNKNOWN (no such message), STALE (about an earlier
    attempt, or already applied), IGNORED (not a final status)."""
    now = now or timezone.now()
    try:
        key = uuid.UUID(reference)
    except (TypeError, ValueError):
        return UNKNOWN
    if status not in {r.value for r in Receipt if r.value}:
        return IGNORED
    with transaction.atomic():
        note = Notification.objects.select_for_update().filter(idempotency_key=key).first()
        if note is None:
            return UNKNOWN
        if note.provider_id and provider_id and note.provider_id != provider_id:
            return STALE
        ours = Notification.objects.filter(pk=note.pk).filter(
            Q(provider_id="") | Q(provider_id=provider_id)
        )
        if status == Receipt.DELIVERED:
            changed = ours.exclude(delivery_receipt=Receipt.DELIVERED).update(
                delivery_receipt=Receipt.DELIVERED,
                delivered_at=completed_at or now,
                provider_id=provider_id,
            )
            return RECORDED if changed else STALE
        if status == Receipt.PERMANENT_FAILURE:
            changed = ours.exclude(delivery_receipt=Receipt.PERMANENT_FAILURE).update(
                status=DeliveryStatus.FAILED,
                delivery_receipt=Receipt.PERMANENT_FAILURE,
                provider_id=provider_id,
                last_error=BAD_ADDRESS,
                lease_expires_at=None,
                claim_token=None,
            )
            if changed and note.purpose != Purpose.UNDELIVERABLE:
                _tell_administrators(note, now=now)
            return RECORDED if changed else STALE
        # A temporary or technical failure: Notify has given up on this
        # attempt; the outbox tries again while the message still matters.
        # (A message still `sending` is one whose sender has not yet recorded
        # Notify's answer: its claim is taken back, so it cannot mark it sent.)
        retry = still_matters(note, now)
        changed = ours.filter(status__in=[DeliveryStatus.SENT, DeliveryStatus.SENDING]).update(
            status=DeliveryStatus.PENDING if retry else DeliveryStatus.FAILED,
            delivery_receipt=status,
            provider_id=provider_id,
            next_attempt_at=now + retry_delay(note.attempts),
            last_error=f"Not delivered: {Receipt(status).label} (GOV.UK Notify's receipt)",
            lease_expires_at=None,
            claim_token=None,
        )
        if changed and retry:
            transaction.on_commit(partial(nudge_dispatcher, note.channel), robust=True)
        return RECORDED if changed else STALE


def _tell_administrators(note: Notification, *, now: dt.datetime) -> None:
    """Tell the front door's administrators that an address is bad, by
    email, with the referral's reference and a link (never its contents)."""
    referral = note.referral
    front_door_id = referral.front_door_id if referral is not None else note.front_door_id
    if front_door_id is None:
        return
    admins = members_with_role(agency_id=front_door_id, roles=[Role.ADMINISTRATOR])
    about = f" about {referral.reference}" if referral is not None else ""
    link = settings.PORTAL_BASE_URL + (
        reverse("referral-detail", args=[referral.reference])
        if referral is not None
        else reverse("undelivered-messages")
    )
    queue_notifications(
        build_notifications(
            purpose=Purpose.UNDELIVERABLE,
            recipients=recipients_for_users(m.user for m in admins),
            subject=f"A message{about} could not be delivered: check the address",
            body=(
                f"Front Door's {note.get_channel_display().lower()} to {note.to_address} "
                f"({note.get_purpose_display().lower()}){about} could not be delivered: "
                "the address does not exist or cannot take messages.\n\n"
                "Put the address right, and make sure whoever it was for is told another "
                f"way, by phone if it was urgent.\n\n{link}"
            ),
            referral_id=referral.pk if referral is not None else None,
            front_door_id=front_door_id,
            now=now,
        )
    )
