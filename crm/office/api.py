"""REST endpoints of the office module (registered by crm/api_router.py):
attachments, announcements, the workbench, the 360 customer card and quick create."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from crm.core.api.filters import TenantFilterSet
from crm.core.api.viewsets import TenantScopedMixin
from crm.core.errors import Invalid
from crm.office import serializers as s
from crm.office import services
from crm.office.models import (
    ATTACHABLE,
    ATTACHABLE_FIELDS,
    Announcement,
    AnnouncementRead,
    Attachment,
)
from crm.office.overview import collection_queryset
from crm.office.services.announcements import audience_users, visible_announcements
from crm.office.services.attachments import PREVIEWABLE
from workflows.api import ProcessViewSet

# --- attachments ---------------------------------------------------------------------


@extend_schema(parameters=[OpenApiParameter(name, OpenApiTypes.INT) for name in ATTACHABLE_FIELDS])
class AttachmentViewSet(
    TenantScopedMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Files on a record. A list names its record (``?customer=<id>``...); every
    answer about a file first checks that the user may see the file's record."""

    model = Attachment
    serializer_class = s.AttachmentSerializer
    permission_module = "office.attachment"
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Attachment._base_manager.none()
        qs = Attachment.objects.filter(tenant_id=self.request.user.tenant_id)
        # A file is there for the user when its record is in their data scope: one
        # subquery per kind of record, each the record collection's own queryset.
        seen = Q(pk__in=[])
        for field, (_model, _label, collection) in ATTACHABLE.items():
            records = collection_queryset(self.request, collection, check_code=False)
            seen |= Q(**{f"{field}__in": records.values("pk")})
        qs = qs.filter(seen)
        if self.action == "list":
            given = [f for f in ATTACHABLE_FIELDS if f in self.request.query_params]
            if len(given) > 1:
                message = _("Name one record: %(names)s.") % {"names": ", ".join(ATTACHABLE)}
                raise Invalid(fields={f: [message] for f in given})
            for field in given:
                raw = self.request.query_params[field]
                if not raw.isdigit():
                    raise Invalid(fields={field: [_("Send a record id.")]})
                qs = qs.filter(**{f"{field}_id": int(raw)})
        return qs.select_related("uploaded_by").order_by("-created_at", "-id")

    def filter_queryset(self, queryset):
        return queryset

    def perform_create(self, serializer):
        # The record fields are VisiblePrimaryKeyFields: one out of the user's scope
        # was refused as a missing id (400 naming it) before this point.
        data = dict(serializer.validated_data)
        serializer.instance = services.attachment_create(
            tenant=self.request.tenant, actor=self.request.user, **data
        )

    def perform_destroy(self, instance):
        services.attachment_delete(instance, tenant=self.request.tenant, actor=self.request.user)

    @extend_schema(responses=s.UsageSerializer)
    @action(detail=False, methods=["get"], code_verb="view", pagination_class=None)
    def usage(self, request):
        """The company's attachment storage: bytes used, its quota and the largest file."""
        from crm.office.services.attachments import MB

        tenant = request.tenant
        return Response(
            s.UsageSerializer(
                {
                    "used_bytes": services.attachment_usage(tenant),
                    "quota_bytes": tenant.setting("attachment_quota_mb") * MB,
                    "max_file_bytes": tenant.setting("attachment_max_mb") * MB,
                }
            ).data
        )

    def _file(self, obj, *, inline: bool):
        try:
            handle = obj.file.open("rb")
        except (FileNotFoundError, OSError):
            raise NotFound(_("The file is missing from storage.")) from None
        response = FileResponse(
            handle, as_attachment=not inline, filename=obj.name, content_type=obj.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], code_verb="view")
    def download(self, request, pk=None):
        """The file itself, as a download under its original name."""
        return self._file(self.get_object(), inline=False)

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], code_verb="view")
    def preview(self, request, pk=None):
        """An image shown inline (the image is its own preview: no thumbnailer is
        installed); other files have no preview (404)."""
        obj = self.get_object()
        if obj.content_type not in PREVIEWABLE:
            raise NotFound(_("This file has no preview."))
        return self._file(obj, inline=True)


# --- announcements -------------------------------------------------------------------


class AnnouncementFilter(TenantFilterSet):
    class Meta:
        model = Announcement
        fields = ["status", "pinned", "audience"]


class AnnouncementViewSet(ProcessViewSet):
    """Announcements of the company: the audience sees the published ones, the
    author their drafts; ``read/`` records a read receipt, ``receipts/`` lists who
    has and has not read (for the author and those who may edit announcements)."""

    model = Announcement
    serializer_class = s.AnnouncementSerializer
    list_serializer_class = s.AnnouncementListSerializer
    filterset_class = AnnouncementFilter
    permission_module = "office.announcement"
    ordering_fields = ["id", "published_at", "created_at"]
    ordering = ["-pinned", "-published_at", "-id"]
    create_service = staticmethod(services.announcement_create)
    update_service = staticmethod(services.announcement_update)
    delete_service = staticmethod(services.announcement_delete)

    @staticmethod
    def editable_check(obj):
        from crm.core.writes import refuse_frozen

        refuse_frozen(obj)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Announcement._base_manager.none()
        user = self.request.user
        qs = Announcement.objects.filter(tenant_id=user.tenant_id)
        # Those who write announcements see them all (drafts too); readers see the
        # published ones of their audience and their own drafts.
        writer = any(
            user.has_code(f"office.announcement.{verb}") for verb in ("create", "edit", "delete")
        )
        if not writer:
            qs = visible_announcements(qs, user)
        read = AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=user)
        return (
            qs.annotate(is_read=Exists(read))
            .select_related("author")
            .prefetch_related("teams", "roles")
        )

    @extend_schema(request=None, responses=s.AnnouncementListSerializer)
    @action(detail=True, methods=["post"], code_verb="view")
    def read(self, request, pk=None):
        """Mark the announcement read by me (idempotent). An archived one takes no
        new receipt: the answer says whether I had read it while it was out."""
        obj = self.get_object()
        if obj.status == "draft":
            raise NotFound()
        obj.is_read = services.announcement_mark_read(obj, user=request.user) is not None
        return Response(
            s.AnnouncementListSerializer(obj, context=self.get_serializer_context()).data
        )

    @extend_schema(responses=s.ReceiptsSerializer)
    @action(detail=True, methods=["get"], code_verb="edit", pagination_class=None)
    def receipts(self, request, pk=None):
        """Who of the audience has read it (and when) and who has not (for those who
        may edit announcements)."""
        obj = self.get_object()
        reads = dict(
            AnnouncementRead.objects.filter(announcement=obj).values_list("user_id", "read_at")
        )
        people = audience_users(obj).select_related("team").order_by("full_name", "id")
        read, unread = [], []
        for user in people:
            row = {
                "user": user.pk,
                "name": user.display_name,
                "team": user.team.name if user.team_id else None,
                "read_at": reads.get(user.pk),
            }
            (read if user.pk in reads else unread).append(row)
        return Response(
            s.ReceiptsSerializer(
                {
                    "read_count": len(read),
                    "unread_count": len(unread),
                    "read": read,
                    "unread": unread,
                }
            ).data
        )


def register_routes(router):
    from crm.office.overview import attach_overview_action
    from crm.office.quick_create import QuickCreateView
    from crm.office.workbench import WorkbenchView

    attach_overview_action()
    router.register("attachments", AttachmentViewSet, basename="attachment")
    router.register("announcements", AnnouncementViewSet, basename="announcement")
    return [
        path("workbench/", WorkbenchView.as_view(), name="workbench"),
        path("quick-create/", QuickCreateView.as_view(), name="quick-create"),
    ]


__all__ = ["AnnouncementViewSet", "AttachmentViewSet", "register_routes", "status"]
