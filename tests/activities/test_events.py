"""Calendar events: recurrence expanded for a range (Asia/Shanghai, across a month
boundary), range queries, team calendars, and reminders to the owner and every
invitee, rescheduled by a move and delivered once by a real worker."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from crm.activities.models import CalendarEvent
from crm.activities.recurrence import next_start, occurrences
from crm.activities.services.events import event_create
from crm.core.models import User
from tasks.scheduler import tick
from tests.activities.helpers import move, titles
from tests.conftest import client_for, make_user
from workflows.event import STARTING_RULE
from workflows.models import Reminder

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def series(**kwargs) -> CalendarEvent:
    defaults = {"title": "周会", "start": at(2026, 1, 28, 9, 30), "end": at(2026, 1, 28, 10, 30)}
    return CalendarEvent(**{**defaults, **kwargs})


def test_weekly_series_across_a_month_boundary_keeps_the_local_time():
    event = series(recurrence="weekly")
    found = occurrences(event, at(2026, 1, 26), at(2026, 2, 16))
    assert [(s.astimezone(SH), e.astimezone(SH)) for s, e in found] == [
        (at(2026, 1, 28, 9, 30), at(2026, 1, 28, 10, 30)),
        (at(2026, 2, 4, 9, 30), at(2026, 2, 4, 10, 30)),
        (at(2026, 2, 11, 9, 30), at(2026, 2, 11, 10, 30)),
    ]
    # 09:30 in Shanghai is 01:30 UTC, all year (no daylight saving).
    assert {s.astimezone(dt.UTC).hour for s, _e in found} == {1}


def test_daily_count_monthly_clamp_until_and_interval():
    daily = series(recurrence="daily", recurrence_count=5, start=at(2026, 1, 30, 23, 0), end=None)
    starts = [
        s.astimezone(SH).date() for s, _e in occurrences(daily, at(2026, 1, 1), at(2026, 3, 1))
    ]
    assert starts == [
        dt.date(2026, 1, 30),
        dt.date(2026, 1, 31),
        *(dt.date(2026, 2, d) for d in (1, 2, 3)),
    ]

    monthly = series(recurrence="monthly", start=at(2026, 1, 31, 14, 0), end=at(2026, 1, 31, 15, 0))
    starts = [
        s.astimezone(SH).date() for s, _e in occurrences(monthly, at(2026, 2, 1), at(2026, 5, 1))
    ]
    assert starts == [dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30)]

    fortnightly = series(
        recurrence="weekly", recurrence_interval=2, recurrence_until=dt.date(2026, 3, 1)
    )
    starts = [
        s.astimezone(SH).date()
        for s, _e in occurrences(fortnightly, at(2026, 1, 1), at(2026, 6, 1))
    ]
    assert starts == [dt.date(2026, 1, 28), dt.date(2026, 2, 11), dt.date(2026, 2, 25)]
    # The range is [start, end): an occurrence still going on at the start is in it.
    assert len(occurrences(series(), at(2026, 1, 28, 10, 0), at(2026, 1, 28, 11, 0))) == 1
    assert next_start(series(recurrence="weekly"), after=at(2026, 2, 1)) == at(2026, 2, 4, 9, 30)


def test_range_query_lists_each_occurrence_with_its_series(rep):
    api = client_for(rep)
    weekly = api.post(
        "/api/v1/events/",
        {
            "title": "周会",
            "start": "2026-01-28T09:30:00+08:00",
            "end": "2026-01-28T10:30:00+08:00",
            "recurrence": "weekly",
            "recurrence_count": 10,
        },
        format="json",
    ).json()
    once = api.post(
        "/api/v1/events/",
        {"title": "拜访客户", "start": "2026-02-02T14:00:00+08:00", "location": "徐汇"},
        format="json",
    ).json()
    api.post("/api/v1/events/", {"title": "三月的事", "start": "2026-03-20T14:00:00+08:00"})

    response = api.get("/api/v1/events/", {"start": "2026-01-26", "end": "2026-02-08"})
    assert response.status_code == 200, response.content
    body = response.json()
    rows = [(r["series"], r["occurrence_start"]) for r in body["results"]]
    assert rows == [
        (weekly["id"], "2026-01-28T09:30:00+08:00"),
        (once["id"], "2026-02-02T14:00:00+08:00"),
        (weekly["id"], "2026-02-04T09:30:00+08:00"),
    ]
    assert (
        body["count"] == 3 and body["results"][2]["occurrence_end"] == "2026-02-04T10:30:00+08:00"
    )
    # Half a range, a reversed or a too long one: 400 naming the field.
    assert "end" in api.get("/api/v1/events/", {"start": "2026-01-26"}).json()["fields"]
    bad = api.get("/api/v1/events/", {"start": "2026-02-08", "end": "2026-01-26"})
    assert bad.status_code == 400 and "end" in bad.json()["fields"]
    assert api.get("/api/v1/events/", {"start": "x", "end": "2026-01-26"}).status_code == 400


def test_end_before_start_and_until_with_count_are_refused(rep):
    api = client_for(rep)
    response = api.post(
        "/api/v1/events/",
        {"title": "错", "start": "2026-02-02T14:00:00+08:00", "end": "2026-02-02T13:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 400 and "end" in response.json()["fields"]
    response = api.post(
        "/api/v1/events/",
        {
            "title": "错",
            "start": "2026-02-02T14:00:00+08:00",
            "recurrence": "daily",
            "recurrence_until": "2026-03-01",
            "recurrence_count": 3,
        },
        format="json",
    )
    assert response.status_code == 400 and "recurrence_count" in response.json()["fields"]


def test_team_calendar_for_a_leader_and_invitees_see_the_event(admin, rep, sales_team):
    leader = sales_team.leader
    outsider = make_user(admin, "销售代表", name="别组")
    start = timezone.now() + dt.timedelta(days=1)
    mine = event_create(tenant=admin.tenant, actor=rep, title="拜访", start=start)
    invited = event_create(
        tenant=admin.tenant, actor=outsider, title="联合拜访", start=start, invitees=[rep]
    )
    alone = event_create(tenant=admin.tenant, actor=outsider, title="自己的", start=start)

    def ids(user, **params):
        response = client_for(user).get("/api/v1/events/", params)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    # A team's calendar: events of its members, and those inviting them (the admin sees
    # all); the leader's team scope hides an outsider's event that invites a member.
    assert ids(admin, team=sales_team.pk) == {mine.pk, invited.pk}
    assert ids(leader, team=sales_team.pk) == {mine.pk}
    assert ids(rep) == {mine.pk, invited.pk}
    # The data scope applies to a team query too: the outsider sees only their own rows.
    assert ids(outsider, team=sales_team.pk) == {invited.pk}
    assert alone.pk not in ids(leader)
    assert client_for(leader).get("/api/v1/events/", {"team": "x"}).status_code == 400


def test_moving_an_event_reschedules_its_reminders_for_everyone(admin, rep, sales_team):
    leader = sales_team.leader
    start = timezone.now() + dt.timedelta(days=1)
    api = client_for(rep)
    event = api.post(
        "/api/v1/events/",
        {
            "title": "评审",
            "start": start.isoformat(),
            "invitees": [leader.pk],
            "remind_minutes": 30,
        },
        format="json",
    ).json()
    pending = Reminder.objects.filter(object_id=event["id"], rule=STARTING_RULE, status="pending")
    assert sorted(pending.values_list("recipient_id", flat=True)) == sorted([rep.pk, leader.pk])
    assert {r.due_at for r in pending} == {start - dt.timedelta(minutes=30)}

    moved = start + dt.timedelta(hours=3)
    response = api.patch(
        f"/api/v1/events/{event['id']}/", {"start": moved.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.content
    assert {r.due_at for r in pending.all()} == {moved - dt.timedelta(minutes=30)}
    assert pending.count() == 2
    # Cancelling the event cancels them.
    move(CalendarEvent.objects.get(pk=event["id"]), "cancel", rep)
    assert not pending.all().exists()


@pytest.mark.django_db(transaction=True)
def test_reminders_delivered_once_to_owner_and_invitees(worker):
    from tests.conftest import make_company

    admin = make_company()
    owner = make_user(admin, "销售代表", name="主人")
    guest = make_user(admin, "销售代表", name="客人")
    User.objects.filter(pk__in=[owner.pk, guest.pk]).update(language="en")
    start = timezone.now() + dt.timedelta(minutes=10)  # inside the default 15 minutes
    event = event_create(
        tenant=admin.tenant, actor=owner, title="Demo", start=start, invitees=[guest]
    )
    # A cancelled event reminds nobody.
    dropped = event_create(tenant=admin.tenant, actor=owner, title="Dropped", start=start)
    move(dropped, "cancel", owner)
    now = timezone.now() + dt.timedelta(seconds=2)
    for _ in range(2):
        tick(now=now)
        worker.drain()
    expected = [f"“Demo” starts at {timezone.localtime(start):%m-%d %H:%M}"]
    assert titles(owner) == expected and titles(guest) == expected
    assert set(Reminder.objects.filter(object_id=event.pk).values_list("status", flat=True)) == {
        "sent"
    }


@pytest.mark.django_db(transaction=True)
def test_a_recurring_event_reminds_of_the_next_occurrence_after_each(worker):
    from tests.conftest import make_company

    admin = make_company()
    start = timezone.now() + dt.timedelta(minutes=5)
    event = event_create(
        tenant=admin.tenant, actor=admin, title="Standup", start=start, recurrence="daily"
    )
    now = timezone.now() + dt.timedelta(seconds=2)
    for _ in range(2):
        tick(now=now)
        worker.drain()
    assert len(titles(admin)) == 1
    (following,) = Reminder.objects.filter(object_id=event.pk, status="pending")
    assert following.due_at == start + dt.timedelta(days=1) - dt.timedelta(minutes=15)
    assert following.recipient_id == admin.pk
