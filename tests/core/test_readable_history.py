"""History people can read (issue 20 item 7): field labels, names instead of ids,
choice labels instead of codes, amounts as ¥1,234.00, the import job named, newest
first with ties broken by id; refusal reasons write amounts the same way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from crm.core.models import AuditEntry
from crm.core.money_format import money_text
from crm.core.services import dictionary_create
from crm.customers.models import Customer
from tests.conftest import client_for, make_user
from tests.imports.helpers import csv_bytes, run
from tests.imports.test_imports import customer_rows
from tests.sales import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(sales_team):
    return sales_team.leader


def zh(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


def _lines(entry) -> dict:
    return {line["field"]: line for line in entry["lines"]}


def test_money_text():
    assert money_text("1234") == "¥1,234.00"
    assert money_text("-1234567.005") == "-¥1,234,567.01"
    assert money_text(None) == "¥0.00"


def test_a_field_change_reads_with_labels_names_and_choice_labels(admin, rep):
    industry = dictionary_create(
        tenant=admin.tenant, actor=admin, kind="industry", code="mfg-x", label="精密制造"
    )
    api = zh(admin)
    created = api.post(
        "/api/v1/customers/", {"name": "北京读史科技", "owner": admin.pk}, format="json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    changed = api.patch(
        f"/api/v1/customers/{pk}/",
        {"industry": industry.pk, "kind": "person", "owner": rep.pk},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    history = api.get(f"/api/v1/customers/{pk}/history/").json()
    update = next(e for e in history if e["action"] == "update")
    lines = _lines(update)
    assert lines["industry"] == {
        "field": "industry",
        "label": "行业",
        "old": "—",
        "new": "精密制造",
    }
    with translation.override("zh-hans"):
        kinds = (str(Customer.Kind.COMPANY.label), str(Customer.Kind.PERSON.label))
    assert (lines["kind"]["old"], lines["kind"]["new"]) == kinds
    assert kinds[1] == "个人"
    assert lines["owner"]["label"] == "负责人"
    assert lines["owner"]["new"] == rep.display_name
    assert lines["owner"]["old"] == admin.display_name
    # No id or code leaks into what people read.
    shown = " ".join(f"{v['old']} {v['new']}" for v in update["lines"])
    assert str(industry.pk) not in shown and "person" not in shown
    # The creation lists values (no "old"), the same way.
    create = next(e for e in history if e["action"] == "create")
    assert _lines(create)["name"] == {
        "field": "name",
        "label": "名称",
        "old": None,
        "new": "北京读史科技",
    }
    # The record timeline shows the same lines.
    timeline = api.get("/api/v1/timeline/", {"customer": pk}).json()["results"]
    change = next(e for e in timeline if e["kind"] == "change" and e["title"] == "update")
    assert _lines(change)["industry"]["new"] == "精密制造"
    # So does the audit browser.
    ct = ContentType.objects.get_for_model(Customer)
    audit = api.get("/api/v1/audit/", {"model": "customers.customer", "object_id": pk}).json()
    row = next(r for r in audit["results"] if r["action"] == "update")
    assert _lines(row)["owner"]["new"] == rep.display_name
    assert ct.pk  # the filter above named the model by app label


def test_amounts_read_as_money_in_history(admin, rep):
    opp = f.opportunity(rep, amount="1234.00")
    api = zh(admin)
    changed = api.patch(f"/api/v1/opportunities/{opp.pk}/", {"amount": "1234567.80"}, format="json")
    assert changed.status_code == 200, changed.content
    history = api.get(f"/api/v1/opportunities/{opp.pk}/history/").json()
    update = next(e for e in history if e["action"] == "update")
    amount = _lines(update)["amount"]
    assert (amount["old"], amount["new"]) == ("¥1,234.00", "¥1,234,567.80")


def test_an_imported_change_names_its_job(api, admin, tenant):
    job = run(api, csv_bytes(customer_rows(1)))
    ct = ContentType.objects.get_for_model(Customer)
    entry = AuditEntry.objects.get(tenant=tenant, action="import", content_type=ct)
    history = zh(admin).get(f"/api/v1/customers/{entry.object_id}/history/").json()
    imported = next(e for e in history if e["action"] == "import")
    assert imported["job"] == job["id"]
    lines = _lines(imported)
    assert "import_job" not in lines  # bookkeeping, not a line
    assert lines["industry"]["new"] == "制造业"  # the dictionary label, not its id


def test_history_is_strictly_newest_first_with_ties_by_id(admin):
    cust = f.customer(admin, name="同一时刻")
    api = zh(admin)
    for remark in ("一", "二", "三"):
        assert (
            api.patch(
                f"/api/v1/customers/{cust.pk}/", {"remark": remark}, format="json"
            ).status_code
            == 200
        )
    same = timezone.now() - dt.timedelta(minutes=5)
    ct = ContentType.objects.get_for_model(Customer)
    AuditEntry.objects.filter(content_type=ct, object_id=cust.pk).update(created_at=same)
    history = api.get(f"/api/v1/customers/{cust.pk}/history/").json()
    remarks = [_lines(e)["remark"]["new"] for e in history if e["action"] == "update"]
    assert remarks == ["三", "二", "一"]
    ids = [e["id"] for e in history]
    assert ids == sorted(ids, reverse=True)
    timeline = api.get("/api/v1/timeline/", {"customer": cust.pk}).json()["results"]
    assert [_lines(e)["remark"]["new"] for e in timeline if e["title"] == "update"] == [
        "三",
        "二",
        "一",
    ]


def test_readable_lines_do_not_add_queries_per_entry(admin):
    users = [make_user(admin, "销售代表", name=f"员工甲{i}") for i in range(2)]
    cust = f.customer(admin, name="查询计数")
    api = zh(admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(f"/api/v1/customers/{cust.pk}/history/").status_code == 200
        return len(ctx.captured_queries)

    api.patch(f"/api/v1/customers/{cust.pk}/", {"owner": users[0].pk}, format="json")
    few = count()
    for user in [*users, *users]:
        api.patch(f"/api/v1/customers/{cust.pk}/", {"owner": user.pk}, format="json")
    assert count() == few


def test_a_guard_reason_writes_amounts_as_money(rep, manager):
    active = f.active_contract(rep, manager, amount="10000.00")
    first = f.payment(active, rep, "6000.00")
    over = f.payment(active, rep, "6000.00")
    f.move(first, "confirm", rep)
    detail = zh(rep).get(f"/api/v1/payments/{over.pk}/").json()
    confirm = {t["name"]: t for t in detail["transitions"]}["confirm"]
    assert confirm["allowed"] is False
    assert any("¥6,000.00" in r and "¥4,000.00" in r for r in confirm["reasons"]), confirm


def test_a_document_with_lines_and_plan_reads(rep, manager):
    contract = f.contract(rep, amount="2000.00")
    api = zh(rep)
    history = api.get(f"/api/v1/contracts/{contract.pk}/history/")
    assert history.status_code == 200, history.content
    for entry in history.json():
        for line in entry.get("lines", []):
            assert line["label"] and line["new"] is not None
