"""Activities on any record, and the record timeline: every kind of entry, newest
first, paginated, in a query count independent of the rows, under the record's own
permission code and data scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.activities.services import activity_create
from crm.activities.services.events import event_create
from crm.activities.services.tasks import task_create
from crm.core.registries import register_timeline_source, timeline_sources
from tests.activities.helpers import move
from tests.conftest import client_for, make_user
from tests.sales import factories as f

pytestmark = pytest.mark.django_db


def test_activities_point_at_contacts_opportunities_contracts_and_complaints(rep):
    api = client_for(rep)
    cust = f.customer(rep)
    person = f.contact(cust, rep)
    opp = f.opportunity(rep, cust=cust)
    deal = f.contract(rep, cust=cust)
    for field, pk in (("contact", person.pk), ("opportunity", opp.pk), ("contract", deal.pk)):
        response = api.post(
            "/api/v1/activities/", {"kind": "visit", "subject": "拜访", field: pk}, format="json"
        )
        assert response.status_code == 201, response.content
        assert response.json()[field] == pk
        listed = api.get("/api/v1/activities/", {field: pk}).json()
        assert [a[field] for a in listed["results"]] == [pk]
    # No record at all: 400 naming the link fields.
    empty = api.post("/api/v1/activities/", {"kind": "call", "subject": "空"}, format="json")
    assert empty.status_code == 400 and "contract" in empty.json()["fields"]


def test_timeline_of_a_customer_newest_first_and_paginated(rep, sales_team):
    cust = f.customer(rep)
    activity_create(
        tenant=rep.tenant,
        actor=rep,
        kind="call",
        subject="首次电话",
        customer=cust,
        occurred_at=timezone.now() - dt.timedelta(days=3),
    )
    task = task_create(tenant=rep.tenant, actor=rep, title="发资料", customer=cust)
    move(task, "complete", rep)
    event_create(
        tenant=rep.tenant,
        actor=rep,
        title="上门演示",
        customer=cust,
        start=timezone.now() + dt.timedelta(days=2),
    )
    api = client_for(rep)
    response = api.get("/api/v1/timeline/", {"customer": cust.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    kinds = [e["kind"] for e in body["results"]]
    assert {"activity", "task", "event", "change"} <= set(kinds)
    moments = [e["at"] for e in body["results"]]
    assert moments == sorted(moments, reverse=True)
    assert body["results"][0]["kind"] == "event"  # two days ahead: the newest moment
    assert body["results"][-1]["title"] == "首次电话"  # three days ago: the oldest
    # Pages cut the same merged list.
    first = api.get("/api/v1/timeline/", {"customer": cust.pk, "page_size": 2}).json()
    second = api.get(first["next"]).json()
    assert first["count"] == body["count"] == len(body["results"])
    assert [e["title"] for e in first["results"] + second["results"]] == [
        e["title"] for e in body["results"][:4]
    ]
    assert second["previous"] is not None


def test_timeline_refuses_without_the_record_or_its_scope(admin, rep, other_admin):
    cust = f.customer(rep)
    outsider = make_user(admin, "销售代表", name="别组")
    assert client_for(outsider).get("/api/v1/timeline/", {"customer": cust.pk}).status_code == 404
    foreign = client_for(other_admin).get("/api/v1/timeline/", {"customer": cust.pk})
    assert foreign.status_code == 404
    api = client_for(rep)
    bad = api.get("/api/v1/timeline/", {"customer": "x"})
    assert bad.status_code == 400 and "customer" in bad.json()["fields"]
    two = api.get("/api/v1/timeline/", {"customer": cust.pk, "lead": 1})
    assert two.status_code == 400
    assert api.get("/api/v1/timeline/", {"customer": cust.pk, "page_size": 500}).status_code == 400


def _queries(client, cust) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/timeline/", {"customer": cust.pk})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_timeline_query_count_does_not_grow_with_the_rows(rep):
    cust = f.customer(rep)
    api = client_for(rep)

    def add(n):
        for i in range(n):
            activity_create(
                tenant=rep.tenant, actor=rep, kind="call", subject=f"电话{i}", customer=cust
            )
            task = task_create(tenant=rep.tenant, actor=rep, title=f"任务{i}", customer=cust)
            move(task, "start", rep)
            event_create(
                tenant=rep.tenant,
                actor=rep,
                title=f"日程{i}",
                customer=cust,
                start=timezone.now() + dt.timedelta(days=i),
            )

    add(1)
    few = _queries(api, cust)
    add(12)
    assert _queries(api, cust) == few
    assert few <= 20


def test_other_apps_add_entries_through_the_registry(rep):
    cust = f.customer(rep)
    before = dict(timeline_sources())

    def attachments(field, record, limit):
        entry = {
            "kind": "attachment",
            "id": 1,
            "at": timezone.now(),
            "title": "合同扫描件.pdf",
            "actor": None,
        }
        return ([entry], 1) if field == "customer" else ([], 0)

    register_timeline_source("test_attachments", attachments)
    try:
        body = client_for(rep).get("/api/v1/timeline/", {"customer": cust.pk}).json()
        assert body["results"][0]["kind"] == "attachment"
    finally:
        from crm.core import registries

        registries._timeline_sources.pop("test_attachments")
    assert dict(timeline_sources()) == before
