"""Service reports: SLA per severity and breaches per owner, follow-up completion per
owner, average satisfaction; periods, data scope and permissions."""

from __future__ import annotations

import pytest

from crm.reports import selectors as reports
from tests.conftest import client_for, make_user
from tests.service.helpers import move, new_complaint, new_followup, sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaints(sla, admin, agent, leader, customer, clock):
    """Five complaints with known outcomes (see each comment)."""
    c1 = new_complaint(admin, customer, owner=agent)  # on time twice
    c2 = new_complaint(admin, customer, owner=agent)  # acknowledged late
    c3 = new_complaint(admin, customer, owner=leader, severity="critical")  # resolved late
    c5 = new_complaint(admin, customer, owner=agent, severity="low")  # never acknowledged
    clock.set(sh(2026, 9, 30, 16, 30))
    move(c1, "acknowledge", agent)
    move(c3, "acknowledge", leader)
    clock.set(sh(2026, 10, 8, 12))
    move(c2, "acknowledge", agent)
    clock.set(sh(2026, 10, 8, 14))
    for c in (c1, c2):
        move(move(c, "investigate", agent), "resolve", agent, resolution="已处理")
    clock.set(sh(2026, 10, 8, 17))
    move(move(c3, "investigate", leader), "resolve", leader, resolution="已处理")
    clock.set(sh(2026, 10, 9, 17))
    c4 = new_complaint(admin, customer, owner=agent, received_at=sh(2026, 10, 9, 17))  # open
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5}


def by_severity(report) -> dict:
    return {row["severity"]: row for row in report["severities"]}


def test_sla_report(complaints, admin, agent, leader):
    report = reports.sla_report(user=admin, now=sh(2026, 10, 9, 18))
    rows = by_severity(report)
    assert [r["severity"] for r in report["severities"]] == ["critical", "high", "normal", "low"]
    pick = (
        "count",
        "acknowledge_due",
        "acknowledged_on_time",
        "acknowledge_on_time_rate",
        "resolve_due",
        "resolved_on_time",
        "resolve_on_time_rate",
        "breached",
    )
    assert {k: rows["normal"][k] for k in pick} == {
        "count": 3,
        "acknowledge_due": 2,  # c4 is still inside its clock
        "acknowledged_on_time": 1,
        "acknowledge_on_time_rate": "50.00",
        "resolve_due": 2,
        "resolved_on_time": 2,
        "resolve_on_time_rate": "100.00",
        "breached": 1,
    }
    assert {k: rows["critical"][k] for k in pick} == {
        "count": 1,
        "acknowledge_due": 1,
        "acknowledged_on_time": 1,
        "acknowledge_on_time_rate": "100.00",
        "resolve_due": 1,
        "resolved_on_time": 0,
        "resolve_on_time_rate": "0.00",
        "breached": 1,
    }
    assert (rows["low"]["acknowledge_on_time_rate"], rows["low"]["resolve_on_time_rate"]) == (
        "0.00",
        None,
    )
    assert rows["high"]["count"] == 0 and rows["high"]["acknowledge_on_time_rate"] is None
    totals = report["totals"]
    assert (totals["count"], totals["open"], totals["breached"]) == (5, 2, 2)
    assert totals["acknowledge_on_time_rate"] == "50.00"  # 2 of 4
    assert totals["resolve_on_time_rate"] == "66.67"  # 2 of 3
    assert {r["owner_name"]: r for r in report["breaches_by_owner"]} == {
        "钱客服": {
            "owner": agent.pk,
            "owner_name": "钱客服",
            "acknowledge": 1,
            "resolve": 0,
            "escalated": 0,
            "total": 1,
        },
        "赵主管": {
            "owner": leader.pk,
            "owner_name": "赵主管",
            "acknowledge": 0,
            "resolve": 1,
            "escalated": 0,
            "total": 1,
        },
    }


def test_sla_report_through_the_api_with_a_period(complaints, admin, agent, clock):
    clock.set(sh(2026, 10, 9, 18))
    api = client_for(agent)
    body = api.get("/api/v1/reports/sla/").json()
    assert body["totals"]["count"] == 5
    assert body["totals"]["acknowledge_on_time_rate"] == "50.00"
    one_day = api.get("/api/v1/reports/sla/?from=2026-10-09&to=2026-10-09").json()
    assert one_day["totals"]["count"] == 1  # c4
    assert one_day["period"] == {
        "from": "2026-10-09T00:00:00+08:00",
        "to": "2026-10-10T00:00:00+08:00",
    }
    assert (
        api.get("/api/v1/reports/sla/?from=2026-10-01&to=2026-10-08").json()["totals"]["count"] == 0
    )
    bad = api.get("/api/v1/reports/sla/?from=2026-13-01&to=soon")
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"from", "to"}
    backwards = api.get("/api/v1/reports/sla/?from=2026-10-09&to=2026-10-01")
    assert list(backwards.json()["fields"]) == ["to"]


def test_report_permissions(admin, rep, sales_team):
    assert client_for(rep).get("/api/v1/reports/sla/").status_code == 403
    assert client_for(sales_team.leader).get("/api/v1/reports/sla/").status_code == 200
    for path in ("sla", "follow-ups", "satisfaction"):
        assert client_for(admin).get(f"/api/v1/reports/{path}/").status_code == 200
        assert client_for(None).get(f"/api/v1/reports/{path}/").status_code == 401


def test_followup_completion_per_owner(sla, admin, agent, leader, customer, clock):
    f = [new_followup(admin, owner=agent, customer=customer) for _ in range(4)]
    move(f[0], "complete", agent, outcome="完成")
    move(f[1], "miss", agent)
    move(f[2], "cancel", agent)
    done_by_leader = new_followup(admin, owner=leader, customer=customer)
    move(done_by_leader, "complete", leader, outcome="完成")
    report = reports.followup_report(user=admin)
    assert report["owners"] == [
        {
            "owner": agent.pk,
            "owner_name": "钱客服",
            "total": 4,
            "planned": 1,
            "done": 1,
            "missed": 1,
            "cancelled": 1,
            "completion_rate": "50.00",
        },
        {
            "owner": leader.pk,
            "owner_name": "赵主管",
            "total": 1,
            "planned": 0,
            "done": 1,
            "missed": 0,
            "cancelled": 0,
            "completion_rate": "100.00",
        },
    ]
    assert report["totals"]["completion_rate"] == "66.67"


def test_followup_report_follows_the_data_scope(sla, admin, rep, sales_team, customer, clock):
    from crm.customers.services import customer_create

    mine = customer_create(tenant=admin.tenant, actor=rep, name="我的客户")
    move(new_followup(admin, owner=rep, customer=mine), "miss", rep)
    new_followup(admin, owner=admin, customer=customer)
    other_rep = make_user(admin, "销售代表")
    new_followup(admin, owner=other_rep, customer=customer)
    manager = sales_team.leader
    team_view = client_for(manager).get("/api/v1/reports/follow-ups/").json()
    assert [o["owner"] for o in team_view["owners"]] == [rep.pk]  # own team only
    everyone = client_for(admin).get("/api/v1/reports/follow-ups/").json()
    assert everyone["totals"]["total"] == 3


def test_average_satisfaction(sla, admin, agent, leader, customer, clock):
    for owner, score in ((agent, 5), (agent, 4), (leader, 2)):
        visit = new_followup(admin, owner=owner, customer=customer, kind="return_visit")
        move(visit, "complete", owner, outcome="回访", satisfaction=score)
    unscored = new_followup(admin, owner=agent, customer=customer)  # a plain follow-up
    move(unscored, "complete", agent, outcome="跟进")
    report = reports.satisfaction_report(user=admin)
    assert (report["count"], report["average"]) == (3, "3.67")
    assert report["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert report["owners"] == [
        {"owner": agent.pk, "owner_name": "钱客服", "count": 2, "average": "4.50"},
        {"owner": leader.pk, "owner_name": "赵主管", "count": 1, "average": "2.00"},
    ]
    api = client_for(agent)
    assert api.get("/api/v1/reports/satisfaction/?from=2026-10-01").json()["count"] == 0
    assert api.get("/api/v1/reports/satisfaction/?to=2026-09-30").json()["average"] == "3.67"
