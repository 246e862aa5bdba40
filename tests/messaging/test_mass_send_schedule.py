"""A mass send is scheduled only for a moment in the future: a past (or present) one
would be started by the scheduler's next pass, at once, without the confirmation
"Send now" asks for. Refused with 400 naming ``scheduled_at`` on create, on edit and
in the schedule step; nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.messaging.massing import tick
from crm.messaging.models import MassSend
from tests.conftest import client_for
from tests.messaging.audience import group_with_contacts
from tests.messaging.test_mass_sends import _sms, _template

MESSAGE = "Choose a time in the future; to send at once use Send now."


def _iso(delta: dt.timedelta) -> str:
    return (timezone.now() + delta).isoformat()


@pytest.fixture
def setup(admin):
    api = client_for(admin)
    channel = _sms(admin, "http://127.0.0.1:9")
    template = _template(api).json()
    group, _contacts = group_with_contacts(admin, 2)
    body = {
        "name": "会员日",
        "channel": channel.pk,
        "template": template["id"],
        "audience": "group",
        "group_id": group.pk,
    }
    return api, body


def _refused(answer) -> None:
    assert answer.status_code == 400, answer.content
    assert answer.json()["fields"]["scheduled_at"] == [MESSAGE]


@pytest.mark.django_db
def test_a_past_time_is_refused_on_create(setup):
    api, body = setup
    for delta in (dt.timedelta(hours=-1), dt.timedelta(seconds=-1)):
        answer = api.post(
            "/api/v1/mass-sends/?lang=en", {**body, "scheduled_at": _iso(delta)}, format="json"
        )
        _refused(answer)
    assert not MassSend.objects.exists()
    later = api.post(
        "/api/v1/mass-sends/", {**body, "scheduled_at": _iso(dt.timedelta(days=1))}, format="json"
    )
    assert later.status_code == 201, later.content


@pytest.mark.django_db
def test_the_schedule_step_refuses_a_past_time_or_none(setup):
    api, body = setup
    pk = api.post("/api/v1/mass-sends/", body, format="json").json()["id"]
    url = f"/api/v1/mass-sends/{pk}/transitions/schedule/?lang=en"

    # No time: it used to mean "now", i.e. sent by the scheduler's next pass.
    _refused(api.post(url, {}, format="json"))
    _refused(api.post(url, {"scheduled_at": _iso(dt.timedelta(minutes=-5))}, format="json"))
    # A draft keeping a time that has passed since (saved earlier) is not scheduled by it.
    MassSend.objects.filter(pk=pk).update(scheduled_at=timezone.now() - dt.timedelta(hours=2))
    _refused(api.post(url, {}, format="json"))
    send = MassSend.objects.get(pk=pk)
    assert send.status == "draft" and send.version == 1
    assert tick()["started"] == 0

    future = timezone.now() + dt.timedelta(days=1)
    ok = api.post(url, {"scheduled_at": future.isoformat()}, format="json")
    assert ok.status_code == 200, ok.content
    send.refresh_from_db()
    assert send.status == "scheduled" and send.scheduled_at == future
    assert tick()["started"] == 0


@pytest.mark.django_db
def test_a_scheduled_send_is_not_moved_into_the_past_by_an_edit(setup):
    api, body = setup
    future = timezone.now() + dt.timedelta(days=1)
    pk = api.post(
        "/api/v1/mass-sends/", {**body, "scheduled_at": future.isoformat()}, format="json"
    ).json()["id"]
    step = api.post(f"/api/v1/mass-sends/{pk}/transitions/schedule/", {}, format="json")
    assert step.status_code == 200, step.content
    url = f"/api/v1/mass-sends/{pk}/?lang=en"

    _refused(api.patch(url, {"scheduled_at": _iso(dt.timedelta(hours=-1))}, format="json"))
    # Cleared, a scheduled send would never start.
    _refused(api.patch(url, {"scheduled_at": None}, format="json"))
    send = MassSend.objects.get(pk=pk)
    assert (send.status, send.scheduled_at) == ("scheduled", future)
    assert tick()["started"] == 0

    later = future + dt.timedelta(hours=3)
    moved = api.patch(url, {"scheduled_at": later.isoformat(), "name": "改期"}, format="json")
    assert moved.status_code == 200, moved.content
    assert MassSend.objects.get(pk=pk).scheduled_at == later


@pytest.mark.django_db
def test_a_draft_keeping_an_old_time_is_still_edited(setup):
    """The form sends every field: a draft's old time, sent again unchanged, does not
    stop an edit of its name (the schedule step checks the time)."""
    api, body = setup
    pk = api.post("/api/v1/mass-sends/", body, format="json").json()["id"]
    old = timezone.now() - dt.timedelta(days=2)
    MassSend.objects.filter(pk=pk).update(scheduled_at=old)
    url = f"/api/v1/mass-sends/{pk}/?lang=en"
    edited = api.patch(url, {"name": "改名", "scheduled_at": old.isoformat()}, format="json")
    assert edited.status_code == 200, edited.content
    _refused(api.patch(url, {"scheduled_at": _iso(dt.timedelta(hours=-1))}, format="json"))
