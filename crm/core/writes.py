"""One way to change a row: audited create, update and delete (DESIGN.md §2 rule 11).

Every app's services write through these helpers, so that each write

* runs in one transaction and leaves one ``AuditEntry``;
* saves with ``update_fields`` and bumps ``version`` where the model has one;
* (update, delete) takes the row lock first and runs its state check on the
  row as it is *now*, not on the copy the request read: a DELETE racing a
  freezing transition (``confirm``, ``submit``) either deletes the draft
  before the transition locks it (the transition then answers 404) or sees the
  confirmed row and refuses (409 ``frozen``), never deletes a confirmed one;
* (delete) answers 409 ``protected`` naming the records that still refer to
  the row, instead of a ``ProtectedError`` 500.

The app keeps its domain rules (which fields may change, which states may be
deleted) and passes them in as ``allowed`` / ``check``; its side effects
(reminders) as ``before_delete``. Core imports no domain app.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from crm.core import audit
from crm.core.errors import Frozen, Invalid, NotFound, Protected

M = TypeVar("M", bound=models.Model)
Check = Callable[[Any], None]


# --- input checks shared by the services ---------------------------------------------


def refuse_unknown(data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Refuse keys a service does not take (a field that cannot be changed)."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise Invalid(fields={name: [_("This field cannot be changed.")] for name in unknown})


def check_same_tenant(tenant, **objects: models.Model | None) -> None:
    """Every related object given must belong to the tenant (services are called by
    importers and actors too, not only through tenant-filtered serializers)."""
    errors = {
        name: [_("Unknown record.")]
        for name, obj in objects.items()
        if obj is not None and getattr(obj, "tenant_id", None) != tenant.pk
    }
    if errors:
        raise Invalid(fields=errors)


# --- the row lock ---------------------------------------------------------------------


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def refuse_frozen(obj: models.Model) -> None:
    """The default state check: a confirmed (frozen) document refuses the write."""
    if getattr(obj, "is_frozen", False):
        raise Frozen()


def lock_row(obj: M, *, check: Check | None = None) -> M:
    """Lock ``obj``'s row (``SELECT ... FOR UPDATE``) and return it as stored now.

    Call inside ``transaction.atomic()``. ``check`` (then the frozen check) runs on
    the fresh row, so a state that changed since the request read it is seen.
    A row deleted meanwhile raises ``NotFound`` (404).
    """
    # ``_meta.model``, not ``type()``: request.user is a lazy proxy of the model.
    fresh = obj._meta.model._base_manager.select_for_update().filter(pk=obj.pk).first()
    if fresh is None:
        raise NotFound()
    if check is not None:
        check(fresh)
    refuse_frozen(fresh)
    return fresh


# --- create, update, delete -----------------------------------------------------------


def audited_create(
    model: type[M],
    *,
    tenant,
    actor,
    fields: Mapping[str, Any],
    audit_fields: Iterable[str] | None = None,
    prepare: Callable[[M], None] | None = None,
    key_fn: Callable[[M], str] | None = None,
    extra_changes: Mapping[str, Any] | None = None,
) -> M:
    """Insert a ``model`` row of ``tenant`` with ``fields`` and audit it.

    ``created_by`` defaults to ``actor`` where the model has it; ``prepare`` sets
    derived values on the unsaved instance (deadlines, totals), then ``key_fn``
    computes its ``search_key``; the audit entry holds the ``audit_fields``
    (default: the keys of ``fields``) plus ``extra_changes``.
    """
    values = dict(fields)
    if "created_by" not in values and _has_field(model, "created_by"):
        values["created_by"] = actor
    with transaction.atomic():
        obj = model(tenant=tenant, **values)
        if prepare is not None:
            prepare(obj)
        if key_fn is not None:
            obj.search_key = key_fn(obj)
        obj.save()
        changes = audit.snapshot(obj, list(fields) if audit_fields is None else audit_fields)
        changes.update(extra_changes or {})
        audit.record(tenant=tenant, actor=actor, action="create", obj=obj, changes=changes)
    return obj


def audited_save(
    obj: models.Model,
    *,
    tenant,
    actor,
    changes: dict[str, Any],
    extra_fields: Iterable[str] = (),
    action: str = "update",
) -> None:
    """Save the changed fields of ``obj`` (plus ``extra_fields``), bump its version and
    audit ``changes`` as ``action``. Keys of ``changes`` that are not columns (lines,
    plans) are audited only. Call under the row lock (``lock_row``)."""
    concrete = {f.name for f in obj._meta.concrete_fields}
    names = [n for n in (*changes, *extra_fields) if n in concrete]
    if "version" in concrete:
        obj.version += 1
        names.append("version")
    if "updated_at" in concrete:
        names.append("updated_at")
    obj.save(update_fields=list(dict.fromkeys(names)))
    audit.record(tenant=tenant, actor=actor, action=action, obj=obj, changes=changes)


def audited_update(
    obj: models.Model,
    *,
    tenant,
    actor,
    fields: Mapping[str, Any],
    allowed: Iterable[str] | None = None,
    check: Check | None = None,
    key_fn: Callable[[Any], str] | None = None,
    extra_changes: Mapping[str, Any] | None = None,
    extra_fields: Iterable[str] = (),
    action: str = "update",
) -> dict[str, list[Any]]:
    """Change ``fields`` of ``obj`` under its row lock; return ``{field: [old, new]}``.

    ``allowed`` refuses other keys; ``check`` re-checks the state on the locked row
    (a frozen row is always refused); ``key_fn`` recomputes ``search_key``.
    ``extra_changes`` are changes the caller already made (lines, plans). Nothing
    is written (no version bump, no audit entry) when nothing changed.
    """
    if allowed is not None:
        refuse_unknown(fields, allowed)
    with transaction.atomic():
        lock_row(obj, check=check)
        changes: dict[str, Any] = dict(extra_changes or {})
        changes.update(audit.apply_changes(obj, dict(fields)))
        if not changes:
            return {}
        extra = list(extra_fields)
        if key_fn is not None:
            obj.search_key = key_fn(obj)
            extra.append("search_key")
        audited_save(
            obj, tenant=tenant, actor=actor, changes=changes, extra_fields=extra, action=action
        )
    return changes


def audited_delete(
    obj: models.Model,
    *,
    tenant,
    actor,
    check: Check | None = None,
    before_delete: Callable[[Any], None] | None = None,
) -> None:
    """Delete ``obj``'s row and audit it, in one transaction, under the row lock.

    ``check`` (then the frozen check) runs on the locked, fresh row; a row deleted
    meanwhile answers 404, so of parallel deletes one succeeds and writes the one
    audit entry. ``before_delete`` runs on the locked row first (cancel its
    reminders). Rows still referred to answer 409 ``protected`` naming the blockers.
    """
    with transaction.atomic():
        row = lock_row(obj, check=check)
        if before_delete is not None:
            before_delete(row)
        audit.record(tenant=tenant, actor=actor, action="delete", obj=row)
        try:
            row.delete()
        except (ProtectedError, RestrictedError) as exc:
            raise protected_error(exc, row) from None


# --- protected deletes ----------------------------------------------------------------


def count_label(model: type[models.Model], count: int) -> str:
    """A count and its noun ("1 opportunity", "3 opportunities", "3个商机"): the plural
    form is the language's (ngettext), the noun the model's verbose (plural) name."""
    meta = model._meta
    return ngettext("%(count)d %(name)s", "%(count)d %(names)s", count) % {
        "count": count,
        "name": meta.verbose_name,
        "names": meta.verbose_name_plural,
    }


def refuse_protected(
    obj: models.Model | None,
    blockers: Mapping[type[models.Model], int],
    *,
    detail: str | None = None,
) -> Protected:
    """The 409 ``protected`` error for ``obj``, naming each blocking model and count.

    Returned (not raised) so that callers write ``raise refuse_protected(...)``.
    """
    counts = [(model, n) for model, n in blockers.items() if n]
    if detail is None:
        name = obj._meta.verbose_name if obj is not None else _("record")
        listed = pgettext("list separator", ", ").join(count_label(m, n) for m, n in counts)
        detail = _("This %(model)s cannot be deleted: it is used by %(blockers)s.") % {
            "model": name,
            "blockers": listed,
        }
    return Protected(
        detail,
        blockers=[{"model": str(m._meta.verbose_name), "count": n} for m, n in counts],
    )


def protected_error(
    exc: ProtectedError | RestrictedError, obj: models.Model | None = None
) -> Protected:
    """A ``Protected`` error from Django's ``ProtectedError`` / ``RestrictedError``."""
    rows = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
    seen = {(type(row)._meta.concrete_model, row.pk) for row in rows}
    counts = Counter(model for model, _pk in seen)
    ordered = dict(sorted(counts.items(), key=lambda item: item[0]._meta.label))
    return refuse_protected(obj, ordered)
