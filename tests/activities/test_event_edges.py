"""Calendar events at the edges a hostile or careless client reaches: range queries
with dates out of any calendar, and a series that ends before it starts."""

from __future__ import annotations

import pytest

from crm.activities.models import CalendarEvent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("0001-01-01", "9999-12-31", "start"),  # 500 OverflowError before
        ("2026-01-01", "9999-12-31", "end"),
        ("9999-12-31T23:59:59+08:00", "9999-12-31", "start"),
        ("2026-02-30", "2026-03-01", "start"),  # 500 ValueError before
        ("2026-02-01", "2026-13-01", "end"),
        ("2026-02-01T25:00:00", "2026-03-01", "start"),
    ],
)
def test_a_range_out_of_the_calendar_is_a_400_naming_the_field(rep, start, end, field):
    response = client_for(rep).get("/api/v1/events/", {"start": start, "end": end})
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == [field]


def test_the_widest_range_is_refused_and_the_bounds_still_answer(rep):
    api = client_for(rep)
    widest = api.get("/api/v1/events/", {"start": "1900-01-01", "end": "9999-12-31"})
    assert widest.status_code == 400 and list(widest.json()["fields"]) == ["end"]
    for start, end in (("2200-12-01", "2200-12-31"), ("1900-01-01", "1900-01-31")):
        assert api.get("/api/v1/events/", {"start": start, "end": end}).status_code == 200


def test_a_series_ending_before_its_start_is_refused_and_nothing_is_written(rep):
    api = client_for(rep)
    response = api.post(
        "/api/v1/events/",
        {
            "title": "日会",
            "start": "2026-02-10T09:00:00+08:00",
            "recurrence": "daily",
            "recurrence_until": "2026-02-01",
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["recurrence_until"]
    assert not CalendarEvent.objects.filter(title="日会").exists()

    # 00:30 in Shanghai is the previous day in UTC: the end date compares with the
    # local day, so a one-day series on it is accepted and listed once.
    response = api.post(
        "/api/v1/events/",
        {
            "title": "午夜",
            "start": "2026-02-10T00:30:00+08:00",
            "recurrence": "daily",
            "recurrence_until": "2026-02-10",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    listed = api.get("/api/v1/events/", {"start": "2026-02-09", "end": "2026-02-12"}).json()
    assert [r["occurrence_start"] for r in listed["results"]] == ["2026-02-10T00:30:00+08:00"]


def test_moving_a_series_past_its_end_is_refused_and_the_event_unchanged(rep):
    api = client_for(rep)
    event = api.post(
        "/api/v1/events/",
        {
            "title": "周会",
            "start": "2026-02-02T09:00:00+08:00",
            "recurrence": "weekly",
            "recurrence_until": "2026-03-01",
        },
        format="json",
    ).json()
    response = api.patch(
        f"/api/v1/events/{event['id']}/", {"start": "2026-03-02T09:00:00+08:00"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["recurrence_until"]
    stored = CalendarEvent.objects.get(pk=event["id"])
    assert stored.start.isoformat() == "2026-02-02T01:00:00+00:00" and stored.version == 1


def test_the_export_takes_the_lists_range(admin):
    """``start``/``end`` are documented on the export: they were ignored, so a
    month's export held every event of the company."""
    api = client_for(admin)
    for title, start, extra in (
        ("二月拜访", "2026-02-10T09:00:00+08:00", {}),
        ("三月拜访", "2026-03-10T09:00:00+08:00", {}),
        ("周会", "2026-01-05T09:00:00+08:00", {"recurrence": "weekly"}),
    ):
        body = {"title": title, "start": start, **extra}
        assert api.post("/api/v1/events/", body, format="json").status_code == 201

    def exported(**params) -> list[str]:
        response = api.get("/api/v1/events/export/", {"file_format": "csv", **params})
        assert response.status_code == 200, response.content
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return sorted(line.split(",")[1] for line in text.splitlines()[1:])

    assert exported() == ["三月拜访", "二月拜访", "周会"]
    assert exported(start="2026-02-01", end="2026-02-28") == ["二月拜访", "周会"]
    assert exported(start="2025-12-01", end="2025-12-31") == []
    refused = api.get("/api/v1/events/export/", {"start": "2026-02-30", "end": "2026-03-01"})
    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["start"]
