"""Offline sync: the idempotency keys of pushed operations and the change log pulled.

``SyncOperation`` remembers each applied operation of a device by the UUID the
client gave it (per tenant), with the answer it got, so that a batch sent again
applies nothing twice. ``SyncChange`` is the change log ``GET /sync/pull/``
reads: one row per inserted, updated or deleted record of a synced collection,
written by database triggers in the same transaction as the change
(``crm.sync.triggers``), so every write path (services, the engine, imports,
bulk transfers) is seen.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from crm.core.models import TenantModel


class SyncOperation(TenantModel):
    """An operation pushed by a device and applied, kept ``sync_key_days`` days."""

    key = models.UUIDField(_("operation id"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    op = models.CharField(_("operation"), max_length=20)
    collection = models.CharField(_("collection"), max_length=40)
    record_id = models.BigIntegerField(_("record"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("synced operation")
        verbose_name_plural = _("synced operations")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="sync_operation_unique_key")
        ]

    def __str__(self) -> str:
        return str(self.key)


class SyncChange(models.Model):
    """A change of a synced record, in commit-safe order (written by triggers only).

    ``txid`` is the writing transaction's id on PostgreSQL (0 on SQLite): a pull
    only reads rows of transactions that can no longer commit behind its cursor.
    ``fields`` maps each changed column to its value *before* the change (an
    update), ``{}`` when no column of the row changed (its customer moved to
    another owner), null when unknown (an insert, a delete, SQLite).
    """

    tenant = models.ForeignKey(
        "core.Tenant", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    collection = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    owner_id = models.BigIntegerField(null=True)
    prev_owner_id = models.BigIntegerField(null=True)
    deleted = models.BooleanField(default=False, db_default=False)
    version = models.IntegerField(null=True)
    fields = models.JSONField(null=True)
    txid = models.BigIntegerField(default=0, db_default=0)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        verbose_name = _("sync change")
        verbose_name_plural = _("sync changes")
        indexes = [
            models.Index(fields=["tenant", "txid", "id"], name="sync_change_cursor"),
            models.Index(fields=["collection", "record_id", "version"], name="sync_change_record"),
            models.Index(fields=["created_at"], name="sync_change_age"),
        ]

    def __str__(self) -> str:
        return f"{self.collection} #{self.record_id}"
