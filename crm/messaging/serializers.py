"""Serializers of messaging. Secrets are write-only: a channel shows ``has_secret``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.messaging.models import Channel, Delivery, Webhook, WebhookDelivery
from crm.messaging.webhooks import EVENTS


class ChannelSerializer(serializers.ModelSerializer):
    secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=_("Robot secret, WeCom key or SMS access key secret; never shown again."),
    )
    has_secret = serializers.BooleanField(read_only=True)

    class Meta:
        model = Channel
        fields = [
            "id",
            "kind",
            "name",
            "active",
            "endpoint",
            "options",
            "secret",
            "has_secret",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["created_at", "updated_at", "version"]

    def validate_options(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("Expected an object."))
        if any(("secret" in str(k).lower()) for k in value):
            raise serializers.ValidationError(_("Secrets go in the secret field."))
        return value


class ChannelTestSerializer(serializers.Serializer):
    recipient = serializers.CharField(required=False, allow_blank=True, max_length=200)


class DeliverySerializer(serializers.ModelSerializer):
    channel_name = serializers.CharField(source="channel.name", read_only=True)
    channel_kind = serializers.CharField(
        source="channel.kind", read_only=True, label=_("channel kind")
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "channel",
            "channel_name",
            "channel_kind",
            "recipient",
            "recipient_user",
            "event",
            "title",
            "body",
            "status",
            "provider_id",
            "attempts",
            "error",
            "next_attempt_at",
            "sent_at",
            "created_at",
        ]
        read_only_fields = fields


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(EVENTS)), allow_empty=False
    )

    class Meta:
        model = Webhook
        fields = [
            "id",
            "url",
            "events",
            "active",
            "consecutive_failures",
            "disabled_at",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = [
            "consecutive_failures",
            "disabled_at",
            "created_at",
            "updated_at",
            "version",
        ]


class WebhookCreatedSerializer(WebhookSerializer):
    """The answer to a create: the only time the signing secret is shown."""

    secret = serializers.CharField(read_only=True)

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook",
            "uid",
            "event",
            "payload",
            "status",
            "attempts",
            "response_code",
            "error",
            "next_attempt_at",
            "sent_at",
            "created_at",
        ]
        read_only_fields = fields
