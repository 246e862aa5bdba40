"""Chinese ordering by pinyin (北京 before 广州 before 上海) on both databases.

PostgreSQL has the ICU collation ``zh_pinyin`` (created by a migration);
SQLite, the embedded mode, gets a Python collation of the same name on every
new connection, so one ``Collate(F(field), "zh_pinyin")`` works on both.
"""

from __future__ import annotations

from functools import lru_cache

from django.db.backends.signals import connection_created
from django.db.models import F
from django.db.models.functions import Collate
from pypinyin import lazy_pinyin

COLLATION = "zh_pinyin"


@lru_cache(maxsize=20_000)
def pinyin_sort_key(text: str) -> tuple[str, str]:
    """Pinyin with each syllable padded apart, then the text itself as tie-break."""
    return (" ".join(lazy_pinyin(text or "", errors="default")).lower(), text or "")


def _compare(a: str, b: str) -> int:
    ka, kb = pinyin_sort_key(a), pinyin_sort_key(b)
    return (ka > kb) - (ka < kb)


def _register_sqlite(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, _compare)


def install() -> None:
    connection_created.connect(_register_sqlite, dispatch_uid="crm.core.collation.zh_pinyin")


def pinyin_ordered(field: str) -> Collate:
    """``field`` ordered by pinyin; call ``.asc()`` / ``.desc()`` on the result."""
    return Collate(F(field), COLLATION)
