"""Date filters with odd but parseable offsets answer normally, never 500."""

import datetime as dt

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    ["4350-07-04T20:05:25+22:02", "2026-01-01T00:00:00-23:59", "9999-12-31T23:00:00-05:00"],
)
def test_odd_datetime_offsets_in_range_filters(api, value):
    response = api.get("/api/v1/activities/", {"occurred_at_before": value})
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["code"] == "invalid"
    else:
        assert response.json()["count"] == 0


@pytest.mark.django_db
def test_offset_filter_is_applied_in_utc(api, admin):
    from crm.activities.services import activity_create
    from crm.customers.services import customer_create

    customer = customer_create(tenant=admin.tenant, actor=admin, name="时间测试")
    activity_create(
        tenant=admin.tenant,
        actor=admin,
        kind="call",
        subject="x",
        customer=customer,
        occurred_at=dt.datetime.fromisoformat(
            "2026-03-01T12:00:00+00:00"
        ),  # services take datetimes
    )
    # 12:00 UTC == 20:00+08:00: before 19:59+08:00 excludes it, after includes it.
    before = api.get("/api/v1/activities/", {"occurred_at_before": "2026-03-01T19:59:00+08:00"})
    after = api.get("/api/v1/activities/", {"occurred_at_after": "2026-03-01T19:59:00+08:00"})
    assert before.json()["count"] == 0
    assert after.json()["count"] == 1
