"""Inputs that were read loosely answer a 400 naming what was sent:

- the views' own true/false flags (``?mine=``, ``?given=``, ``?to_review=``,
  ``?unread=``) read like the boolean filters: 1/0, yes/no, true/false in any case;
  another word was a silent false and answered every row;
- a date range's bad end is named as sent (``due_at_after``), not as the filter
  (``due_at``) no request carries;
- an unknown key of the company settings or of the personal settings answered 200
  and changed nothing.
"""

from __future__ import annotations

import pytest

from crm.activities.services.tasks import task_create
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

SEND_TRUE_OR_FALSE = ["Send true or false."]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/tasks/", "mine"),
        ("/api/v1/tasks/", "given"),
        ("/api/v1/events/", "mine"),
        ("/api/v1/plans/", "mine"),
        ("/api/v1/plans/", "to_review"),
        ("/api/v1/notifications/", "unread"),
    ],
)
def test_a_view_flag_refuses_other_words(admin, url, name):
    response = client_for(admin).get(url, {name: "maybe", "lang": "en"})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == {name: SEND_TRUE_OR_FALSE}


@pytest.mark.parametrize(("value", "expect"), [("TRUE", "mine"), ("Yes", "mine"), ("no", "all")])
def test_mine_reads_the_same_words_as_the_boolean_filters(admin, value, expect):
    rep = make_user(admin, "销售代表", name="代表")
    own = task_create(tenant=admin.tenant, actor=admin, title="自己的")
    given = task_create(tenant=admin.tenant, actor=admin, title="交给代表", assignee=rep)
    rows = client_for(admin).get("/api/v1/tasks/", {"mine": value}).json()["results"]
    wanted = {own.pk} if expect == "mine" else {own.pk, given.pk}
    assert {row["id"] for row in rows} == wanted


@pytest.mark.parametrize(
    ("url", "params", "named"),
    [
        ("/api/v1/tasks/", {"due_at_after": "garbage"}, "due_at_after"),
        (
            "/api/v1/tasks/",
            {"due_at_after": "2026-01-01T00:00:00+08:00", "due_at_before": "x"},
            "due_at_before",
        ),
        ("/api/v1/customers/", {"created_at_after": "x"}, "created_at_after"),
        ("/api/v1/customers/export/", {"created_at_before": "x"}, "created_at_before"),
        ("/api/v1/contracts/", {"end_date_after": "2026-13-45"}, "end_date_after"),
    ],
)
def test_a_bad_range_end_is_named_as_sent(admin, url, params, named):
    response = client_for(admin).get(url, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [named]
    assert body["fields"][named] and all(body["fields"][named])


def test_a_range_end_out_of_utc_range_is_named_as_sent(admin):
    # Parsed fine, but past year 9999 once moved to UTC.
    response = client_for(admin).get(
        "/api/v1/activities/", {"occurred_at_before": "9999-12-31T23:00:00-05:00"}
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["occurred_at_before"]


def test_company_settings_refuse_unknown_keys_and_write_nothing(admin):
    api = client_for(admin)
    before = api.get("/api/v1/settings/").json()
    assert "pool_idle_days" in before and "bogus" not in before
    changed = 20 if before["pool_idle_days"] != 20 else 21

    bogus = api.patch("/api/v1/settings/?lang=en", {"bogus": 1}, format="json")
    assert bogus.status_code == 400, bogus.content
    assert bogus.json()["fields"] == {"bogus": ["Unknown setting."]}

    mixed = api.patch(
        "/api/v1/settings/?lang=en",
        {"pool_idle_days": changed, "bogus": 1, "also_bogus": 2},
        format="json",
    )
    assert mixed.status_code == 400, mixed.content
    assert mixed.json()["fields"] == {
        "also_bogus": ["Unknown setting."],
        "bogus": ["Unknown setting."],
    }
    admin.tenant.refresh_from_db()
    assert admin.tenant.setting("pool_idle_days") == before["pool_idle_days"]
    assert "bogus" not in (admin.tenant.settings or {})

    # A bad known value and an unknown key: both named.
    both = api.patch(
        "/api/v1/settings/?lang=en", {"pool_idle_days": 99999, "bogus": 1}, format="json"
    )
    assert both.status_code == 400, both.content
    assert set(both.json()["fields"]) == {"pool_idle_days", "bogus"}

    ok = api.patch("/api/v1/settings/", {"pool_idle_days": changed}, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["pool_idle_days"] == changed


def test_personal_settings_refuse_unknown_keys_and_write_nothing(admin):
    api = client_for(admin)
    bogus = api.patch(
        "/api/v1/me/?lang=en", {"full_name": "改过的名字", "pagesize": 50}, format="json"
    )
    assert bogus.status_code == 400, bogus.content
    assert bogus.json()["fields"] == {"pagesize": ["Unknown field."]}
    admin.refresh_from_db()
    assert admin.full_name != "改过的名字"

    ok = api.patch("/api/v1/me/", {"full_name": "改过的名字"}, format="json")
    assert ok.status_code == 200, ok.content
    admin.refresh_from_db()
    assert admin.full_name == "改过的名字"
