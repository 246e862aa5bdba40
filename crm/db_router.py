"""Reads from a replica, for the code that asks for it (reports and exports).

When ``DATABASE_REPLICA_URL`` is set, settings add the alias ``replica``.
Nothing reads from it by default: a replica lags the primary, and a page that
shows what its user just saved must read the primary. Report views and the
export action opt in (``reading_from_replica()``, ``replica_db()``); every
write goes to ``default`` whatever the context, and a read inside a
transaction on ``default`` stays there (it may need its own uncommitted rows).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading = ContextVar("crm_reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_db() -> str:
    """The alias for a read that tolerates lag: ``replica`` when configured."""
    if replica_configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return REPLICA
    return DEFAULT_DB_ALIAS


@contextlib.contextmanager
def reading_from_replica() -> Iterator[None]:
    """Route this block's reads (not its writes) to the replica, when there is one."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    """Django's router: see the module docstring."""

    def db_for_read(self, model, **hints):
        if _reading.get():
            return replica_db()
        return None  # Django's default: the instance's database, else default

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True  # the same data: a replica row may point at a primary row
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class ReplicaReadsMixin:
    """For an APIView whose handler only reads: the handler's queries go to the
    replica (authentication and permission checks before it stay on ``default``,
    so a token or role just changed is seen at once)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._replica_token = _reading.set(True)

    def finalize_response(self, request, response, *args, **kwargs):
        token = getattr(self, "_replica_token", None)
        if token is not None:
            _reading.reset(token)
            self._replica_token = None
        return super().finalize_response(request, response, *args, **kwargs)
