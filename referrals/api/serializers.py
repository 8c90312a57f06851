"""What the API answers with: DRF output serializers, which drf-spectacular
reads for the OpenAPI schema.

Requests are checked by the page forms (referrals.forms), so the API and the
pages give the same messages; `form_body` describes a form's fields for the
schema without writing them twice.

Times are given in UTC ("2026-12-01T09:30:00Z"), whatever the server's time
zone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from core.forms import GovukDateField
from core.names import display_name
from referrals.models import (
    Adult,
    Challenge,
    Child,
    Escalation,
    InformationRequest,
    InvolvedAgency,
    PreviousArea,
    Referral,
)


class UTCDateTimeField(serializers.DateTimeField):
    """A time in UTC, as the API has always given them."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("default_timezone", dt.UTC)
        super().__init__(**kwargs)


def _list_data(serializer: serializers.BaseSerializer[Any]) -> list[dict[str, Any]]:
    """What `SomeSerializer(items, many=True)` gives: that call makes a
    ListSerializer, whose data is a list (the type stubs keep the class's own)."""
    data: list[dict[str, Any]] = serializer.data
    return data


@extend_schema_field({"type": "string", "nullable": True, "description": "The person's name"})
class PersonField(serializers.Field):
    """A person, by name."""

    def to_representation(self, value: Any) -> str | None:
        return display_name(value) if value is not None else None


class _Output(serializers.ModelSerializer):
    """Output only; datetimes in UTC."""

    serializer_field_mapping = {
        field: UTCDateTimeField
        if serializer_field is serializers.DateTimeField
        else serializer_field
        for field, serializer_field in serializers.ModelSerializer.serializer_field_mapping.items()
    }


class ReceiptSerializer(_Output):
    """The receipt: what a sender is given the moment a referral is stored."""

    class Meta:
        model = Referral
        fields = [
            "reference",
            "kind",
            "urgency",
            "status",
            "received_at",
            "acknowledge_by",
            "decide_by",
        ]
        read_only_fields = fields


class ContactReceiptSerializer(ReceiptSerializer):
    """A recorded contact's receipt: how it came in and its census source too."""

    class Meta(ReceiptSerializer.Meta):
        fields = [
            *ReceiptSerializer.Meta.fields,
            "channel",
            "census_source",
            "source_type",
            "recorded_at",
            "decision",
        ]
        read_only_fields = fields


class SubmittedSerializer(ReceiptSerializer):
    """The receipt, and a prompt for each vague word the concern uses."""

    warnings = serializers.SerializerMethodField()

    class Meta(ReceiptSerializer.Meta):
        fields = [*ReceiptSerializer.Meta.fields, "warnings"]
        read_only_fields = fields

    def get_warnings(self, referral: Referral) -> list[str]:
        return list(self.context.get("warnings", []))


class ListItemSerializer(_Output):
    """A line of the list: status and dates, no personal data (GET the
    referral itself for that, which is audited)."""

    decision = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "reference",
            "kind",
            "urgency",
            "status",
            "received_at",
            "acknowledge_by",
            "acknowledged_at",
            "decide_by",
            "decided_at",
            "decision",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_decision(self, referral: Referral) -> str | None:
        return referral.decision or None


class ChildSerializer(_Output):
    class Meta:
        model = Child
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "expected_date_of_delivery",
            "sex",
            "nhs_number",
            "postcode",
            "plan_status",
        ]
        read_only_fields = fields


class AdultSerializer(_Output):
    known_concerns = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Adult
        fields = [
            "first_name",
            "last_name",
            "relationship",
            "lives_with_child",
            "parental_responsibility",
            "known_concerns",
        ]
        read_only_fields = fields


class OtherAgencySerializer(_Output):
    class Meta:
        model = InvolvedAgency
        fields = ["agency_type", "organisation", "practitioner", "phone", "email"]
        read_only_fields = fields


class PreviousAreaSerializer(_Output):
    class Meta:
        model = PreviousArea
        fields = ["address", "local_authority", "when"]
        read_only_fields = fields


class ConcernSerializer(_Output):
    categories = serializers.ListField(
        child=serializers.CharField(), source="concern_categories", read_only=True
    )

    class Meta:
        model = Referral
        fields = [
            "categories",
            "what_happened",
            "when_happened",
            "childs_experience",
            "action_taken",
            "immediate_risk",
        ]
        read_only_fields = fields


class ConsentSerializer(_Output):
    class Meta:
        model = Referral
        fields = ["family_aware", "consent", "no_consent_basis", "no_consent_reason"]
        read_only_fields = fields


class AcknowledgementSerializer(serializers.Serializer):
    at = UTCDateTimeField(source="acknowledged_at", read_only=True)
    by = PersonField(source="acknowledged_by", read_only=True)


class DecisionSerializer(_Output):
    # A declared field, which DRF's metaclass takes off the class; the type
    # stubs see it replace Field.label (likewise ErrorSerializer.fields).
    label = serializers.CharField(source="get_decision_display", read_only=True)  # type: ignore[assignment]
    reasons = serializers.CharField(source="decision_reasons", read_only=True)
    decided_by = PersonField(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "decision",
            "label",
            "reasons",
            "next_steps",
            "next_steps_owner",
            "decided_at",
            "decided_by",
            "outcome_sent_at",
        ]
        read_only_fields = fields


class InformationRequestSerializer(_Output):
    open = serializers.BooleanField(source="is_open", read_only=True)
    asked_by = PersonField(read_only=True)
    asked_of = serializers.CharField(read_only=True)
    answered_by = PersonField(read_only=True)
    answer = serializers.SerializerMethodField()

    class Meta:
        model = InformationRequest
        fields = [
            "id",
            "question",
            "asked_at",
            "asked_by",
            "asked_of",
            "due_by",
            "open",
            "answer",
            "answered_at",
            "answered_by",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_answer(self, info: InformationRequest) -> str | None:
        return info.answer or None


class ChallengeSerializer(_Output):
    raised_by = PersonField(read_only=True)
    open = serializers.BooleanField(source="is_open", read_only=True)
    with_whom = serializers.SerializerMethodField(method_name="get_with_whom")
    outcome = serializers.SerializerMethodField()
    response = serializers.SerializerMethodField()

    class Meta:
        model = Challenge
        fields = [
            "id",
            "reasons",
            "raised_at",
            "raised_by",
            "open",
            "with_whom",
            "step_one_due",
            "step_two_due",
            "outcome",
            "response",
            "responded_at",
        ]
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field]:
        # Given as "with" (who must answer it now), a word Python keeps for itself.
        return {
            ("with" if name == "with_whom" else name): field
            for name, field in super().get_fields().items()
        }

    @extend_schema_field(
        {"type": "string", "nullable": True, "description": "Who must answer it now"}
    )
    def get_with_whom(self, challenge: Challenge) -> str | None:
        return challenge.with_whom if challenge.is_open else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_outcome(self, challenge: Challenge) -> str | None:
        return challenge.outcome or None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_response(self, challenge: Challenge) -> str | None:
        return challenge.response or None


class EscalationSerializer(_Output):
    to = serializers.CharField(source="level_label", read_only=True)

    class Meta:
        model = Escalation
        fields = ["rule", "level", "to", "due_at", "escalated_at"]
        read_only_fields = fields


class TimelineItemSerializer(serializers.Serializer):
    at = UTCDateTimeField(read_only=True)
    event = serializers.CharField(source="kind", read_only=True)
    summary = serializers.CharField(read_only=True)


class ReferralSerializer(ReceiptSerializer):
    """A whole referral, as the person asking may see it. The view puts in
    the context what depends on who is asking (their questions, timeline)."""

    sending_agency = serializers.CharField(source="sending_agency.name", read_only=True)
    pre_birth = serializers.BooleanField(source="is_pre_birth", read_only=True)
    children = ChildSerializer(many=True, read_only=True)
    adults = AdultSerializer(many=True, read_only=True)
    other_agencies = OtherAgencySerializer(source="involved_agencies", many=True, read_only=True)
    previous_areas = PreviousAreaSerializer(many=True, read_only=True)
    concern = ConcernSerializer(source="*", read_only=True)
    consent = ConsentSerializer(source="*", read_only=True)
    acknowledgement = serializers.SerializerMethodField()
    assigned_to = PersonField(read_only=True)
    decision = serializers.SerializerMethodField()
    information_requests = serializers.SerializerMethodField()
    challenges = ChallengeSerializer(many=True, read_only=True)
    escalation_level = serializers.IntegerField(source="clock.escalation_level", read_only=True)
    escalations = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    class Meta(ReceiptSerializer.Meta):
        fields = [
            *ReceiptSerializer.Meta.fields,
            "sending_agency",
            "pre_birth",
            "expected_due_date",
            "non_mobile_injury",
            "police_notified_at",
            "strategy_discussion_by",
            "children",
            "adults",
            "father_not_recorded_reason",
            "other_agencies",
            "previous_areas",
            "concern",
            "consent",
            "acknowledgement",
            "assigned_to",
            "decision",
            "information_requests",
            "challenges",
            "escalation_level",
            "escalations",
            "timeline",
        ]
        read_only_fields = fields

    @extend_schema_field(AcknowledgementSerializer(allow_null=True))
    def get_acknowledgement(self, referral: Referral) -> dict[str, Any] | None:
        if referral.acknowledged_by is None:
            return None
        return AcknowledgementSerializer(referral).data

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, referral: Referral) -> dict[str, Any] | None:
        return DecisionSerializer(referral).data if referral.decision else None

    @extend_schema_field(InformationRequestSerializer(many=True))
    def get_information_requests(self, referral: Referral) -> list[dict[str, Any]]:
        return _list_data(
            InformationRequestSerializer(self.context["information_requests"], many=True)
        )

    @extend_schema_field(EscalationSerializer(many=True))
    def get_escalations(self, referral: Referral) -> list[dict[str, Any]]:
        return _list_data(EscalationSerializer(self.context["escalations"], many=True))

    @extend_schema_field(TimelineItemSerializer(many=True))
    def get_timeline(self, referral: Referral) -> list[dict[str, Any]]:
        return _list_data(TimelineItemSerializer(self.context["timeline"], many=True))


class QuestionSerializer(_Output):
    """What another agency may see of a question put to it: the question,
    and who it is about."""

    reference = serializers.CharField(source="referral.reference", read_only=True)
    about = serializers.SerializerMethodField()
    open = serializers.BooleanField(source="is_open", read_only=True)
    answer = serializers.SerializerMethodField()

    class Meta:
        model = InformationRequest
        fields = [
            "id",
            "reference",
            "about",
            "question",
            "asked_at",
            "due_by",
            "open",
            "answer",
            "answered_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        inline_serializer(
            "QuestionAbout",
            {
                "first_name": serializers.CharField(),
                "last_name": serializers.CharField(),
                "date_of_birth": serializers.DateField(allow_null=True),
                "expected_date_of_delivery": serializers.DateField(allow_null=True),
            },
            many=True,
        )
    )
    def get_about(self, info: InformationRequest) -> list[dict[str, Any]]:
        return [
            {
                "first_name": c.first_name,
                "last_name": c.last_name,
                "date_of_birth": c.date_of_birth,
                "expected_date_of_delivery": c.expected_date_of_delivery,
            }
            for c in info.referral.children.all()
        ]

    @extend_schema_field({"type": "string", "nullable": True})
    def get_answer(self, info: InformationRequest) -> str | None:
        return info.answer or None


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(
        help_text="A code: invalid, not_found, permission_denied, conflict..."
    )
    message = serializers.CharField()
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text='Messages by field path, e.g. "children.0.nhs_number".',
    )


def form_fields(
    form_class: type[forms.Form], help: dict[str, str] | None = None
) -> dict[str, serializers.Field]:
    """A page form's fields as serializer fields, for the schema: each one's
    name, whether it is required, its choices and its help (or `help`'s, for
    a field whose choices the form sets per request)."""
    fields: dict[str, serializers.Field] = {}
    for field_name, field in form_class.base_fields.items():
        options: dict[str, Any] = {"required": field.required}
        text = (help or {}).get(field_name) or field.help_text
        if text:
            options["help_text"] = str(text)
        choices = [(value, label) for value, label in getattr(field, "choices", []) if value != ""]
        if not choices:
            fields[field_name] = serializers.CharField(**options)
        elif isinstance(field, forms.MultipleChoiceField):
            fields[field_name] = serializers.MultipleChoiceField(choices=choices, **options)
        elif isinstance(field, forms.ChoiceField):
            fields[field_name] = serializers.ChoiceField(choices=choices, **options)
        elif isinstance(field, GovukDateField):
            fields[field_name] = serializers.DateField(**options)
        else:
            fields[field_name] = serializers.CharField(**options)
    return fields


def form_body(
    name: str, form_class: type[forms.Form], help: dict[str, str] | None = None, **kwargs: Any
) -> Any:
    """A request body for the schema, read from the page form that checks it."""
    return inline_serializer(name, form_fields(form_class, help), **kwargs)
