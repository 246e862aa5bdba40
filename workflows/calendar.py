"""Working-time calendar for SLA clocks (pure Python: no models, no database).

A :class:`WorkingCalendar` adds working hours to a moment and measures the working
hours between two moments, for a tenant's daily working intervals (default
09:00-12:00 and 13:30-18:00) in the tenant's time zone (default Asia/Shanghai), on
the Chinese working-day calendar: statutory holidays off, make-up workdays (调休)
on.

Whether a date is a workday is decided, first match wins, by:

1. ``tenant``   -- the tenant's own overrides (``{date: is_workday}``);
2. ``table``    -- the project table :data:`OFFICIAL_DAYS_PATH` (``official_days.json``),
   for years the ``chinese_calendar`` package does not know yet; filled with
   ``manage.py load_official_days``;
3. ``package``  -- ``chinese_calendar`` (release 1.11 knows 2004-2026 only);
4. ``fallback`` -- for an unpublished year: Monday-Friday are workdays except the
   fixed-date holidays 1 Jan, 1 May and 1-3 Oct.  The fallback never raises, but it
   is never silent either: a warning is logged once per year, and
   :func:`unpublished_years` / :func:`fallback_years_used` /
   :meth:`WorkingCalendar.day_source` let the admin UI show it.

Shape of ``official_days.json``::

    {
      "_doc": "...free text...",
      "years": {
        "2027": {
          "holidays": ["2027-01-01", ...],        # days off (法定节假日及调休放假)
          "makeup_workdays": ["2027-02-06", ...],  # Sat/Sun that are workdays (调休上班)
          "source": "国务院办公厅关于2027年部分节假日安排的通知 (国办发明电〔2026〕N号), 2026-11-xx"
        }
      }
    }

For a year in the table every date not listed follows the usual week: Monday-Friday
on, Saturday-Sunday off.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal
from zoneinfo import ZoneInfo

try:  # The package is a declared dependency; without it every year uses the table/fallback.
    import chinese_calendar
except ImportError:  # pragma: no cover - exercised only on a broken install
    chinese_calendar = None

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_HOURS",
    "DEFAULT_TZ",
    "MAX_SEARCH_YEARS",
    "OFFICIAL_DAYS_PATH",
    "DaySource",
    "OfficialDaysError",
    "OfficialYear",
    "WorkingCalendar",
    "clear_cache",
    "fallback_years_used",
    "load_official_days",
    "parse_official_schedule",
    "save_official_year",
    "unpublished_years",
]

#: The project-maintained table of official days (read once, cached).
OFFICIAL_DAYS_PATH: Path = Path(__file__).resolve().parent / "data" / "official_days.json"

DEFAULT_TZ: ZoneInfo = ZoneInfo("Asia/Shanghai")
DEFAULT_HOURS: tuple[tuple[time, time], ...] = (
    (time(9, 0), time(12, 0)),
    (time(13, 30), time(18, 0)),
)
#: :meth:`WorkingCalendar.add_working_hours` gives up after this many years.
MAX_SEARCH_YEARS = 20
_MAX_SEARCH_DAYS = MAX_SEARCH_YEARS * 366

#: Years an official schedule may be given for.
MIN_YEAR, MAX_YEAR = 1900, 2100

#: Fixed-date holidays assumed for a year nobody has published yet: (month, day).
FALLBACK_HOLIDAYS: frozenset[tuple[int, int]] = frozenset(
    {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)}
)

DaySource = Literal["tenant", "table", "package", "fallback"]

_TABLE_DOC = (
    "Official Chinese working-day schedule for years the chinese_calendar package does not "
    "know. Per year: 'holidays' = days off (ISO dates), 'makeup_workdays' = Saturdays/Sundays "
    "that are workdays (调休上班), 'source' = the State Council notice and its publication "
    "date. Unlisted dates follow the week (Mon-Fri on, Sat-Sun off). Maintained with "
    "`manage.py load_official_days`; see workflows/calendar.py."
)


class OfficialDaysError(ValueError):
    """A malformed official-days schedule or table."""


# --------------------------------------------------------------------------------------
# Official schedule: parsing, validation, table I/O
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficialYear:
    """The State Council schedule of one year."""

    year: int
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    source: str

    def to_json(self) -> dict[str, Any]:
        """The per-year entry as stored in ``official_days.json``."""
        return {
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "makeup_workdays": [d.isoformat() for d in sorted(self.makeup_workdays)],
            "source": self.source,
        }


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_iso_date(value: object, where: str, errors: list[str]) -> date | None:
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        errors.append(f"{where}: expected a date YYYY-MM-DD, got {value!r}")
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors.append(f"{where}: {value!r} is not a real date")
        return None


def _build_year(
    year: object,
    holidays: Iterable[tuple[date, str]],
    makeup: Iterable[tuple[date, str]],
    source: object,
    errors: list[str],
) -> OfficialYear | None:
    """Check a schedule; ``holidays``/``makeup`` are (date, where) pairs. Appends to errors."""
    holidays, makeup = list(holidays), list(makeup)
    if year is None:
        years = {d.year for d, _ in holidays + makeup}
        if len(years) == 1:
            year = years.pop()
        elif not years:
            errors.append("no dates given and no year: cannot tell which year this is")
        else:
            errors.append(
                f"dates span several years {sorted(years)}: give the year explicitly"
                " (one schedule per year)"
            )
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        errors.append(f"year: expected an integer, got {year!r}")
        year = None
    if isinstance(year, int) and not MIN_YEAR <= year <= MAX_YEAR:
        errors.append(f"year: {year} is outside {MIN_YEAR}-{MAX_YEAR}")
        year = None
    if not holidays and year is not None:
        errors.append(f"no holidays (days off) listed for {year}: a schedule has at least 元旦")
    seen: dict[date, str] = {}
    for kind, items in (("holiday", holidays), ("make-up workday", makeup)):
        for d, where in items:
            if isinstance(year, int) and d.year != year:
                errors.append(f"{where}: {d.isoformat()} is not in year {year}")
            if d in seen:
                errors.append(f"{where}: {d.isoformat()} is listed twice (also at {seen[d]})")
            else:
                seen[d] = where
            if kind == "make-up workday" and d.weekday() < 5:
                errors.append(
                    f"{where}: make-up workday {d.isoformat()} is a {d.strftime('%A')};"
                    " 调休 workdays fall on a Saturday or Sunday"
                )
    if not isinstance(source, str) or not source.strip():
        errors.append(
            "source: missing; give the State Council notice and its publication date"
            " (e.g. 国办发明电〔2026〕N号, 2026-11-xx)"
        )
    if errors or not isinstance(year, int):
        return None
    assert isinstance(source, str)
    return OfficialYear(
        year=year,
        holidays=frozenset(d for d, _ in holidays),
        makeup_workdays=frozenset(d for d, _ in makeup),
        source=source.strip(),
    )


def _raise_if(errors: list[str], what: str) -> None:
    if errors:
        raise OfficialDaysError(f"{what}:\n  - " + "\n  - ".join(errors))


def _year_from_json(
    year: object, data: object, where: str, errors: list[str]
) -> OfficialYear | None:
    if not isinstance(data, dict):
        errors.append(f"{where}: expected an object, got {type(data).__name__}")
        return None
    unknown = sorted(set(data) - {"year", "holidays", "makeup_workdays", "source"})
    if unknown:
        errors.append(
            f"{where}: unknown keys {unknown} (allowed: holidays, makeup_workdays, source)"
        )
    lists: dict[str, list[tuple[date, str]]] = {}
    for key in ("holidays", "makeup_workdays"):
        raw = data.get(key, [])
        if not isinstance(raw, list):
            errors.append(f"{where}.{key}: expected a list of dates, got {type(raw).__name__}")
            raw = []
        parsed = []
        for i, value in enumerate(raw):
            d = _parse_iso_date(value, f"{where}.{key}[{i}]", errors)
            if d is not None:
                parsed.append((d, f"{where}.{key}[{i}]"))
        lists[key] = parsed
    return _build_year(
        year, lists["holidays"], lists["makeup_workdays"], data.get("source"), errors
    )


def parse_official_schedule(
    text: str, *, year: int | None = None, source: str | None = None
) -> OfficialYear:
    """Parse and validate one year's State Council schedule.

    ``text`` is either JSON -- ``{"year": 2027, "holidays": [...], "makeup_workdays":
    [...], "source": "..."}`` (``year``/``source`` optional when passed as arguments) --
    or plain text, one date a line: ``YYYY-MM-DD off`` (a day off) or ``YYYY-MM-DD on``
    (a make-up workday); blank lines and ``#`` comments are ignored.

    Raises :class:`OfficialDaysError` listing every problem found: bad dates, dates
    outside the year, a date listed twice, a make-up workday that is not a weekend
    day, no holidays at all, no source note, a year mismatch.
    """
    errors: list[str] = []
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise OfficialDaysError(f"year: expected an integer, got {year!r}")
    stripped = text.lstrip("\ufeff").strip()
    if not stripped:
        raise OfficialDaysError("the schedule is empty")
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise OfficialDaysError(f"invalid JSON: {exc}") from exc
        file_year = data.get("year")
        if year is not None and file_year is not None and file_year != year:
            errors.append(f"year: the file says {file_year!r} but {year} was requested")
        data = dict(data)
        if source is not None:
            if data.get("source") not in (None, "", source):
                errors.append("source: given both in the file and as an argument, and they differ")
            data["source"] = source
        result = _year_from_json(year if year is not None else file_year, data, "schedule", errors)
    else:
        holidays: list[tuple[date, str]] = []
        makeup: list[tuple[date, str]] = []
        for lineno, raw_line in enumerate(stripped.splitlines(), start=1):
            line = raw_line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            where = f"line {lineno}"
            if len(parts) != 2 or parts[1].lower() not in ("on", "off"):
                got = raw_line.strip()
                errors.append(f"{where}: expected 'YYYY-MM-DD off' or 'YYYY-MM-DD on', got {got!r}")
                continue
            d = _parse_iso_date(parts[0], where, errors)
            if d is not None:
                (holidays if parts[1].lower() == "off" else makeup).append((d, where))
        result = _build_year(year, holidays, makeup, source, errors)
    _raise_if(errors, "invalid official-days schedule")
    assert result is not None
    return result


def _read_table_strict(path: Path) -> dict[int, OfficialYear]:
    """Read and validate the whole table; a missing file is an empty table."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise OfficialDaysError(f"{path}: invalid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("years"), dict):
        raise OfficialDaysError(f'{path}: expected an object with a "years" object')
    errors: list[str] = []
    table: dict[int, OfficialYear] = {}
    for key, entry in data["years"].items():
        if not (isinstance(key, str) and key.isdigit() and len(key) == 4):
            errors.append(f"years.{key}: the key must be a four-digit year")
            continue
        year_errors: list[str] = []
        parsed = _year_from_json(int(key), entry, f"years.{key}", year_errors)
        errors.extend(year_errors)
        if parsed is not None:
            table[parsed.year] = parsed
    _raise_if(errors, f"{path}: malformed official-days table")
    return table


def save_official_year(
    entry: OfficialYear, *, replace: bool = False, path: Path | None = None
) -> Path:
    """Write one year into the table atomically (temp file + rename) and clear the cache.

    Refuses (:class:`OfficialDaysError`) if the year is already there and ``replace`` is
    false, or if the existing table is malformed (it is never silently overwritten).
    """
    path = Path(path or OFFICIAL_DAYS_PATH)
    table = _read_table_strict(path)
    if entry.year in table and not replace:
        raise OfficialDaysError(
            f"{entry.year} is already in {path} (source: {table[entry.year].source});"
            " use --replace to overwrite it"
        )
    table[entry.year] = entry
    payload = {
        "_doc": _TABLE_DOC,
        "years": {str(y): table[y].to_json() for y in sorted(table)},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".official_days.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    clear_cache()
    return path


# --------------------------------------------------------------------------------------
# Official classification (cached per year)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _YearData:
    source: Literal["table", "package", "fallback"]
    off_weekdays: frozenset[date]  # Mon-Fri that are days off
    on_weekend: frozenset[date]  # Sat/Sun that are workdays


_lock = threading.RLock()
_table_cache: dict[int, OfficialYear] | None = None
_year_cache: dict[int, _YearData] = {}
_fallback_years: set[int] = set()


def load_official_days() -> Mapping[int, OfficialYear]:
    """The project table, read once from :data:`OFFICIAL_DAYS_PATH` and cached.

    Never raises: a malformed file is logged as an error and ignored (the package or
    the fallback, with its warning, then applies).
    """
    global _table_cache
    with _lock:
        if _table_cache is None:
            try:
                _table_cache = _read_table_strict(OFFICIAL_DAYS_PATH)
            except (OfficialDaysError, OSError, UnicodeDecodeError) as exc:
                logger.error("Ignoring the official-days table: %s", exc)
                _table_cache = {}
        return MappingProxyType(_table_cache)


def clear_cache() -> None:
    """Forget the cached table and per-year data; re-arm the once-per-year warnings."""
    global _table_cache
    with _lock:
        _table_cache = None
        _year_cache.clear()
        _fallback_years.clear()


def _days_of(year: int) -> Iterable[date]:
    d = date(year, 1, 1)
    while d.year == year:
        yield d
        d += timedelta(days=1)


def _package_year(year: int) -> _YearData | None:
    if chinese_calendar is None or not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return None
    off, on = set(), set()
    for d in _days_of(year):
        workday = chinese_calendar.is_workday(d)
        if d.weekday() < 5 and not workday:
            off.add(d)
        elif d.weekday() >= 5 and workday:
            on.add(d)
    return _YearData("package", frozenset(off), frozenset(on))


def _year_data(year: int) -> _YearData:
    with _lock:
        cached = _year_cache.get(year)
        if cached is not None:
            return cached
        table = load_official_days()
        if year in table:
            entry = table[year]
            data = _YearData(
                "table",
                frozenset(d for d in entry.holidays if d.weekday() < 5),
                frozenset(d for d in entry.makeup_workdays if d.weekday() >= 5),
            )
        else:
            data = _package_year(year) or _fallback_year(year)
        _year_cache[year] = data
        return data


def _fallback_year(year: int) -> _YearData:
    off = set()
    for month, day in FALLBACK_HOLIDAYS:
        try:
            d = date(year, month, day)
        except ValueError:  # pragma: no cover - all fixed dates exist every year
            continue
        if d.weekday() < 5:
            off.add(d)
    return _YearData("fallback", frozenset(off), frozenset())


def _note_fallback(year: int) -> None:
    """Record that the fallback classified a date of ``year``; warn the first time."""
    with _lock:
        if year in _fallback_years:
            return
        _fallback_years.add(year)
    logger.warning(
        "No official working-day schedule for %d (not in %s, unknown to chinese_calendar):"
        " using the fallback (Mon-Fri except 1 Jan, 1 May, 1-3 Oct). SLA deadlines in %d"
        " may be wrong; load the State Council schedule with `manage.py load_official_days`.",
        year,
        OFFICIAL_DAYS_PATH.name,
        year,
    )


def unpublished_years(start: date, end: date) -> list[int]:
    """Years from ``start`` to ``end`` (inclusive) neither the table nor the package knows.

    Dates in those years are classified by the fallback; an admin UI shows this as a
    warning.  Accepts dates or datetimes (only the year is used).
    """
    return [y for y in range(start.year, end.year + 1) if _year_data(y).source == "fallback"]


def fallback_years_used() -> frozenset[int]:
    """Years the fallback has classified a date in since the last :func:`clear_cache`.

    Each of these years was also logged once as a warning.  Unlike
    :func:`unpublished_years` this reports actual use, not just a missing schedule.
    """
    with _lock:
        return frozenset(_fallback_years)


def _official(d: date) -> tuple[bool, Literal["table", "package", "fallback"]]:
    data = _year_data(d.year)
    if data.source == "fallback" and d.year not in _fallback_years:
        _note_fallback(d.year)
    if d.weekday() < 5:
        return d not in data.off_weekdays, data.source
    return d in data.on_weekend, data.source


# --------------------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------------------


def _require_aware(value: object, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a timezone-aware datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} is a naive datetime ({value.isoformat()}); pass a timezone-aware datetime"
            " (e.g. django.utils.timezone.now() or datetime(..., tzinfo=ZoneInfo('Asia/Shanghai')))"
        )
    return value


def _to_timedelta(amount: float | int | Decimal | timedelta) -> timedelta:
    if isinstance(amount, timedelta):
        result = amount
    elif isinstance(amount, bool) or not isinstance(amount, (int, float, Decimal)):
        raise TypeError(
            f"hours must be a number of hours or a timedelta, got {type(amount).__name__}"
        )
    elif isinstance(amount, Decimal):
        if not amount.is_finite():
            raise ValueError(f"hours must be finite, got {amount}")
        try:
            micro = (amount * 3_600_000_000).to_integral_value(rounding=ROUND_HALF_EVEN)
            result = timedelta(microseconds=int(micro))
        except (OverflowError, InvalidOperation) as exc:
            raise ValueError(f"hours out of range: {amount}") from exc
    else:
        if isinstance(amount, float) and not math.isfinite(amount):
            raise ValueError(f"hours must be finite, got {amount}")
        try:
            result = timedelta(hours=amount)
        except OverflowError as exc:
            raise ValueError(f"hours out of range: {amount}") from exc
    if result < timedelta(0):
        raise ValueError(f"hours must not be negative, got {amount}")
    return result


def _validate_hours(hours: object) -> tuple[tuple[time, time], ...]:
    if not isinstance(hours, (tuple, list)) or not hours:
        raise ValueError("working hours: give at least one (start, end) interval")
    result: list[tuple[time, time]] = []
    for i, interval in enumerate(hours):
        if not isinstance(interval, (tuple, list)) or len(interval) != 2:
            raise ValueError(f"working hours: interval {i} must be a (start, end) pair of times")
        start, end = interval
        if not isinstance(start, time) or not isinstance(end, time):
            raise ValueError(f"working hours: interval {i} must hold datetime.time values")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(
                f"working hours: interval {i} must use naive times (local to the calendar's tz)"
            )
        if not start < end:
            raise ValueError(
                f"working hours: interval {i} {start:%H:%M}-{end:%H:%M} must start before it ends"
            )
        if result:
            prev_start, prev_end = result[-1]
            if start < prev_start:
                raise ValueError(
                    f"working hours: interval {i} {start:%H:%M}-{end:%H:%M} is out of order"
                    f" (it starts before {prev_start:%H:%M}-{prev_end:%H:%M})"
                )
            if start < prev_end:
                raise ValueError(
                    f"working hours: interval {i} {start:%H:%M}-{end:%H:%M} overlaps"
                    f" {prev_start:%H:%M}-{prev_end:%H:%M}"
                )
        result.append((start, end))
    return tuple(result)


@dataclass(frozen=True)
class WorkingCalendar:
    """A tenant's working time: daily intervals, time zone and day overrides.

    ``hours`` are local wall-clock intervals (ordered, non-overlapping, start < end);
    ``tz`` the tenant's zone; ``overrides`` maps a date to ``True`` (workday) or
    ``False`` (day off) and wins over the official calendar.  Instances are immutable;
    invalid hours raise ``ValueError`` naming the problem.
    """

    hours: tuple[tuple[time, time], ...] = DEFAULT_HOURS
    tz: ZoneInfo = DEFAULT_TZ
    overrides: Mapping[date, bool] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "hours", _validate_hours(self.hours))
        if not isinstance(self.tz, ZoneInfo):
            raise ValueError(f"tz must be a zoneinfo.ZoneInfo, got {type(self.tz).__name__}")
        if not isinstance(self.overrides, Mapping):
            raise ValueError("overrides must be a mapping {date: bool}")
        for key, value in self.overrides.items():
            if isinstance(key, datetime) or not isinstance(key, date):
                raise ValueError(f"overrides: key {key!r} must be a datetime.date")
            if not isinstance(value, bool):
                raise ValueError(f"overrides: value for {key.isoformat()} must be True or False")
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))

    def __hash__(self) -> int:
        return hash((self.hours, self.tz, frozenset(self.overrides.items())))

    # -- days ----------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` (a date, not a datetime) is a working day for this tenant."""
        if isinstance(d, datetime) or not isinstance(d, date):
            raise TypeError(f"is_workday() takes a datetime.date, got {type(d).__name__}")
        if d in self.overrides:
            return self.overrides[d]
        return _official(d)[0]

    def day_source(self, d: date) -> DaySource:
        """Which rule classifies ``d``: ``tenant``, ``table``, ``package`` or ``fallback``."""
        if isinstance(d, datetime) or not isinstance(d, date):
            raise TypeError(f"day_source() takes a datetime.date, got {type(d).__name__}")
        if d in self.overrides:
            return "tenant"
        return _official(d)[1]

    def _intervals_utc(self, d: date) -> list[tuple[datetime, datetime]]:
        """The day's working intervals as UTC instants (empty on a day off)."""
        if not self.is_workday(d):
            return []
        result = []
        for start, end in self.hours:
            a = datetime.combine(d, start, tzinfo=self.tz).astimezone(UTC)
            b = datetime.combine(d, end, tzinfo=self.tz).astimezone(UTC)
            if a < b:  # a DST transition could in theory swallow an interval
                result.append((a, b))
        return result

    # -- moments -------------------------------------------------------------------

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` if it lies inside working time, else the start of the next interval.

        The end of an interval is not working time (it moves to the next interval).
        Raises ``ValueError`` for a naive datetime or if nothing is found within
        :data:`MAX_SEARCH_YEARS` years.
        """
        at = _require_aware(moment, "moment").astimezone(UTC)
        for day in self._days_from(moment):
            for a, b in self._intervals_utc(day):
                if b > at:
                    return max(a, at).astimezone(self.tz)
        raise self._search_error(moment, "a working moment")

    def add_working_hours(
        self, start: datetime, hours: float | int | Decimal | timedelta
    ) -> datetime:
        """The moment ``hours`` working hours after ``start``, in the calendar's tz.

        ``hours`` is a non-negative number of hours (int, float, Decimal) or a
        timedelta.  Zero hours returns ``start`` itself (converted to the tz).  Time
        outside working intervals does not count; a deadline that uses up an interval
        exactly lands on that interval's end (e.g. 09:00 + 3 h = 12:00), while a start
        at an interval's end carries on at the next interval's start (12:00 + 1 h =
        14:30).  Whole days are skipped, so large amounts are cheap; the search is
        capped at :data:`MAX_SEARCH_YEARS` years (``ValueError``).
        """
        start = _require_aware(start, "start")
        remaining = _to_timedelta(hours)
        if not remaining:
            return start.astimezone(self.tz)
        at = start.astimezone(UTC)
        for day in self._days_from(start):
            for a, b in self._intervals_utc(day):
                if b <= at:
                    continue
                a = max(a, at)
                available = b - a
                if remaining <= available:
                    return (a + remaining).astimezone(self.tz)
                remaining -= available
        raise self._search_error(
            start, f"{_to_timedelta(hours).total_seconds() / 3600:g} working hours"
        )

    def working_hours_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end``; ``timedelta(0)`` if ``end <= start``."""
        start = _require_aware(start, "start")
        end = _require_aware(end, "end")
        if end <= start:
            return timedelta(0)
        s, e = start.astimezone(UTC), end.astimezone(UTC)
        first = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        total = timedelta(0)
        day = first
        while day <= last:
            for a, b in self._intervals_utc(day):
                overlap = min(b, e) - max(a, s)
                if overlap > timedelta(0):
                    total += overlap
            if day == date.max:
                break
            day += timedelta(days=1)
        return total

    # -- helpers -------------------------------------------------------------------

    def _days_from(self, moment: datetime) -> Iterable[date]:
        day = moment.astimezone(self.tz).date()
        for _ in range(_MAX_SEARCH_DAYS + 1):
            yield day
            if day == date.max:
                return
            day += timedelta(days=1)

    def _search_error(self, start: datetime, what: str) -> ValueError:
        return ValueError(
            f"{what} from {start.isoformat()} not reached within {MAX_SEARCH_YEARS} years;"
            " check the working hours, the tenant overrides and the amount"
        )
