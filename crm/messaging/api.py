"""REST endpoints of messaging (registered by crm/api_router.py)."""

from __future__ import annotations

import django_filters
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core.api.export import ExportMixin
from crm.core.api.filters import TenantFilterSet
from crm.core.api.viewsets import RecordViewSet, TenantReadOnlyViewSet, TenantScopedMixin
from crm.messaging import preferences, services, webhooks
from crm.messaging import serializers as s
from crm.messaging.models import Channel, Delivery, Webhook, WebhookDelivery


class ChannelFilter(TenantFilterSet):
    class Meta:
        model = Channel
        fields = ["kind", "active"]


class ChannelViewSet(RecordViewSet):
    """A company's channels; secrets are write-only (``has_secret`` tells if one is set)."""

    model = Channel
    serializer_class = s.ChannelSerializer
    permission_module = "messaging.channel"
    filterset_class = ChannelFilter
    ordering_fields = ["id", "kind", "name"]
    ordering = ["kind", "name"]
    create_service = staticmethod(services.channel_create)
    update_service = staticmethod(services.channel_update)
    delete_service = staticmethod(services.channel_delete)

    @extend_schema(request=s.ChannelTestSerializer, responses={202: s.DeliverySerializer})
    @action(detail=True, methods=["post"], code_verb="edit")
    def test(self, request, pk=None):
        """Queue a test message on this channel (to ``recipient`` or to the caller)."""
        channel = self.get_object()
        body = s.ChannelTestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        delivery = services.channel_test(
            channel, actor=request.user, recipient=body.validated_data.get("recipient", "")
        )
        return Response(s.DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class DeliveryFilter(TenantFilterSet):
    created_at = django_filters.IsoDateTimeFromToRangeFilter()

    class Meta:
        model = Delivery
        fields = ["channel", "status", "event", "recipient_user", "mass_send"]


class DeliveryViewSet(ExportMixin, TenantReadOnlyViewSet):
    """Every outgoing message, with its status, attempts and error (``export/``:
    e.g. a mass send's per-recipient records, ``?mass_send=``)."""

    model = Delivery
    serializer_class = s.DeliverySerializer
    filterset_class = DeliveryFilter
    permission_module = "messaging.delivery"
    ordering_fields = ["id", "created_at", "status"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return super().get_queryset().select_related("channel")


class WebhookViewSet(RecordViewSet):
    """Outbound webhooks; the signing secret is in the create answer only."""

    model = Webhook
    serializer_class = s.WebhookSerializer
    permission_module = "messaging.webhook"
    ordering_fields = ["id", "url"]
    ordering = ["-id"]
    update_service = staticmethod(webhooks.webhook_update)
    delete_service = staticmethod(webhooks.webhook_delete)

    @extend_schema(responses={201: s.WebhookCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook, secret = webhooks.webhook_create(
            tenant=request.tenant, actor=request.user, **serializer.validated_data
        )
        webhook.secret = secret
        return Response(s.WebhookCreatedSerializer(webhook).data, status=status.HTTP_201_CREATED)


class WebhookDeliveryFilter(TenantFilterSet):
    class Meta:
        model = WebhookDelivery
        fields = ["webhook", "status", "event"]


class WebhookDeliveryViewSet(TenantReadOnlyViewSet):
    """The webhooks' delivery log (response codes, errors); ``replay`` sends one again."""

    model = WebhookDelivery
    serializer_class = s.WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilter
    permission_module = "messaging.webhook"
    ordering_fields = ["id", "created_at"]
    ordering = ["-created_at", "-id"]

    @extend_schema(request=None, responses={202: s.WebhookDeliverySerializer})
    @action(detail=True, methods=["post"], code_verb="edit")
    def replay(self, request, pk=None):
        """Send this delivery's event again (a new delivery in the log)."""
        copy = webhooks.replay(self.get_object())
        return Response(s.WebhookDeliverySerializer(copy).data, status=status.HTTP_202_ACCEPTED)


PreferencesSerializer = serializers.DictField(
    child=serializers.ListField(child=serializers.CharField()),
    help_text="event kind -> channel kinds",
)


class MyPreferencesView(TenantScopedMixin, APIView):
    """The caller's channels per event kind (reminder, escalation, approval,
    announcement, mention); PUT stores the kinds given, the rest keep theirs."""

    @extend_schema(responses=PreferencesSerializer)
    def get(self, request):
        return Response(preferences.preferences_of(request.user))

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    def put(self, request):
        preferences.preferences_set(user=request.user, tenant=request.tenant, values=request.data)
        return Response(preferences.preferences_of(request.user))


class DefaultPreferencesView(MyPreferencesView):
    """The company default (for users who have not chosen): channel admins only."""

    code = "messaging.channel.edit"

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    def put(self, request):
        preferences.preferences_set(
            user=request.user, tenant=request.tenant, values=request.data, default=True
        )
        return Response(preferences.defaults_of(request.tenant))

    @extend_schema(responses=PreferencesSerializer)
    def get(self, request):
        return Response(preferences.defaults_of(request.tenant))


def register_routes(router) -> list:
    router.register("channels", ChannelViewSet, basename="channel")
    router.register("deliveries", DeliveryViewSet, basename="delivery")
    router.register("webhooks", WebhookViewSet, basename="webhook")
    router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
    from crm.messaging import mass_api

    return [
        *mass_api.register_routes(router, path),
        path(
            "me/notification-preferences/",
            MyPreferencesView.as_view(),
            name="me-notification-preferences",
        ),
        path(
            "notification-preferences/default/",
            DefaultPreferencesView.as_view(),
            name="notification-preferences-default",
        ),
    ]
