"""Issue 15's "done when" in Chromium, in Chinese: the marketing user sees the stock,
requests 200 brochures and 20 gifts for an exhibition, the manager approves (another
user), the stock keeper issues, 5 gifts come back on a return, and the event shows
its cost and the leads it produced; the requisition prints as an A4 form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from crm.core import services as core_services
from crm.customers.models import Lead
from crm.marketing import services
from crm.marketing.models import Requisition, StockItem, StockReturn
from tests.conftest import make_user
from tests.e2e.helpers import choose, login
from tests.marketing.helpers import D, item

pytestmark = pytest.mark.django_db(transaction=True)


def _step(page, name: str) -> None:
    """Click a transition button; confirm its dialog when it opens one."""
    page.get_by_test_id(f"transition-{name}").click()
    confirm = page.locator(".el-dialog:visible").get_by_test_id("transition-confirm")
    try:
        confirm.wait_for(state="visible", timeout=2_000)
    except Exception:  # no dialog: the step ran at once
        return
    confirm.click()


def _add_lines(page, rows) -> None:
    page.get_by_test_id("edit-lines").click()
    for i, (name, quantity) in enumerate(rows):
        if i:
            page.get_by_test_id("add-line").click()
        choose(page, f"line-item-{i}", name)
        page.get_by_test_id(f"line-quantity-{i}").locator("input").fill(str(quantity))
    page.get_by_test_id("save-lines").click()
    expect(page.get_by_test_id("lines-table")).to_contain_text(rows[0][0])


@pytest.fixture
def people(admin):
    manager = make_user(admin, "销售经理", name="周经理")
    team = core_services.team_create(
        tenant=admin.tenant, actor=admin, name="市场部", leader=manager
    )
    core_services.user_update(manager, tenant=admin.tenant, actor=admin, team=team)
    marketer = make_user(admin, "市场", team=team, name="市场小王")
    keeper = make_user(admin, "库管", name="库管老李")
    return manager, marketer, keeper


def test_gifts_for_an_exhibition_from_request_to_return(page, live_server, shot, admin, people):
    manager, marketer, keeper = people
    base = live_server.url
    brochure = item(admin, "P-001", "产品宣传册", cost="2.50", stock=500)
    gift = item(admin, "G-001", "定制保温杯", cost="30.00", stock=40)
    event = services.marketing_event_create(
        tenant=admin.tenant, actor=marketer, name="上海工博会", type="exhibition", owner=marketer
    )
    Lead.objects.bulk_create(
        Lead(tenant=admin.tenant, company_name=f"展会线索{i}", marketing_event=event)
        for i in range(4)
    )

    # --- the marketing user sees the stock ------------------------------------------
    login(page, base, marketer.username)
    page.goto(f"{base}/stock-items")
    listing = page.get_by_test_id("browse-stock-items")
    expect(listing).to_contain_text("产品宣传册")
    expect(listing).to_contain_text("500")
    expect(listing).to_contain_text("定制保温杯")
    shot(page, "marketing-01-stock")

    # --- requests 200 brochures and 20 gifts for the exhibition ------------------------
    page.goto(f"{base}/marketing-events/{event.pk}")
    expect(page.get_by_test_id("card-title")).to_have_text("上海工博会")
    page.get_by_test_id("request-goods").click()
    form = page.get_by_test_id("form-requisitions")
    form.get_by_test_id("field-purpose").fill("工博会赠品")
    form.get_by_test_id("form-save").click()
    # The event card lists its new requisition; open it.
    related = page.get_by_test_id("related-requisitions")
    expect(related).to_contain_text("工博会赠品")
    req = Requisition.objects.get(tenant=admin.tenant, purpose="工博会赠品")
    related.get_by_role("link", name=req.number).click()
    expect(page.get_by_test_id("card-requisitions")).to_be_visible()
    assert req.marketing_event_id == event.pk and req.requester_id == marketer.pk
    _add_lines(page, [("产品宣传册", 200), ("定制保温杯", 20)])
    expect(page.get_by_test_id("lines-value")).to_contain_text("1,100.00")
    _step(page, "submit")
    expect(page.get_by_test_id("status-tag")).to_have_text("审批中")
    # No self-approval: the requester's approve step is not offered as allowed.
    approve = page.get_by_test_id("transition-approve")
    if approve.count():
        expect(approve).to_be_disabled()
    shot(page, "marketing-02-requisition-submitted")

    # --- the manager approves -------------------------------------------------------------
    page.context.clear_cookies()
    login(page, base, manager.username)
    page.goto(f"{base}/requisitions/{req.pk}")
    _step(page, "approve")
    expect(page.get_by_test_id("status-tag")).to_have_text("已审批")
    req.refresh_from_db()
    assert req.approved_by_id == manager.pk

    # --- the stock keeper issues and prints the form -----------------------------------------
    page.context.clear_cookies()
    login(page, base, keeper.username)
    page.goto(f"{base}/requisitions/{req.pk}")
    _step(page, "issue")
    expect(page.get_by_test_id("status-tag")).to_have_text("已发料")
    assert StockItem.objects.get(pk=brochure.pk).quantity_on_hand == D(300)
    assert StockItem.objects.get(pk=gift.pk).quantity_on_hand == D(20)
    with page.context.expect_page() as opened:
        page.get_by_test_id("print-document").click()
    doc = opened.value
    doc.wait_for_load_state()
    expect(doc.locator("h1")).to_have_text("领料单")
    expect(doc.get_by_test_id("document-number")).to_have_text(req.number)
    expect(doc.get_by_test_id("document-line")).to_have_count(2)
    expect(doc.get_by_test_id("document-total")).to_have_text("¥1,100.00")
    expect(doc.get_by_test_id("document-signatures")).to_contain_text("市场小王")
    expect(doc.get_by_test_id("document-signatures")).to_contain_text("周经理")
    shot(doc, "marketing-03-requisition-print")
    doc.close()

    # --- 5 gifts come back on a return ---------------------------------------------------------
    page.context.clear_cookies()
    login(page, base, marketer.username)
    page.goto(f"{base}/requisitions/{req.pk}")
    page.get_by_test_id("new-return").click()
    page.get_by_test_id("form-stock-returns").get_by_test_id("form-save").click()
    returns = page.get_by_test_id("related-stock-returns")
    expect(returns).to_contain_text("草稿")
    ret = StockReturn.objects.get(tenant=admin.tenant, requisition=req)
    returns.get_by_role("link", name=ret.number).click()
    expect(page.get_by_test_id("card-stock-returns")).to_be_visible()
    _add_lines(page, [("定制保温杯", 5)])
    page.context.clear_cookies()
    login(page, base, keeper.username)
    page.goto(f"{base}/stock-returns/{ret.pk}")
    _step(page, "confirm")
    expect(page.get_by_test_id("status-tag")).to_have_text(re.compile("已确认"))
    assert StockItem.objects.get(pk=gift.pk).quantity_on_hand == D(25)
    page.goto(f"{base}/stock-items")
    expect(page.get_by_test_id("browse-stock-items")).to_contain_text("25")

    # --- the event shows its cost and its leads -----------------------------------------------
    page.context.clear_cookies()
    login(page, base, marketer.username)
    page.goto(f"{base}/marketing-events/{event.pk}")
    # 200 x 2.50 + (20 - 5) x 30.00 = 950.00 of goods, no other expenses
    expect(page.get_by_test_id("event-goods-cost")).to_contain_text("950.00")
    expect(page.get_by_test_id("event-cost")).to_contain_text("950.00")
    expect(page.get_by_test_id("event-leads")).to_have_text("4")
    expect(page.get_by_test_id("event-cost-per-lead")).to_contain_text("237.50")
    expect(page.get_by_test_id("related-leads")).to_contain_text("展会线索0")
    shot(page, "marketing-04-event-cost")
