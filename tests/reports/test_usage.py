"""``GET /api/v1/reports/usage/``: the figures equal counts taken straight from the
logs, the cost does not grow with the rows, bad periods answer 400."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from crm.activities import services as activity_services
from crm.core.models import AuditEntry
from crm.customers import services as customer_services
from crm.reports.models import SignIn
from tests.conftest import PASSWORD, client_for, make_user
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db


def _sign_in(user) -> APIClient:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def _work(admin, rep, n: int) -> None:
    for i in range(n):
        lead = customer_services.lead_create(
            tenant=admin.tenant, actor=rep, company_name=f"用量线索{i}"
        )
        activity_services.activity_create(
            tenant=admin.tenant, actor=rep, kind="call", subject="电话", lead=lead
        )


def test_usage_equals_the_raw_counts(api, admin, tenant, sales_team, other_admin):
    rep = make_user(admin, "销售代表", team=sales_team)
    _sign_in(rep)
    _sign_in(admin)
    _sign_in(other_admin)  # another company's sign-in is not counted
    _work(admin, rep, 3)
    customer_services.customer_create(tenant=tenant, actor=admin, name="用量客户")
    # Yesterday: an older sign-in of the rep only.
    old = SignIn.objects.create(tenant=tenant, user=rep, method="session")
    yesterday = timezone.now() - dt.timedelta(days=1)
    SignIn.objects.filter(pk=old.pk).update(created_at=yesterday)

    today = timezone.localdate()
    response = api.get(f"/api/v1/reports/usage/?start={today - dt.timedelta(days=6)}&end={today}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["days"]) == 7
    by_day = {d["date"]: d for d in body["days"]}
    now = by_day[str(today)]

    audit = AuditEntry.objects.filter(tenant=tenant, created_at__date=today)
    trans = TransitionLog.objects.filter(tenant=tenant, created_at__date=today)
    raw_active = (
        set(audit.values_list("actor_id", flat=True))
        | set(trans.values_list("actor_id", flat=True))
        | set(
            SignIn.objects.filter(tenant=tenant, created_at__date=today).values_list(
                "user_id", flat=True
            )
        )
    ) - {None}
    assert now["active_users"] == len(raw_active) == 2
    assert (
        now["sign_ins"] == SignIn.objects.filter(tenant=tenant, created_at__date=today).count() == 2
    )
    # The report's days are the company's local days (Asia/Shanghai, the default time
    # zone), not UTC ones: ``yesterday.date()`` would be two local days back from
    # 16:00 to 24:00 UTC.
    local_yesterday = str(timezone.localdate(yesterday))
    assert by_day[local_yesterday]["sign_ins"] == 1
    assert by_day[local_yesterday]["active_users"] == 1
    assert sum(now["actions"].values()) == audit.count() + trans.count()
    assert (
        now["actions"]["activities"]
        == audit.filter(content_type__app_label="activities").count()
        + trans.filter(content_type__app_label="activities").count()
    )
    created = AuditEntry.objects.filter(tenant=tenant, action="create")
    assert (
        body["created"]["customers"]
        == created.filter(content_type__app_label="customers").count()
        == 4
    )
    assert body["created"]["activities"] == 3
    assert body["sign_ins"] == 3
    assert body["active_users"] == 2
    assert body["weeks"] and sum(1 for w in body["weeks"] if w["active_users"]) >= 1
    assert body["storage"]["files"] == 0 and body["storage"]["quota_bytes"] > 0
    assert {m["key"] for m in body["modules"]} >= {"customers", "activities"}


def test_the_cost_does_not_grow_with_the_rows(api, admin, sales_team):
    rep = make_user(admin, "销售代表", team=sales_team)
    _work(admin, rep, 2)
    with CaptureQueriesContext(connection) as few:
        assert api.get("/api/v1/reports/usage/").status_code == 200
    _work(admin, rep, 25)
    for _ in range(5):
        _sign_in(rep)
    with CaptureQueriesContext(connection) as many:
        assert api.get("/api/v1/reports/usage/").status_code == 200
    assert len(many) == len(few) <= 15


def test_bad_periods_and_rights(api, admin, sales_team):
    for query, field in (
        ("start=2026-13-01", "start"),
        ("end=yesterday", "end"),
        ("start=2026-05-02&end=2026-05-01", "start"),
        ("start=2020-01-01&end=2026-01-01", "end"),
    ):
        response = api.get(f"/api/v1/reports/usage/?{query}")
        assert response.status_code == 400 and field in response.json()["fields"], query
    rep = make_user(admin, "销售代表", team=sales_team)
    assert client_for(rep).get("/api/v1/reports/usage/").status_code == 403
