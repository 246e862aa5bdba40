"""Push: apply a device's queued operations, each once, each in its own transaction.

There is no second write path here. Every operation is sent, inside the server,
to the REST endpoint that does the same thing for a person at a screen
(``POST /<collection>/``, ``PATCH /<collection>/{id}/``, ``POST
/<collection>/{id}/transitions/{name}/``) as the pushing user: the same
permission codes, data scope, serializer validation, services, engine guards
and module switches; their refusal becomes the operation's ``rejected``
answer with its reasons.

What sync adds around it:

* **once**: the operation's UUID is inserted (unique per tenant) in the same
  transaction as the write, with the answer; a UUID seen before answers
  ``duplicate`` with that answer and applies nothing. Two pushes of the same
  operation racing: the second waits on the key's index, then sees it.
* **merge**: an update names the version the device edited (``base_version``).
  When the record moved on since, the change log's old values tell which fields
  the server changed and what they were: a field the device did not change
  keeps the server's value, a field only the device changed is applied, a
  field both changed to different values is a ``conflict`` (``mine``,
  ``theirs``, ``base``) and nothing of the operation is applied.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.handlers.wsgi import WSGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.urls import resolve
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from crm.core.models import Tenant
from crm.sync.collections import Collection, get_collection
from crm.sync.models import SyncChange, SyncOperation

log = logging.getLogger(__name__)

API = "/api/v1/"
OPS = ("create", "update", "transition")
#: Operations in one push at most.
MAX_OPERATIONS = 1000

# Request headers an operation's inner request keeps from the push (not the
# credentials: the inner request is authenticated as the pushing user).
_KEEP = ("SERVER_NAME", "SERVER_PORT", "REMOTE_ADDR", "wsgi.url_scheme", "HTTP_HOST")
_KEEP_HEADERS = ("HTTP_ACCEPT_LANGUAGE", "HTTP_USER_AGENT", "HTTP_X_FORWARDED_FOR")


@dataclass
class Operation:
    """One queued operation of a device, as checked by ``parse_operation``."""

    id: uuid.UUID
    op: str
    collection: Collection
    record: int | None = None
    base_version: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    transition: str = ""


class _NotApplied(Exception):
    """Leaves the operation's transaction (rolled back) with its answer."""

    def __init__(self, result: dict) -> None:
        super().__init__(result.get("status"))
        self.result = result


# --- checking an operation ------------------------------------------------------------


def _raw_id(raw) -> Any:
    return raw.get("id") if isinstance(raw, dict) else None


def parse_operation(raw: Any) -> tuple[Operation | None, dict[str, list[str]]]:
    """An ``Operation`` from a pushed JSON object, or the reasons per field it is not."""
    if not isinstance(raw, dict):
        return None, {"operation": [_("An operation is a JSON object.")]}
    errors: dict[str, list[str]] = {}
    try:
        key = uuid.UUID(str(raw.get("id")))
    except (TypeError, ValueError, AttributeError):
        key = None
        errors["id"] = [_("Give each operation a UUID.")]
    op = raw.get("op")
    if op not in OPS:
        errors["op"] = [_("Use one of: %(ops)s.") % {"ops": ", ".join(OPS)}]
    name = raw.get("collection")
    collection = get_collection(name) if isinstance(name, str) else None
    if collection is None:
        errors["collection"] = [_("This collection cannot be synced.")]
    record = raw.get("record")
    if op in ("update", "transition"):
        if isinstance(record, bool) or not isinstance(record, int) or record < 1:
            errors["record"] = [_("Give the id of the record.")]
    elif record is not None:
        errors["record"] = [_("A new record has no id yet.")]
    base = raw.get("base_version")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int) or base < 0):
        errors["base_version"] = [_("Give the version number the change was made on.")]
    data = raw.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        errors["data"] = [_("The data is a JSON object of fields.")]
    name_of_step = raw.get("transition") or ""
    if op == "transition" and (not isinstance(name_of_step, str) or not name_of_step):
        errors["transition"] = [_("Name the step to take.")]
    if errors:
        return None, errors
    return (
        Operation(
            id=key,
            op=op,
            collection=collection,
            record=record,
            base_version=base,
            data=data,
            transition=name_of_step if op == "transition" else "",
        ),
        {},
    )


def rejected(op_id, *, code: str, reasons: list[str], fields: dict | None = None) -> dict:
    result = {"id": str(op_id) if op_id is not None else None, "status": "rejected"}
    result.update({"code": code, "reasons": reasons, "record": None, "conflicts": {}})
    if fields:
        result["fields"] = fields
    return result


def field_reasons(fields: dict) -> list[str]:
    """``{"mobile": ["Enter ..."]}`` as readable reasons naming the field."""
    out = []
    for name, messages in fields.items():
        if isinstance(messages, dict):
            out.extend(f"{name}.{r}" for r in field_reasons(messages))
            continue
        for message in messages if isinstance(messages, list) else [messages]:
            out.append(f"{name}: {message}")
    return out


# --- the inner request ------------------------------------------------------------------


def _call(outer, method: str, path: str, data: dict | None = None):
    """Run ``method path`` through the URL's view as the pushing user; its Response."""
    body = json.dumps(data or {}, cls=DjangoJSONEncoder).encode() if method != "GET" else b""
    meta = outer.META
    environ = {k: meta[k] for k in (*_KEEP, *_KEEP_HEADERS) if k in meta}
    environ.setdefault("SERVER_NAME", "localhost")
    environ.setdefault("SERVER_PORT", "80")
    environ.update(
        {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
    )
    request = WSGIRequest(environ)
    user = outer.user
    request.user = user
    request._force_auth_user = user  # DRF: authenticated as this user, no CSRF
    request._dont_enforce_csrf_checks = True
    match = resolve(path)
    return match.func(request, *match.args, **match.kwargs)


def _error_result(op: Operation, response) -> dict:
    data = response.data if isinstance(getattr(response, "data", None), dict) else {}
    code = data.get("code") or "refused"
    fields = data.get("fields") or {}
    reasons = [str(r) for r in data.get("reasons") or []]
    reasons += field_reasons(fields)
    if not reasons:
        reasons = [str(data.get("detail") or _("The operation was refused."))]
    return rejected(op.id, code=code, reasons=reasons, fields=fields)


def _plain(value: Any) -> Any:
    """JSON-safe copy of a response's data (stored with the key)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


# --- comparing values -------------------------------------------------------------------


def _norm(value: Any) -> Any:
    """A value as compared across the API and the change log (times in UTC, numbers
    as decimals, "" and null alike)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | decimal.Decimal):
        return decimal.Decimal(str(value)).normalize()
    if isinstance(value, str):
        parsed = parse_datetime(value) if "T" in value or " " in value[:11] else None
        if parsed is not None:
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed, dt.UTC)
            return parsed.astimezone(dt.UTC)
        try:
            if value.strip() and value.strip().lstrip("-").replace(".", "", 1).isdigit():
                return decimal.Decimal(value).normalize()
        except decimal.InvalidOperation:
            pass
        return value
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


def same(a: Any, b: Any) -> bool:
    return _norm(a) == _norm(b)


def server_changes_since(
    collection: Collection, record: int, base_version: int, current_version: int, tenant
):
    """``{field: value at base}`` of the fields changed after ``base_version``, or
    None when the log cannot tell (a change without its columns: SQLite, or older
    than the log)."""
    model = collection.model
    by_column = {f.column: f.name for f in model._meta.concrete_fields}
    rows = list(
        SyncChange.objects.filter(
            tenant=tenant,
            collection=collection.name,
            record_id=record,
            version__gt=base_version,
            deleted=False,
        )
        .order_by("id")
        .values_list("fields", "version")
    )
    versions = {v for _f, v in rows if v is not None and v <= current_version}
    # Each version after the base must be in the log with its columns.
    if any(f is None for f, _v in rows) or len(versions) < current_version - base_version:
        return None
    changed: dict[str, Any] = {}
    for fields, _v in rows:
        for column, old in fields.items():
            changed.setdefault(by_column.get(column, column), old)  # the oldest = the base
    return changed


# --- applying one operation -------------------------------------------------------------


def _update(request, op: Operation) -> dict:
    collection = op.collection
    model = collection.model
    path = f"{API}{collection.name}/{op.record}/"
    # The row lock first: no write of the record lands between the check and the merge.
    list(
        model._base_manager.select_for_update()
        .filter(tenant_id=request.user.tenant_id, pk=op.record)
        .values_list("pk", flat=True)[:1]
    )
    current = _call(request, "GET", path)
    if current.status_code != 200:
        raise _NotApplied(_error_result(op, current))
    theirs = current.data
    data = dict(op.data)
    version = theirs.get("version")
    if op.base_version is not None and version is not None and version != op.base_version:
        changed = server_changes_since(
            collection, op.record, op.base_version, version, request.user.tenant
        )
        conflicts = {}
        for name in list(data):
            mine = data[name]
            if name not in theirs or same(mine, theirs[name]):
                continue
            if changed is None:  # the log cannot tell: every differing field clashes
                conflicts[name] = {"mine": mine, "theirs": theirs[name], "base": None}
            elif name in changed:
                if same(mine, changed[name]):  # unchanged on the device: the server's stays
                    del data[name]
                else:
                    conflicts[name] = {"mine": mine, "theirs": theirs[name], "base": changed[name]}
        if conflicts:
            raise _NotApplied(
                {
                    "id": str(op.id),
                    "status": "conflict",
                    "version": version,
                    "record": _plain(theirs),
                    "conflicts": _plain(conflicts),
                    "reasons": [
                        _("“%(field)s” was changed on the server too.") % {"field": name}
                        for name in conflicts
                    ],
                }
            )
    if not data:
        return _plain(theirs)
    response = _call(request, "PATCH", path, data)
    if response.status_code != 200:
        raise _NotApplied(_error_result(op, response))
    return _plain(response.data)


def _apply(request, op: Operation) -> dict:
    name = op.collection.name
    if op.op == "create":
        response = _call(request, "POST", f"{API}{name}/", op.data)
        if response.status_code != 201:
            raise _NotApplied(_error_result(op, response))
        return _plain(response.data)
    if op.op == "transition":
        path = f"{API}{name}/{op.record}/transitions/{op.transition}/"
        response = _call(request, "POST", path, op.data)
        if response.status_code != 200:
            raise _NotApplied(_error_result(op, response))
        return _plain(response.data)
    return _update(request, op)


def _duplicate(stored: SyncOperation, user, op_id) -> dict:
    if stored.user_id != user.pk:
        return rejected(
            op_id, code="invalid", reasons=[_("This operation id was used by someone else.")]
        )
    return {**stored.result, "id": str(op_id), "status": "duplicate"}


def apply_operation(request, raw: Any) -> dict:
    """Apply one pushed operation (a JSON object) as ``request.user``; its answer."""
    op, errors = parse_operation(raw)
    if op is None:
        return rejected(_raw_id(raw), code="invalid", reasons=field_reasons(errors), fields=errors)
    user = request.user
    tenant = user.tenant
    stored = SyncOperation.objects.filter(tenant=tenant, key=op.id).first()
    if stored is not None:
        return _duplicate(stored, user, op.id)
    try:
        with transaction.atomic():
            key = SyncOperation.objects.create(
                tenant=tenant,
                key=op.id,
                user=user,
                op=op.op,
                collection=op.collection.name,
                record_id=op.record,
            )
            record = _apply(request, op)
            result = {
                "id": str(op.id),
                "status": "applied",
                "version": record.get("version") if isinstance(record, dict) else None,
                "record": record,
                "conflicts": {},
                "reasons": [],
            }
            key.record_id = record.get("id", op.record) if isinstance(record, dict) else op.record
            key.result = result
            key.save(update_fields=["record_id", "result"])
    except _NotApplied as refused:
        return refused.result
    except IntegrityError:
        # The same operation, pushed twice at once: the other push applied it.
        stored = SyncOperation.objects.filter(tenant=tenant, key=op.id).first()
        if stored is None:
            raise
        return _duplicate(stored, user, op.id)
    return result


def push(request, operations: list) -> list[dict]:
    """Every operation's answer, in order; each applied in its own transaction."""
    return [apply_operation(request, raw) for raw in operations]


# --- keeping the keys -----------------------------------------------------------------


def purge_operations(now: dt.datetime | None = None) -> int:
    """Forget operation ids older than their tenant's ``sync_key_days``; the count."""
    now = now or timezone.now()
    by_days: dict[int, list[int]] = {}
    for tenant in Tenant.objects.only("id", "settings"):
        by_days.setdefault(int(tenant.setting("sync_key_days")), []).append(tenant.pk)
    deleted = 0
    for days, tenant_ids in by_days.items():
        cutoff = now - dt.timedelta(days=days)
        n, _detail = SyncOperation._base_manager.filter(
            tenant_id__in=tenant_ids, created_at__lt=cutoff
        ).delete()
        deleted += n
    return deleted


def purge_changes(now: dt.datetime | None = None) -> int:
    """Drop change-log rows older than ``SYNC_CHANGE_RETENTION_DAYS`` (a cursor that
    old answers 410 ``cursor_expired``: the device pulls everything again)."""
    from crm.sync.selectors import change_retention_days

    cutoff = (now or timezone.now()) - dt.timedelta(days=change_retention_days())
    n, _detail = SyncChange.objects.filter(created_at__lt=cutoff).delete()
    return n


def purge(now: dt.datetime | None = None) -> dict:
    """The scheduler's sync housekeeping (``tasks.scheduler.housekeeping``)."""
    return {"operations": purge_operations(now), "changes": purge_changes(now)}
