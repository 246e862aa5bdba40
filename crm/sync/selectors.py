"""Pull: what changed in the user's data scope since a cursor, in pages.

The first pull (no cursor) pages through every record the user sees now (the
snapshot), then hands over to the change log at the position taken when the
snapshot began, so nothing written meanwhile is missed (a record may come
twice; a client stores by id). Later pulls read the change log: each changed
record the user may see now comes as its list row; one that was deleted or
left the user's scope (reassigned, moved to a team the user does not see)
comes as a tombstone ``{"collection", "record": {"id"}, "deleted": true}``.

Commit order: on PostgreSQL a change-log row becomes readable only once no
transaction that started before it can still commit (the snapshot's ``xmin``),
and rows are read in (transaction id, row id) order, so a transaction that
commits late never lands behind a cursor already handed out.

A cursor carries a fingerprint of what the user could see (data scope, the
owners it covers, the collections): when a new role or team changes it, the
next pull starts over from a snapshot and says ``reset`` (no change row tells
a device about records that became visible, or invisible, that way).

A page costs a fixed number of queries per collection, whatever its size.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db import connection
from django.db.models import Q
from rest_framework.request import Request

from crm.core.models import DataScope, Team, User
from crm.sync.collections import COLLECTIONS, Collection
from crm.sync.models import SyncChange

PAGE = 500
MAX_PAGE = 2000
_END = 2**62


class BadCursor(ValueError):
    pass


class CursorExpired(ValueError):
    pass


@dataclass
class Cursor:
    log: tuple[int, int]  # (txid, id): the change log is read after this
    snap: tuple[int, int] | None = None  # (collection index, last id) while in the snapshot
    issued: int = 0  # unix time it was handed out
    scope: str = ""  # the fingerprint of what the user could see then
    # After a snapshot: (xmax, running) of its start. Rows of transactions below xmax
    # that were not running then are in the snapshot already; the log skips them.
    seen: tuple[int, tuple[int, ...]] | None = None

    def encode(self) -> str:
        body = {"l": list(self.log), "t": int(time.time()), "f": self.scope}
        if self.snap is not None:
            body["s"] = list(self.snap)
        if self.seen is not None and self.log[0] < self.seen[0]:
            body["x"] = [self.seen[0], list(self.seen[1])]
        raw = json.dumps(body, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            body = json.loads(raw)
            log = tuple(int(x) for x in body["l"])
            snap = tuple(int(x) for x in body["s"]) if "s" in body else None
            issued = int(body.get("t", 0))
            scope = str(body.get("f", ""))
            seen = None
            if "x" in body:
                seen = (int(body["x"][0]), tuple(int(x) for x in body["x"][1]))
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
            raise BadCursor(text) from None
        if len(log) != 2 or (snap is not None and len(snap) != 2):
            raise BadCursor(text)
        return cls(log=log, snap=snap, issued=issued, scope=scope, seen=seen)


def change_retention_days() -> int:
    return int(getattr(settings, "SYNC_CHANGE_RETENTION_DAYS", 90))


def _horizon() -> tuple[int | None, int | None]:
    """(the oldest transaction still running, ours): rows of transactions before the
    first are final; ours are visible to us. (None, None) on SQLite: one writer."""
    if connection.vendor != "postgresql":
        return None, None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint,"
            " pg_current_xact_id_if_assigned()::text::bigint"
        )
        return cursor.fetchone()


def start_position() -> tuple[tuple[int, int], tuple[int, tuple[int, ...]] | None]:
    """The change-log position a snapshot starting now hands over to, and what of the
    log after it the snapshot holds already (see ``Cursor.seen``)."""
    if connection.vendor != "postgresql":
        last = SyncChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
        return (0, last), None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint,"
            " ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(s) AS x),"
            " pg_current_xact_id_if_assigned()::text::bigint"
            " FROM pg_current_snapshot() AS s"
        )
        xmin, xmax, running, own = cursor.fetchone()
    # Our own transaction (only in tests: a pull writes nothing) may write more after
    # the snapshot: its rows are read again, like those of transactions still running.
    running = tuple(sorted(set(running) | ({own} if own is not None else set())))
    return (xmin - 1, _END), (xmax, running)


def visible_owners(user) -> set[int] | None:
    """Ids of the users whose rows ``user`` sees (None: every row)."""
    scope = user.data_scope
    if scope == DataScope.ALL:
        return None
    owners = {user.pk}
    if scope == DataScope.TEAM:
        rows = list(
            Team.objects.filter(tenant=user.tenant_id).values_list("id", "parent_id", "leader_id")
        )
        children: dict[int | None, list[int]] = {}
        for tid, parent, _leader in rows:
            children.setdefault(parent, []).append(tid)
        stack = [tid for tid, _p, leader in rows if leader == user.pk]
        if user.team_id:
            stack.append(user.team_id)
        teams: set[int] = set()
        while stack:
            tid = stack.pop()
            if tid not in teams:
                teams.add(tid)
                stack.extend(children.get(tid, []))
        owners |= set(
            User.objects.filter(tenant=user.tenant_id, team_id__in=teams).values_list(
                "pk", flat=True
            )
        )
    return owners


class Puller:
    """One page of ``GET /sync/pull/`` for ``request.user``."""

    def __init__(self, request: Request, view, only: list[str] | None = None) -> None:
        self.request = request
        self.view = view  # the pull view: its request, format and context for viewsets
        self.user = request.user
        self.collections = [
            c
            for c in COLLECTIONS.values()
            if (only is None or c.name in only) and self._may_view(c)
        ]

    @cached_property
    def owners(self) -> set[int] | None:
        return visible_owners(self.user)

    @cached_property
    def fingerprint(self) -> str:
        """What the user may see, in short: a new role, data scope or team changes it,
        and a cursor of the old one starts over (``reset``)."""
        owners = None if self.owners is None else sorted(self.owners)
        names = [c.name for c in self.collections]
        raw = json.dumps([self.user.data_scope, owners, names]).encode()
        return hashlib.sha256(raw).hexdigest()[:16]

    def _viewset(self, collection: Collection):
        cls = collection.viewset()
        viewset = cls(
            request=self.request,
            args=(),
            kwargs={},
            format_kwarg=None,
            action="list",
        )
        viewset.headers = {}
        return viewset

    def _may_view(self, collection: Collection) -> bool:
        viewset_cls = collection.viewset()
        module = viewset_cls.permission_module
        return module is None or self.user.has_code(f"{module}.view")

    def _rows(self, collection: Collection, **filters) -> tuple[list[dict], list[int]]:
        viewset = self._viewset(collection)
        queryset = viewset.get_queryset().filter(**filters)
        return viewset, queryset

    def _serialize(self, viewset, objects) -> list[dict]:
        return list(viewset.get_serializer(objects, many=True).data)

    # --- the snapshot ------------------------------------------------------------

    def snapshot(self, cursor: Cursor, limit: int) -> tuple[list[dict], Cursor, bool]:
        changes: list[dict] = []
        index, after = cursor.snap
        names = list(COLLECTIONS)
        while index < len(names) and len(changes) < limit:
            collection = COLLECTIONS[names[index]]
            if collection not in self.collections:
                index, after = index + 1, 0
                continue
            viewset, queryset = self._rows(collection, pk__gt=after)
            room = limit - len(changes)
            page = list(queryset.order_by("pk")[:room])
            for row in self._serialize(viewset, page):
                changes.append({"collection": collection.name, "record": row, "deleted": False})
            if len(page) < room:  # this collection is done
                index, after = index + 1, 0
            else:
                after = page[-1].pk
        if index >= len(names):
            return changes, Cursor(log=cursor.log, seen=cursor.seen), True
        return changes, Cursor(log=cursor.log, snap=(index, after), seen=cursor.seen), False

    # --- the change log ----------------------------------------------------------

    def log(self, cursor: Cursor, limit: int) -> tuple[list[dict], Cursor, bool]:
        txid, last = cursor.log
        xmin, own = _horizon()
        rows = SyncChange.objects.filter(tenant_id=self.user.tenant_id).filter(
            Q(txid__gt=txid) | Q(txid=txid, id__gt=last)
        )
        if xmin is not None:
            final = Q(txid__lt=xmin)
            if own is not None:
                final |= Q(txid=own)
            rows = rows.filter(final)
        if cursor.seen is not None and txid < cursor.seen[0]:
            xmax, running = cursor.seen
            rows = rows.exclude(Q(txid__lt=xmax) & ~Q(txid__in=running))
        names = [c.name for c in self.collections]
        rows = rows.filter(collection__in=names)
        owners = self.owners
        if owners is not None:
            rows = rows.filter(
                Q(owner_id__in=owners)
                | Q(prev_owner_id__in=owners)
                | Q(owner_id__isnull=True)
                | Q(prev_owner_id__isnull=True)
            )
        page = list(
            rows.order_by("txid", "id").values_list("txid", "id", "collection", "record_id")[:limit]
        )
        if not page:
            return [], cursor, True
        # Each record once, where it last changed in this page.
        order: dict[tuple[str, int], int] = {}
        for n, (_t, _i, name, record_id) in enumerate(page):
            order.pop((name, record_id), None)
            order[(name, record_id)] = n
        by_collection: dict[str, list[int]] = {}
        for name, record_id in order:
            by_collection.setdefault(name, []).append(record_id)
        found: dict[tuple[str, int], dict] = {}
        for name, ids in by_collection.items():
            viewset, queryset = self._rows(COLLECTIONS[name], pk__in=ids)
            for row in self._serialize(viewset, list(queryset)):
                found[(name, row["id"])] = row
        changes = []
        for key in order:
            row = found.get(key)
            if row is None:
                changes.append({"collection": key[0], "record": {"id": key[1]}, "deleted": True})
            else:
                changes.append({"collection": key[0], "record": row, "deleted": False})
        last_txid, last_id = page[-1][0], page[-1][1]
        after = Cursor(log=(last_txid, last_id), seen=cursor.seen)
        return changes, after, len(page) < limit

    def page(self, cursor_text: str | None, limit: int) -> dict:
        reset = False
        cursor = None
        if cursor_text:
            cursor = Cursor.decode(cursor_text)
            if cursor.issued and time.time() - cursor.issued > change_retention_days() * 86400:
                raise CursorExpired(cursor_text)
            if cursor.scope != self.fingerprint:
                # The user's scope changed (role, team, collections): what they hold may
                # no longer be theirs, and records new to them carry no change. Start over.
                cursor, reset = None, True
        if cursor is None:
            position, seen = start_position()
            cursor = Cursor(log=position, snap=(0, 0), seen=seen)
        if cursor.snap is not None:
            changes, after, done = self.snapshot(cursor, limit)
            if done and len(changes) < limit:
                more, after, done = self.log(after, limit - len(changes))
                changes += more
        else:
            changes, after, done = self.log(cursor, limit)
        after.scope = self.fingerprint
        return {"changes": changes, "cursor": after.encode(), "more": not done, "reset": reset}
