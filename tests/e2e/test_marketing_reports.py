"""The marketing reports in the browser (issue 15): the marketer opens the reports
from the menu, sees the stock on hand with its value, then the event ROI with the
exhibition's cost (expenses + goods net of a return), leads and cost per lead."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from crm.customers.services import lead_create
from crm.marketing import services
from crm.marketing.models import StockReturn
from tests.conftest import make_company, make_user
from tests.e2e.helpers import login
from tests.marketing.helpers import D, issued, item, move

pytestmark = pytest.mark.django_db(transaction=True)


def test_stock_on_hand_and_event_roi_pages_show_the_figures(page, live_server, shot):
    admin = make_company()
    tenant = admin.tenant
    marketer = make_user(admin, "市场", name="市场小王")
    manager = make_user(admin, "销售经理", name="王经理")
    keeper = make_user(admin, "库管", name="库管老李")
    brochure = item(admin, "P1", "宣传册", cost="2.50", stock=500)
    cup = item(admin, "G1", "保温杯", cost="30.00", threshold="30", stock=40)
    expo = services.marketing_event_create(
        tenant=tenant,
        actor=marketer,
        name="2026 上海工博会",
        type="exhibition",
        starts_on=dt.date(2026, 11, 10),
        expenses=[
            {"description": "展位", "amount": D("8000")},
            {"description": "搭建", "amount": D("3500")},
        ],
    )
    req = issued(marketer, manager, keeper, [(brochure, 200), (cup, 20)], marketing_event=expo)
    back = services.return_create(
        tenant=tenant, actor=marketer, requisition=req, lines=[{"item": cup, "quantity": D(5)}]
    )
    move(StockReturn, back, "confirm", keeper)
    for i in range(3):
        lead_create(
            tenant=tenant, actor=marketer, company_name=f"展会线索{i}", marketing_event=expo
        )

    login(page, live_server.url, marketer.username)
    page.get_by_test_id("menu-marketing-reports").click()
    expect(page.get_by_test_id("marketing-reports-page")).to_be_visible()
    # Stock on hand: 300 brochures (¥750.00) and 25 cups (¥750.00, at or below 30).
    table = page.get_by_test_id("mreport-table")
    expect(table).to_contain_text("宣传册")
    expect(table.locator("tr", has_text="宣传册")).to_contain_text("¥750.00")
    expect(table.locator("tr", has_text="保温杯")).to_contain_text("25")
    expect(page.get_by_test_id("mreport-total-value")).to_have_text("¥1,500.00")
    expect(page.get_by_test_id("mreport-total-low")).to_have_text("1")
    expect(page.get_by_test_id("mreport-categories")).to_contain_text("礼品")
    shot(page, "97-marketing-stock-on-hand")
    # Event ROI: 11,500 of expenses + 950 of goods = 12,450 for 3 leads.
    page.get_by_test_id("mreport-event-roi").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/marketing?report=event-roi")
    row = page.get_by_test_id("mreport-table").locator("tr", has_text="2026 上海工博会")
    expect(row).to_contain_text("¥11,500.00")
    expect(row).to_contain_text("¥950.00")
    expect(row).to_contain_text("¥12,450.00")
    expect(row).to_contain_text("¥4,150.00")
    expect(row).to_contain_text("-100.00%")  # nothing won yet
    expect(page.get_by_test_id("mreport-total-leads")).to_have_text("3")
    expect(page.get_by_test_id("mreport-total-cost_per_lead")).to_have_text("¥4,150.00")
    shot(page, "98-marketing-event-roi")
    # The address keeps the report: a reload opens the event ROI again.
    page.reload()
    expect(page.get_by_test_id("mreport-total-cost")).to_have_text("¥12,450.00")
