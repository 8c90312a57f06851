"""A referral sent from one front door to another: on this deployment (the
referral moves, reference and history with it) or to a local authority that
is not (it is sent by other means, and its receipt must be confirmed)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from referrals.models.choices import TransferMethod
from referrals.models.referral import Referral


class Transfer(models.Model):
    # transfer_by_referral starts with the referral: no index of its own.
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="transfers", db_index=False
    )
    from_front_door = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="transfers_out"
    )
    # A front door on this deployment, or else the name of the authority.
    to_front_door = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
    )
    to_authority = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=32, choices=TransferMethod.choices)
    sent_to = models.CharField(
        max_length=300, blank=True, help_text="Who or which address it was sent to."
    )
    reason = models.TextField()
    transferred_at = models.DateTimeField()
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # What the sending front door could see stays what it was at the
    # transfer: the timeline up to this moment (referrals.selectors.access).

    # Only for an authority not on this deployment: its receipt must be
    # confirmed, or the sweep escalates (the emailed-referral failure of
    # Rapid Review A2, between authorities).
    awaiting_confirmation = models.BooleanField(default=False)
    confirm_by = models.DateTimeField(null=True, blank=True)
    confirm_senior_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmation = models.TextField(
        blank=True, help_text="Who at the other authority confirmed receipt, and how."
    )

    class Meta:
        ordering = ["transferred_at", "id"]
        indexes = [
            models.Index(fields=["referral", "transferred_at"], name="transfer_by_referral"),
            # Serve the sweep's claims on unconfirmed transfers, one per step:
            #   UPDATE referrals_transfer SET escalation_level = 1
            #    WHERE awaiting_confirmation AND escalation_level = 0
            #      AND confirm_by <= now ...
            models.Index(
                fields=["confirm_by"],
                name="transfer_unconfirmed_l1",
                condition=Q(awaiting_confirmation=True, escalation_level=0),
            ),
            models.Index(
                fields=["confirm_senior_at"],
                name="transfer_unconfirmed_l2",
                condition=Q(awaiting_confirmation=True, escalation_level=1),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(to_front_door__isnull=False) & Q(to_authority=""))
                | (Q(to_front_door__isnull=True) & ~Q(to_authority="")),
                name="transfer_to_one_place",
            ),
            models.CheckConstraint(
                condition=~Q(awaiting_confirmation=True)
                | Q(confirm_by__isnull=False, confirm_senior_at__isnull=False),
                name="transfer_awaiting_has_deadlines",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral} to {self.destination}"

    @property
    def destination(self) -> str:
        return self.to_front_door.name if self.to_front_door else self.to_authority

    @property
    def is_external(self) -> bool:
        return self.to_front_door_id is None
