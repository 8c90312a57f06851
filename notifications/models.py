"""The outbox: every message the portal owes someone, written in the same
transaction as the change that caused it and delivered afterwards.

Messages carry no personal data about the child: a subject, a short body with
the referral reference and a link back to the portal, where the record is.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"
    SMS = "sms", "Text message"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Receipt(models.TextChoices):
    """What GOV.UK Notify's delivery receipt said (its own status words)."""

    NONE = "", "No receipt yet"
    DELIVERED = "delivered", "Delivered"
    PERMANENT_FAILURE = "permanent-failure", "The address does not exist or cannot take messages"
    TEMPORARY_FAILURE = "temporary-failure", "The inbox was full or the phone was off"
    TECHNICAL_FAILURE = "technical-failure", "GOV.UK Notify could not send it"


class Purpose(models.TextChoices):
    RECEIPT = "receipt", "Receipt to the sender"
    ARRIVAL = "arrival", "New referral alert to the front door"
    ACKNOWLEDGED = "acknowledged", "Acknowledgement to the sender"
    ESCALATION = "escalation", "Escalation"
    POLICE = "police", "Police notification"
    URGENT_ALERT = "urgent_alert", "Urgent alert to managers"
    CONVERTED = "converted", "Consultation converted to a referral"
    OUT_OF_HOURS = "out_of_hours", "Out-of-hours alert to the emergency duty team"
    ASSIGNED = "assigned", "Assigned to a worker"
    INFORMATION_REQUEST = "information_request", "Request for more information"
    INFORMATION_GIVEN = "information_given", "More information given"
    OUTCOME = "outcome", "Outcome to the referrer"
    CHALLENGE = "challenge", "Challenge to a decision"
    CHALLENGE_ANSWERED = "challenge_answered", "Answer to a challenge"
    WEBHOOK = "webhook", "Status webhook to an agency system"
    STRATEGY = "strategy", "Strategy discussion invitation or outcome"
    WEBHOOK_SWITCHED_OFF = "webhook_switched_off", "A status webhook switched off"
    TRANSFER = "transfer", "Transfer between front doors"
    UNDELIVERABLE = "undeliverable", "An address that cannot take messages"


class Notification(models.Model):
    # Sent with the message so a receiving system can drop a repeat.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # A message about several referrals at once (a manager's summary of what
    # one sweep escalated) has no referral; this says whose front door it is,
    # so it is on that front door's dashboard if it fails.
    front_door = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    webhook = models.ForeignKey(
        "agencies.Webhook",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to_address = models.CharField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()

    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Set by the dispatcher that claimed the message; its later updates are
    # conditional on it, so a dispatcher whose lease ran out changes nothing.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    # Tried again, with capped back-off, until this time; after it a failed
    # attempt marks the message failed (on the dashboard and /healthz, and
    # resendable). An escalation or urgent alert about a referral still open
    # is tried for as long as the referral stays open.
    retry_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # GOV.UK Notify's id for the attempt it took, and what its delivery
    # receipt (the callback) said: "sent" is only that Notify took it;
    # `delivered_at` is when the recipient's provider had it.
    provider_id = models.CharField(max_length=64, blank=True)
    delivery_receipt = models.CharField(
        max_length=32, choices=Receipt.choices, default=Receipt.NONE, blank=True
    )
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # Serves the dispatcher's claim: WHERE status='pending' AND
            # next_attempt_at <= now ORDER BY next_attempt_at. Sent rows,
            # the vast majority, are not in it.
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due",
                condition=Q(status="pending"),
            ),
            # Serves the recovery of messages whose sender died mid-delivery.
            models.Index(
                fields=["lease_expires_at"],
                name="notification_leased",
                condition=Q(status="sending"),
            ),
            # Serves the managers' list of failed deliveries.
            models.Index(
                fields=["-created_at"], name="notification_failed", condition=Q(status="failed")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} to {self.to_address} ({self.status})"

    @property
    def bad_address(self) -> bool:
        return self.delivery_receipt == Receipt.PERMANENT_FAILURE


class Circuit(models.Model):
    """A circuit breaker for one place messages go: the mail relay
    ("email") or one webhook endpoint ("webhook:<id>").

    After a run of failures the circuit opens: the dispatcher stops trying
    that place until `open_until` (a cool-down that doubles, up to a cap),
    so one dead server does not use up every delivery attempt and every
    worker's time. The messages wait, untouched and uncounted; the first
    delivery after the cool-down is the trial, and a success closes it."""

    name = models.CharField(max_length=64, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    opened_times = models.PositiveIntegerField(default=0)
    open_until = models.DateTimeField(null=True, blank=True)
    first_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.failures} failures"

    def is_open(self, now: dt.datetime) -> bool:
        return self.open_until is not None and self.open_until > now
