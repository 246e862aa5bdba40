"""Tests for workflows.calendar: the working-time calendar behind SLA clocks.

Pure Python, no database.  Facts about the official calendar are those of
chinesecalendar 1.11 (2004-2026 known, 2027 unknown): upgrading the package to a
release that knows 2027 means moving the "fallback" cases below to 2028.
"""

from __future__ import annotations

import json
import logging
import math
import time as wallclock
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflows import calendar as wcal
from workflows.calendar import OfficialDaysError, WorkingCalendar
from workflows.management.commands.load_official_days import Command as LoadOfficialDays

SH = ZoneInfo("Asia/Shanghai")
SHIPPED_TABLE = wcal.OFFICIAL_DAYS_PATH
LOGGER = "workflows.calendar"


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def hours(h: float) -> timedelta:
    return timedelta(hours=h)


@pytest.fixture(autouse=True)
def isolated_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test starts from an empty project table (a path that does not exist yet)."""
    path = tmp_path / "official_days.json"
    monkeypatch.setattr(wcal, "OFFICIAL_DAYS_PATH", path)
    wcal.clear_cache()
    yield path
    wcal.clear_cache()


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def write_table(path: Path, years: dict) -> None:
    path.write_text(json.dumps({"years": years}), encoding="utf-8")
    wcal.clear_cache()


def fallback_warnings(caplog: pytest.LogCaptureFixture, year: int) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == LOGGER and r.levelno == logging.WARNING and str(year) in r.getMessage()
    ]


# --------------------------------------------------------------------------------------
# Deadlines and durations on known cases
# --------------------------------------------------------------------------------------


def test_defaults(cal: WorkingCalendar) -> None:
    assert cal.hours == ((time(9), time(12)), (time(13, 30), time(18)))
    assert cal.tz == SH
    assert dict(cal.overrides) == {}


def test_across_weekend(cal: WorkingCalendar) -> None:
    # Friday 13 March 2026, an ordinary week.
    assert cal.is_workday(date(2026, 3, 13))
    assert not cal.is_workday(date(2026, 3, 14))
    assert not cal.is_workday(date(2026, 3, 15))
    assert cal.add_working_hours(sh(2026, 3, 13, 17), 2) == sh(2026, 3, 16, 10)
    assert cal.working_hours_between(sh(2026, 3, 13, 17), sh(2026, 3, 16, 10)) == hours(2)
    assert cal.working_hours_between(sh(2026, 3, 13, 18), sh(2026, 3, 16, 9)) == timedelta(0)
    # A start during the weekend begins on Monday morning.
    assert cal.add_working_hours(sh(2026, 3, 14, 11), 1) == sh(2026, 3, 16, 10)


def test_across_national_day_2026(cal: WorkingCalendar) -> None:
    # The package's 2026 schedule: 1-7 Oct off, 8 Oct (Thu) back at work.
    assert [chinese_calendar.is_workday(date(2026, 10, d)) for d in range(1, 9)] == [
        False,
        False,
        False,
        False,
        False,
        False,
        False,
        True,
    ]
    assert cal.is_workday(date(2026, 9, 30))
    assert all(not cal.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert cal.day_source(date(2026, 10, 5)) == "package"
    # Wednesday 30 Sep 16:00 + 8 h: 2 h that day, 3 h + 3 h on Thursday 8 Oct.
    assert cal.add_working_hours(sh(2026, 9, 30, 16), 8) == sh(2026, 10, 8, 16, 30)
    assert cal.working_hours_between(sh(2026, 9, 30, 16), sh(2026, 10, 8, 16, 30)) == hours(8)
    assert cal.working_hours_between(sh(2026, 9, 30, 18), sh(2026, 10, 8, 9)) == timedelta(0)


def test_across_makeup_saturday(cal: WorkingCalendar) -> None:
    # Saturday 10 Oct 2026 and Saturday 11 Oct 2025 are 调休 workdays.
    for saturday in (date(2026, 10, 10), date(2025, 10, 11)):
        assert saturday.weekday() == 5
        assert chinese_calendar.is_workday(saturday)
        assert cal.is_workday(saturday)
        assert cal.day_source(saturday) == "package"
    # Friday 9 Oct 16:00 + 8 h ends on the Saturday, not on Monday 12 Oct.
    assert cal.add_working_hours(sh(2026, 10, 9, 16), 8) == sh(2026, 10, 10, 16, 30)
    # Friday evening to Monday morning holds the whole Saturday: 3 h + 4.5 h.
    assert cal.working_hours_between(sh(2026, 10, 9, 18), sh(2026, 10, 12, 9)) == hours(7.5)
    # Sunday 11 Oct 2026 stays a day off.
    assert not cal.is_workday(date(2026, 10, 11))


def test_across_lunch_break(cal: WorkingCalendar) -> None:
    assert cal.add_working_hours(sh(2026, 3, 10, 11), 2) == sh(2026, 3, 10, 14, 30)
    # A start at the end of the morning carries on after lunch.
    assert cal.add_working_hours(sh(2026, 3, 10, 12), 1) == sh(2026, 3, 10, 14, 30)
    assert cal.add_working_hours(sh(2026, 3, 10, 12, 30), 1) == sh(2026, 3, 10, 14, 30)
    # Using up the morning exactly lands on its end.
    assert cal.add_working_hours(sh(2026, 3, 10, 9), 3) == sh(2026, 3, 10, 12)
    assert cal.working_hours_between(sh(2026, 3, 10, 11), sh(2026, 3, 10, 14)) == hours(1.5)
    assert cal.working_hours_between(sh(2026, 3, 10, 12), sh(2026, 3, 10, 13, 30)) == timedelta(0)
    assert cal.next_working_moment(sh(2026, 3, 10, 12)) == sh(2026, 3, 10, 13, 30)
    assert cal.next_working_moment(sh(2026, 3, 10, 10)) == sh(2026, 3, 10, 10)


def test_across_year_end_into_unpublished_2027(
    cal: WorkingCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))
    caplog.set_level(logging.WARNING, logger=LOGGER)
    # Thursday 31 Dec 2026 16:00 + 8 h: 1 Jan 2027 (Fri) is a fallback holiday.
    assert cal.add_working_hours(sh(2026, 12, 31, 16), 8) == sh(2027, 1, 4, 16, 30)
    assert cal.working_hours_between(sh(2026, 12, 31, 16), sh(2027, 1, 4, 16, 30)) == hours(8)
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.day_source(date(2027, 1, 1)) == "fallback"
    assert cal.day_source(date(2026, 12, 31)) == "package"
    # Observable: warned once, listed, reported as used.
    assert len(fallback_warnings(caplog, 2027)) == 1
    assert wcal.unpublished_years(date(2026, 1, 1), date(2027, 12, 31)) == [2027]
    assert 2027 in wcal.fallback_years_used()
    cal.add_working_hours(sh(2027, 3, 1, 9), 100)
    cal.working_hours_between(sh(2027, 1, 1, 9), sh(2027, 6, 1, 9))
    assert len(fallback_warnings(caplog, 2027)) == 1


def test_fallback_rules() -> None:
    cal = WorkingCalendar()
    # 2027: 1 Jan Fri, 1 May Sat, 1-3 Oct Fri-Sun; 4 Oct Mon is a workday in the fallback.
    assert not cal.is_workday(date(2027, 1, 1))
    assert not cal.is_workday(date(2027, 10, 1))
    assert cal.is_workday(date(2027, 10, 4))
    assert cal.is_workday(date(2027, 2, 8))  # no guess at the Spring Festival
    # 2029: 1 May Tue, 1-3 Oct Mon-Wed.
    assert not cal.is_workday(date(2029, 5, 1))
    assert [cal.is_workday(date(2029, 10, d)) for d in range(1, 6)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert not cal.is_workday(date(2027, 1, 2))  # weekends stay off


def test_every_day_1900_to_2100_is_classified_without_exception() -> None:
    cal = WorkingCalendar()
    day, seen = date(1900, 1, 1), set()
    while day <= date(2100, 12, 31):
        assert isinstance(cal.is_workday(day), bool)
        seen.add(cal.day_source(day))
        day += timedelta(days=1)
    assert seen == {"package", "fallback"}
    expected = [y for y in range(1900, 2101) if not 2004 <= y <= 2026]
    assert wcal.unpublished_years(date(1900, 1, 1), date(2100, 1, 1)) == expected
    assert wcal.fallback_years_used() == frozenset(expected)


def test_project_table_overrides_fallback_for_2027(
    isolated_table: Path, cal: WorkingCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    write_table(
        isolated_table,
        {
            "2027": {
                "holidays": ["2027-01-01", "2027-01-04"],
                "makeup_workdays": ["2027-01-09"],
                "source": "test schedule",
            }
        },
    )
    assert cal.day_source(date(2027, 1, 4)) == "table"
    assert not cal.is_workday(date(2027, 1, 4))  # a Monday the fallback would count
    assert cal.is_workday(date(2027, 1, 9))  # a make-up Saturday
    assert cal.add_working_hours(sh(2026, 12, 31, 16), 8) == sh(2027, 1, 5, 16, 30)
    assert cal.add_working_hours(sh(2027, 1, 8, 16), 8) == sh(2027, 1, 9, 16, 30)
    assert cal.working_hours_between(sh(2026, 12, 31, 16), sh(2027, 1, 5, 16, 30)) == hours(8)
    assert wcal.unpublished_years(date(2027, 1, 1), date(2028, 1, 1)) == [2028]
    assert fallback_warnings(caplog, 2027) == []
    assert 2027 not in wcal.fallback_years_used()


def test_project_table_wins_over_package(isolated_table: Path, cal: WorkingCalendar) -> None:
    write_table(
        isolated_table,
        {"2026": {"holidays": ["2026-03-11"], "makeup_workdays": [], "source": "test"}},
    )
    assert cal.day_source(date(2026, 3, 11)) == "table"
    assert not cal.is_workday(date(2026, 3, 11))
    # The table entry is the whole year: 1 Oct 2026 (Thu) is now a workday.
    assert cal.is_workday(date(2026, 10, 1))


def test_malformed_table_is_logged_and_ignored(
    isolated_table: Path, cal: WorkingCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    isolated_table.write_text("{not json", encoding="utf-8")
    wcal.clear_cache()
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.day_source(date(2027, 1, 1)) == "fallback"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and "official-days table" in errors[0].getMessage()


def test_table_is_read_once(isolated_table: Path, cal: WorkingCalendar) -> None:
    write_table(isolated_table, {"2027": {"holidays": ["2027-01-04"], "source": "t"}})
    assert not cal.is_workday(date(2027, 1, 4))
    isolated_table.unlink()
    assert not cal.is_workday(date(2027, 1, 4))  # cached
    wcal.clear_cache()
    assert cal.is_workday(date(2027, 1, 4))


def test_shipped_table_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.loads(SHIPPED_TABLE.read_text(encoding="utf-8"))
    assert isinstance(data["years"], dict)
    monkeypatch.setattr(wcal, "OFFICIAL_DAYS_PATH", SHIPPED_TABLE)
    wcal.clear_cache()
    assert wcal._read_table_strict(SHIPPED_TABLE) == dict(wcal.load_official_days())


def test_tenant_overrides(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    cal = WorkingCalendar(
        overrides={
            date(2026, 3, 11): False,  # a Wednesday off
            date(2026, 3, 15): True,  # a Sunday on
            date(2027, 1, 1): True,  # tenant works on a (fallback) holiday
        }
    )
    assert cal.day_source(date(2026, 3, 11)) == "tenant"
    assert not cal.is_workday(date(2026, 3, 11))
    assert cal.is_workday(date(2026, 3, 15))
    assert cal.add_working_hours(sh(2026, 3, 10, 16), 8) == sh(2026, 3, 12, 16, 30)
    assert cal.add_working_hours(sh(2026, 3, 13, 16), 8) == sh(2026, 3, 15, 16, 30)
    assert cal.working_hours_between(sh(2026, 3, 10, 9), sh(2026, 3, 13, 9)) == hours(15)
    assert cal.working_hours_between(sh(2026, 3, 14, 0), sh(2026, 3, 16, 0)) == hours(7.5)
    assert cal.is_workday(date(2027, 1, 1))
    assert fallback_warnings(caplog, 2027) == []
    # The default calendar is unaffected.
    assert WorkingCalendar().is_workday(date(2026, 3, 11))


def test_overrides_are_copied() -> None:
    mine = {date(2026, 3, 11): False}
    cal = WorkingCalendar(overrides=mine)
    mine[date(2026, 3, 11)] = True
    assert not cal.is_workday(date(2026, 3, 11))
    assert hash(cal) == hash(WorkingCalendar(overrides={date(2026, 3, 11): False}))


def test_custom_hours_and_input_zone() -> None:
    cal = WorkingCalendar(hours=((time(8), time(17)),))
    assert cal.add_working_hours(sh(2026, 3, 13, 16), 2) == sh(2026, 3, 16, 9)
    # Input in UTC, result in the calendar's zone: 03:00Z is 11:00 in Shanghai.
    result = WorkingCalendar().add_working_hours(datetime(2026, 3, 10, 3, tzinfo=UTC), 2)
    assert result == sh(2026, 3, 10, 14, 30)
    assert result.tzinfo is SH


def test_hour_amount_types(cal: WorkingCalendar) -> None:
    start = sh(2026, 3, 10, 11)
    expected = sh(2026, 3, 10, 14)
    assert cal.add_working_hours(start, 1.5) == expected
    assert cal.add_working_hours(start, Decimal("1.5")) == expected
    assert cal.add_working_hours(start, timedelta(minutes=90)) == expected
    assert cal.add_working_hours(sh(2026, 3, 10, 12, 45), 0) == sh(2026, 3, 10, 12, 45)
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_hours(start, -1)
    with pytest.raises(ValueError, match="finite"):
        cal.add_working_hours(start, math.nan)
    with pytest.raises(TypeError, match="hours"):
        cal.add_working_hours(start, "8")  # type: ignore[arg-type]


def test_large_amount_is_fast_and_capped(cal: WorkingCalendar) -> None:
    start = sh(2025, 1, 2, 9)
    t0 = wallclock.perf_counter()
    deadline = cal.add_working_hours(start, 10_000)
    assert wallclock.perf_counter() - t0 < 2.0
    assert deadline.year in (2030, 2031)
    assert cal.working_hours_between(start, deadline) == hours(10_000)
    with pytest.raises(ValueError, match="20 years"):
        cal.add_working_hours(start, 200_000)
    nothing = WorkingCalendar(overrides={start.date() + timedelta(days=i): False for i in range(5)})
    assert nothing.add_working_hours(start, 1) == sh(2025, 1, 7, 10)


def test_end_not_after_start_is_zero(cal: WorkingCalendar) -> None:
    assert cal.working_hours_between(sh(2026, 3, 10, 11), sh(2026, 3, 10, 10)) == timedelta(0)
    assert cal.working_hours_between(sh(2026, 3, 10, 11), sh(2026, 3, 10, 11)) == timedelta(0)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.add_working_hours(datetime(2026, 3, 10, 9), 1),
        lambda c: c.working_hours_between(datetime(2026, 3, 10, 9), sh(2026, 3, 10, 10)),
        lambda c: c.working_hours_between(sh(2026, 3, 10, 9), datetime(2026, 3, 10, 10)),
        lambda c: c.next_working_moment(datetime(2026, 3, 10, 9)),
    ],
)
def test_naive_datetime_refused(cal: WorkingCalendar, call) -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        call(cal)


def test_is_workday_takes_a_date(cal: WorkingCalendar) -> None:
    with pytest.raises(TypeError, match="date"):
        cal.is_workday(sh(2026, 3, 10, 9))


@pytest.mark.parametrize(
    ("bad_hours", "message"),
    [
        ((), "at least one"),
        (((time(12), time(9)),), "start before it ends"),
        (((time(9), time(9)),), "start before it ends"),
        (((time(13), time(18)), (time(9), time(12))), "out of order"),
        (((time(9), time(12)), (time(11), time(14))), "overlaps"),
        (((time(9), time(12), time(13)),), "pair"),
        ((("09:00", "12:00"),), "datetime.time"),
    ],
)
def test_bad_working_hours_refused(bad_hours, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkingCalendar(hours=bad_hours)


def test_bad_overrides_and_tz_refused() -> None:
    with pytest.raises(ValueError, match="date"):
        WorkingCalendar(overrides={sh(2026, 3, 10, 0): False})
    with pytest.raises(ValueError, match="True or False"):
        WorkingCalendar(overrides={date(2026, 3, 10): 0})
    with pytest.raises(ValueError, match="ZoneInfo"):
        WorkingCalendar(tz=UTC)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

aware_starts = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2028, 12, 31, 23, 59),
    timezones=st.sampled_from([SH, UTC, ZoneInfo("America/New_York")]),
)
minutes = st.integers(min_value=0, max_value=500 * 60)
property_settings = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def in_working_time(cal: WorkingCalendar, moment: datetime) -> bool:
    """Inside an interval of a workday, ends included."""
    local = moment.astimezone(cal.tz)
    return cal.is_workday(local.date()) and any(a <= local.time() <= b for a, b in cal.hours)


@property_settings
@given(start=aware_starts, m=minutes)
def test_property_add_then_measure(start: datetime, m: int) -> None:
    cal = WorkingCalendar()
    amount = timedelta(minutes=m)
    deadline = cal.add_working_hours(start, amount)
    assert deadline.tzinfo is SH
    assert deadline >= start
    assert cal.working_hours_between(cal.next_working_moment(start), deadline) == amount
    assert cal.working_hours_between(start, deadline) == amount
    if m:
        assert in_working_time(cal, deadline)


@property_settings
@given(start=aware_starts, m1=minutes, m2=minutes)
def test_property_monotonic(start: datetime, m1: int, m2: int) -> None:
    cal = WorkingCalendar()
    low, high = sorted((m1, m2))
    assert cal.add_working_hours(start, timedelta(minutes=low)) <= cal.add_working_hours(
        start, timedelta(minutes=high)
    )


@property_settings
@given(a=aware_starts, b=aware_starts, c=aware_starts)
def test_property_between_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    cal = WorkingCalendar()
    a, b, c = sorted((a, b, c))
    assert cal.working_hours_between(a, c) == cal.working_hours_between(
        a, b
    ) + cal.working_hours_between(b, c)


# --------------------------------------------------------------------------------------
# Loading a State Council schedule
# --------------------------------------------------------------------------------------

GOOD_TEXT = """\
# 2027 schedule (test data)
2027-01-01 off   # 元旦
2027-02-06 ON
2027-02-08 off
"""


def test_parse_text_schedule() -> None:
    entry = wcal.parse_official_schedule(GOOD_TEXT, source="国办发明电 test")
    assert entry.year == 2027
    assert entry.holidays == {date(2027, 1, 1), date(2027, 2, 8)}
    assert entry.makeup_workdays == {date(2027, 2, 6)}
    assert entry.source == "国办发明电 test"


def test_parse_json_schedule() -> None:
    text = json.dumps(
        {
            "year": 2027,
            "holidays": ["2027-01-01"],
            "makeup_workdays": ["2027-02-07"],
            "source": "notice",
        }
    )
    entry = wcal.parse_official_schedule(text)
    assert (entry.year, entry.source) == (2027, "notice")
    assert entry.makeup_workdays == {date(2027, 2, 7)}


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("", {}, "empty"),
        ("2027-01-01 off\n2027-13-01 off\n", {"source": "s"}, "line 2: '2027-13-01' is not a real"),
        ("2027-01-01 holiday\n", {"source": "s"}, "line 1: expected 'YYYY-MM-DD off'"),
        ("20270101 off\n", {"source": "s"}, "expected a date YYYY-MM-DD"),
        ("2027-01-01 off\n", {}, "source: missing"),
        ("2027-01-01 off\n2027-01-01 on\n", {"source": "s"}, "listed twice"),
        ("2027-01-01 off\n2027-02-08 on\n", {"source": "s"}, "is a Monday"),
        ("2027-01-01 off\n2028-01-03 off\n", {"source": "s"}, "several years"),
        ("2027-01-01 off\n", {"source": "s", "year": 2028}, "not in year 2028"),
        ("2027-02-06 on\n", {"source": "s"}, "no holidays"),
        ('{"year": 2027, "holidays": ["2027-01-01"]', {"source": "s"}, "invalid JSON"),
        ('{"year": 2027, "holiday": ["2027-01-01"], "source": "s"}', {}, "unknown keys"),
        ('{"year": 2027, "holidays": "2027-01-01", "source": "s"}', {}, "expected a list"),
        ('{"year": 2027, "holidays": ["2027-01-01"], "source": "s"}', {"year": 2028}, "2028"),
        ('{"year": 1800, "holidays": ["1800-01-01"], "source": "s"}', {}, "outside 1900-2100"),
    ],
)
def test_parse_refuses_malformed(text: str, kwargs: dict, message: str) -> None:
    with pytest.raises(OfficialDaysError, match=message):
        wcal.parse_official_schedule(text, **kwargs)


def test_parse_reports_every_problem() -> None:
    with pytest.raises(OfficialDaysError) as exc:
        wcal.parse_official_schedule("2027-01-01 of\n2027-02-30 off\n2027-02-08 on\n")
    text = str(exc.value)
    for fragment in ("line 1", "line 2", "line 3", "source: missing"):
        assert fragment in text


def test_save_is_atomic_and_refuses_duplicates(isolated_table: Path) -> None:
    entry = wcal.parse_official_schedule(GOOD_TEXT, source="first")
    wcal.save_official_year(entry)
    assert [p.name for p in isolated_table.parent.iterdir()] == [isolated_table.name]
    stored = json.loads(isolated_table.read_text(encoding="utf-8"))
    assert stored["years"]["2027"]["holidays"] == ["2027-01-01", "2027-02-08"]
    assert stored["years"]["2027"]["makeup_workdays"] == ["2027-02-06"]
    with pytest.raises(OfficialDaysError, match="already in"):
        wcal.save_official_year(entry)
    wcal.save_official_year(wcal.parse_official_schedule(GOOD_TEXT, source="second"), replace=True)
    assert wcal.load_official_days()[2027].source == "second"
    isolated_table.write_text('{"years": {"27": {}}}', encoding="utf-8")
    with pytest.raises(OfficialDaysError, match="four-digit year"):
        wcal.save_official_year(entry, replace=True)


def test_command_loads_good_file(
    isolated_table: Path, tmp_path: Path, cal: WorkingCalendar
) -> None:
    assert cal.day_source(date(2027, 2, 8)) == "fallback"
    src = tmp_path / "2027.txt"
    src.write_text(GOOD_TEXT, encoding="utf-8")
    out = _Out()
    call_command(LoadOfficialDays(), str(src), "--source", "国办发明电〔2026〕test", stdout=out)
    assert "Loaded 2027: 2 holidays, 1 make-up workdays" in out.text
    # The cache was cleared: the new schedule is used at once.
    assert cal.day_source(date(2027, 2, 8)) == "table"
    assert not cal.is_workday(date(2027, 2, 8))
    assert cal.is_workday(date(2027, 2, 6))
    assert wcal.load_official_days()[2027].source == "国办发明电〔2026〕test"


def test_command_dry_run_writes_nothing(isolated_table: Path, tmp_path: Path) -> None:
    src = tmp_path / "2027.txt"
    src.write_text(GOOD_TEXT, encoding="utf-8")
    out = _Out()
    call_command(LoadOfficialDays(), str(src), "--source", "s", "--dry-run", stdout=out)
    assert "Valid, not written" in out.text
    assert not isolated_table.exists()


def test_command_refuses_bad_file(isolated_table: Path, tmp_path: Path) -> None:
    src = tmp_path / "bad.txt"
    src.write_text("2027-01-01 off\n2027-02-30 off\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"line 2: '2027-02-30' is not a real date"):
        call_command(LoadOfficialDays(), str(src), "--source", "s")
    assert not isolated_table.exists()
    with pytest.raises(CommandError, match="cannot read"):
        call_command(LoadOfficialDays(), str(tmp_path / "missing.txt"), "--source", "s")


def test_command_registered_by_name(isolated_table: Path, tmp_path: Path) -> None:
    from django.apps import apps
    from django.conf import settings as django_settings

    if not (django_settings.configured and apps.ready):
        pytest.skip("Django settings not set up (run without -p no:django)")
    src = tmp_path / "2027.json"
    src.write_text(
        json.dumps({"year": 2027, "holidays": ["2027-01-01"], "source": "notice"}),
        encoding="utf-8",
    )
    call_command("load_official_days", str(src), stdout=_Out())
    assert wcal.load_official_days()[2027].holidays == {date(2027, 1, 1)}
    src.write_text("2027-01-01 maybe\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 1"):
        call_command("load_official_days", str(src), "--source", "s", "--replace")


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass
