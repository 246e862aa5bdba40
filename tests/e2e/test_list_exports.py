"""The export button of the lists that got one in bc63cd8 (plans, care rules, contact
birthdays, targets, mass sends, suppressions, announcements), clicked in the browser:
the downloaded xlsx holds the list's rows, filtered as the list is."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled
from openpyxl import load_workbook
from playwright.sync_api import expect

from crm.activities.models import WorkPlan
from crm.care.models import CareRule, ContactLunarBirthday
from crm.messaging.models import MassSend
from crm.messaging.services import suppression_create
from crm.office.models import Announcement
from crm.office.services import announcement_create
from crm.targets.services import target_create
from tests.conftest import make_company
from tests.core import factories
from tests.e2e.helpers import choose, login
from workflows.engine import transition

pytestmark = pytest.mark.django_db(transaction=True)


def _export(page) -> list[list[str]]:
    """Click the list's export button; the downloaded workbook's rows as text (header first)."""
    button = page.get_by_test_id("export")
    expect(button).to_be_visible()
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert re.fullmatch(r"[a-z-]+-\d{8}-\d{4}\.xlsx", download.suggested_filename), (
        download.suggested_filename
    )
    with open(download.path(), "rb") as fh:
        book = load_workbook(io.BytesIO(fh.read()), read_only=True)
    return [
        ["" if v is None else str(v) for v in row]
        for row in book.worksheets[0].iter_rows(values_only=True)
    ]


def _holds(rows: list[list[str]], text: str) -> bool:
    return any(text in cell for row in rows[1:] for cell in row)


def test_export_announcements_as_filtered(page, live_server, shot):
    admin = make_company()
    published = announcement_create(
        tenant=admin.tenant, actor=admin, title="春节放假安排的通知", body="正文"
    )
    transition(
        model=Announcement, pk=published.pk, name="publish", tenant=admin.tenant, actor=admin
    )
    announcement_create(tenant=admin.tenant, actor=admin, title="尚未发布的草稿公告", body="草稿")
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/announcements")
    table = page.get_by_test_id("browse-table")
    expect(table).to_contain_text("尚未发布的草稿公告")

    # Unfiltered: both rows are in the file.
    rows = _export(page)
    assert _holds(rows, "春节放假安排的通知") and _holds(rows, "尚未发布的草稿公告"), rows

    # Filtered to the published ones: the file follows the list.
    choose(page, "filter-status", "已发布")
    page.get_by_test_id("browse-apply").click()
    expect(page).to_have_url(re.compile(r"status=published"))
    expect(table).not_to_contain_text("尚未发布的草稿公告")
    expect(table).to_contain_text("春节放假安排的通知")
    assert "status=published" in page.get_by_test_id("export").get_attribute("href")
    rows = _export(page)
    assert _holds(rows, "春节放假安排的通知"), rows
    assert not _holds(rows, "尚未发布的草稿公告"), rows
    assert len(rows) == 2, rows  # the header and the one published announcement
    shot(page, "export-announcements")


def test_export_suppressions_as_filtered(page, live_server):
    admin = make_company()
    suppression_create(
        tenant=admin.tenant, actor=admin, channel_kind="email", address="tuiding@example.cn"
    )
    suppression_create(tenant=admin.tenant, actor=admin, channel_kind="sms", address="13912345678")
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/suppressions")
    table = page.get_by_test_id("browse-table")
    expect(table).to_contain_text("13912345678")

    choose(page, "filter-channel_kind", "邮箱")
    page.get_by_test_id("browse-apply").click()
    expect(page).to_have_url(re.compile(r"channel_kind=email"))
    expect(table).not_to_contain_text("13912345678")
    expect(table).to_contain_text("tuiding@example.cn")
    expect(table).to_contain_text("手动添加")  # the reason's label, not its code
    expect(table).not_to_contain_text("manual")
    rows = _export(page)
    assert _holds(rows, "tuiding@example.cn"), rows
    assert not _holds(rows, "13912345678"), rows


def test_export_targets_as_filtered(page, live_server):
    admin = make_company()
    for start, measure, amount in (
        (dt.date(2031, 3, 1), "won_amount", Decimal("12345.67")),
        (dt.date(2031, 4, 1), "collected", Decimal("76543.21")),
    ):
        target_create(
            tenant=admin.tenant,
            actor=admin,
            user=admin,
            period_kind="month",
            period_start=start,
            measure=measure,
            amount=amount,
        )
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/targets")
    table = page.get_by_test_id("browse-table")
    expect(table).to_contain_text("2031-03")
    expect(table).to_contain_text("2031-04")

    choose(page, "filter-measure", "回款")
    page.get_by_test_id("browse-apply").click()
    expect(page).to_have_url(re.compile(r"measure=collected"))
    expect(table).not_to_contain_text("2031-03")
    expect(table).to_contain_text("2031-04")
    rows = _export(page)
    assert _holds(rows, "76543.21"), rows
    assert not _holds(rows, "12345.67"), rows
    assert len(rows) == 2, rows


def _plan_text(plan):
    return plan.period.isoformat()


# The other lists of bc63cd8: (list, model, the text of the made row that its file shows).
OTHERS = [
    ("plans", WorkPlan, _plan_text),
    ("care-rules", CareRule, lambda rule: rule.name),
    ("contact-birthdays", ContactLunarBirthday, lambda row: row.contact.name),
    ("mass-sends", MassSend, lambda send: send.name),
]


@pytest.mark.parametrize(("collection", "model", "text_of"), OTHERS, ids=[o[0] for o in OTHERS])
def test_export_button_downloads_the_listed_row(page, live_server, collection, model, text_of):
    admin = make_company()
    with scopes_disabled():
        row = factories.make(model, admin)
        text = text_of(row)
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/{collection}")
    expect(page.get_by_test_id("browse-table")).to_contain_text(text)
    rows = _export(page)
    assert _holds(rows, text), (text, rows)
