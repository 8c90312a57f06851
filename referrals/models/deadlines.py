"""A front door's deadline rules, edited in the admin (with history)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from core.working_days import WorkingCalendar


class DeadlinePolicy(models.Model):
    """A front door's deadline rules. Defaults follow Working Together:
    acknowledge on the working day of receipt, decide within one working day."""

    front_door = models.OneToOneField(
        "agencies.Agency",
        on_delete=models.CASCADE,
        related_name="deadline_policy",
        limit_choices_to={"kind": "front_door"},
    )
    office_opens = models.TimeField(default=dt.time(9, 0))
    office_closes = models.TimeField(default=dt.time(17, 0))
    cut_off = models.TimeField(
        default=dt.time(16, 0),
        help_text="Referrals received after this time count as received the next working day.",
    )
    bank_holiday_region = models.CharField(
        max_length=3,
        default="ENG",
        choices=[
            ("ENG", "England"),
            ("WLS", "Wales"),
            ("SCT", "Scotland"),
            ("NIR", "Northern Ireland"),
        ],
    )
    acknowledge_within_working_days = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(10)],
        help_text="0 means by the close of the working day the referral is received.",
    )
    decide_within_working_days = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    urgent_acknowledge_within_minutes = models.PositiveIntegerField(
        default=60, help_text="Minutes from receipt, day or night, for urgent referrals."
    )
    urgent_decide_within_minutes = models.PositiveIntegerField(
        default=240, help_text="Minutes from receipt, day or night, for urgent referrals."
    )
    information_request_within_working_days = models.PositiveSmallIntegerField(
        default=1, help_text="Working days an agency has to answer a request for more information."
    )
    urgent_information_request_within_hours = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(72)],
        help_text="Urgent referrals: hours on the clock, day or night, an agency has to answer a "
        "request for more information.",
    )
    urgent_challenge_within_hours = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="A challenge saying a child is at risk now: hours on the clock, day or night, "
        "for a senior manager to answer.",
    )
    challenge_step_within_working_days = models.PositiveSmallIntegerField(
        default=2,
        help_text="Working days for each step of a professional challenge (manager, then senior "
        "manager).",
    )
    strategy_discussion_within_hours = models.PositiveIntegerField(
        default=24,
        help_text="Injury to a non-mobile baby: hours from receipt to the strategy discussion.",
    )
    police_acknowledge_within_working_minutes = models.PositiveIntegerField(
        default=120,
        help_text="Working minutes the police have to acknowledge a referral they are told about.",
    )
    urgent_police_acknowledge_within_minutes = models.PositiveIntegerField(
        default=60,
        help_text="Urgent referrals: minutes, day or night, the police have to acknowledge.",
    )
    conference_within_working_days = models.PositiveSmallIntegerField(
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="Working days from a strategy discussion to the initial child protection "
        "conference.",
    )
    pre_birth_urgent_within_weeks = models.PositiveSmallIntegerField(
        default=12,
        help_text="Pre-birth referrals due within this many weeks run on urgent deadlines.",
    )
    senior_escalation_after_minutes = models.PositiveIntegerField(
        default=120,
        help_text="Working minutes after the acknowledgement deadline before senior managers are "
        "told.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "deadline policies"
        constraints = [
            # An impossible calendar would stop every submission; refuse it here.
            models.CheckConstraint(
                condition=Q(office_opens__lt=F("office_closes")),
                name="deadline_policy_opens_before_closes",
            ),
            models.CheckConstraint(
                condition=Q(cut_off__gte=F("office_opens"), cut_off__lte=F("office_closes")),
                name="deadline_policy_cut_off_in_office_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"Deadline rules for {self.front_door}"

    def clean(self) -> None:
        # clean() runs even when a time failed its own field's check: any may be None.
        opens: dt.time | None = self.office_opens
        closes: dt.time | None = self.office_closes
        cut_off: dt.time | None = self.cut_off
        errors = {}
        if opens and closes and opens >= closes:
            errors["office_closes"] = "The office must close after it opens"
        elif cut_off and opens and closes and not (opens <= cut_off <= closes):
            errors["cut_off"] = "The cut-off must be within office hours"
        if errors:
            raise ValidationError(errors)

    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(
            opens=self.office_opens,
            closes=self.office_closes,
            cut_off=self.cut_off,
            region=self.bank_holiday_region,
            timezone=settings.TIME_ZONE,
        )
