"""Where a referral stands on its escalation ladders, and the record of each
escalation the sweep made (referrals.escalation)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from referrals.models.choices import EscalationRule
from referrals.models.referral import Referral


class ReferralClock(models.Model):
    """Where a referral stands on its two escalation ladders: "not
    acknowledged in time" and "no decision in time".

    The sweep (referrals.escalations) claims an escalation by updating this
    row, not the referral: a narrow row with five indexes instead of a wide
    one with a dozen, so escalating 100,000 referrals after an outage writes
    a fraction of the pages, and the referral's own history is left to what
    people did. Each ladder runs while its `*_open` flag is set; the
    services that acknowledge, decide and reopen a referral set and clear
    them in the same transaction. The Escalation rows are the record of what
    the sweep did; this row is only its state.
    """

    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, primary_key=True, related_name="clock"
    )
    # "Not acknowledged": level 1 (front-door managers) at acknowledge_by,
    # level 2 (senior managers) at senior_escalation_at.
    acknowledge_open = models.BooleanField(default=True)
    acknowledge_by = models.DateTimeField()
    senior_escalation_at = models.DateTimeField()
    escalation_level = models.PositiveSmallIntegerField(default=0)
    # Bumped when the referral is transferred to another front door: the
    # receiving front door's "not acknowledged" escalations are new rows,
    # not repeats of the sending front door's.
    acknowledge_round = models.PositiveSmallIntegerField(default=0)
    # "No decision in time": the same ladder on the decision deadline.
    decide_open = models.BooleanField(default=True)
    decide_by = models.DateTimeField()
    decision_senior_at = models.DateTimeField()
    decision_escalation_level = models.PositiveSmallIntegerField(default=0)
    # Bumped when a challenge reopens the decision, or a transfer starts the
    # receiving front door's clock, so the new round's "no decision in time"
    # escalations are new rows, not repeats of the first.
    decision_round = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            # Serve the sweep's claims, one per step of each ladder:
            #   UPDATE referrals_referralclock SET escalation_level = 1
            #    WHERE acknowledge_open AND escalation_level = 0
            #      AND acknowledge_by <= now ...
            # Only rows still waiting for that step are in each index, so the
            # steady-state sweep does not grow with closed referrals.
            models.Index(
                fields=["acknowledge_by"],
                name="clock_ack_due_l1",
                condition=Q(acknowledge_open=True, escalation_level=0),
            ),
            models.Index(
                fields=["senior_escalation_at"],
                name="clock_ack_due_l2",
                condition=Q(acknowledge_open=True, escalation_level=1),
            ),
            models.Index(
                fields=["decide_by"],
                name="clock_decide_due_l1",
                condition=Q(decide_open=True, decision_escalation_level=0),
            ),
            models.Index(
                fields=["decision_senior_at"],
                name="clock_decide_due_l2",
                condition=Q(decide_open=True, decision_escalation_level=1),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    escalation_level__gte=0,
                    escalation_level__lte=2,
                    decision_escalation_level__gte=0,
                    decision_escalation_level__lte=2,
                ),
                name="clock_escalation_level_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Escalation clock of referral {self.referral_id}"


class Escalation(models.Model):
    """One escalation of one referral under one rule to one level. Unique, so
    that even a bug in the claim could not tell the same people twice.
    `subject_id` is the information request or challenge that was overdue
    (0 for rules about the referral itself)."""

    # escalation_once_per_level starts with the referral: no index of its own.
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="escalations", db_index=False
    )
    rule = models.CharField(max_length=32, choices=EscalationRule.choices)
    subject_id = models.BigIntegerField(default=0)
    level = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField(help_text="The deadline that was missed.")
    escalated_at = models.DateTimeField()

    class Meta:
        ordering = ["escalated_at", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "rule", "subject_id", "level"], name="escalation_once_per_level"
            )
        ]
        indexes = [models.Index(fields=["-escalated_at"], name="escalation_recent")]

    def __str__(self) -> str:
        return f"{self.referral} {self.rule} level {self.level}"

    @property
    def level_label(self) -> str:
        return RULE_LEVEL_LABELS.get(
            (self.rule, self.level),
            ESCALATION_LEVEL_LABELS.get(self.level, f"Level {self.level}"),
        )


ESCALATION_LEVEL_LABELS = {1: "Front-door managers", 2: "Senior managers"}
# Who a rule's steps told, where it is not the front door's own ladder.
RULE_LEVEL_LABELS = {
    ("police_not_acknowledged", 1): "Police supervisors and front-door managers",
    ("strategy_not_held", 1): "Front-door and senior managers",
    ("conference_not_held", 1): "Front-door and senior managers",
}
