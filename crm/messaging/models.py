"""Messaging: channels, deliveries, notification preferences and outbound webhooks.

A ``Channel`` is a way a tenant reaches people (in-app, e-mail, an SMS gateway,
a WeCom / DingTalk / Feishu group robot). Its secrets are kept encrypted
(``crm.messaging.crypto``) and never leave through the API. Every outgoing
message is a ``Delivery`` row; the actor ``tasks.messaging.send_delivery``
sends it once (row lock + status check), retrying with exponential backoff.

A ``Webhook`` subscribes an integrator's URL to business events
(``crm.messaging.webhooks``); each POST is a ``WebhookDelivery`` row, signed,
retried for a day, replayable.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.core.models import TenantModel


class ChannelKind(models.TextChoices):
    IN_APP = "in_app", _("in-app")
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    WECOM = "wecom", _("WeCom robot")
    DINGTALK = "dingtalk", _("DingTalk robot")
    FEISHU = "feishu", _("Feishu robot")


class Channel(TenantModel):
    """A configured way to reach people. ``secret_encrypted`` holds the channel's
    credentials (robot secret, WeCom key, SMS access key secret), Fernet-encrypted."""

    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    # Robot webhook or SMS gateway URL (without secrets: WeCom's key is added at send).
    endpoint = models.URLField(_("endpoint"), max_length=500, blank=True)
    # Non-secret settings: SMS access key id, signature, template code, provider style.
    options = models.JSONField(_("options"), default=dict, blank=True)
    secret_encrypted = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)


class Delivery(TenantModel):
    """One outgoing message on one channel to one recipient."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SUPPRESSED = "suppressed", _("suppressed")

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="deliveries"
    )
    # A user id, an e-mail address or a mobile number, as the channel needs.
    recipient = models.CharField(_("recipient"), max_length=200, blank=True)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    event = models.CharField(_("event"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    provider_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel_id} -> {self.recipient}"


class Webhook(TenantModel):
    """An integrator's URL subscribed to events; its signing secret is encrypted."""

    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    secret_encrypted = models.TextField(default="")
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(TenantModel):
    """One event POSTed (or to be POSTed) to one webhook: the delivery log."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    webhook = models.ForeignKey(
        Webhook, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(_("event"), max_length=60)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    response_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} {self.uid}"


class EventKind(models.TextChoices):
    REMINDER = "reminder", _("reminders")
    ESCALATION = "escalation", _("escalations")
    APPROVAL = "approval", _("approvals")
    ANNOUNCEMENT = "announcement", _("announcements")
    MENTION = "mention", _("mentions")


class NotificationPreference(TenantModel):
    """Which channel kinds reach a user for one kind of event; ``user`` empty: the
    company's default for everyone who has not chosen."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    event = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    channels = models.JSONField(_("channels"), default=list)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user", "event"],
                name="messaging_pref_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id or '*'} {self.event}"
