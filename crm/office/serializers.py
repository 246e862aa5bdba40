"""Serializers of attachments and announcements. Writes go through the services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.core.api.fields import RelatedLabelField, TextField
from crm.core.api.serializers import TenantPrimaryKeyField, VisiblePrimaryKeyField
from crm.core.models import Role, Team
from crm.office.models import ATTACHABLE, ATTACHABLE_FIELDS, Announcement, Attachment
from crm.sales.serializers import TransitionsField, WithTransitions


class UploadField(serializers.FileField):
    """A multipart file, or in a JSON body ``{"name": ..., "content": <base64>}`` (for
    clients that cannot send multipart; the request size limit keeps these small)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            import base64
            import binascii

            from django.core.files.uploadedfile import SimpleUploadedFile

            name, content = data.get("name"), data.get("content")
            if not isinstance(name, str) or not name.strip() or not isinstance(content, str):
                raise serializers.ValidationError(_("Send the file's name and its content."))
            try:
                raw = base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError):
                raise serializers.ValidationError(_("The content is not base64.")) from None
            data = SimpleUploadedFile(name.strip()[:255], raw)
        return super().to_internal_value(data)


class AttachmentSerializer(serializers.ModelSerializer):
    file = UploadField(label=_("file"), write_only=True)
    uploaded_by_name = RelatedLabelField(source="uploaded_by.display_name")
    download_url = serializers.SerializerMethodField()
    preview_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "file",
            "name",
            "size",
            "content_type",
            *ATTACHABLE_FIELDS,
            "uploaded_by",
            "uploaded_by_name",
            "created_at",
            "download_url",
            "preview_url",
        ]
        read_only_fields = ["name", "size", "content_type", "uploaded_by", "created_at"]

    def get_fields(self):
        fields = super().get_fields()
        for name, (model, label, collection) in ATTACHABLE.items():
            from django.apps import apps

            # A record the user cannot see (another rep's customer...) answers as a
            # missing id: 400 naming the field, its existence not leaked.
            fields[name] = VisiblePrimaryKeyField(
                label=label,
                model=apps.get_model(model),
                collection=collection,
                required=False,
                allow_null=True,
            )
        return fields

    def get_download_url(self, obj) -> str:
        return f"/api/v1/attachments/{obj.pk}/download/"

    def get_preview_url(self, obj) -> str | None:
        from crm.office.services.attachments import PREVIEWABLE

        return f"/api/v1/attachments/{obj.pk}/preview/" if obj.content_type in PREVIEWABLE else None


class UsageSerializer(serializers.Serializer):
    used_bytes = serializers.IntegerField()
    quota_bytes = serializers.IntegerField()
    max_file_bytes = serializers.IntegerField()


class AnnouncementListSerializer(serializers.ModelSerializer):
    title = TextField(label=_("title"), max_length=200)
    body = TextField(label=_("body"), required=False, allow_blank=True)
    teams = TenantPrimaryKeyField(model=Team, many=True, required=False, label=_("teams"))
    roles = TenantPrimaryKeyField(model=Role, many=True, required=False, label=_("roles"))
    author_name = RelatedLabelField(source="author.display_name")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    audience_label = serializers.CharField(source="get_audience_display", read_only=True)
    read = serializers.SerializerMethodField(label=_("read"))

    class Meta:
        model = Announcement
        fields = [
            "id",
            "title",
            "body",
            "audience",
            "audience_label",
            "teams",
            "roles",
            "pinned",
            "status",
            "status_label",
            "author",
            "author_name",
            "published_at",
            "archived_at",
            "read",
            "version",
            "created_at",
        ]
        read_only_fields = [
            "status",
            "author",
            "published_at",
            "archived_at",
            "version",
            "created_at",
        ]

    def get_read(self, obj) -> bool:
        """Has the requesting user read it? (annotated by the viewset: no query per row)"""
        return bool(getattr(obj, "is_read", False))


class AnnouncementSerializer(WithTransitions, AnnouncementListSerializer):
    transitions = TransitionsField()

    class Meta(AnnouncementListSerializer.Meta):
        fields = [*AnnouncementListSerializer.Meta.fields, "transitions"]


class ReceiptSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    name = serializers.CharField()
    team = serializers.CharField(allow_null=True)
    read_at = serializers.DateTimeField(allow_null=True)


class ReceiptsSerializer(serializers.Serializer):
    read_count = serializers.IntegerField()
    unread_count = serializers.IntegerField()
    read = ReceiptSerializer(many=True)
    unread = ReceiptSerializer(many=True)
