"""Serializers of tasks, calendar events and work plans. Writes go through the services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.activities.models import CalendarEvent, PlanItem, Task, WorkPlan
from crm.activities.timeline import RECORD_COLLECTIONS
from crm.core.api.fields import DateField, DateTimeField, RelatedLabelField, TextField
from crm.core.api.mixins import ChangeLineSerializer
from crm.core.api.serializers import (
    ReplacedLinesMixin,
    TenantPrimaryKeyField,
    VisiblePrimaryKeyField,
)
from crm.core.models import User
from crm.customers.models import Contact, Customer, Lead
from crm.sales.models import Contract, Opportunity
from crm.sales.serializers import TransitionsField, WithTransitions
from crm.service.models import Complaint

LINKS = {
    "customer": (Customer, _("customer")),
    "contact": (Contact, _("contact")),
    "lead": (Lead, _("lead")),
    "opportunity": (Opportunity, _("opportunity")),
    "contract": (Contract, _("contract")),
    "complaint": (Complaint, _("complaint")),
}


def link_fields() -> dict[str, serializers.Field]:
    """One nullable id field per kind of record (``customer``, ``contract``...): only
    records the user sees in their collection (data scope), as the timeline does."""
    return {
        name: VisiblePrimaryKeyField(
            label=label,
            model=model,
            collection=RECORD_COLLECTIONS[name],
            required=False,
            allow_null=True,
        )
        for name, (model, label) in LINKS.items()
    }


def user_field(label, **kwargs):
    return TenantPrimaryKeyField(
        label=label, model=User, filters={"is_active": True, "is_system": False}, **kwargs
    )


class LinkedSerializer(serializers.ModelSerializer):
    """Adds the link fields to a model serializer (declared once, here)."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in link_fields().items():
            if name in fields:
                fields[name] = field
        return fields


def _status_label():
    return serializers.CharField(source="get_status_display", read_only=True)


# --- tasks ---------------------------------------------------------------------------


class TaskListSerializer(LinkedSerializer):
    title = TextField(label=_("title"), max_length=200)
    description = TextField(label=_("description"), required=False, allow_blank=True)
    assignee = user_field(_("assignee"), required=False)
    assignee_name = RelatedLabelField(source="assignee.display_name")
    assigner_name = RelatedLabelField(source="assigner.display_name")
    due_at = DateTimeField(label=_("due at"), required=False, allow_null=True)
    status_label = _status_label()
    priority_label = serializers.CharField(source="get_priority_display", read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "description",
            "assignee",
            "assignee_name",
            "assigner",
            "assigner_name",
            "due_at",
            "priority",
            "priority_label",
            "status",
            "status_label",
            *LINKS,
            "started_at",
            "done_at",
            "cancel_reason",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "assigner",
            "status",
            "started_at",
            "done_at",
            "cancel_reason",
            "version",
            "created_at",
            "updated_at",
        ]


class TaskSerializer(WithTransitions, TaskListSerializer):
    transitions = TransitionsField()

    class Meta(TaskListSerializer.Meta):
        fields = [*TaskListSerializer.Meta.fields, "transitions"]


class BulkCompleteSerializer(serializers.Serializer):
    ids = serializers.ListField(
        # max_value: the bound of a database id (SQLite cannot bind a bigger one: a 500).
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=200,
    )


class BulkResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ok = serializers.BooleanField()
    status = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)
    reasons = serializers.ListField(child=serializers.CharField(), required=False)


# --- calendar events -----------------------------------------------------------------


class EventListSerializer(LinkedSerializer):
    title = TextField(label=_("title"), max_length=200)
    start = DateTimeField(label=_("start"))
    end = DateTimeField(label=_("end"), required=False, allow_null=True)
    location = TextField(label=_("location"), max_length=200, required=False, allow_blank=True)
    note = TextField(label=_("note"), required=False, allow_blank=True)
    owner = user_field(_("owner"), required=False)
    owner_name = RelatedLabelField(source="owner.display_name")
    invitees = user_field(_("invitees"), many=True, required=False)
    remind_minutes = serializers.IntegerField(
        label=_("remind minutes before"),
        required=False,
        allow_null=True,
        min_value=0,
        max_value=60 * 24 * 30,
    )
    recurrence_interval = serializers.IntegerField(
        label=_("repeat every"), required=False, min_value=1, max_value=366
    )
    recurrence_until = DateField(label=_("repeat until"), required=False, allow_null=True)
    recurrence_count = serializers.IntegerField(
        label=_("occurrences"), required=False, allow_null=True, min_value=1, max_value=1000
    )
    status_label = _status_label()
    # Set on the items of a range query: the series (the event's id) and this occurrence.
    series = serializers.SerializerMethodField(label=_("series"))
    occurrence_start = serializers.SerializerMethodField(label=_("occurrence start"))
    occurrence_end = serializers.SerializerMethodField(label=_("occurrence end"))

    class Meta:
        model = CalendarEvent
        fields = [
            "id",
            "title",
            "start",
            "end",
            "all_day",
            "location",
            "note",
            "owner",
            "owner_name",
            "invitees",
            "remind_minutes",
            "recurrence",
            "recurrence_interval",
            "recurrence_until",
            "recurrence_count",
            *LINKS,
            "status",
            "status_label",
            "series",
            "occurrence_start",
            "occurrence_end",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "version", "created_at", "updated_at"]

    # The list export leaves the series out: outside a range query it is the event's
    # own id (the repeat rule has its own columns).
    export_omit = ("series",)

    def get_series(self, obj) -> int:
        return obj.pk

    def get_occurrence_start(self, obj) -> str | None:
        value = getattr(obj, "occurrence_start", None) or obj.start
        return serializers.DateTimeField().to_representation(value)

    def get_occurrence_end(self, obj) -> str | None:
        value = getattr(obj, "occurrence_end", None) or obj.end
        return serializers.DateTimeField().to_representation(value) if value else None


class EventSerializer(WithTransitions, EventListSerializer):
    transitions = TransitionsField()

    class Meta(EventListSerializer.Meta):
        fields = [*EventListSerializer.Meta.fields, "transitions"]


# --- work plans ----------------------------------------------------------------------


class PlanItemSerializer(ReplacedLinesMixin, LinkedSerializer):
    """One line of a work plan: what to do, optionally on a record, and whether it is done."""

    lines_of = WorkPlan
    lines_relation = "items"
    text = TextField(label=_("text"), max_length=500)

    class Meta:
        model = PlanItem
        fields = ["id", "text", "done", *LINKS]
        read_only_fields = ["id"]


class PlanListSerializer(serializers.ModelSerializer):
    period = DateField(label=_("period"))
    owner_name = RelatedLabelField(source="owner.display_name")
    reviewer_name = RelatedLabelField(source="reviewer.display_name")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = _status_label()

    class Meta:
        model = WorkPlan
        fields = [
            "id",
            "kind",
            "kind_label",
            "period",
            "owner",
            "owner_name",
            "status",
            "status_label",
            "submitted_at",
            "reviewer",
            "reviewer_name",
            "reviewed_at",
            "review_comment",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "owner",
            "status",
            "submitted_at",
            "reviewer",
            "reviewed_at",
            "review_comment",
            "version",
            "created_at",
            "updated_at",
        ]


class PlanSerializer(WithTransitions, PlanListSerializer):
    items = PlanItemSerializer(many=True, required=False, max_length=100)
    transitions = TransitionsField()

    class Meta(PlanListSerializer.Meta):
        fields = [*PlanListSerializer.Meta.fields, "items", "transitions"]


# --- the timeline --------------------------------------------------------------------


class TimelineEntrySerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="activity, follow_up, task, event, transition, change (attachment...)"
    )
    id = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField()
    title = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    status = serializers.CharField(required=False, allow_null=True)
    detail = serializers.CharField(required=False, allow_blank=True)
    link = serializers.CharField(required=False)
    source = serializers.CharField(required=False)
    target = serializers.CharField(required=False)
    transition = serializers.CharField(required=False, help_text="a transition's step (code)")
    step_label = serializers.CharField(required=False, help_text="the step's label")
    source_label = serializers.CharField(required=False, help_text="the state left, by label")
    target_label = serializers.CharField(required=False, help_text="the state reached, by label")
    changes = serializers.DictField(required=False)
    lines = ChangeLineSerializer(many=True, required=False)
    job = serializers.IntegerField(required=False, allow_null=True)


class TimelinePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = TimelineEntrySerializer(many=True)
