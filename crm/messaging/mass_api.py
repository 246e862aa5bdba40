"""REST endpoints of templates, mass sends, the suppression list, unsubscribe links
and the SMS inbound callback (registered through ``crm.messaging.api``)."""

from __future__ import annotations

import json

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core.api.export import ExportMixin, filters_text
from crm.core.api.filters import TenantFilterSet
from crm.core.api.serializers import TenantPrimaryKeyField
from crm.core.api.viewsets import RecordViewSet
from crm.core.errors import Invalid
from crm.messaging import massing, services, templating, unsubscribe
from crm.messaging.models import (
    Channel,
    ChannelKind,
    MassSend,
    MessageTemplate,
    Suppression,
)
from crm.sales.serializers import TransitionsField, WithTransitions
from workflows.api import ProcessViewSet

# --- templates -------------------------------------------------------------------------


class MessageTemplateSerializer(serializers.ModelSerializer):
    placeholders = serializers.SerializerMethodField()

    class Meta:
        model = MessageTemplate
        fields = [
            "id",
            "name",
            "channel_kind",
            "subject",
            "body",
            "marketing",
            "sms_template_code",
            "sms_sign_name",
            "placeholders",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["created_at", "updated_at", "version"]

    def get_placeholders(self, obj) -> list[str]:
        return list(dict.fromkeys(templating.placeholders_in(f"{obj.subject} {obj.body}")))


class PreviewQuery(serializers.Serializer):
    model = serializers.ChoiceField(
        choices=["contact", "customer", "lead", "opportunity", "contract", "payment"],
        required=False,
    )
    id = serializers.IntegerField(required=False, min_value=1)


class TemplateFilter(TenantFilterSet):
    class Meta:
        model = MessageTemplate
        fields = ["channel_kind", "marketing"]


class MessageTemplateViewSet(RecordViewSet):
    """Message templates per channel kind; placeholders are checked on save
    (``GET /message-templates/placeholders/`` lists them)."""

    model = MessageTemplate
    serializer_class = MessageTemplateSerializer
    permission_module = "messaging.template"
    filterset_class = TemplateFilter
    ordering_fields = ["id", "name", "channel_kind"]
    ordering = ["channel_kind", "name"]
    create_service = staticmethod(templating.template_create)
    update_service = staticmethod(templating.template_update)
    delete_service = staticmethod(templating.template_delete)

    @extend_schema(responses=serializers.DictField(child=serializers.CharField()))
    @action(detail=False, methods=["get"], code_verb="view")
    def placeholders(self, request):
        return Response({k: str(v) for k, v in templating.PLACEHOLDERS.items()})

    @extend_schema(
        parameters=[PreviewQuery],
        responses=inline_serializer(
            "TemplatePreview",
            {
                "subject": serializers.CharField(),
                "body": serializers.CharField(),
                "values": serializers.DictField(child=serializers.CharField()),
                "text": serializers.CharField(required=False),
                "characters": serializers.IntegerField(required=False),
                "segments": serializers.IntegerField(required=False),
            },
        ),
    )
    @action(detail=True, methods=["get"], code_verb="view")
    def preview(self, request, pk=None):
        """The template rendered for a record (``?model=contact&id=``), or with no record."""
        template = self.get_object()
        query = PreviewQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        record = None
        if query.validated_data.get("id"):
            name = query.validated_data.get("model", "contact")
            ct = ContentType.objects.filter(model=name).exclude(app_label="auth").first()
            model = ct.model_class() if ct else None
            record = (
                model.objects.filter(tenant=request.tenant, pk=query.validated_data["id"]).first()
                if model is not None
                else None
            )
            if record is None:
                raise Invalid(fields={"id": [_("No such record.")]})
        return Response(templating.preview(template, record))


# --- mass sends ------------------------------------------------------------------------


class MassSendSerializer(WithTransitions, serializers.ModelSerializer):
    channel = TenantPrimaryKeyField(model=Channel, label=gettext_lazy("channel"))
    template = TenantPrimaryKeyField(model=MessageTemplate, label=gettext_lazy("template"))
    channel_kind = serializers.CharField(
        source="channel.kind", read_only=True, label=gettext_lazy("channel kind")
    )
    template_name = serializers.CharField(source="template.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    progress = serializers.SerializerMethodField(label=gettext_lazy("progress"))
    transitions = TransitionsField()

    class Meta:
        model = MassSend
        fields = [
            "id",
            "name",
            "channel",
            "channel_kind",
            "template",
            "template_name",
            "audience",
            "group_id",
            "campaign_id",
            "filter",
            "status",
            "status_label",
            "scheduled_at",
            "started_at",
            "completed_at",
            "total",
            "progress",
            "transitions",
            "created_at",
            "version",
        ]
        read_only_fields = ["status", "started_at", "completed_at", "total", "created_at"]

    def get_progress(self, obj) -> dict[str, int]:
        if hasattr(obj, "_export_sent"):  # counted in the export's query
            return {
                "total": obj.total,
                **{key: getattr(obj, f"_export_{key}") for key in massing.PROGRESS_COUNTS},
            }
        return massing.progress(obj)

    # --- the list export (crm/core/api/export.py) ---

    def export_queryset(self, queryset):
        """The deliveries counted by status, and the names of the group and the
        campaign (those the user sees), in the export's one query."""
        return queryset.annotate(
            **{
                f"_export_{key}": Count("deliveries", filter=Q(deliveries__status=status))
                for key, status in massing.PROGRESS_COUNTS.items()
            },
            **{
                f"_export_{name}_name": Subquery(
                    rows.filter(pk=OuterRef(f"{name}_id")).values("name")[:1]
                )
                for name, rows in self._audience_links().items()
            },
        )

    def _audience_links(self) -> dict:
        """{link kept as an id: the records whose name it may read}: the company's
        groups, the campaigns the user sees (their list's data scope)."""
        from crm.core.api.collection_view import collection_view
        from crm.customers.models import CustomerGroup

        request = self.context["request"]
        return {
            "group": CustomerGroup.objects.filter(tenant_id=request.tenant.pk),
            "campaign": collection_view(request, "campaigns").get_queryset(),
        }

    @staticmethod
    def export_group_id(value, obj) -> str:
        """The group's name, as the list names a record; ``#12`` when it is gone or
        out of the user's sight."""
        return _linked_name(value, getattr(obj, "_export_group_name", None))

    @staticmethod
    def export_campaign_id(value, obj) -> str:
        """The campaign's name; ``#12`` when it is gone or out of the user's sight."""
        return _linked_name(value, getattr(obj, "_export_campaign_name", None))

    @staticmethod
    def export_progress(value, obj) -> str:
        """As the mass send's card shows it: ``已发送 3 · 失败 1 · 已退订 0 · 待发送 6``."""
        if not value:
            return ""
        return _(
            "Sent %(sent)d · failed %(failed)d · unsubscribed %(suppressed)d"
            " · remaining %(remaining)d"
        ) % {key: value.get(key) or 0 for key in massing.PROGRESS_COUNTS}

    def export_filter(self, value, obj) -> str:
        """The saved filter as the customer list's filters read: ``状态：有负责人``."""
        from crm.customers.api import CustomerFilter
        from crm.customers.models import CustomerGroup

        cache = self._export_cache()
        return filters_text(CustomerFilter, value, obj.tenant_id, cache, {"group": CustomerGroup})

    def _export_cache(self) -> dict:
        if not hasattr(self, "_export_records"):
            self._export_records = {}
        return self._export_records


def _linked_name(value, name) -> str:
    if value is None:
        return ""
    return name or f"#{value}"


class MassSendListSerializer(MassSendSerializer):
    class Meta(MassSendSerializer.Meta):
        fields = [f for f in MassSendSerializer.Meta.fields if f not in ("transitions",)]


class MassSendFilter(TenantFilterSet):
    class Meta:
        model = MassSend
        fields = ["status", "channel", "audience"]


class MassSendViewSet(ProcessViewSet):
    """群发: build (channel, template, audience), ``preview/``, then the transitions
    schedule, start, pause, resume, cancel; ``progress`` counts the deliveries."""

    model = MassSend
    serializer_class = MassSendSerializer
    list_serializer_class = MassSendListSerializer
    permission_module = "messaging.mass_send"
    filterset_class = MassSendFilter
    ordering_fields = ["id", "created_at", "status"]
    ordering = ["-id"]
    create_service = staticmethod(massing.mass_send_create)
    update_service = staticmethod(massing.mass_send_update)
    delete_service = staticmethod(massing.mass_send_delete)

    def get_queryset(self):
        return super().get_queryset().select_related("channel", "template")

    @extend_schema(
        responses=inline_serializer(
            "MassSendPreview",
            {
                "count": serializers.IntegerField(),
                "suppressed": serializers.IntegerField(),
                "recipients": serializers.IntegerField(),
                "segments": serializers.IntegerField(required=False),
                "segments_per_message": serializers.IntegerField(required=False),
                "sample": serializers.DictField(),
            },
        )
    )
    @action(detail=True, methods=["get"], code_verb="view")
    def preview(self, request, pk=None):
        """How many receive it, how many are suppressed, the SMS segments, a sample."""
        return Response(massing.preview(self.get_object()))


# --- suppression list ------------------------------------------------------------------


# The reasons the system records (``unsubscribe.suppress``); a reason typed by a
# user reads as typed.
SUPPRESSION_REASONS = {
    "manual": gettext_lazy("added by hand"),
    "link": gettext_lazy("unsubscribe link"),
    "reply": gettext_lazy("unsubscribe reply"),
}


class SuppressionSerializer(serializers.ModelSerializer):
    # Only SMS and e-mail carry marketing: the choices (and /choices/) say so.
    channel_kind = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in services.SUPPRESSED_KINDS],
        label=gettext_lazy("channel kind"),
        error_messages={"invalid_choice": gettext_lazy("Only SMS and e-mail are suppressed.")},
    )

    reason_label = serializers.SerializerMethodField(label=gettext_lazy("reason"))

    class Meta:
        model = Suppression
        fields = ["id", "channel_kind", "address", "reason", "reason_label", "created_at"]
        read_only_fields = ["created_at"]

    def get_reason_label(self, obj) -> str:
        return str(SUPPRESSION_REASONS.get(obj.reason, obj.reason))


class SuppressionFilter(TenantFilterSet):
    class Meta:
        model = Suppression
        fields = ["channel_kind", "reason"]


class SuppressionViewSet(ExportMixin, RecordViewSet):
    """The addresses marketing sends skip (unsubscribed, replied TD, added by hand)."""

    model = Suppression
    serializer_class = SuppressionSerializer
    permission_module = "messaging.suppression"
    filterset_class = SuppressionFilter
    search_fields = ["address"]
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]
    http_method_names = ["get", "post", "delete", "head", "options"]
    create_service = staticmethod(services.suppression_create)
    delete_service = staticmethod(services.suppression_delete)


# --- public: unsubscribe link, SMS inbound ---------------------------------------------

PAGE = (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
    '<title>{title}</title><body style="font-family:sans-serif;padding:2em">'
    "<p>{text}</p></body></html>"
)


class UnsubscribeView(APIView):
    """One-click unsubscribe (RFC 8058): GET from the e-mail's link, POST from the
    mail client's List-Unsubscribe-Post. A bad or altered token is refused."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    def _do(self, token: str):
        found = unsubscribe.read(token)
        if found is None:
            page = PAGE.format(title="退订失败", text="链接无效 / This link is not valid.")
            return HttpResponse(page, status=400, content_type="text/html; charset=utf-8")
        tenant_id, kind, address = found
        with scopes_disabled():
            unsubscribe.suppress(tenant_id, kind, address, "link")
        page = PAGE.format(
            title="已退订", text="您已退订，今后不再收到营销消息。/ You are unsubscribed."
        )
        return HttpResponse(page, content_type="text/html; charset=utf-8")

    @extend_schema(exclude=True)
    def get(self, request, token: str):
        return self._do(token)

    @extend_schema(exclude=True)
    def post(self, request, token: str):
        return self._do(token)


class SmsInboundView(APIView):
    """The SMS provider's upstream-message callback for channel ``channel_id``:
    a JSON list (Aliyun SmsUp style) or object of ``{"phone_number", "content"}``;
    a TD/退订 reply suppresses the number. With a channel secret the raw body
    must carry ``X-Signature`` = hex HMAC-SHA256(secret, body)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(exclude=True)
    def post(self, request, channel_id: int):
        from crm.messaging import crypto

        raw = request.body
        with scopes_disabled():
            channel = Channel.objects.filter(pk=channel_id, kind=ChannelKind.SMS).first()
            if channel is None:
                return Response({"code": 1, "msg": "unknown channel"}, status=404)
            secret = crypto.decrypt(channel.secret_encrypted)
            if not unsubscribe.inbound_ok(secret, raw, request.headers.get("X-Signature", "")):
                return Response({"code": 1, "msg": "bad signature"}, status=403)
            try:
                items = json.loads(raw or b"[]")
            except ValueError:
                return Response({"code": 1, "msg": "bad body"}, status=400)
            items = items if isinstance(items, list) else [items]
            stopped = 0
            for item in items:
                if not isinstance(item, dict):
                    continue
                phone = str(item.get("phone_number") or item.get("mobile") or "").strip()
                if phone and unsubscribe.is_stop(str(item.get("content", ""))):
                    unsubscribe.suppress(channel.tenant_id, ChannelKind.SMS, phone, "reply")
                    stopped += 1
        answer = {"code": 0, "msg": "成功", "suppressed": stopped}
        return Response(answer, status=status.HTTP_200_OK)


def register_routes(router, path) -> list:
    router.register("message-templates", MessageTemplateViewSet, basename="message-template")
    router.register("mass-sends", MassSendViewSet, basename="mass-send")
    router.register("suppressions", SuppressionViewSet, basename="suppression")
    return [
        path("unsubscribe/<str:token>/", UnsubscribeView.as_view(), name="unsubscribe"),
        path("sms/inbound/<int:channel_id>/", SmsInboundView.as_view(), name="sms-inbound"),
    ]
