"""The process layer's own rows: the transition log and reminders."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.core.models import TenantModel


class TransitionLog(TenantModel):
    """One row per state change: who, when, from, to, why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    process = models.CharField(max_length=50)
    transition = models.CharField(max_length=50)
    source = models.CharField(max_length=50)
    target = models.CharField(max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("transition log entry")
        verbose_name_plural = _("transition log")
        indexes = [
            models.Index(fields=["content_type", "object_id", "-created_at"]),
            models.Index(fields=["actor", "process", "transition", "created_at"]),
        ]


class Reminder(TenantModel):
    """A reminder due at a moment: the database row is the source of truth.

    The scheduler claims due rows and enqueues ``deliver_reminders(ids)`` (a batch
    per message); the actor re-checks each row and its target, so redelivery does
    nothing twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        CLAIMED = "claimed", _("claimed")
        SENT = "sent", _("sent")
        CANCELLED = "cancelled", _("cancelled")
        FAILED = "failed", _("failed")

    # No lone tenant or recipient index (index review): no query reads reminders by
    # either alone; every scoped query also names the record or the status, and a
    # tenant's or user's delete (operators only) finds them by a sequential scan.
    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    # Indexed by the (content_type, object_id, status) index below (index review).
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    object_id = models.BigIntegerField()
    rule = models.CharField(max_length=80)
    state = models.CharField(max_length=50, help_text="The target state the rule is for.")
    due_at = models.DateTimeField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["content_type", "object_id", "status"]),
        ]
