"""Customer care, sales targets and customer reports in the browser (issue 14):
the care calendar shows a lunar-birthday contact's occasion, the targets page
shows a rep's attainment (and the workbench gauge), a customer report renders
and exports to xlsx."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from lunar_python import Solar
from openpyxl import load_workbook
from playwright.sync_api import expect

from crm.care.services import care_rule_create, lunar_birthday_create
from crm.customers.services import contact_create, customer_create
from crm.targets.services import target_create
from tests.conftest import make_company, make_user
from tests.e2e.helpers import login
from tests.reports.helpers import opp
from tests.sales.factories import D

pytestmark = pytest.mark.django_db(transaction=True)


def _lunar_in(days: int) -> tuple[int, int, dt.date]:
    """A (month, day) of the lunar calendar falling ``days`` or a few more days from
    today, outside a leap month."""
    for extra in range(30):
        day = timezone.localdate() + dt.timedelta(days=days + extra)
        lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()
        if lunar.getMonth() > 0 and lunar.getDay() < 30:
            return lunar.getMonth(), lunar.getDay(), day
    raise AssertionError("no lunar date found")


def test_the_care_calendar_shows_a_lunar_birthday(page, live_server, shot):
    admin = make_company()
    customer = customer_create(tenant=admin.tenant, actor=admin, name="苏州园林设计", owner=admin)
    contact = contact_create(tenant=admin.tenant, actor=admin, customer=customer, name="沈月华")
    month, day, solar = _lunar_in(10)
    lunar_birthday_create(tenant=admin.tenant, actor=admin, contact=contact, month=month, day=day)
    care_rule_create(tenant=admin.tenant, actor=admin, name="生日关怀", occasion="birthday")

    login(page, live_server.url, admin.username)
    page.get_by_test_id("menu-care-rules-calendar").click()
    expect(page.get_by_test_id("care-calendar-page")).to_be_visible()
    box = page.get_by_test_id(f"care-day-{solar.isoformat()}")
    expect(box).to_contain_text("沈月华")
    expect(box).to_contain_text("苏州园林设计")
    expect(box.get_by_test_id("care-lunar")).to_contain_text("农历")
    shot(page, "94-care-calendar")
    # The lunar birthdays list shows the next solar day too.
    page.goto(f"{live_server.url}/contact-birthdays")
    expect(page.get_by_text(solar.isoformat())).to_be_visible()


def test_the_targets_page_shows_a_reps_attainment(page, live_server, shot):
    admin = make_company()
    rep = make_user(admin, "销售代表", name="钱多多")
    today = timezone.localdate()
    cust = customer_create(tenant=admin.tenant, actor=admin, name="华东机电", owner=rep)
    opp(rep, cust, "won", "30000.00", closed_on=today)
    target_create(
        tenant=admin.tenant,
        actor=admin,
        user=rep,
        period_kind="month",
        period_start=today.replace(day=1),
        measure="won_amount",
        amount=D("40000.00"),
    )
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/targets/report")
    expect(page.get_by_test_id("targets-page")).to_be_visible()
    cell = page.get_by_test_id(f"attainment-people-{rep.pk}-won_amount")
    expect(cell).to_contain_text("75.00%")
    expect(page.get_by_test_id("targets-people")).to_contain_text("钱多多")
    shot(page, "95-targets")
    # The rep's own workbench shows the gauge.
    page.context.clear_cookies()
    login(page, live_server.url, rep.username)
    expect(page.get_by_test_id("gauge-month-won_amount")).to_contain_text("75.00%")


def test_a_customer_report_renders_and_exports(page, live_server, shot):
    admin = make_company()
    for i, region in enumerate(("华东", "华东", "华北")):
        customer_create(
            tenant=admin.tenant, actor=admin, name=f"报表客户{i}", owner=admin, region=region
        )
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/dashboard")
    page.get_by_test_id("dashboard-customer-reports").click()
    expect(page.get_by_test_id("customer-reports-page")).to_be_visible()
    page.get_by_test_id("custreport-by-region").click()
    table = page.get_by_test_id("custreport-table")
    expect(table).to_contain_text("华东")
    expect(table).to_contain_text("华北")
    expect(page.get_by_test_id("custreport-summary")).to_contain_text("3")
    shot(page, "96-customer-reports")
    with page.expect_download() as info:
        page.get_by_test_id("custreport-export").click()
    download = info.value
    assert download.suggested_filename == "customers-region.xlsx"
    rows = list(
        load_workbook(io.BytesIO(open(download.path(), "rb").read()), read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert ("华东", 2) in [tuple(r[:2]) for r in rows]
