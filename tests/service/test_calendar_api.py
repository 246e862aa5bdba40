"""The tenant's working calendar: hours, own days, ``calendar_for`` and the endpoints
``/calendar/add-hours/``, ``/calendar/working-hours/`` and ``/calendar/days/``."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest

from crm.core.errors import Invalid
from crm.service import services
from crm.service.selectors import calendar_for
from tests.conftest import client_for, make_user
from tests.service.helpers import sh
from workflows import calendar as wcal

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_official_table(tmp_path, monkeypatch):
    """2027 stays unpublished whatever the shipped table holds."""
    monkeypatch.setattr(wcal, "OFFICIAL_DAYS_PATH", tmp_path / "official_days.json")
    wcal.clear_cache()
    yield
    wcal.clear_cache()


def add_hours(client, start, hours):
    return client.get("/api/v1/calendar/add-hours/?" + urlencode({"start": start, "hours": hours}))


# --- calendar_for ---------------------------------------------------------------------


def test_defaults_without_settings(admin):
    cal = calendar_for(admin.tenant)
    assert cal.hours == ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(18)))
    assert str(cal.tz) == "Asia/Shanghai"
    assert dict(cal.overrides) == {}


def test_tenant_hours_and_days_make_the_calendar(admin, other_admin):
    services.working_hours_update(
        tenant=admin.tenant, actor=admin, intervals="08:30-12:00, 13:00-17:30"
    )
    services.workday_create(
        tenant=admin.tenant, actor=admin, date=dt.date(2026, 10, 8), is_workday=False, note="团建"
    )
    services.workday_create(
        tenant=admin.tenant, actor=admin, date=dt.date(2026, 10, 11), is_workday=True, note="加班"
    )
    cal = calendar_for(admin.tenant)
    assert cal.hours == ((dt.time(8, 30), dt.time(12)), (dt.time(13), dt.time(17, 30)))
    assert not cal.is_workday(dt.date(2026, 10, 8))
    assert cal.is_workday(dt.date(2026, 10, 11))  # a Sunday the company works
    assert cal.day_source(dt.date(2026, 10, 8)) == "tenant"
    # Wed 30 Sep 17:00 + 2 h: 17:00-17:30, holidays, 8 Oct off, Fri 9 Oct 08:30-10:00.
    assert cal.add_working_hours(sh(2026, 9, 30, 17), 2) == sh(2026, 10, 9, 10)
    # Another company keeps the official calendar.
    other = calendar_for(other_admin.tenant)
    assert other.is_workday(dt.date(2026, 10, 8))
    assert not other.is_workday(dt.date(2026, 10, 11))


@pytest.mark.parametrize(
    "intervals",
    ["", "9-12", "09:00-12:00,", "25:00-26:00", "12:00-09:00", "09:00-12:00,11:00-18:00", "abc"],
)
def test_bad_working_hours_are_refused(admin, intervals):
    if intervals == "09:00-12:00,":  # a trailing comma is harmless
        row = services.working_hours_update(tenant=admin.tenant, actor=admin, intervals=intervals)
        assert row.intervals == "09:00-12:00"
        return
    with pytest.raises(Invalid) as exc:
        services.working_hours_update(tenant=admin.tenant, actor=admin, intervals=intervals)
    assert list(exc.value.fields) == ["intervals"]


def test_unknown_time_zone_is_refused(admin):
    with pytest.raises(Invalid) as exc:
        services.working_hours_update(tenant=admin.tenant, actor=admin, time_zone="Mars/Olympus")
    assert list(exc.value.fields) == ["time_zone"]


# --- /calendar/add-hours/ ----------------------------------------------------------------


def test_add_hours_across_national_day(api):
    response = add_hours(api, "2026-09-30T16:00:00+08:00", "8")
    assert response.status_code == 200, response.content
    assert response.json() == {"deadline": "2026-10-08T16:30:00+08:00", "warnings": []}


def test_add_hours_accepts_other_offsets_and_fractions(api):
    # 08:00 UTC is 16:00 in Shanghai; 1.5 h ends at 17:30.
    response = add_hours(api, "2026-03-10T08:00:00Z", "1.5")
    assert response.json()["deadline"] == "2026-03-10T17:30:00+08:00"


def test_an_unencoded_plus_sign_is_understood(api):
    response = api.get("/api/v1/calendar/add-hours/?start=2026-09-30T16:00:00+08:00&hours=2")
    assert response.status_code == 200, response.content
    assert response.json()["deadline"] == "2026-09-30T18:00:00+08:00"


def test_add_hours_uses_the_tenant_calendar(admin, api):
    services.workday_create(
        tenant=admin.tenant, actor=admin, date=dt.date(2026, 10, 8), is_workday=False
    )
    response = add_hours(api, "2026-09-30T16:00:00+08:00", "8")
    assert response.json()["deadline"] == "2026-10-09T16:30:00+08:00"


def test_add_hours_warns_about_an_unpublished_year(api, no_official_table):
    response = add_hours(api, "2026-12-31T16:00:00+08:00", "8")
    assert response.status_code == 200
    body = response.json()
    # 1 Jan 2027 (Fri) is a fallback holiday: Monday 4 Jan 16:30.
    assert body["deadline"] == "2027-01-04T16:30:00+08:00"
    assert len(body["warnings"]) == 1
    assert "2027" in body["warnings"][0]
    english = api.get(
        "/api/v1/calendar/add-hours/?"
        + urlencode({"start": "2026-12-31T16:00:00+08:00", "hours": 8, "lang": "en"})
    ).json()
    assert english["warnings"][0].startswith("No official working-day schedule is known for 2027")
    assert add_hours(api, "2026-12-01T09:00:00+08:00", "8").json()["warnings"] == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"hours": "2"}, "start"),
        ({"start": "2026-09-30T16:00:00+08:00"}, "hours"),
        ({"start": "2026-09-30T16:00:00", "hours": "2"}, "start"),  # naive
        ({"start": "yesterday", "hours": "2"}, "start"),
        ({"start": "2026-02-30T16:00:00+08:00", "hours": "2"}, "start"),
        ({"start": "2026-09-30T16:00:00+08:00", "hours": "-1"}, "hours"),
        ({"start": "2026-09-30T16:00:00+08:00", "hours": "abc"}, "hours"),
        ({"start": "2026-09-30T16:00:00+08:00", "hours": "NaN"}, "hours"),
        ({"start": "2026-09-30T16:00:00+08:00", "hours": "Infinity"}, "hours"),
        ({"start": "2026-09-30T16:00:00+08:00", "hours": "1e9"}, "hours"),
        ({"start": "0024-01-01T22:01:00+00:00", "hours": "0"}, "start"),
        ({"start": "9999-12-31T16:00:00+08:00", "hours": "1"}, "start"),
    ],
)
def test_bad_input_is_a_400_with_field_errors(api, params, field):
    response = api.get("/api/v1/calendar/add-hours/?" + urlencode(params))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [field]
    assert body["fields"][field][0]


def test_both_fields_wrong_are_both_reported(api):
    response = add_hours(api, "2026-09-30", "-3")
    assert set(response.json()["fields"]) == {"start", "hours"}


def test_add_hours_needs_the_calendar_code(admin):
    marketer = make_user(admin, "市场")
    response = add_hours(client_for(marketer), "2026-09-30T16:00:00+08:00", "2")
    assert response.status_code == 403
    rep = make_user(admin, "销售代表")
    assert add_hours(client_for(rep), "2026-09-30T16:00:00+08:00", "2").status_code == 200
    assert add_hours(client_for(None), "2026-09-30T16:00:00+08:00", "2").status_code == 401


# --- /calendar/working-hours/ and /calendar/days/ ----------------------------------------


def test_working_hours_endpoint(admin, api):
    data = api.get("/api/v1/calendar/working-hours/").json()
    assert {k: data[k] for k in ("intervals", "time_zone", "version")} == {
        "intervals": "09:00-12:00,13:30-18:00",
        "time_zone": "Asia/Shanghai",
        "version": 1,
    }
    assert all(isinstance(year, int) for year in data["missing_official_years"])
    response = api.patch(
        "/api/v1/calendar/working-hours/", {"intervals": "9:00-12:00,13:00-17:00"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["intervals"] == "09:00-12:00,13:00-17:00"
    response = api.patch("/api/v1/calendar/working-hours/", {"intervals": "17-9"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["intervals"]
    agent = make_user(admin, "客服")
    assert client_for(agent).get("/api/v1/calendar/working-hours/").status_code == 200
    response = client_for(agent).patch(
        "/api/v1/calendar/working-hours/", {"intervals": "09:00-18:00"}, format="json"
    )
    assert response.status_code == 403
    assert add_hours(api, "2026-03-10T16:00:00+08:00", "2").json()["deadline"] == (
        "2026-03-11T10:00:00+08:00"
    )


def test_days_endpoint(admin, api):
    response = api.post(
        "/api/v1/calendar/days/",
        {"date": "2026-10-08", "is_workday": False, "note": "团建"},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    duplicate = api.post(
        "/api/v1/calendar/days/", {"date": "2026-10-08", "is_workday": True}, format="json"
    )
    assert duplicate.status_code == 400
    assert list(duplicate.json()["fields"]) == ["date"]
    assert [d["date"] for d in api.get("/api/v1/calendar/days/?year=2026").json()["results"]] == [
        "2026-10-08"
    ]
    assert api.get("/api/v1/calendar/days/?year=2025").json()["count"] == 0
    for bad in ("99999999999", "2026.5", "abc"):
        response = api.get(f"/api/v1/calendar/days/?year={bad}")
        assert response.status_code == 400, bad
        assert list(response.json()["fields"]) == ["year"]
    assert (
        api.patch(f"/api/v1/calendar/days/{pk}/", {"is_workday": True}, format="json").status_code
        == 200
    )
    assert calendar_for(admin.tenant).is_workday(dt.date(2026, 10, 8))
    assert api.delete(f"/api/v1/calendar/days/{pk}/").status_code == 204
    # Service staff read the days but do not change them.
    agent = client_for(make_user(admin, "客服"))
    assert agent.get("/api/v1/calendar/days/").status_code == 200
    assert (
        agent.post(
            "/api/v1/calendar/days/", {"date": "2026-10-09", "is_workday": False}, format="json"
        ).status_code
        == 403
    )
