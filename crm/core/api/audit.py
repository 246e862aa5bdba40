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
from rest_framework import serializers

from crm.core.api.export import ExportMixin
from crm.core.api.viewsets import TenantReadOnlyViewSet
from crm.core.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(source="created_at", read_only=True, label=_("time"))
    actor_name = serializers.SerializerMethodField(label=_("user"))
    module = serializers.CharField(source="content_type.app_label", read_only=True)
    model = serializers.SerializerMethodField(label=_("record type"))
    model_label = serializers.SerializerMethodField(label=_("record type"))

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
        ]

    def get_actor_name(self, entry) -> str:
        actor = entry.actor
        return "" if actor is None else (actor.full_name or actor.username)

    def get_model(self, entry) -> str:
        return f"{entry.content_type.app_label}.{entry.content_type.model}"

    def get_model_label(self, entry) -> str:
        model = entry.content_type.model_class()
        return str(model._meta.verbose_name) if model else entry.content_type.model


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
