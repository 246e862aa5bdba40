"""Target periods: a month (``2026-05``), a quarter (``2026-Q2``) or a year (``2026``)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from crm.core.errors import Invalid
from crm.targets.models import PeriodKind

_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{2})$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
)


def end_of(kind: str, start: dt.date) -> dt.date:
    """The last day of the period of ``kind`` starting on ``start``."""
    months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[kind]
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


def previous(kind: str, start: dt.date) -> dt.date:
    months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[kind]
    index = start.year * 12 + start.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def start_of(kind: str, day: dt.date) -> dt.date:
    """The first day of the period of ``kind`` holding ``day``."""
    if kind == PeriodKind.YEAR:
        return dt.date(day.year, 1, 1)
    if kind == PeriodKind.QUARTER:
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)


def is_start(kind: str, day: dt.date) -> bool:
    return start_of(kind, day) == day


def name_of(kind: str, start: dt.date) -> str:
    if kind == PeriodKind.YEAR:
        return f"{start.year}"
    if kind == PeriodKind.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def parse(value: str, field: str = "period") -> tuple[str, dt.date]:
    """``(kind, first day)`` of ``2026-05``, ``2026-Q2`` or ``2026``; Invalid otherwise."""
    for pattern, kind in _PATTERNS:
        match = pattern.match((value or "").strip())
        if not match:
            continue
        year = int(match.group(1))
        if not 1900 <= year <= 2999:
            break
        if kind == PeriodKind.YEAR:
            return kind, dt.date(year, 1, 1)
        number = int(match.group(2))
        if kind == PeriodKind.QUARTER:
            return kind, dt.date(year, (number - 1) * 3 + 1, 1)
        if 1 <= number <= 12:
            return kind, dt.date(year, number, 1)
        break
    raise Invalid(
        fields={field: [_("Give a month (2026-05), a quarter (2026-Q2) or a year (2026).")]}
    )
