"""A list's selection (issue 20 item 9): delete with its consequences told first
(a dry run: how many go, which are refused and why), and export of only the
selected rows."""

from __future__ import annotations

import csv
import io

import pytest

from crm.customers.models import Customer, Lead
from tests.conftest import client_for
from tests.sales import factories as f

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_dry_run_tells_the_consequences_and_deletes_nothing(admin, rep):
    plain = [f.customer(admin, name=f"可删客户{i}") for i in range(2)]
    used = f.customer(admin, name="有商机的客户")
    f.opportunity(admin, cust=used)
    api = client_for(admin)
    api.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    ids = [c.pk for c in [*plain, used]]
    preview = api.post(
        "/api/v1/customers/bulk-delete/", {"ids": ids, "dry_run": True}, format="json"
    )
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["dry_run"] is True and body["deleted"] == 2
    [refused] = body["refused"]
    assert refused["id"] == used.pk and refused["name"] == "有商机的客户"
    assert refused["code"] == "protected"
    assert refused["blockers"] == [{"model": "销售机会", "count": 1}]
    assert "销售机会" in refused["detail"]
    # Nothing went, no trail of the preview.
    assert Customer.objects.filter(pk__in=ids).count() == 3
    from crm.core.models import AuditEntry

    assert not AuditEntry.objects.filter(action="delete", object_id__in=ids).exists()

    done = api.post("/api/v1/customers/bulk-delete/", {"ids": ids}, format="json").json()
    assert done["dry_run"] is False and done["deleted"] == 2
    assert [r["id"] for r in done["refused"]] == [used.pk]
    assert list(Customer.objects.filter(pk__in=ids).values_list("pk", flat=True)) == [used.pk]
    assert AuditEntry.objects.filter(action="delete", object_id__in=ids).count() == 2


def test_bulk_delete_needs_the_delete_right_and_sees_only_the_scope(admin, rep, other_admin):
    mine = f.customer(rep, name="代表的客户")
    api = client_for(rep)
    refused = api.post("/api/v1/customers/bulk-delete/", {"ids": [mine.pk]}, format="json")
    if rep.has_code("customers.delete"):
        assert refused.status_code == 200
    else:
        assert refused.status_code == 403
    foreign = f.customer(other_admin, name="别家的客户")
    unknown = client_for(admin).post(
        "/api/v1/customers/bulk-delete/", {"ids": [foreign.pk]}, format="json"
    )
    assert unknown.status_code == 400 and "ids" in unknown.json()["fields"]
    assert Customer.objects.filter(pk=foreign.pk).exists()
    # Bad input names the field.
    for body in ({"ids": ["x"]}, {}, {"ids": list(range(1, 300))}):
        answer = client_for(admin).post("/api/v1/customers/bulk-delete/", body, format="json")
        assert answer.status_code == 400 and "ids" in answer.json()["fields"], body


def test_leads_bulk_delete(admin):
    api = client_for(admin)
    ids = [
        api.post("/api/v1/leads/", {"company_name": f"线索公司{i}"}, format="json").json()["id"]
        for i in range(2)
    ]
    done = api.post("/api/v1/leads/bulk-delete/", {"ids": ids}, format="json").json()
    assert done["deleted"] == 2 and not Lead.objects.filter(pk__in=ids).exists()


def test_export_of_the_selection_only(admin, other_admin):
    rows = [f.customer(admin, name=f"导出客户{i}") for i in range(3)]
    api = client_for(admin)
    picked = f"{rows[0].pk},{rows[2].pk}"
    table = _csv(api.get(f"/api/v1/customers/export/?file_format=csv&ids={picked}"))
    names = {cell for row in table[1:] for cell in row}
    assert "导出客户0" in names and "导出客户2" in names and "导出客户1" not in names
    assert len(table) == 3  # the header and the two rows
    # The selection still obeys the list's filters and the company.
    filtered = _csv(
        api.get(f"/api/v1/customers/export/?file_format=csv&ids={picked}&search=导出客户0")
    )
    assert len(filtered) == 2
    theirs = _csv(
        client_for(other_admin).get(f"/api/v1/customers/export/?file_format=csv&ids={picked}")
    )
    assert len(theirs) == 1
    for bad in ("x", "1,,a", ",".join(["1"] * 1001)):
        answer = api.get(f"/api/v1/customers/export/?file_format=csv&ids={bad}")
        assert answer.status_code == 400 and "ids" in answer.json()["fields"], bad
