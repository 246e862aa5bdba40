"""Lunar (农历) dates to solar days, with lunar-python (6tail).

A lunar birthday or festival is a month and day of the lunar calendar; its solar
day changes every year. ``to_solar(year, month, day, leap)`` gives the solar day
of the lunar date in the lunar year ``year``.

Rules where the lunar calendar has no such day:

* a **leap-month** date (闰月) in a year without that leap month falls on the
  ordinary month of the same number (a birthday in 闰六月 is kept in 六月);
* day 30 of a month that has 29 days that year falls on day 29 (the month's last).
"""

from __future__ import annotations

import datetime as dt

from lunar_python import Lunar, LunarMonth, LunarYear

MONTHS = "正二三四五六七八九十冬腊"
DAYS = (
    "初一 初二 初三 初四 初五 初六 初七 初八 初九 初十 "
    "十一 十二 十三 十四 十五 十六 十七 十八 十九 二十 "
    "廿一 廿二 廿三 廿四 廿五 廿六 廿七 廿八 廿九 三十"
).split()


def to_solar(year: int, month: int, day: int, leap: bool = False) -> dt.date:
    """The solar day of lunar ``month``/``day`` (``leap``: of the leap month) in lunar ``year``."""
    signed = month
    if leap and LunarYear.fromYear(year).getLeapMonth() == month:
        signed = -month
    days = LunarMonth.fromYm(year, signed).getDayCount()
    solar = Lunar.fromYmd(year, signed, min(day, days)).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def lunar_year_of(day: dt.date) -> int:
    """The lunar year a solar day belongs to (正月初一 starts it)."""
    return Lunar.fromDate(dt.datetime(day.year, day.month, day.day)).getYear()


def label(month: int, day: int, leap: bool = False) -> str:
    """农历 ``[闰]八月十五``."""
    return f"{'闰' if leap else ''}{MONTHS[month - 1]}月{DAYS[day - 1]}"
