"""Preferences: a user's channels per event kind over the company default; quiet hours
hold SMS and robots until 08:00 Asia/Shanghai; escalations may go through."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from crm.messaging import preferences, services
from crm.messaging.models import Delivery
from tests.conftest import client_for, make_user

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_my_preferences_over_the_company_default(admin):
    rep = make_user(admin, "销售代表")
    api = client_for(rep)
    mine = api.get("/api/v1/me/notification-preferences/").json()
    assert mine["reminder"] == ["in_app", "email"] and set(mine) >= {"escalation", "mention"}
    # The company default changes everyone who has not chosen; only channel admins set it.
    assert (
        api.put(
            "/api/v1/notification-preferences/default/", {"reminder": ["in_app"]}, format="json"
        ).status_code
        == 403
    )
    answer = client_for(admin).put(
        "/api/v1/notification-preferences/default/", {"reminder": ["in_app"]}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["reminder"] == ["in_app"]
    assert api.get("/api/v1/me/notification-preferences/").json()["reminder"] == ["in_app"]
    answer = api.put(
        "/api/v1/me/notification-preferences/", {"reminder": ["wecom", "in_app"]}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["reminder"] == ["wecom", "in_app"]
    assert answer.json()["approval"] == ["in_app", "email"]
    # Another user keeps the company default.
    assert preferences.preferences_of(admin)["reminder"] == ["in_app"]
    bad = api.put("/api/v1/me/notification-preferences/", {"reminder": ["pigeon"]}, format="json")
    assert bad.status_code == 400 and "reminder" in bad.json()["fields"]


@pytest.mark.django_db
def test_a_body_that_is_not_an_object_is_refused_not_read_as_nothing(admin):
    from crm.messaging.models import NotificationPreference

    api = client_for(admin)
    message = "Send an object: each event kind with the list of its channel kinds."
    for url in (
        "/api/v1/me/notification-preferences/?lang=en",
        "/api/v1/notification-preferences/default/?lang=en",
    ):
        for body in (["in_app"], [{"reminder": ["in_app"]}], "reminder", 3, None):
            raw = json.dumps(body)
            answer = api.generic("PUT", url, raw, content_type="application/json")
            assert answer.status_code == 400, (url, body, answer.content)
            assert answer.json()["fields"] == {"non_field_errors": [message]}
            assert answer.json()["detail"] == message
    assert not NotificationPreference.objects.exists()


@pytest.mark.django_db
def test_quiet_hours_hold_sms_and_robots_until_eight(admin):
    tenant = admin.tenant
    night = dt.datetime(2026, 3, 2, 22, 30, tzinfo=SH)
    early = dt.datetime(2026, 3, 3, 7, 59, tzinfo=SH)
    day = dt.datetime(2026, 3, 3, 8, 0, tzinfo=SH)
    morning = dt.datetime(2026, 3, 3, 8, 0, tzinfo=SH)
    assert preferences.hold_until(tenant, "sms", "reminder", night) == morning
    assert preferences.hold_until(tenant, "wecom", "reminder", early) == morning
    assert preferences.hold_until(tenant, "sms", "reminder", day) is None
    assert preferences.hold_until(tenant, "email", "reminder", night) is None
    assert preferences.hold_until(tenant, "sms", "escalation", night) == morning
    tenant.settings["messaging_escalations_bypass_quiet"] = 1
    tenant.save(update_fields=["settings"])
    assert preferences.hold_until(tenant, "sms", "escalation", night) is None
    assert preferences.hold_until(tenant, "sms", "reminder", night) == morning


@pytest.mark.django_db
def test_dispatch_follows_the_preference_and_holds_robots_at_night(admin, recorder):
    rep = make_user(admin, "销售代表")
    channel = services.channel_create(
        tenant=admin.tenant, actor=admin, kind="wecom", name="群", endpoint=recorder.url, secret="K"
    )
    preferences.preferences_set(user=rep, tenant=admin.tenant, values={"reminder": ["wecom"]})
    tomorrow = dt.datetime.now(SH).date() + dt.timedelta(days=1)
    night = dt.datetime.combine(tomorrow, dt.time(23, 0), tzinfo=SH)
    (held,) = preferences.dispatch(
        user=rep, event="reminder", title="线索超期", body="请跟进", now=night
    )
    morning = dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time(8, 0), tzinfo=SH)
    assert held.channel == channel and held.next_attempt_at == morning
    (now,) = preferences.dispatch(user=rep, event="reminder", title="线索超期", body="请跟进")
    due = now.next_attempt_at
    assert due <= dt.datetime.now(SH) or due.astimezone(SH).hour == 8
    assert services.deliver(held.pk) == services.RETRY  # not before the morning
    assert recorder.requests == []
    # Nobody chose e-mail channels the company has not configured: nothing queued.
    assert preferences.dispatch(user=rep, event="approval", title="t", body="b") == []
    assert Delivery.objects.filter(recipient_user=rep).count() == 2
