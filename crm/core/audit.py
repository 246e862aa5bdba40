"""The audit log: one entry per service write, with the changed fields."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router
from django.utils import timezone

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


def _entry(*, tenant, actor, action: str, obj: models.Model, changes: dict | None) -> dict:
    """An audit entry's columns (relations by their ids), for ``record`` and ``record_with``."""
    return {
        "tenant_id": tenant.pk,
        "actor_id": actor.pk if actor is not None and actor.pk else None,
        "action": action,
        "content_type_id": ContentType.objects.get_for_model(obj, for_concrete_model=True).pk,
        "object_id": obj.pk,
        "changes": changes or {},
    }


def record(*, tenant, actor, action: str, obj: models.Model, changes: dict | None = None):
    return AuditEntry.objects.create(
        **_entry(tenant=tenant, actor=actor, action=action, obj=obj, changes=changes)
    )


def insert_sql(model: type[models.Model], values: dict[str, Any], connection) -> tuple[str, list]:
    """``INSERT`` of one row of ``model`` (``{field name or attname: value}``, relations as ids),
    each value prepared by its field as ``Model.save()`` would; no ``RETURNING``."""
    qn = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in values]
    columns = ", ".join(qn(field.column) for field in fields)
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})", params


def record_with(
    *,
    tenant,
    actor,
    action: str,
    obj: models.Model,
    changes: dict | None = None,
    also: tuple[type[models.Model], dict[str, Any]] | None = None,
) -> None:
    """``record()`` and, in the same statement, one more row (``also``: a model and
    ``{field name: value}``, relations as ids, ``created_at`` filled in when the
    model has it): e.g. a transition's log row with its audit entry, one round
    trip instead of two and no ORM insert to build. Nothing is returned: the
    rows are not read back (no ids). Two statements on a database without
    data-modifying ``WITH`` (SQLite).
    """
    connection = connections[router.db_for_write(AuditEntry)]
    now = timezone.now()
    statements = []
    if also is not None:
        model, values = also
        if any(f.name == "created_at" for f in model._meta.concrete_fields):
            values = {"created_at": now, **values}
        statements.append(insert_sql(model, values, connection))
    entry = _entry(tenant=tenant, actor=actor, action=action, obj=obj, changes=changes)
    statements.append(insert_sql(AuditEntry, {**entry, "created_at": now}, connection))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(statements) == 2:
            (first, first_params), (second, second_params) = statements
            cursor.execute(f"WITH also AS ({first}) {second}", first_params + second_params)
        else:
            for sql, params in statements:
                cursor.execute(sql, params)


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
