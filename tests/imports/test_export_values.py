"""List exports read well in Excel, in Chinese and in English: yes/no reads 是/否
(Yes/No), a linked record reads its name, a document's lines read one line each
(``产品 × 2.00 @ ¥50.00 = ¥100.00``), and times are the company's wall clock
(``2026-03-01 09:30:00``), never ``True``, an id, a Python dump or an ISO stamp."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from crm.activities.services import activity_create
from crm.api_router import router
from crm.core.api.export import yes_no
from crm.customers.services import contact_create, customer_create, lead_create
from crm.marketing.serializers import StockLineSerializer
from crm.sales.serializers import LineSerializer
from tests.conftest import client_for
from tests.imports.test_export_headings import filled_admin  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

YES_NO = {"zh-hans": {"是", "否", ""}, "en": {"Yes", "No", ""}}
ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
DUMP = re.compile(r"^\[\]$|^\{\}$|^\[\{|^\{'|'\}$|\b(True|False)\b")
LINE = re.compile(r"^.+ × -?\d+\.\d\d( \S+)? @ ¥[\d,]+\.\d\d( -\d+\.\d\d%)? = ¥-?[\d,]+\.\d\d$")


def _export(client, prefix: str, lang: str, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/api/v1/{prefix}/export/?file_format=csv&lang={lang}{query}")
    assert response.status_code == 200, (prefix, response.content[:300])
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    # English headings are compared in lower case ("Pinned" is "pinned").
    header = [h.lower() if lang == "en" else h for h in header]
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_no_export_shows_true_false_a_dump_or_an_iso_stamp(filled_admin, lang):  # noqa: F811
    client = client_for(filled_admin)
    problems = []
    for prefix, viewset, _b in router.registry:
        if not hasattr(viewset, "export"):
            continue
        for row in _export(client, prefix, lang):
            for heading, cell in row.items():
                if DUMP.search(cell) or ISO_MOMENT.search(cell):
                    problems.append(f"{prefix} / {heading}: {cell!r}")
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize(
    ("lang", "pinned", "lines"), [("zh-hans", "置顶", "明细"), ("en", "pinned", "lines")]
)
def test_yes_no_and_document_lines_read_as_people_write_them(
    filled_admin,  # noqa: F811
    lang,
    pinned,
    lines,
):
    client = client_for(filled_admin)
    flags = {row[pinned] for row in _export(client, "announcements", lang)}
    assert flags and flags <= YES_NO[lang] and flags - {""}, flags
    for prefix in ("quotes", "stock-receipts", "stock-adjustments", "requisitions"):
        cells = [row[lines] for row in _export(client, prefix, lang)]
        assert any(cells), prefix
        for cell in filter(None, cells):
            for line in cell.split("\n"):
                assert LINE.match(line), (prefix, line)
    quote_lines = {row[lines] for row in _export(client, "quotes", lang)}
    assert "CRM 标准版 × 2.00 @ ¥50.00 = ¥100.00" in quote_lines, quote_lines
    receipt_lines = "\n".join(row[lines] for row in _export(client, "stock-receipts", lang))
    assert re.search(r"^G\d+ 保温杯 × 10\.00 个 @ ¥30\.00 = ¥300\.00$", receipt_lines, re.M)


def test_a_line_reads_its_name_quantity_price_discount_and_amount():
    line = {
        "product_name": "CRM 旗舰版",
        "description": "含三年服务",
        "quantity": "3.00",
        "unit_price": "12345.60",
        "discount_percent": "10.00",
        "amount": "33333.12",
    }
    assert (
        LineSerializer.export_text(line)
        == "CRM 旗舰版 · 含三年服务 × 3.00 @ ¥12,345.60 -10.00% = ¥33,333.12"
    )
    line.update(description="CRM 旗舰版", discount_percent="0.00")
    assert LineSerializer.export_text(line) == "CRM 旗舰版 × 3.00 @ ¥12,345.60 = ¥33,333.12"
    stock = {"item_code": "G01", "item_name": "保温杯", "unit": "个", "quantity": "-2.00"}
    assert StockLineSerializer.export_text({**stock, "unit_cost": None}) == "G01 保温杯 × -2.00 个"
    assert (
        StockLineSerializer.export_text({**stock, "unit_cost": "30.125"})
        == "G01 保温杯 × -2.00 个 @ ¥30.13 = ¥-60.25"
    )
    assert yes_no(None) == ""


def _linked_activities(admin, count: int) -> None:
    for i in range(count):
        customer = customer_create(tenant=admin.tenant, actor=admin, name=f"导出客户{i}有限公司")
        contact = contact_create(
            tenant=admin.tenant, actor=admin, customer=customer, name=f"联系人甲{i}"
        )
        lead = lead_create(
            tenant=admin.tenant, actor=admin, company_name=f"导出线索{i}", contact_name="王五"
        )
        activity_create(
            tenant=admin.tenant,
            actor=admin,
            kind="call",
            subject=f"电话{i}",
            customer=customer,
            contact=contact,
            lead=lead,
            occurred_at=dt.datetime(2026, 3, 1, 1, 30, 15, 123456, tzinfo=dt.UTC),
        )


@pytest.mark.parametrize(
    ("lang", "headings"),
    [("zh-hans", ("客户", "联系人", "线索")), ("en", ("customer", "contact", "lead"))],
)
def test_activities_name_their_records_in_constant_queries(admin, lang, headings):
    client = client_for(admin)
    _linked_activities(admin, 2)
    with CaptureQueriesContext(connection) as few:
        rows = _export(client, "activities", lang)
    assert [[row[h] for h in headings] for row in rows] == [
        [f"导出客户{i}有限公司", f"联系人甲{i}", f"导出线索{i}"] for i in (1, 0)
    ]
    _linked_activities(admin, 5)
    with CaptureQueriesContext(connection) as more:
        rows = _export(client, "activities", lang)
    assert len(rows) == 7
    assert len(more.captured_queries) == len(few.captured_queries)


def test_times_read_as_the_company_clock(admin):
    client = client_for(admin)
    _linked_activities(admin, 1)
    heading = "发生时间"
    # The default zone (Asia/Shanghai): 01:30 UTC is 09:30, to the second.
    assert _export(client, "activities", "zh-hans")[0][heading] == "2026-03-01 09:30:15"
    with scopes_disabled():
        admin.tenant.time_zone = "Europe/Berlin"
        admin.tenant.save(update_fields=["time_zone"])
    assert _export(client, "activities", "zh-hans")[0][heading] == "2026-03-01 02:30:15"
    # The xlsx holds a real date-time cell of the same wall clock.
    from openpyxl import load_workbook

    response = client.get("/api/v1/activities/export/?file_format=xlsx&lang=zh-hans")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    assert sheet[2][header.index(heading)].value == dt.datetime(2026, 3, 1, 2, 30, 15)


def test_a_linked_record_out_of_sight_reads_as_its_id(admin, sales_team, rep):
    """A rep's activity on another team's customer (logged before it moved, or by a
    service): the rep's leader exports it, the list shows ``#id`` for the customer
    (the leader cannot open it), and so does the file: its name does not leak."""
    from tests.link_scope import two_teams

    people = two_teams(admin, sales_team, rep)
    mine, theirs = people.records[("customer", "a")], people.records[("customer", "b")]
    for customer in (mine, theirs):
        activity_create(
            tenant=admin.tenant, actor=rep, kind="call", subject="电话", customer=customer
        )
    rows = _export(client_for(people.leader), "activities", "zh-hans")
    assert sorted(row["客户"] for row in rows) == sorted([mine.name, f"#{theirs.pk}"])
    # The admin sees every customer: both names.
    rows = _export(client_for(admin), "activities", "zh-hans")
    assert sorted(row["客户"] for row in rows) == sorted([mine.name, theirs.name])
