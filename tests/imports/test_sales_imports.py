"""Imports of products, opportunities, contracts and payment plans (API and admin).

Each resource: UTF-8 and GBK files with Chinese headers, an idempotent
re-import, row errors with the file's row numbers, the states an import may
(not) set, frozen documents left untouched, and the list exports re-importing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings

from crm.core.models import AuditEntry, DictionaryItem, User
from crm.core.search import build_search_key
from crm.customers import services as customer_services
from crm.imports.models import ImportRecord
from crm.sales import services as sales_services
from crm.sales.models import Contract, Installment, Opportunity, Product
from tests.imports.helpers import admin_import, csv_bytes, read_xlsx, run
from tests.imports.test_admin import WITH_IMPORT_EXPORT
from tests.sales import factories as f
from workflows.models import Reminder

pytestmark = pytest.mark.django_db

D = Decimal
FROZEN_ZH = "此记录已确认，不能再修改。"  # Frozen.default_detail in Chinese


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def errors_of(job) -> list[tuple[int, str]]:
    return [(e["row"], e["column"]) for e in job["errors"]]


@pytest.fixture
def customers(tenant, admin):
    """Two customers of the tenant, with codes."""
    make = customer_services.customer_create
    return (
        make(tenant=tenant, actor=admin, name="北京华信科技有限公司", code="KH001"),
        make(tenant=tenant, actor=admin, name="上海云图数据有限公司", code="KH002"),
    )


# --- products -------------------------------------------------------------------------

PRODUCT_ROWS = [
    ["产品编号", "产品名称", "单位", "单价", "是否启用"],
    ["CRM-STD", "CRM 标准版", "套", "￥2,000.00", "是"],
    ["CRM-PRO", "CRM 专业版", "套", "5000", "否"],
    ["SVC-01", "实施服务", "人天", "１２００.５", ""],
]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_products_import_in_utf8_and_gbk_and_reimport_unchanged(api, tenant, encoding):
    content = csv_bytes(PRODUCT_ROWS, encoding=encoding)
    job = run(api, content, resource="products", name="products.csv")
    assert job["status"] == "succeeded", job
    assert job["totals"] == {"rows": 3, "new": 3, "updated": 0, "unchanged": 0, "invalid": 0}
    assert job["result"]["encoding"] in ({"gbk": "gb18030"}.get(encoding, "utf-8"), encoding)
    std = Product.objects.get(tenant=tenant, code="CRM-STD")
    assert (std.name, std.unit, std.price, std.active) == ("CRM 标准版", "套", D("2000.00"), True)
    assert Product.objects.get(tenant=tenant, code="CRM-PRO").active is False
    assert Product.objects.get(tenant=tenant, code="SVC-01").price == D("1200.50")
    svc = Product.objects.get(tenant=tenant, code="SVC-01")
    assert svc.search_key == build_search_key("实施服务", "SVC-01")  # as product_create

    again = run(api, content, resource="products", name="products.csv")
    assert again["totals"] == {"rows": 3, "new": 0, "updated": 0, "unchanged": 3, "invalid": 0}
    assert set(Product.objects.filter(tenant=tenant).values_list("version", flat=True)) == {1}


def test_products_by_name_without_a_code_english_headers_and_row_errors(api, tenant, admin):
    f.product(admin, code="OLD-1", name="旧产品", price="10.00")
    rows = [
        ["name", "code", "list price", "unit"],  # English names and labels are headers too
        ["旧产品", "", "12.00", "个"],  # row 2: updates OLD-1 found by its name
        ["新产品", "", "1", ""],  # row 3: a new product needs a code
        ["坏价格", "P-3", "12元x", ""],  # row 4
        ["负价格", "P-4", "-5", ""],  # row 5
        ["好产品", "P-5", "8.8", ""],  # row 6
    ]
    job = run(api, csv_bytes(rows), resource="products", on_error="skip", name="p.csv")
    assert job["totals"] == {"rows": 5, "new": 1, "updated": 1, "unchanged": 0, "invalid": 3}
    assert errors_of(job) == [(3, "code"), (4, "list price"), (5, "list price")]
    old = Product.objects.get(tenant=tenant, code="OLD-1")
    assert (old.price, old.unit, old.version) == (D("12.00"), "个", 2)
    assert Product.objects.get(tenant=tenant, code="P-5").price == D("8.80")


# --- opportunities --------------------------------------------------------------------


def opportunity_rows():
    return [
        ["客户编号", "客户名称", "机会名称", "预计金额", "阶段", "预计成交日期", "负责人", "来源"],
        ["KH001", "", "华信 CRM 项目", "120000", "初步接洽", "2026/6/30", "李销售", "官网"],
        ["", "上海云图数据有限公司", "云图数据平台", "80,000.00", "", "2026年7月1日", "", ""],
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_opportunities_import_at_the_initial_stage_with_reminders(
    api, tenant, admin, rep, customers, encoding
):
    content = csv_bytes(opportunity_rows(), encoding=encoding)
    job = run(api, content, resource="opportunities", name="opps.csv")
    assert job["status"] == "succeeded", job
    assert job["totals"] == {"rows": 2, "new": 2, "updated": 0, "unchanged": 0, "invalid": 0}
    first = Opportunity.objects.get(tenant=tenant, name="华信 CRM 项目")
    assert first.customer == customers[0] and first.owner == rep
    assert (first.status, first.amount) == ("initial", D("120000.00"))
    assert first.expected_close_date == dt.date(2026, 6, 30)
    assert first.source.code == "website" and first.stage_changed_at is not None
    assert first.search_key == build_search_key(first.name, customers[0].name)
    second = Opportunity.objects.get(tenant=tenant, name="云图数据平台")
    assert second.customer == customers[1] and second.owner == admin  # the importer
    # Like opportunity_create: the stage's reminders (idle, expected close date).
    ct = ContentType.objects.get_for_model(Opportunity)
    pending = Reminder.objects.filter(tenant=tenant, content_type=ct, status="pending")
    assert sorted(pending.filter(object_id=first.pk).values_list("rule", "recipient")) == [
        ("opportunity.close_date_passed", rep.pk),
        ("opportunity.idle", rep.pk),
    ]
    assert pending.count() == 4

    again = run(api, content, resource="opportunities", name="opps.csv")
    assert again["totals"] == {"rows": 2, "new": 0, "updated": 0, "unchanged": 2, "invalid": 0}
    assert pending.count() == 4  # nothing scheduled twice

    # A moved expected close date re-plans that reminder only.
    moved = opportunity_rows()[:2]
    moved[1][5] = "2026-08-31"
    changed = run(api, csv_bytes(moved), resource="opportunities", name="opps.csv")
    assert changed["totals"]["updated"] == 1
    close = pending.filter(object_id=first.pk, rule="opportunity.close_date_passed").get()
    assert close.due_at.date() == dt.date(2026, 9, 1)
    assert pending.count() == 4


def test_opportunity_row_errors_and_stages_an_import_may_not_set(api, tenant, rep, customers):
    rows = [
        ["客户编号", "机会名称", "金额", "阶段", "预计成交日期"],
        ["KH001", "好机会", "100", "", ""],  # row 2
        ["KH404", "找不到客户", "100", "", ""],  # row 3
        ["KH001", "坏金额", "一百", "", ""],  # row 4
        ["KH001", "坏日期", "100", "", "2026-02-30"],  # row 5
        ["KH001", "直接赢单", "100", "赢单", ""],  # row 6: won needs its guards
        ["KH001", "直接方案", "100", "proposal", ""],  # row 7
        ["KH001", "", "100", "", ""],  # row 8: name required
    ]
    job = run(api, csv_bytes(rows), resource="opportunities", name="o.csv")
    assert job["status"] == "failed"  # abort: nothing written
    assert errors_of(job) == [
        (3, "客户编号"),
        (4, "金额"),
        (5, "预计成交日期"),
        (6, "阶段"),
        (7, "阶段"),
        (8, "机会名称"),
    ]
    messages = {e["row"]: e["message"] for e in job["errors"]}
    assert "KH404" in messages[3]
    assert "初步接洽" in messages[6]  # translated: new ones start at the initial stage
    assert not Opportunity.objects.filter(tenant=tenant).exists()


def test_closed_opportunities_are_never_changed(api, tenant, admin, rep, customers):
    opp = f.opportunity(rep, cust=customers[0], name="丢单项目", amount="500.00")
    opp = f.move(opp, "lost", rep, reason="price")
    version = opp.version
    rows = [
        ["客户编号", "机会名称", "金额", "阶段"],
        ["KH001", "丢单项目", "999", ""],  # row 2: changes a lost opportunity
        ["KH001", "丢单项目2", "1", ""],  # row 3
    ]
    job = run(api, csv_bytes(rows), resource="opportunities", on_error="skip", name="o.csv")
    assert job["totals"] == {"rows": 2, "new": 1, "updated": 0, "unchanged": 0, "invalid": 1}
    assert job["errors"][0]["row"] == 2 and FROZEN_ZH in job["errors"][0]["message"]
    opp.refresh_from_db()
    assert (opp.amount, opp.status, opp.version) == (D("500.00"), "lost", version)

    # An export of the list re-imports: the lost one's stage is its own, nothing changes.
    exported = api.get("/api/v1/opportunities/export/?file_format=csv")
    assert exported.status_code == 200
    rows = csv_rows(exported)
    assert rows[0][:3] == ["客户编号", "客户名称", "机会名称"] and "阶段" in rows[0]
    assert any("输单" in row for row in rows[1:])
    back = run(api, csv_bytes(rows), resource="opportunities", name="e.csv")
    assert back["totals"] == {"rows": 2, "new": 0, "updated": 0, "unchanged": 2, "invalid": 0}


# --- contracts and payment plans -----------------------------------------------------


def contract_rows():
    return [
        [
            "合同编号",
            "客户编号",
            "合同名称",
            "合同金额",
            "签订日期",
            "开始日期",
            "结束日期",
            "负责人",
            "状态",
        ],
        [
            "HT-2023-001",
            "KH001",
            "华信 CRM 合同",
            "￥30,000.00",
            "2023/5/6",
            "2023-05-10",
            "2024年5月9日",
            "李销售",
            "草稿",
        ],
        ["HT000050", "KH002", "云图合同", "12000", "", "", "", "", ""],
    ]


def installment_rows():
    return [
        ["合同编号", "期数", "计划回款日期", "计划回款金额", "备注"],
        ["HT-2023-001", "第1期", "2023-06-30", "10000", "首付款"],
        ["HT-2023-001", "2", "2023/9/30", "20,000.00", "尾款"],
        ["HT000050", "1", "45291", "12000", ""],  # an Excel serial date (2023-12-31)
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_contracts_and_payment_plans_import_as_drafts(api, tenant, admin, rep, customers, encoding):
    job = run(api, csv_bytes(contract_rows(), encoding=encoding), resource="contracts")
    assert job["status"] == "succeeded", job
    assert job["totals"] == {"rows": 2, "new": 2, "updated": 0, "unchanged": 0, "invalid": 0}
    c = Contract.objects.get(tenant=tenant, number="HT-2023-001")
    assert (c.status, c.customer, c.owner, c.amount) == ("draft", customers[0], rep, D("30000"))
    assert (c.signed_on, c.start_date, c.end_date) == (
        dt.date(2023, 5, 6),
        dt.date(2023, 5, 10),
        dt.date(2024, 5, 9),
    )
    assert c.created_by == admin and c.title == "华信 CRM 合同"
    assert c.search_key == build_search_key(c.number, c.title, customers[0].name)

    plan = run(
        api,
        csv_bytes(installment_rows(), encoding=encoding),
        resource="contract-installments",
        name="plan.csv",
    )
    assert plan["status"] == "succeeded", plan
    assert plan["totals"] == {"rows": 3, "new": 3, "updated": 0, "unchanged": 0, "invalid": 0}
    assert list(c.installments.values_list("sequence", "due_date", "amount", "note")) == [
        (1, dt.date(2023, 6, 30), D("10000.00"), "首付款"),
        (2, dt.date(2023, 9, 30), D("20000.00"), "尾款"),
    ]
    other = Installment.objects.get(contract__number="HT000050")
    assert other.due_date == dt.date(2023, 12, 31)

    # Both files again: nothing new, nothing changed.
    again = run(api, csv_bytes(contract_rows(), encoding=encoding), resource="contracts")
    assert again["totals"] == {"rows": 2, "new": 0, "updated": 0, "unchanged": 2, "invalid": 0}
    plan_again = run(
        api,
        csv_bytes(installment_rows(), encoding=encoding),
        resource="contract-installments",
        name="plan.csv",
    )
    assert plan_again["totals"]["unchanged"] == 3 and plan_again["totals"]["new"] == 0

    # The imported HT000050 moved the numbering on: the app's next contract is HT000051.
    made = sales_services.contract_create(tenant=tenant, actor=admin, customer=customers[0])
    assert made.number == "HT000051"


def test_contract_row_errors_with_row_numbers(api, tenant, rep, customers):
    f.opportunity(rep, cust=customers[0], name="华信 CRM 项目")
    header = ["合同编号", "客户编号", "客户名称", "合同金额", "签订日期", "状态", "销售机会"]
    rows = [
        header,
        ["H-1", "KH001", "", "100", "2023-01-01", "", "华信 CRM 项目"],  # row 2: fine
        ["H-2", "KH999", "", "100", "", "", ""],  # row 3: unknown customer code
        ["H-3", "", "没有这家公司", "100", "", "", ""],  # row 4: unknown customer name
        ["H-4", "KH001", "", "壹佰", "", "", ""],  # row 5: bad amount
        ["H-5", "KH001", "", "100", "2023/02/30", "", ""],  # row 6: bad date
        ["H-6", "KH001", "", "100", "", "已生效（已签署）", ""],  # row 7: not a draft
        ["H-7", "KH001", "", "100", "", "", "别的项目"],  # row 8: unknown opportunity
        ["H-8", "", "", "100", "", "", ""],  # row 9: no customer at all
        ["", "KH001", "", "100", "", "", ""],  # row 10: the number is the key
        ["H-1", "KH002", "", "100", "", "", ""],  # row 11: H-1 again in this file
    ]
    job = run(api, csv_bytes(rows), resource="contracts", on_error="skip", name="c.csv")
    assert job["totals"] == {"rows": 10, "new": 1, "updated": 0, "unchanged": 0, "invalid": 9}
    assert errors_of(job) == [
        (3, "客户编号"),
        (4, "客户名称"),
        (5, "合同金额"),
        (6, "签订日期"),
        (7, "状态"),
        (8, "销售机会"),
        (9, "客户名称"),
        (10, "合同编号"),
        (11, "合同编号"),
    ]
    made = Contract.objects.get(tenant=tenant)
    assert made.number == "H-1" and made.opportunity.name == "华信 CRM 项目"

    plan = [
        ["合同编号", "期数", "计划回款日期", "计划回款金额"],
        ["H-1", "1", "2023-03-01", "100"],  # row 2
        ["H-404", "1", "2023-03-01", "100"],  # row 3: unknown contract
        ["H-1", "2", "2023-03-01", "0"],  # row 4: zero amount
        ["H-1", "3", "三月一日", "10"],  # row 5: bad date
        ["H-1", "零", "2023-03-01", "10"],  # row 6: bad installment number
    ]
    job = run(api, csv_bytes(plan), resource="contract-installments", on_error="skip")
    assert job["totals"]["new"] == 1 and job["totals"]["invalid"] == 4
    assert errors_of(job) == [
        (3, "合同编号"),
        (4, "计划回款金额"),
        (5, "计划回款日期"),
        (6, "期数"),
    ]


def test_a_signed_contract_is_never_changed_by_an_import(api, tenant, admin, rep, customers):
    signed = f.active_contract(
        rep, admin, cust=customers[0], amount="30000.00", plan=[(dt.date(2025, 3, 31), "30000")]
    )
    pending = f.move(f.contract(rep, cust=customers[1], amount="500.00"), "submit", rep)
    before = {c.pk: (c.amount, c.title, c.version, c.status) for c in (signed, pending)}
    audit_before = AuditEntry.objects.filter(tenant=tenant, action="import").count()
    rows = [
        ["合同编号", "客户编号", "合同名称", "合同金额"],
        [signed.number, "KH001", "改名", "1"],  # row 2: signed (active)
        [pending.number, "KH002", "改名", "1"],  # row 3: waiting for approval
        ["HT-NEW", "KH002", "新合同", "100"],  # row 4
    ]
    job = run(api, csv_bytes(rows), resource="contracts", on_error="skip", name="c.csv")
    assert job["totals"] == {"rows": 3, "new": 1, "updated": 0, "unchanged": 0, "invalid": 2}
    assert [e["row"] for e in job["errors"]] == [2, 3]
    assert all(FROZEN_ZH in e["message"] for e in job["errors"])
    for c in (signed, pending):
        c.refresh_from_db()
        assert (c.amount, c.title, c.version, c.status) == before[c.pk]
    assert AuditEntry.objects.filter(tenant=tenant, action="import").count() == audit_before + 2

    # Its payment plan neither: a changed installment and a new one are row errors.
    plan = [
        ["合同编号", "期数", "计划回款日期", "计划回款金额"],
        [signed.number, "1", "2025-03-31", "29999"],  # row 2: changes a signed plan
        [signed.number, "2", "2025-06-30", "1"],  # row 3: adds to it
    ]
    job = run(api, csv_bytes(plan), resource="contract-installments", on_error="skip")
    assert job["totals"] == {"rows": 2, "new": 0, "updated": 0, "unchanged": 0, "invalid": 2}
    assert [e["row"] for e in job["errors"]] == [2, 3]
    assert FROZEN_ZH in job["errors"][0]["message"]
    assert "合同" in job["errors"][1]["message"] and signed.number in job["errors"][1]["message"]
    assert list(signed.installments.values_list("sequence", "amount")) == [(1, D("30000.00"))]
    as_is = [plan[0], [signed.number, "1", "2025-03-31", "30000"]]
    job = run(api, csv_bytes(as_is), resource="contract-installments")
    assert job["totals"] == {"rows": 1, "new": 0, "updated": 0, "unchanged": 1, "invalid": 0}

    # An exported contract list re-imports without touching the signed one.
    exported = api.get("/api/v1/contracts/export/?file_format=csv")
    assert exported.status_code == 200
    rows = csv_rows(exported)
    assert rows[0][:3] == ["合同编号", "客户编号", "客户名称"]
    back = run(api, csv_bytes(rows), resource="contracts", name="e.csv")
    assert back["status"] == "succeeded", back
    assert back["totals"] == {"rows": 3, "new": 0, "updated": 0, "unchanged": 3, "invalid": 0}


def test_revert_never_touches_a_plan_that_was_signed_since(api, tenant, admin, rep, customers):
    # A draft's plan (one installment short), completed by an import, then signed.
    c = f.contract(rep, cust=customers[1], amount="100.00", plan=[(dt.date(2025, 3, 31), "99")])
    plan = [
        ["合同编号", "期数", "计划回款日期", "计划回款金额"],
        [c.number, "2", "2025-06-30", "1"],
    ]
    job = run(api, csv_bytes(plan), resource="contract-installments")
    assert job["status"] == "succeeded"
    c = f.move(c, "submit", rep)
    c = f.move(c, "approve", admin)
    c = f.move(c, "sign", rep)
    response = api.post(f"/api/v1/imports/{job['id']}/revert/")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "frozen"
    assert c.installments.count() == 2
    assert ImportRecord.objects.filter(job_id=job["id"]).count() == 1


def test_sales_exports_have_translated_headers(api, tenant, admin, customers):
    f.product(admin, code="=CMD", name="@危险产品", price="1.00")
    f.opportunity(admin, cust=customers[0], name="导出机会")
    f.contract(admin, cust=customers[0], amount="100.00")
    products = csv_rows(api.get("/api/v1/products/export/?file_format=csv"))
    assert products[0][:4] == ["产品编号", "产品名称", "单位", "标准价格"]
    assert products[1][0] == "'=CMD" and products[1][1] == "'@危险产品"  # neutralised
    assert products[1][4] == "是"
    english = csv_rows(
        api.get("/api/v1/products/export/?file_format=csv", HTTP_ACCEPT_LANGUAGE="en")
    )
    assert english[0] == ["product code", "product name", "unit", "list price", "active"]
    assert english[1][4] == "yes"
    xlsx = api.get("/api/v1/opportunities/export/?file_format=xlsx")
    assert xlsx.status_code == 200
    sheet = read_xlsx(b"".join(xlsx.streaming_content))
    assert sheet[0][:3] == ["客户编号", "客户名称", "机会名称"]
    assert sheet[1][:3] == ["KH001", "北京华信科技有限公司", "导出机会"]
    contracts = csv_rows(api.get("/api/v1/contracts/export/?file_format=csv&status=draft"))
    assert contracts[0][0] == "合同编号" and contracts[1][0] == "HT000001"
    assert contracts[1][contracts[0].index("状态")] == "草稿"


# --- the Django admin -----------------------------------------------------------------


@override_settings(TEMPLATES=WITH_IMPORT_EXPORT)
def test_admin_imports_contracts_and_plans_keeping_the_same_rules(
    client, tenant, admin, rep, customers
):
    root = User.objects.create_superuser("root", "root@example.cn", "Root-pass-1234!")
    client.force_login(root)
    signed = f.active_contract(rep, admin, cust=customers[0], amount="100.00")
    content = csv_bytes(
        [
            ["合同编号", "客户编号", "合同名称", "合同金额"],
            ["HT-ADM-1", "KH002", "后台导入", "500"],
            [signed.number, "KH001", "", "100.00"],  # as it is: skipped, never saved
        ],
        encoding="gbk",
    )
    admin_import(client, "/admin/sales/contract/", tenant, content)
    made = Contract.objects.get(tenant=tenant, number="HT-ADM-1")
    assert (made.status, made.customer, made.amount) == ("draft", customers[1], D("500.00"))
    assert made.search_key == build_search_key("HT-ADM-1", "后台导入", customers[1].name)
    version = signed.version
    signed.refresh_from_db()
    assert signed.version == version

    changed = csv_bytes([["合同编号", "客户编号", "合同金额"], [signed.number, "KH001", "1"]])
    html = admin_import(client, "/admin/sales/contract/", tenant, changed)
    assert FROZEN_ZH in html  # the frozen rule, as a row error
    signed.refresh_from_db()
    assert (signed.amount, signed.version) == (D("100.00"), version)

    plan = csv_bytes(
        [
            ["合同编号", "期数", "计划回款日期", "计划回款金额"],
            ["HT-ADM-1", "1", "2026-1-31", "500"],
        ]
    )
    admin_import(client, "/admin/sales/installment/", tenant, plan)
    assert list(made.installments.values_list("sequence", "amount")) == [(1, D("500.00"))]

    exported = client.post(
        "/admin/sales/installment/export/",
        {"format": 0, "resource": 0, "installmentresource_sequence": "on"},
    )
    assert exported.status_code == 200
    rows = read_xlsx(exported.content)
    assert rows[0][:3] == ["合同编号", "客户名称", "回款期次"]
    assert ["HT-ADM-1", "上海云图数据有限公司", 1] in [list(r[:3]) for r in rows[1:]]


@override_settings(TEMPLATES=WITH_IMPORT_EXPORT)
def test_admin_opportunity_import_schedules_reminders(client, tenant, admin, customers):
    root = User.objects.create_superuser("root", "root@example.cn", "Root-pass-1234!")
    client.force_login(root)
    content = csv_bytes([["客户编号", "机会名称", "金额"], ["KH001", "后台机会", "10"]])
    admin_import(client, "/admin/sales/opportunity/", tenant, content)
    opp = Opportunity.objects.get(tenant=tenant, name="后台机会")
    assert opp.owner == customers[0].owner == admin  # a superuser owns nothing: the customer's
    ct = ContentType.objects.get_for_model(Opportunity)
    rules = Reminder.objects.filter(content_type=ct, object_id=opp.pk, status="pending")
    assert sorted(rules.values_list("rule", flat=True)) == ["opportunity.idle"]
    assert DictionaryItem.objects.filter(tenant=tenant).exists()
