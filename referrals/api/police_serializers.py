"""What the API answers with for the police and for strategy discussions:
the police's notice of a referral and what a strategy discussion needs of it
(the same as the police's page), and a referral's strategy discussion."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from referrals.api.serializers import PersonField, _list_data, _Output
from referrals.models import (
    Adult,
    Child,
    PoliceNotice,
    Referral,
    StrategyDiscussion,
    StrategyParticipant,
)


class ParticipantSerializer(_Output):
    on_portal = serializers.BooleanField(read_only=True)

    class Meta:
        model = StrategyParticipant
        fields = ["id", "kind", "name", "on_portal", "contact", "took_part"]
        read_only_fields = fields


class StrategyDiscussionSerializer(_Output):
    overdue = serializers.SerializerMethodField()
    recorded_by = PersonField(read_only=True)
    participants = ParticipantSerializer(many=True, read_only=True)

    class Meta:
        model = StrategyDiscussion
        fields = [
            "due_by",
            "overdue",
            "held_at",
            "outcome",
            "next_steps",
            "recorded_by",
            "recorded_at",
            "conference_follows",
            "conference_date",
            "conference_due_by",
            "conference_held_on",
            "participants",
        ]
        read_only_fields = fields

    def get_overdue(self, discussion: StrategyDiscussion) -> bool:
        return discussion.is_overdue(self.context["now"])


class PoliceStatusSerializer(_Output):
    """The police's part, as the front door and the referrer see it."""

    police_force = serializers.CharField(source="police.name", read_only=True)
    acknowledged_by = PersonField(read_only=True)

    class Meta:
        model = PoliceNotice
        fields = [
            "police_force",
            "reasons",
            "notified_at",
            "acknowledge_by",
            "acknowledged_at",
            "acknowledged_by",
            "escalation_level",
        ]
        read_only_fields = fields


class PoliceChildSerializer(_Output):
    class Meta:
        model = Child
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "expected_date_of_delivery",
            "address",
            "postcode",
        ]
        read_only_fields = fields


class PoliceAdultSerializer(_Output):
    class Meta:
        model = Adult
        fields = ["first_name", "last_name", "relationship", "lives_with_child"]
        read_only_fields = fields


class PoliceReferralSerializer(_Output):
    """What an officer sees of a referral: what a strategy discussion needs,
    no more (the police's page shows the same)."""

    front_door = serializers.CharField(source="front_door.name", read_only=True)
    sending_agency = serializers.CharField(source="sending_agency.name", read_only=True)
    referrer = PersonField(source="sender", read_only=True)
    referrer_phone = serializers.CharField(source="sender_phone", read_only=True)
    children = PoliceChildSerializer(many=True, read_only=True)
    adults = PoliceAdultSerializer(many=True, read_only=True)

    class Meta:
        model = Referral
        fields = [
            "reference",
            "urgency",
            "received_at",
            "front_door",
            "sending_agency",
            "referrer",
            "referrer_phone",
            "concern_categories",
            "what_happened",
            "when_happened",
            "immediate_risk",
            "decision",
            "decision_reasons",
            "strategy_discussion_by",
            "children",
            "adults",
        ]
        read_only_fields = fields


class PoliceNoticeSerializer(PoliceStatusSerializer):
    """One referral in the police's list, or in full with `referral`."""

    reference = serializers.CharField(source="referral.reference", read_only=True)
    urgency = serializers.CharField(source="referral.urgency", read_only=True)
    crime_note = serializers.CharField(read_only=True)

    class Meta(PoliceStatusSerializer.Meta):
        fields = ["reference", "urgency", *PoliceStatusSerializer.Meta.fields, "crime_note"]
        read_only_fields = fields


class PoliceNoticeDetailSerializer(PoliceNoticeSerializer):
    referral = PoliceReferralSerializer(read_only=True)
    strategy_discussion = serializers.SerializerMethodField()

    class Meta(PoliceNoticeSerializer.Meta):
        fields = [*PoliceNoticeSerializer.Meta.fields, "referral", "strategy_discussion"]
        read_only_fields = fields

    @extend_schema_field(StrategyDiscussionSerializer(allow_null=True))
    def get_strategy_discussion(self, notice: PoliceNotice) -> dict[str, Any] | None:
        discussion = self.context.get("strategy")
        if discussion is None:
            return None
        return StrategyDiscussionSerializer(discussion, context=self.context).data


def police_list_data(notices: Any) -> list[dict[str, Any]]:
    return _list_data(PoliceNoticeSerializer(notices, many=True))
