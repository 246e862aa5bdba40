"""``/api/v1/audit/``: the audit browser (admins search the company's audit trail).

Filtered by user, module (app), record (model + id), action and period; one page
at a time (two queries: the rows with their user and type, and the count);
``export/`` writes the same rows to xlsx or CSV through the shared exporter.
Only for holders of ``settings.edit``: the trail names every record of the
company, whatever a user's data scope.
"""

from __future__ import annotations

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.core.api.export import ExportMixin
from crm.core.api.mixins import ChangeLineSerializer
from crm.core.api.viewsets import TenantReadOnlyViewSet
from crm.core.history import readable_entries
from crm.core.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(source="created_at", read_only=True, label=_("time"))
    actor_name = serializers.SerializerMethodField(label=_("user"))
    module = serializers.CharField(source="content_type.app_label", read_only=True)
    model = serializers.SerializerMethodField(label=_("record type"))
    model_label = serializers.SerializerMethodField(label=_("record type"))
    lines = serializers.SerializerMethodField(label=_("changes"))
    job = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "action",
            "module",
            "model",
            "model_label",
            "object_id",
            "changes",
            "lines",
            "job",
        ]

    @extend_schema_field(ChangeLineSerializer(many=True))
    def get_lines(self, entry) -> list:
        return self._readable(entry)["lines"]

    def get_job(self, entry) -> int | None:
        return self._readable(entry)["job"]

    def _readable(self, entry) -> dict:
        # The whole page at once (one query per referenced model, not per row).
        cache = self.context.setdefault("readable", {})
        if entry.pk not in cache:
            page = getattr(self.parent, "instance", None) if self.parent is not None else None
            rows = list(page) if page is not None else [entry]
            if entry not in rows:
                rows = [entry]
            for row, shown in zip(rows, readable_entries(rows), strict=True):
                cache[row.pk] = shown
        return cache[entry.pk]

    def get_actor_name(self, entry) -> str:
        actor = entry.actor
        return "" if actor is None else (actor.full_name or actor.username)

    def get_model(self, entry) -> str:
        return f"{entry.content_type.app_label}.{entry.content_type.model}"

    def get_model_label(self, entry) -> str:
        model = entry.content_type.model_class()
        return str(model._meta.verbose_name) if model else entry.content_type.model


class AuditExportSerializer(AuditEntrySerializer):
    class Meta(AuditEntrySerializer.Meta):
        fields = [f for f in AuditEntrySerializer.Meta.fields if f not in ("lines", "job")]


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.NumberFilter(field_name="actor_id")
    action = django_filters.CharFilter(field_name="action")
    module = django_filters.CharFilter(field_name="content_type__app_label")
    model = django_filters.CharFilter(method="filter_model", help_text="app_label.model")
    object_id = django_filters.NumberFilter(field_name="object_id")
    start = django_filters.DateFilter(field_name="created_at__date", lookup_expr="gte")
    end = django_filters.DateFilter(field_name="created_at__date", lookup_expr="lte")

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "module", "model", "object_id", "start", "end"]

    def filter_model(self, queryset, name, value):
        app_label, _dot, model = value.partition(".")
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model.lower())
        except ContentType.DoesNotExist:
            return queryset.none()
        return queryset.filter(content_type_id=content_type.pk)


class AuditViewSet(ExportMixin, TenantReadOnlyViewSet):
    model = AuditEntry
    serializer_class = AuditEntrySerializer
    filterset_class = AuditFilter
    code = "settings.edit"
    ordering = ["-created_at", "-id"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return super().get_queryset().select_related("actor", "content_type")

    def get_serializer_class(self):
        # A file keeps the stored changes: readable lines are built a page at a time.
        return AuditExportSerializer if self.action == "export" else super().get_serializer_class()
