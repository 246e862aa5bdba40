"""A lead import applies the assignment rules to new rows without an owner, unless
the upload opts out (``apply_assignment_rules=false``): then the importer owns them."""

from __future__ import annotations

import pytest

from crm.customers.models import Lead
from tests.imports.helpers import csv_bytes, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule_to_rep(api, rep):
    response = api.post(
        "/api/v1/assignment-rules/",
        {"name": "全部给代表", "strategy": "user", "user": rep.pk},
        format="json",
    )
    assert response.status_code == 201, response.content


def _file(prefix: str) -> bytes:
    return csv_bytes(
        [["公司名称", "联系人", "手机"]]
        + [[f"{prefix}公司{i}", "张三", f"1380000{prefix}{i:03d}"] for i in range(3)]
    )


def test_the_rules_apply_by_default(api, admin, rep, rule_to_rep):
    job = run(api, _file("1"), name="leads.csv", resource="leads")
    assert job["status"] == "succeeded", job
    owners = set(
        Lead.objects.filter(company_name__startswith="1公司").values_list("owner", flat=True)
    )
    assert owners == {rep.pk}


def test_an_import_may_opt_out(api, admin, rep, rule_to_rep):
    job = run(api, _file("2"), name="leads.csv", resource="leads", apply_assignment_rules="false")
    assert job["status"] == "succeeded", job
    owners = set(
        Lead.objects.filter(company_name__startswith="2公司").values_list("owner", flat=True)
    )
    assert owners == {admin.pk}


def test_an_import_attributes_leads_to_a_campaign_by_name(api, admin):
    from crm.marketing.campaigns import campaign_create

    campaign = campaign_create(tenant=admin.tenant, actor=admin, name="春季战役")
    rows = [["公司名称", "手机", "战役"], ["战役公司", "13811112222", "春季战役"]]
    job = run(api, csv_bytes(rows), name="leads.csv", resource="leads")
    assert job["status"] == "succeeded", (job["errors"], job.get("result"))
    assert Lead.objects.get(company_name="战役公司").campaign_id == campaign.pk
    bad = [["公司名称", "手机", "战役"], ["别的公司", "13811113333", "没有这个战役"]]
    job = run(api, csv_bytes(bad), name="leads.csv", resource="leads")
    assert job["status"] != "succeeded"
    assert "没有这个战役" in str(job["errors"])
    assert not Lead.objects.filter(company_name="别的公司").exists()
