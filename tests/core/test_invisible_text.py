"""A required name made only of invisible characters (zero-width, bidi controls) is
blank: refused with 400 naming the field, never saved as an empty name."""

from __future__ import annotations

import pytest

from crm.activities.models import CalendarEvent, Task
from crm.customers.models import Customer
from crm.office.models import Announcement
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

INVISIBLE = "\u200b\u200d\u202e\ufeff"


@pytest.mark.parametrize(
    ("url", "body", "field", "model"),
    [
        ("/api/v1/tasks/", {"title": INVISIBLE}, "title", Task),
        (
            "/api/v1/events/",
            {"title": INVISIBLE, "start": "2026-02-02T09:00:00+08:00"},
            "title",
            CalendarEvent,
        ),
        ("/api/v1/announcements/", {"title": INVISIBLE}, "title", Announcement),
        ("/api/v1/customers/", {"name": INVISIBLE, "kind": "company"}, "name", Customer),
    ],
)
def test_an_invisible_only_name_is_blank(admin, url, body, field, model):
    before = model.objects.count()
    response = client_for(admin).post(url + "?lang=en", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["fields"][field] == ["This field may not be blank."]
    assert model.objects.count() == before


def test_an_invisible_only_cancel_reason_is_missing(admin):
    api = client_for(admin)
    task = api.post("/api/v1/tasks/", {"title": "\u200b回访\u200b客户"}, format="json").json()
    assert task["title"] == "回访客户"  # visible text around them is kept, cleaned
    response = api.post(
        f"/api/v1/tasks/{task['id']}/transitions/cancel/?lang=en",
        {"reason": "\u200b"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "guard_failed"
    assert Task.objects.get(pk=task["id"]).status == "open"
