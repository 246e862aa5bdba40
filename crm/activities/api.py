"""REST endpoints for activity records and the current user's notifications."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.activities import services
from crm.activities.models import Activity, Notification
from crm.activities.serializers import LINKS, LinkedSerializer
from crm.core.api.fields import DateTimeField, RelatedLabelField
from crm.core.api.filters import TenantFilterSet, query_flag
from crm.core.api.viewsets import DocumentViewSet, TenantScopedMixin


class ActivitySerializer(LinkedSerializer):
    owner_name = RelatedLabelField(source="owner.display_name")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    occurred_at = DateTimeField(label=_("occurred at"), required=False)

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "kind_label",
            "subject",
            "note",
            "occurred_at",
            *LINKS,
            "owner",
            "owner_name",
            "version",
            "created_at",
        ]
        read_only_fields = ["owner", "version", "created_at"]

    def validate(self, attrs):
        if self.instance is None and not any(attrs.get(name) for name in LINKS):
            message = _("Link the activity to a record.")
            raise serializers.ValidationError({name: [message] for name in LINKS})
        return attrs


class ActivityFilter(TenantFilterSet):
    occurred_at = django_filters.IsoDateTimeFromToRangeFilter()

    class Meta:
        model = Activity
        fields = ["kind", *LINKS, "owner"]


class ActivityViewSet(DocumentViewSet):
    model = Activity
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    permission_module = "activities"
    owner_field = "owner"
    ordering_fields = ["id", "occurred_at"]
    ordering = ["-occurred_at", "-id"]
    create_service = staticmethod(services.activity_create)
    update_service = staticmethod(services.activity_update)
    delete_service = staticmethod(services.activity_delete)

    def get_queryset(self):
        return super().get_queryset().select_related("owner")


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "link", "object_id", "read", "read_at", "created_at"]

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class NotificationViewSet(
    TenantScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The current user's notifications, newest first; ``?unread=true`` filters."""

    model = Notification
    serializer_class = NotificationSerializer
    filterset_fields = {"read_at": ["isnull"]}
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        qs = super().get_queryset().filter(recipient=self.request.user)
        if query_flag(self.request, "unread"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(
        responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()})
    )
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": self.get_queryset().filter(read_at__isnull=True).count()})

    @extend_schema(
        request=inline_serializer(
            "MarkRead",
            {"ids": serializers.ListField(child=serializers.IntegerField(), required=False)},
        ),
        responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        ids = request.data.get("ids") if isinstance(request.data, dict) else None
        if ids is not None and (
            not isinstance(ids, list) or not all(isinstance(i, int) for i in ids)
        ):
            from crm.core.errors import Invalid

            raise Invalid(fields={"ids": [str(_("Send a list of notification ids."))]})
        marked = services.notifications_mark_read(recipient=request.user, ids=ids)
        return Response({"marked": marked})
