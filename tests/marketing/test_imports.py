"""Marketing imports (issue 15): stock items through the import engine (category by
its dictionary label, idempotent re-import, row errors, the export re-imports),
receipt lines that fill a draft and are refused once the receipt is confirmed,
and leads that point at their marketing event and ad placement by name."""

from __future__ import annotations

import csv
import io

import pytest

from crm.core.errors import Frozen
from crm.core.models import DictionaryItem
from crm.customers.models import Lead
from crm.marketing import services
from crm.marketing.models import StockBalance, StockItem, StockReceipt
from tests.conftest import client_for
from tests.imports.helpers import csv_bytes, run, xlsx_bytes
from tests.marketing.helpers import D, item, move

pytestmark = pytest.mark.django_db

ITEM_ROWS = [
    ["物品编码", "物品名称", "类别", "单位", "单位成本", "库存下限", "是否启用"],
    ["P-001", "产品宣传册", "印刷品", "本", "2.50", "100", "是"],
    ["G-001", "保温杯", "礼品", "个", "￥30", "10", ""],
    ["G-002", "定制U盘", "gift", "个", "45.5", "", "否"],  # the category by code too
]


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_stock_items_import_and_reimport_unchanged(api, tenant, encoding):
    content = csv_bytes(ITEM_ROWS, encoding=encoding)
    job = run(api, content, resource="stock-items", name="items.csv")
    assert job["status"] == "succeeded", job
    assert job["totals"] == {"rows": 3, "new": 3, "updated": 0, "unchanged": 0, "invalid": 0}
    brochure = StockItem.objects.get(tenant=tenant, code="P-001")
    printed = DictionaryItem.objects.get(tenant=tenant, kind="stock_category", code="printed")
    gift = DictionaryItem.objects.get(tenant=tenant, kind="stock_category", code="gift")
    assert (brochure.name, brochure.category_id, brochure.unit) == ("产品宣传册", printed.pk, "本")
    assert (brochure.unit_cost, brochure.low_stock_threshold, brochure.active) == (
        D("2.50"),
        D("100.00"),
        True,
    )
    assert StockItem.objects.get(tenant=tenant, code="G-001").unit_cost == D("30.00")
    usb = StockItem.objects.get(tenant=tenant, code="G-002")
    assert (usb.category_id, usb.active) == (gift.pk, False)
    # Each new item has its balance row, at zero, as stock_item_create makes it.
    assert StockBalance.objects.filter(tenant=tenant).count() == 3
    assert brochure.quantity_on_hand == D("0")
    assert "chanpinxuanchuance" in brochure.search_key or "P-001".lower() in brochure.search_key

    again = run(api, content, resource="stock-items", name="items.csv")
    assert again["totals"] == {"rows": 3, "new": 0, "updated": 0, "unchanged": 3, "invalid": 0}


def test_an_import_updates_an_item_but_never_its_stock(api, tenant, admin):
    it = item(admin, "G-001", "保温杯", cost="30.00", stock=40)
    rows = [
        ["物品编码", "物品名称", "单位成本", "库存数量"],
        ["G-001", "保温杯（大）", "32", "999"],
    ]
    job = run(api, xlsx_bytes(rows), resource="stock-items", name="items.xlsx")
    assert job["status"] == "succeeded", job
    assert job["totals"]["updated"] == 1
    it.refresh_from_db()
    assert (it.name, it.unit_cost) == ("保温杯（大）", D("32.00"))
    assert it.quantity_on_hand == D("40")  # stock moves only through documents


def test_bad_item_rows_are_named(api, tenant):
    rows = [
        ["物品编码", "物品名称", "类别", "单位成本", "库存下限"],
        ["X1", "", "礼品", "1", "0"],  # row 2: no name
        ["X2", "笔", "文具", "1", "0"],  # row 3: not a category
        ["X3", "本子", "礼品", "-1", "0"],  # row 4: negative cost
        ["X4", "尺子", "礼品", "1", "-5"],  # row 5: negative threshold
        ["X5", "胶带", "礼品", "abc", "0"],  # row 6: not a number
    ]
    job = run(api, csv_bytes(rows), resource="stock-items", on_error="skip")
    assert sorted((e["row"], e["column"]) for e in job["errors"]) == [
        (2, "物品名称"),
        (3, "类别"),
        (4, "单位成本"),
        (5, "库存下限"),
        (6, "单位成本"),
    ]
    assert not StockItem.objects.filter(tenant=tenant).exists()


def test_the_item_export_reimports_unchanged(api, tenant, admin):
    item(admin, "G-001", "保温杯", cost="30.00", stock=40)
    item(admin, "P-001", "宣传册", cost="2.50")
    response = api.get("/api/v1/stock-items/export/?file_format=csv")
    assert response.status_code == 200
    rows = csv_rows(response)
    assert rows[0][:3] == ["编码", "名称", "类别"]
    assert ["G-001", "保温杯"] == rows[1][:2] and "40.00" in rows[1]
    job = run(api, csv_bytes(rows), resource="stock-items")
    assert job["totals"] == {"rows": 2, "new": 0, "updated": 0, "unchanged": 2, "invalid": 0}


def test_importing_items_needs_the_permission(admin):
    from tests.conftest import make_user

    rep = make_user(admin, "销售代表")
    res = client_for(rep).post(
        "/api/v1/imports/",
        {
            "resource": "stock-items",
            "file": __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
                "items.csv", csv_bytes(ITEM_ROWS)
            ),
        },
        format="multipart",
    )
    assert res.status_code in (400, 403), res.content


# --- receipt lines: a draft is filled, a confirmed receipt is frozen --------------------


@pytest.fixture
def draft_receipt(admin, keeper):
    item(admin, "G-001", "保温杯", cost="30.00")
    item(admin, "P-001", "宣传册", cost="2.50")
    return services.receipt_create(tenant=admin.tenant, actor=keeper, supplier="印刷厂")


def test_receipt_lines_fill_a_draft(api, admin, keeper, draft_receipt):
    n = draft_receipt.number
    rows = [
        ["入库单号", "序号", "物品编码", "数量", "单价"],
        [n, "1", "P-001", "500", ""],  # the item's cost
        [n, "2", "G-001", "40", "28.00"],
    ]
    job = run(api, csv_bytes(rows), resource="stock-receipt-lines")
    assert job["status"] == "succeeded", job
    assert job["totals"]["new"] == 2
    lines = list(
        draft_receipt.lines.order_by("position").values_list(
            "position", "item__code", "quantity", "unit_cost"
        )
    )
    assert lines == [(1, "P-001", D("500"), D("2.50")), (2, "G-001", D("40"), D("28.00"))]
    move(StockReceipt, draft_receipt, "confirm", keeper)
    assert StockItem.objects.get(tenant=admin.tenant, code="P-001").quantity_on_hand == D(500)


def test_a_confirmed_receipt_refuses_its_lines_at_import(api, admin, keeper, draft_receipt):
    n = draft_receipt.number
    rows = [["入库单号", "序号", "物品编码", "数量"], [n, "1", "P-001", "500"]]
    assert run(api, csv_bytes(rows), resource="stock-receipt-lines")["totals"]["new"] == 1
    move(StockReceipt, draft_receipt, "confirm", keeper)

    as_is = run(api, csv_bytes(rows), resource="stock-receipt-lines")
    assert as_is["totals"]["unchanged"] == 1 and not as_is["errors"]

    changed = [rows[0], [n, "1", "P-001", "5000"], [n, "2", "G-001", "1"]]
    job = run(api, csv_bytes(changed), resource="stock-receipt-lines", on_error="skip")
    assert sorted(e["row"] for e in job["errors"]) == [2, 3]
    messages = {e["row"]: e["message"] for e in job["errors"]}
    assert str(Frozen.default_detail) in messages[2]
    assert "只有草稿才能修改明细" in messages[3]  # the user reads it in zh-hans
    assert list(draft_receipt.lines.values_list("quantity", flat=True)) == [D("500")]
    assert StockItem.objects.get(tenant=admin.tenant, code="P-001").quantity_on_hand == D(500)


def test_receipt_lines_name_unknown_receipts_and_items(api, draft_receipt):
    rows = [
        ["入库单号", "序号", "物品编码", "数量"],
        ["RK999999", "1", "P-001", "1"],
        [draft_receipt.number, "1", "NOPE", "1"],
        [draft_receipt.number, "2", "P-001", "0"],
    ]
    job = run(api, csv_bytes(rows), resource="stock-receipt-lines", on_error="skip")
    assert sorted((e["row"], e["column"]) for e in job["errors"]) == [
        (2, "入库单号"),
        (3, "物品编码"),
        (4, "数量"),
    ]


# --- leads: the marketing event and the ad placement by name ------------------------------


def test_leads_import_their_event_and_placement(api, admin, tenant):
    event = services.marketing_event_create(tenant=tenant, actor=admin, name="上海工博会")
    ad = services.ad_placement_create(tenant=tenant, actor=admin, name="百度春季推广", cost=D(1000))
    rows = [
        ["公司名称", "联系人", "手机", "市场活动", "广告投放"],
        ["星辰科技", "张三", "13800138001", "上海工博会", ""],
        ["云图数据", "李四", "13800138002", "", "百度春季推广"],
        ["华信", "王五", "13800138003", "不存在的活动", ""],
        ["远景", "赵六", "13800138004", "", "没有的广告"],
    ]
    job = run(api, csv_bytes(rows), resource="leads", on_error="skip")
    assert sorted((e["row"], e["column"]) for e in job["errors"]) == [
        (4, "市场活动"),
        (5, "广告投放"),
    ]
    assert job["totals"]["new"] == 2, job
    assert Lead.objects.get(tenant=tenant, mobile="+8613800138001").marketing_event_id == event.pk
    assert Lead.objects.get(tenant=tenant, mobile="+8613800138002").ad_placement_id == ad.pk
    # The event's figures count the imported lead.
    figures = api.get(f"/api/v1/marketing-events/{event.pk}/").json()["figures"]
    assert figures["leads"] == 1

    # The lead export names them, and re-imports unchanged.
    rows = csv_rows(api.get("/api/v1/leads/export/?file_format=csv"))
    header = rows[0]
    digits = lambda text: "".join(c for c in text if c.isdigit())[-11:]  # noqa: E731
    by_mobile = {digits(r[header.index("手机")]): r for r in rows[1:]}
    assert by_mobile["13800138001"][header.index("市场活动")] == "上海工博会"
    assert by_mobile["13800138002"][header.index("广告发布")] == "百度春季推广"
    again = run(api, csv_bytes(rows), resource="leads")
    assert again["totals"]["new"] == 0 and again["totals"]["invalid"] == 0, again


def test_another_companys_event_is_unknown(api, other_admin, tenant):
    services.marketing_event_create(tenant=other_admin.tenant, actor=other_admin, name="别家的展会")
    rows = [
        ["公司名称", "联系人", "手机", "市场活动"],
        ["星辰科技", "张三", "13800138001", "别家的展会"],
    ]
    job = run(api, csv_bytes(rows), resource="leads", on_error="skip")
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(2, "市场活动")]
    assert not Lead.objects.filter(tenant=tenant).exists()
