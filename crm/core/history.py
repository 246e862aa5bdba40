"""History people can read: audit ``changes`` turned into labelled lines.

An audit entry stores what changed as ``{field: [old, new]}`` (an edit) or
``{field: value}`` (a new record, an imported row), with references as ids and
choices as codes. :func:`readable` turns a page of entries into lines
``{"field", "label", "old", "new"}`` whose label is the field's translated
verbose name and whose values are what a person reads: the referenced record's
name (a dictionary item's label, a user's name), a choice's label, an amount as
``¥1,234.00``, a time in the local zone. References are looked up once per
referenced model for the whole page, so the query count does not grow with
the entries. An import's entry also names its job (``job``).

Used by a record's history, the record timeline and the audit browser.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.core.money_format import money_text

EMPTY = "—"
# Bookkeeping keys: never a line of their own.
HIDDEN = {"version", "updated_at", "created_at", "search_key", "import_job", "id", "tenant"}
# Entries whose changes are a snapshot of the new record's values, not [old, new] pairs.
SNAPSHOT_ACTIONS = {"create", "signup", "restore", "restore_to_new_company"}
# Decimal fields that are not amounts of money.
NOT_MONEY = ("percent", "rate", "ratio", "probability", "discount", "quantity", "hours", "score")

# Keys written by services beside the model's fields.
EXTRA_LABELS = {
    "reason": gettext_lazy("reason"),
    "comment": gettext_lazy("comment"),
    "lines": gettext_lazy("lines"),
    "plan": gettext_lazy("payment plan"),
    "members": gettext_lazy("members"),
    "groups": gettext_lazy("groups"),
}


def _field(model, key: str):
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        for field in model._meta.concrete_fields:
            if field.attname == key:
                return field
        return None
    # A reverse relation (a document's "lines") or a generic key is no field of the row.
    if field.auto_created and not field.concrete:
        return None
    if not (getattr(field, "concrete", False) or getattr(field, "many_to_many", False)):
        return None
    return field


def _is_pairs(action: str, changes: dict) -> bool:
    if action in SNAPSHOT_ACTIONS:
        return False
    values = [v for k, v in changes.items() if k not in HIDDEN]
    if action == "import":
        # A created row's import entry is a snapshot; an updated row's holds pairs.
        return bool(values) and all(isinstance(v, list) and len(v) == 2 for v in values)
    return True


def _split(value, pairs: bool) -> tuple[Any, Any, bool]:
    if pairs and isinstance(value, list) and len(value) == 2:
        return value[0], value[1], True
    return None, value, False


def _refs(field) -> bool:
    return field is not None and field.is_relation and (field.many_to_one or field.one_to_one)


def _label_of(obj) -> str:
    return getattr(obj, "display_name", None) or str(obj)


def _resolve(wanted: dict[tuple[type, int | None], set]) -> dict[tuple[type, Any], str]:
    """Names of the referenced rows: one query per (model, tenant)."""
    names: dict[tuple[type, Any], str] = {}
    for (model, tenant_id), ids in wanted.items():
        clean = {int(i) for i in ids if isinstance(i, int | str) and str(i).isdigit()}
        if not clean:
            continue
        qs = model._base_manager.filter(pk__in=clean)
        if tenant_id is not None and any(f.name == "tenant" for f in model._meta.fields):
            qs = qs.filter(tenant_id=tenant_id)
        for obj in qs:
            names[(model, obj.pk)] = _label_of(obj)
    return names


def _text(field, value, names) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None:
        if _refs(field):
            return names.get((field.related_model, _as_int(value)), f"#{value}")
        if field.many_to_many and isinstance(value, list):
            return "、".join(names.get((field.related_model, _as_int(v)), f"#{v}") for v in value)
        if field.choices:
            choices = {str(k): v for k, v in field.flatchoices}
            if isinstance(value, list):
                return "、".join(str(choices.get(str(v), v)) for v in value)
            return str(choices.get(str(value), value))
        if isinstance(field, models.DecimalField) and not any(n in field.name for n in NOT_MONEY):
            try:
                return money_text(Decimal(str(value)))
            except InvalidOperation:
                return str(value)
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list):
        if all(isinstance(v, str | int | float) for v in value):
            return "、".join(str(v) for v in value)
        return str(len(value))
    if isinstance(value, dict):
        return str(len(value))
    return str(value)


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _key_label(model, key: str, field) -> str:
    if field is not None and hasattr(field, "verbose_name"):
        return capfirst(str(field.verbose_name))
    if key in EXTRA_LABELS:
        return capfirst(str(EXTRA_LABELS[key]))
    return capfirst(key.replace("_", " "))


def readable(items: list[tuple[type | None, int | None, str, dict]]) -> list[dict]:
    """For each ``(model, tenant_id, action, changes)``: ``{"lines": [...], "job": id|None}``.

    ``lines`` lists ``{"field", "label", "old", "new"}`` (``old`` is None when the
    entry records a value, not a change); ``job`` is the import job that wrote it.
    """
    wanted: dict[tuple[type, int | None], set] = defaultdict(set)
    parsed = []
    for model, tenant_id, action, changes in items:
        changes = changes if isinstance(changes, dict) else {}
        pairs = _is_pairs(action, changes)
        rows = []
        for key, value in changes.items():
            if key in HIDDEN:
                continue
            field = _field(model, key)
            old, new, changed = _split(value, pairs)
            if _refs(field) or (field is not None and field.many_to_many):
                for v in (old, new):
                    for one in v if isinstance(v, list) else [v]:
                        if one not in (None, ""):
                            wanted[(field.related_model, tenant_id)].add(one)
            rows.append((key, field, old, new, changed))
        job = changes.get("import_job") if action.startswith("import") else None
        parsed.append((model, rows, job))
    names = _resolve(wanted)
    out = []
    for model, rows, job in parsed:
        lines = [
            {
                "field": key,
                "label": _key_label(model, key, field),
                "old": _text(field, old, names) if changed else None,
                "new": _text(field, new, names),
            }
            for key, field, old, new, changed in rows
        ]
        out.append({"lines": lines, "job": job if isinstance(job, int) else None})
    return out


def readable_entries(entries, *, model_of=None) -> list[dict]:
    """:func:`readable` for ``AuditEntry`` rows (their ``content_type`` selected)."""
    return readable(
        [
            (
                model_of(e) if model_of else e.content_type.model_class(),
                e.tenant_id,
                e.action,
                e.changes,
            )
            for e in entries
        ]
    )
