"""Issue 4's "done when", as one story through the real API and a real worker:

A complaint received on the last workday before National Day 2026 gets its
deadlines after the holiday, escalates on breach to the service lead and then to
the managers, is resolved, gets a return visit with a score and is closed; an
overdue follow-up becomes missed and is rescheduled; the SLA report shows the
breach.
"""

from __future__ import annotations

import pytest

from crm.activities.models import Notification
from tasks import scheduler
from tests.conftest import client_for
from tests.service.helpers import HOUR, sh

pytestmark = pytest.mark.django_db(transaction=True)


def tick(worker, at):
    result = scheduler.tick(now=at)
    worker.drain()
    return result


def titles(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("title", flat=True)
    )


def test_done_when(sla, admin, agent, leader, manager, customer, contact, clock, worker):
    api = client_for(agent)

    # Wednesday 30 Sep 2026, 16:00: a complaint arrives by phone (normal: ack 4 h, resolve 16 h).
    response = api.post(
        "/api/v1/complaints/",
        {
            "customer": customer.pk,
            "contact": contact.pk,
            "channel": "phone",
            "severity": "normal",
            "category": "product",
            "description": "到货的设备外壳破损",
            "owner": agent.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    complaint = response.json()
    cid = complaint["id"]
    assert complaint["status"] == "received"
    assert complaint["received_at"] == "2026-09-30T16:00:00+08:00"
    # 16:00-18:00, then the National Day week off: due Thursday 8 Oct, 11:00.
    assert complaint["acknowledge_due_at"] == "2026-10-08T11:00:00+08:00"
    assert complaint["resolve_due_at"] is None
    assert complaint["breached"] is False

    # Nobody acknowledges it. Warning at 10:00, breach at 11:00, managers at 14:30.
    for at in (sh(2026, 10, 8, 10), sh(2026, 10, 8, 11), sh(2026, 10, 8, 14, 30)):
        clock.set(at)
        assert tick(worker, at) == {"due": 1, "stale": 0}
    assert len(titles(agent)) == 1
    assert len(titles(leader)) == 1
    assert len(titles(admin)) == 1 and len(titles(manager)) == 1
    assert titles(leader)[0] == titles(admin)[0]  # the same breach, told up the ladder
    detail = api.get(f"/api/v1/complaints/{cid}/").json()
    assert detail["breached"] is True
    assert [(b["kind"], b["due_at"]) for b in detail["breaches"]] == [
        ("acknowledge", "2026-10-08T11:00:00+08:00")
    ]
    assert detail["breaches"][0]["escalated_at"] == "2026-10-08T14:30:00+08:00"

    # Acknowledged at 15:00; investigation; resolved on Friday 9 Oct before its deadline.
    clock.set(sh(2026, 10, 8, 15))
    moved = api.post(f"/api/v1/complaints/{cid}/transitions/acknowledge/", {}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["resolve_due_at"] == "2026-10-09T17:00:00+08:00"
    assert (
        api.post(f"/api/v1/complaints/{cid}/transitions/investigate/", {}, format="json").json()[
            "status"
        ]
        == "investigating"
    )
    clock.set(sh(2026, 10, 9, 11))
    moved = api.post(
        f"/api/v1/complaints/{cid}/transitions/resolve/",
        {"resolution": "已补发新设备并上门致歉"},
        format="json",
    )
    assert moved.json()["status"] == "resolved"
    assert tick(worker, sh(2026, 10, 12, 9))["due"] == 0  # the resolve ladder stopped

    # Closing needs the return visit first.
    blocked = api.post(f"/api/v1/complaints/{cid}/transitions/close/", {}, format="json")
    assert blocked.status_code == 400
    assert blocked.json()["code"] == "guard_failed"
    visit = api.post(
        "/api/v1/follow-ups/",
        {"complaint": cid, "kind": "return_visit", "due_at": "2026-10-12T10:00:00+08:00"},
        format="json",
    ).json()
    clock.set(sh(2026, 10, 12, 10))
    done = api.post(
        f"/api/v1/follow-ups/{visit['id']}/transitions/complete/",
        {"outcome": "客户对处理结果满意", "satisfaction": 5},
        format="json",
    )
    assert (done.json()["status"], done.json()["satisfaction"]) == ("done", 5)
    closed = api.post(f"/api/v1/complaints/{cid}/transitions/close/", {}, format="json")
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"

    # An overdue follow-up becomes missed (due Mon 12 Oct 14:00 + 24 h grace) and is rescheduled.
    followup = api.post(
        "/api/v1/follow-ups/",
        {
            "customer": customer.pk,
            "subject": "确认新设备运行",
            "due_at": "2026-10-12T14:00:00+08:00",
        },
        format="json",
    ).json()
    missed_at = sh(2026, 10, 13, 14)
    clock.set(missed_at)
    assert tick(worker, missed_at - HOUR)["due"] == 1  # the due-soon reminder (12 Oct 12:00)
    assert tick(worker, missed_at)["due"] == 1
    after = api.get(f"/api/v1/follow-ups/{followup['id']}/").json()
    assert after["status"] == "missed"
    assert [t["name"] for t in after["transitions"]] == ["reschedule"]
    assert titles(leader)[-1] == "钱客服 的跟进“确认新设备运行”已逾期"
    rescheduled = api.post(
        f"/api/v1/follow-ups/{followup['id']}/transitions/reschedule/",
        {"due_at": "2026-10-14T10:00:00+08:00", "comment": "客户出差"},
        format="json",
    )
    assert rescheduled.status_code == 200, rescheduled.content
    assert (rescheduled.json()["status"], rescheduled.json()["due_at"]) == (
        "planned",
        "2026-10-14T10:00:00+08:00",
    )

    # The SLA report shows the breach.
    report = api.get("/api/v1/reports/sla/?from=2026-09-01&to=2026-10-31").json()
    assert report["totals"]["count"] == 1
    assert report["totals"]["breached"] == 1
    assert report["totals"]["acknowledge_on_time_rate"] == "0.00"
    assert report["totals"]["resolve_on_time_rate"] == "100.00"
    assert report["breaches_by_owner"] == [
        {
            "owner": agent.pk,
            "owner_name": "钱客服",
            "acknowledge": 1,
            "resolve": 0,
            "escalated": 1,
            "total": 1,
        }
    ]
    satisfaction = api.get("/api/v1/reports/satisfaction/").json()
    assert (satisfaction["count"], satisfaction["average"]) == (1, "5.00")
    followups = api.get("/api/v1/reports/follow-ups/").json()
    assert followups["totals"]["done"] == 1
