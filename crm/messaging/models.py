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
from workflows.mass_send import MassSendProcessMixin, MassSendStatus


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
        db_index=False,  # a partial index below: mass sends' rows have no user
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
    # When a worker was handed it (the scheduler hands a claim older than
    # MESSAGING_STALE_CLAIM_SECONDS again: a dead worker, a lost message).
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The worker holding it (a batch claim): set with ``claimed_at`` by one UPDATE,
    # it is free again once ``claimed_at`` is stale (a killed worker).
    lease = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    mass_send = models.ForeignKey(
        "MassSend",
        verbose_name=_("mass send"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,  # (mass_send, status) and the unique (mass_send, recipient) lead with it
    )
    contact_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        # Marking a delivery sent changes its status, so the row gets a new entry in
        # every index that is not partial: the due index holds queued rows only and
        # the user index only rows to a user (issue 16: 8 index entries a send -> 5).
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="queued"),
                name="messaging_delivery_due",
            ),
            models.Index(fields=["mass_send", "status"]),
            models.Index(
                fields=["recipient_user"],
                condition=models.Q(recipient_user__isnull=False),
                name="messaging_delivery_user",
            ),
        ]
        constraints = [
            # A mass send reaches each address once, whatever the crash and restart.
            models.UniqueConstraint(
                fields=["mass_send", "recipient"],
                condition=models.Q(mass_send__isnull=False),
                name="messaging_delivery_once_per_send",
            )
        ]

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


class MessageTemplate(TenantModel):
    """A message with placeholders ({{客户名称}}...) for one channel kind; an SMS
    template carries the provider's approved template code and signature."""

    name = models.CharField(_("name"), max_length=100)
    channel_kind = models.CharField(_("channel kind"), max_length=20, choices=ChannelKind.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    marketing = models.BooleanField(_("marketing"), default=True)
    sms_template_code = models.CharField(_("SMS template code"), max_length=60, blank=True)
    sms_sign_name = models.CharField(_("SMS signature"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["channel_kind", "name"]

    def __str__(self) -> str:
        return self.name


class MassSend(MassSendProcessMixin, TenantModel):
    """群发: one template on one channel to an audience (a customer group, a
    campaign's target list or a saved filter of the customer list), through the
    process ``workflows/mass_send.py``."""

    class Audience(models.TextChoices):
        GROUP = "group", _("customer group")
        CAMPAIGN = "campaign", _("campaign target list")
        FILTER = "filter", _("saved filter")

    Status = MassSendStatus

    name = models.CharField(_("name"), max_length=200)
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="+"
    )
    template = models.ForeignKey(
        MessageTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="+"
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    # Ids, not foreign keys: the group and the campaign belong to other modules.
    group_id = models.BigIntegerField(_("customer group"), null=True, blank=True)
    campaign_id = models.BigIntegerField(_("campaign"), null=True, blank=True)
    filter = models.JSONField(_("saved filter"), default=dict, blank=True)
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    expanded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    total = models.PositiveIntegerField(_("recipients"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("mass send")
        verbose_name_plural = _("mass sends")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self) -> str:
        return self.name


class Suppression(TenantModel):
    """An address marketing sends skip (unsubscribed by link, TD reply or by hand)."""

    channel_kind = models.CharField(_("channel kind"), max_length=20, choices=ChannelKind.choices)
    address = models.CharField(_("address"), max_length=200)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppression")
        verbose_name_plural = _("suppression list")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "channel_kind", "address"], name="messaging_suppression_unique"
            )
        ]

    def __str__(self) -> str:
        return self.address
