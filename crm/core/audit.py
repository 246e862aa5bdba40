"""The audit log: one entry per service write, with the changed fields."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from crm.core.models import AuditEntry


def json_value(value: Any) -> Any:
    """A JSON-safe form of a field value, for audit diffs."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def record(*, tenant, actor, action: str, obj: models.Model, changes: dict | None = None):
    return AuditEntry.objects.create(
        tenant=tenant,
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        changes=changes or {},
    )


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values (FKs as ids) of an instance, JSON-safe."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attr = field.attname if field.is_relation and field.many_to_one else name
        out[name] = json_value(getattr(obj, attr))
    return out


def apply_changes(obj: models.Model, data: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the given fields on ``obj``; return ``{field: [old, new]}`` for those that changed."""
    changes: dict[str, list[Any]] = {}
    for name, new in data.items():
        old = getattr(obj, name)
        if old != new:
            changes[name] = [json_value(old), json_value(new)]
            setattr(obj, name, new)
    return changes
