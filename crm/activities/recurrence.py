"""Occurrences of a recurring calendar event, in the local time zone (Asia/Shanghai).

A series repeats its first occurrence every ``recurrence_interval`` days, weeks
or months, keeping the local wall-clock time, until ``recurrence_until`` (a
local date, inclusive) or for ``recurrence_count`` occurrences (the first
included). A monthly series on the 29th-31st falls on the last day of a shorter
month. Each occurrence lasts as long as the first.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"
# A bound on the occurrences walked for one series (about 27 years of daily events).
MAX_STEPS = 10_000


def _duration(event) -> dt.timedelta:
    if event.end is not None and event.end > event.start:
        return event.end - event.start
    return dt.timedelta(days=1) if event.all_day else dt.timedelta(0)


def _add_months(local: dt.datetime, months: int) -> dt.datetime:
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def _nth(event, first_local: dt.datetime, k: int) -> dt.datetime:
    step = k * max(event.recurrence_interval or 1, 1)
    if event.recurrence == DAILY:
        local = first_local + dt.timedelta(days=step)
    elif event.recurrence == WEEKLY:
        local = first_local + dt.timedelta(weeks=step)
    else:
        local = _add_months(first_local, step)
    # Wall-clock arithmetic on a naive local time, made aware again (no DST in China,
    # but the rule stays right for a zone with one).
    return timezone.make_aware(local.replace(tzinfo=None), timezone.get_default_timezone())


def _first_index(event, first_local: dt.datetime, not_before: dt.datetime) -> int:
    """An index at or before the first occurrence ending after ``not_before``."""
    interval = max(event.recurrence_interval or 1, 1)
    gap = timezone.localtime(not_before) - first_local - _duration(event)
    if gap <= dt.timedelta(0):
        return 0
    if event.recurrence == DAILY:
        return max(gap.days // interval - 1, 0)
    if event.recurrence == WEEKLY:
        return max(gap.days // (7 * interval) - 1, 0)
    months = (gap.days // 31) // interval
    return max(months - 1, 0)


def iter_starts(event, *, not_before: dt.datetime | None = None) -> Iterator[dt.datetime]:
    """The starts of the series' occurrences (aware), ending after ``not_before``."""
    if not event.recurrence:
        if not_before is None or event.start + _duration(event) > not_before:
            yield event.start
        return
    first_local = timezone.localtime(event.start)
    k = _first_index(event, first_local, not_before) if not_before is not None else 0
    duration = _duration(event)
    for _step in range(MAX_STEPS):
        if event.recurrence_count is not None and k >= event.recurrence_count:
            return
        start = _nth(event, first_local, k)
        if event.recurrence_until is not None and (
            timezone.localtime(start).date() > event.recurrence_until
        ):
            return
        k += 1
        if not_before is not None and start + duration <= not_before:
            continue
        yield start


def occurrences(
    event, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """(start, end) of each occurrence overlapping ``[start, end)``."""
    duration = _duration(event)
    out = []
    for begin in iter_starts(event, not_before=start):
        if begin >= end:
            break
        out.append((begin, begin + duration))
    return out


def next_start(event, *, after: dt.datetime) -> dt.datetime | None:
    """The first occurrence starting after ``after`` (None: the series has ended)."""
    for begin in iter_starts(event, not_before=after):
        if begin > after:
            return begin
    return None
