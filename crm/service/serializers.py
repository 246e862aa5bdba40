"""Serializers of the customer-service API. Writes go through crm.service.services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.core.api.fields import DateTimeField, RelatedLabelField
from crm.core.api.serializers import TenantPrimaryKeyField, VisiblePrimaryKeyField
from crm.core.models import User
from crm.customers.api import TransitionSerializer
from crm.customers.models import Contact, Customer, Lead
from crm.sales.models import Contract, Opportunity
from crm.service.models import (
    TARGET_FIELDS,
    Complaint,
    ComplaintBreach,
    CustomerProject,
    Feedback,
    FollowUp,
    ServiceTicket,
    TenantWorkday,
)
from workflows.calendar import unpublished_years
from workflows.engine import available_transitions
from workflows.followup import SATISFACTION_RANGE


def owner_field(label=None):
    return TenantPrimaryKeyField(
        label=label or _("owner"),
        model=User,
        filters={"is_active": True, "is_system": False},
        required=False,
        allow_null=True,
    )


def customer_field():
    return VisiblePrimaryKeyField(label=_("customer"), model=Customer, collection="customers")


def contact_field():
    return VisiblePrimaryKeyField(
        label=_("contact"), model=Contact, collection="contacts", required=False, allow_null=True
    )


def contract_field():
    return VisiblePrimaryKeyField(
        label=_("contract"),
        model=Contract,
        collection="contracts",
        required=False,
        allow_null=True,
    )


def _target_field(label, model, collection: str):
    """A follow-up's target: a record the user sees (its collection's data scope)."""
    return VisiblePrimaryKeyField(
        label=label, model=model, collection=collection, required=False, allow_null=True
    )


class _WithTransitions(serializers.Serializer):
    transitions = serializers.SerializerMethodField()

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, obj) -> list[dict]:
        return available_transitions(obj, self.context["request"].user)


def fallback_warning(year: int) -> str:
    from django.utils.translation import gettext

    return gettext(
        "No official working-day schedule is known for %(year)d yet: weekends and the "
        "fixed-date holidays (1 Jan, 1 May, 1-3 Oct) are assumed, so deadlines in %(year)d may "
        "move once the State Council publishes it. Add your company's days off and make-up "
        "workdays under Calendar, or ask the operator to load the schedule."
    ) % {"year": year}


def calendar_warnings(start, end) -> list[str]:
    if start is None or end is None:
        return []
    return [fallback_warning(y) for y in unpublished_years(min(start, end), max(start, end))]


# --- working calendar ------------------------------------------------------------


class WorkingHoursSerializer(serializers.Serializer):
    intervals = serializers.CharField(
        label=_("working hours"),
        max_length=200,
        required=False,
        help_text=_("Daily working intervals, e.g. 09:00-12:00,13:30-18:00"),
    )
    time_zone = serializers.CharField(label=_("time zone"), max_length=64, required=False)
    version = serializers.IntegerField(read_only=True)
    missing_official_years = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=_("This year and the next when their official holidays are not loaded."),
    )


class TenantWorkdaySerializer(serializers.ModelSerializer):
    class Meta:
        model = TenantWorkday
        fields = ["id", "date", "is_workday", "note", "version", "created_at"]
        read_only_fields = ["version", "created_at"]


class AddHoursResultSerializer(serializers.Serializer):
    deadline = serializers.DateTimeField()
    warnings = serializers.ListField(child=serializers.CharField())


# --- complaints --------------------------------------------------------------------


class ComplaintSerializer(serializers.ModelSerializer):
    customer = customer_field()
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    contact = contact_field()
    contact_name = RelatedLabelField(source="contact.name")
    owner = owner_field()
    owner_name = RelatedLabelField(source="owner.display_name")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    received_at = DateTimeField(label=_("received at"), required=False)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "customer",
            "customer_name",
            "contact",
            "contact_name",
            "channel",
            "channel_label",
            "severity",
            "severity_label",
            "category",
            "category_label",
            "description",
            "owner",
            "owner_name",
            "status",
            "status_label",
            "received_at",
            "acknowledge_due_at",
            "acknowledged_at",
            "resolve_due_at",
            "resolved_at",
            "closed_at",
            "resolution",
            "reopen_count",
            "breached",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "acknowledge_due_at",
            "acknowledged_at",
            "resolve_due_at",
            "resolved_at",
            "closed_at",
            "resolution",
            "reopen_count",
            "breached",
            "version",
            "created_at",
            "updated_at",
        ]

    def validate_description(self, value):
        if not value.strip():
            raise serializers.ValidationError(_("Describe the complaint."))
        return value


class ComplaintBreachSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    owner_name = RelatedLabelField(source="owner.display_name")

    class Meta:
        model = ComplaintBreach
        fields = ["id", "kind", "kind_label", "due_at", "owner", "owner_name", "escalated_at"]


class ComplaintDetailSerializer(ComplaintSerializer, _WithTransitions):
    breaches = ComplaintBreachSerializer(many=True, read_only=True)
    calendar_warnings = serializers.SerializerMethodField()

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "breaches", "calendar_warnings", "transitions"]

    def get_calendar_warnings(self, complaint) -> list[str]:
        """Deadlines counted in a year without an official schedule (fallback used)."""
        end = complaint.resolve_due_at or complaint.acknowledge_due_at
        return calendar_warnings(complaint.received_at, end)


# --- follow-ups --------------------------------------------------------------------


class FollowUpSerializer(serializers.ModelSerializer):
    # Each target is a record the user sees: its own list's scope (the customer
    # pool included), as the card, the timeline and attachments decide.
    lead = _target_field(_("lead"), Lead, "leads")
    customer = _target_field(_("customer"), Customer, "customers")
    complaint = _target_field(_("complaint"), Complaint, "complaints")
    opportunity = _target_field(_("opportunity"), Opportunity, "opportunities")
    contract = _target_field(_("contract"), Contract, "contracts")
    owner = owner_field()
    owner_name = RelatedLabelField(source="owner.display_name")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    target_type = serializers.ChoiceField(
        choices=[(n, FollowUp._meta.get_field(n).verbose_name) for n in TARGET_FIELDS],
        source="target_field",
        read_only=True,
        default=None,
        label=_("target type"),
    )
    target_name = serializers.SerializerMethodField(label=_("target name"))

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "kind",
            "kind_label",
            "subject",
            *TARGET_FIELDS,
            "target_type",
            "target_name",
            "due_at",
            "owner",
            "owner_name",
            "status",
            "status_label",
            "outcome",
            "satisfaction",
            "done_at",
            "missed_at",
            "reschedule_count",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "outcome",
            "satisfaction",
            "done_at",
            "missed_at",
            "reschedule_count",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_target_name(self, followup) -> str | None:
        target = followup.target
        if target is None:
            return None
        if isinstance(target, Lead):
            return target.company_name
        if isinstance(target, Complaint):
            return str(target.customer.name)
        return str(target)

    def validate(self, attrs):
        if self.instance is None:
            given = [n for n in TARGET_FIELDS if attrs.get(n) is not None]
            if len(given) != 1:
                message = _("Give exactly one of: %(fields)s.") % {
                    "fields": ", ".join(TARGET_FIELDS)
                }
                raise serializers.ValidationError({n: [message] for n in (given or TARGET_FIELDS)})
        return attrs


class FollowUpDetailSerializer(FollowUpSerializer, _WithTransitions):
    class Meta(FollowUpSerializer.Meta):
        fields = [*FollowUpSerializer.Meta.fields, "transitions"]


# --- tickets, projects, feedback ---------------------------------------------------


class TicketSerializer(serializers.ModelSerializer):
    customer = customer_field()
    contract = contract_field()
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner = owner_field()
    owner_name = RelatedLabelField(source="owner.display_name")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    priority_label = serializers.CharField(source="get_priority_display", read_only=True)

    class Meta:
        model = ServiceTicket
        fields = [
            "id",
            "customer",
            "customer_name",
            "contract",
            "subject",
            "description",
            "priority",
            "priority_label",
            "owner",
            "owner_name",
            "status",
            "status_label",
            "resolution",
            "started_at",
            "resolved_at",
            "closed_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "resolution",
            "started_at",
            "resolved_at",
            "closed_at",
            "version",
            "created_at",
            "updated_at",
        ]


class TicketDetailSerializer(TicketSerializer, _WithTransitions):
    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "transitions"]


class ProjectSerializer(serializers.ModelSerializer):
    customer = customer_field()
    contract = contract_field()
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner = owner_field(_("project manager"))
    owner_name = RelatedLabelField(source="owner.display_name")
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = CustomerProject
        fields = [
            "id",
            "customer",
            "customer_name",
            "contract",
            "name",
            "description",
            "owner",
            "owner_name",
            "planned_start",
            "planned_end",
            "status",
            "status_label",
            "started_at",
            "accepted_at",
            "acceptance_note",
            "cancelled_at",
            "cancel_reason",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "started_at",
            "accepted_at",
            "acceptance_note",
            "cancelled_at",
            "cancel_reason",
            "version",
            "created_at",
            "updated_at",
        ]


class ProjectDetailSerializer(ProjectSerializer, _WithTransitions):
    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "transitions"]


class FeedbackSerializer(serializers.ModelSerializer):
    customer = customer_field()
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    contact = contact_field()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    handled_by_name = RelatedLabelField(source="handled_by.display_name")

    class Meta:
        model = Feedback
        fields = [
            "id",
            "customer",
            "customer_name",
            "contact",
            "kind",
            "kind_label",
            "text",
            "handled",
            "handled_at",
            "handled_by",
            "handled_by_name",
            "version",
            "created_at",
        ]
        read_only_fields = ["handled_at", "handled_by", "version", "created_at"]


# --- transition inputs ---------------------------------------------------------------


def satisfaction_value(value) -> int:
    """A score 1-5 from JSON (an integer, or a string of digits)."""
    low, high = SATISFACTION_RANGE
    if isinstance(value, bool):
        raise serializers.ValidationError(_("Give a whole number from 1 to 5."))
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not low <= value <= high:
        raise serializers.ValidationError(_("Give a whole number from 1 to 5."))
    return value
