"""Imports put no opportunity or contract on a customer in the public pool.

An admin's scope ("all") finds the pool's customers by code or name, so the
import let a new opportunity or contract onto one; the services refuse it for
everyone ("claim it first", ``check_claimed``), and so does the import: a row
error on the customer column the row used. A record already on a customer
since returned to the pool re-imports (the services keep that link too).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from crm.customers.models import Customer
from crm.customers.services import customer_create
from crm.sales.models import Contract, Opportunity
from tests.imports.helpers import csv_bytes, run
from tests.sales import factories as f
from workflows.engine import transition

pytestmark = pytest.mark.django_db

MESSAGE = "This record is in the public pool: claim it first."


def in_pool_message(job_language: str = "zh-hans") -> str:
    with translation.override(job_language):
        return gettext(MESSAGE)


def _release(customer, actor) -> Customer:
    return transition(
        model=Customer,
        pk=customer.pk,
        name="release",
        tenant=customer.tenant,
        actor=actor,
        inputs={"reason": "闲置"},
    )


@pytest.fixture
def customers(tenant, admin, rep):
    """An owned customer and one in the public pool, both with codes."""
    owned = customer_create(tenant=tenant, actor=admin, name="北京华信科技有限公司", code="KH001")
    pooled = customer_create(tenant=tenant, actor=rep, name="公海客户有限公司", code="KH900")
    return owned, pooled


def _errors(job) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in job["errors"]]


def test_an_admin_imports_no_new_opportunity_onto_a_pool_customer(api, tenant, rep, customers):
    owned, pooled = customers
    kept = f.opportunity(rep, cust=pooled, name="早就有的项目", amount="100.00")
    _release(pooled, rep)
    rows = [
        ["客户编号", "客户名称", "机会名称", "预计金额"],
        ["KH001", "", "华信项目", "100"],  # row 2: fine
        ["KH900", "", "公海项目", "100"],  # row 3: pool customer, by code
        ["", "公海客户有限公司", "公海项目二", "100"],  # row 4: by name
        ["KH900", "", "早就有的项目", "200"],  # row 5: already on it: an update
    ]
    job = run(api, csv_bytes(rows), resource="opportunities", on_error="skip", name="o.csv")
    assert job["totals"] == {"rows": 4, "new": 1, "updated": 1, "unchanged": 0, "invalid": 2}
    message = in_pool_message()
    assert _errors(job) == [(3, "客户编号", message), (4, "客户名称", message)]
    assert set(Opportunity.objects.filter(tenant=tenant).values_list("name", "customer")) == {
        ("华信项目", owned.pk),
        ("早就有的项目", pooled.pk),
    }
    kept.refresh_from_db()
    assert str(kept.amount) == "200.00"

    # on_error=abort: the pool row aborts the whole file, as other row errors do.
    rows = [rows[0], ["KH001", "", "另一个项目", "100"], ["KH900", "", "公海项目", "100"]]
    job = run(api, csv_bytes(rows), resource="opportunities", name="o.csv")
    assert job["status"] == "failed"
    assert _errors(job) == [(3, "客户编号", message)]
    assert not Opportunity.objects.filter(tenant=tenant, name="另一个项目").exists()


def test_an_admin_imports_no_contract_onto_a_pool_customer(api, tenant, admin, rep, customers):
    owned, pooled = customers
    old = f.contract(rep, cust=pooled)  # a draft, its customer since returned to the pool
    moved = f.contract(rep, cust=owned)
    _release(pooled, rep)
    rows = [
        ["合同编号", "客户编号", "客户名称", "合同名称"],
        ["H-1", "KH001", "", "新合同"],  # row 2: fine
        ["H-2", "KH900", "", "新合同"],  # row 3: new contract, pool customer by code
        ["H-3", "", "公海客户有限公司", "新合同"],  # row 4: by name
        [old.number, "KH900", "", "改了名称"],  # row 5: already on it: an update
        [moved.number, "KH900", "", "改了名称"],  # row 6: moved onto the pool customer
    ]
    job = run(api, csv_bytes(rows), resource="contracts", on_error="skip", name="c.csv")
    assert job["totals"] == {"rows": 5, "new": 1, "updated": 1, "unchanged": 0, "invalid": 3}, job
    message = in_pool_message()
    assert _errors(job) == [
        (3, "客户编号", message),
        (4, "客户名称", message),
        (6, "客户编号", message),
    ]
    assert not Contract.objects.filter(tenant=tenant, number__in=["H-2", "H-3"]).exists()
    old.refresh_from_db()
    assert old.title == "改了名称" and old.customer_id == pooled.pk
    moved.refresh_from_db()
    assert moved.customer_id == owned.pk and moved.title != "改了名称"

    rows = [rows[0], ["H-9", "KH001", "", "新合同"], ["H-10", "KH900", "", "新合同"]]
    job = run(api, csv_bytes(rows), resource="contracts", name="c.csv")
    assert job["status"] == "failed"
    assert _errors(job) == [(3, "客户编号", message)]
    assert not Contract.objects.filter(tenant=tenant, number="H-9").exists()


def test_the_pool_check_reads_owners_in_the_customer_look_up(tenant, admin, customers):
    """No query per row: the owners come with the customers' bulk look-up."""
    from crm.imports.plan import PlannedRow
    from crm.imports.resources import ImportContext
    from crm.sales.resources import ContractResource, OpportunityResource

    _release(customers[1], admin)
    ctx = ImportContext(tenant=tenant, actor=admin)

    def planned(n: int, resource) -> list[PlannedRow]:
        rows = []
        for i in range(n):
            row = PlannedRow(number=i + 2, cells=[])
            row.virtual = {"customer_code": "KH900" if i % 2 else "KH001"}
            row.values = {"name": f"项目{i}", "number": f"N-{i}"}
            rows.append(row)
        return rows

    for resource in (OpportunityResource, ContractResource):
        counts = []
        for n in (2, 20):
            rows = planned(n, resource)
            with CaptureQueriesContext(connection) as queries:
                resource.prepare_chunk(ctx, rows)
            counts.append(len(queries))
            assert [r.number for r in rows if r.errors] == [i + 2 for i in range(1, n, 2)]
        assert counts[0] == counts[1], (resource, counts)
