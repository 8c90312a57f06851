"""An append-only record of who viewed, changed or exported what.

The application has no path to change or delete a row: the model refuses,
the queryset refuses, and on PostgreSQL a trigger refuses (migration 0002).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditRefused(Exception):
    """Raised on any attempt to change or delete an audit row."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditRefused("Audit events cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditRefused("Audit events cannot be deleted")


class Action(models.TextChoices):
    VIEWED = "viewed", "Viewed"
    LISTED = "listed", "Listed"
    CREATED = "created", "Created"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ESCALATED = "escalated", "Escalated"
    REFUSED = "refused", "Refused access"
    SIGNED_IN = "signed_in", "Signed in"
    SIGNED_OUT = "signed_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    TOKEN_ISSUED = "token_issued", "API token issued"
    TOKEN_ROTATED = "token_rotated", "API key rotated"
    TOKEN_REVOKED = "token_revoked", "API key revoked"
    API_KEY_USED = "api_key_used", "API key used"
    WEBHOOK_REGISTERED = "webhook_registered", "Webhook registered"
    WEBHOOK_REMOVED = "webhook_removed", "Webhook removed"
    CONVERTED = "converted", "Converted to a referral"
    ASSIGNED = "assigned", "Assigned"
    INFORMATION_REQUESTED = "information_requested", "Information requested"
    INFORMATION_GIVEN = "information_given", "Information given"
    DECIDED = "decided", "Decided"
    DECISION_PROPOSED = "decision_proposed", "Decision proposed for sign-off"
    DECISION_ENDORSED = "decision_endorsed", "Decision endorsed"
    DECISION_RETURNED = "decision_returned", "Decision sent back"
    DECISIONS_SAMPLED = "decisions_sampled", "Decisions sampled for audit"
    AUDIT_FINDING = "audit_finding", "Decision audit finding recorded"
    CHALLENGED = "challenged", "Challenged"
    CHALLENGE_ANSWERED = "challenge_answered", "Challenge answered"
    LINKED = "linked", "Earlier history linked"
    REPORTED = "reported", "Viewed partnership figures"
    EXPORTED = "exported", "Exported"
    TWO_FACTOR_PASSED = "two_factor_passed", "Security code accepted"
    TWO_FACTOR_FAILED = "two_factor_failed", "Security code refused"
    TWO_FACTOR_SET_UP = "two_factor_set_up", "Authenticator app set up"
    RECOVERY_CODES_CREATED = "recovery_codes_created", "Recovery codes created"
    PASSKEY_ADDED = "passkey_added", "Passkey added"
    PASSKEY_REMOVED = "passkey_removed", "Passkey removed"
    AUTHENTICATOR_REMOVED = "authenticator_removed", "Authenticator app removed"
    TIMED_OUT = "timed_out", "Signed out after not being used"
    RETENTION_APPLIED = "retention_applied", "Records removed under the retention rules"
    RETENTION_HOLD = "retention_hold", "Retention hold placed or lifted"
    SUBJECT_ACCESS_EXPORTED = "subject_access_exported", "Subject access export"
    MESSAGES_RESENT = "messages_resent", "Undelivered messages sent again"
    WEBHOOK_SWITCHED_OFF = "webhook_switched_off", "Webhook switched off after failing"
    ADMIN_CHANGED = "admin_changed", "Changed in the admin"
    SECOND_FACTOR_RESET = "second_factor_reset", "Second factor reset by an administrator"
    SINGLE_SIGN_ON = "single_sign_on", "Signed in with an organisation account"
    SINGLE_SIGN_ON_REFUSED = "single_sign_on_refused", "Organisation sign-in refused"
    POSTCODES_IMPORTED = "postcodes_imported", "Postcode coverage imported"
    TRANSFERRED = "transferred", "Transferred to another front door"
    TRANSFER_CONFIRMED = "transfer_confirmed", "Transfer receipt confirmed"
    POLICE_TOLD = "police_told", "Police told"
    POLICE_ACKNOWLEDGED = "police_acknowledged", "Acknowledged for the police"
    STRATEGY_RECORDED = "strategy_recorded", "Strategy discussion recorded"
    CONFERENCE_RECORDED = "conference_recorded", "Child protection conference recorded"


class AuditEvent(models.Model):
    at = models.DateTimeField(db_index=True)
    # audit_actor starts with the actor: no index of its own.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    object_type = models.CharField(max_length=64, blank=True)
    object_ref = models.CharField(max_length=64, blank=True)
    via = models.CharField(max_length=16, blank=True, help_text="web, api, task or command")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # Serves "who viewed this referral" for administrators.
            models.Index(fields=["object_type", "object_ref", "-at"], name="audit_object"),
            models.Index(fields=["actor", "-at"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_ref}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self.pk is not None:
            raise AuditRefused("Audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditRefused("Audit events cannot be deleted")
