"""Issue 20 in the browser: a rep submits a contract, the manager finds it in
待我审批 and approves it; a quotation prints as a customer-facing document with
its 大写金额; the opportunity card shows where it stands (the stage bar)."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from crm.sales.models import Contract
from tests.conftest import make_company, make_user
from tests.e2e.helpers import login
from tests.sales import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(db):
    from crm.core import services

    admin = make_company("星辰审批测试有限公司")
    manager = make_user(admin, "销售经理", name="王经理")
    team = services.team_create(tenant=admin.tenant, actor=admin, name="销售一部", leader=manager)
    services.user_update(manager, tenant=admin.tenant, actor=admin, team=team)
    rep = make_user(admin, "销售代表", team=team, name="李销售")
    return admin, manager, rep


def test_rep_submits_and_the_manager_approves_from_awaiting_me(page, live_server, shot, people):
    _admin, manager, rep = people
    contract = f.contract(rep, amount="30000.00")

    login(page, live_server.url, rep.username)
    page.goto(f"{live_server.url}/contracts/{contract.pk}")
    page.get_by_test_id("transition-submit").click()
    expect(page.locator(".el-message--success")).to_be_visible()
    expect(page.get_by_test_id("status-tag")).to_contain_text("待审批")

    page.context.clear_cookies()
    login(page, live_server.url, manager.username)
    page.get_by_test_id("menu-contracts-awaiting").click()
    expect(page).to_have_url(re.compile(r"/contracts/awaiting$"))
    listing = page.get_by_test_id("browse-contracts-awaiting")
    expect(listing).to_contain_text(contract.number)
    shot(page, "60-contracts-awaiting-me")
    listing.get_by_text(contract.number).click()
    expect(page).to_have_url(re.compile(rf"/contracts/{contract.pk}$"))
    page.get_by_test_id("transition-approve").click()
    page.get_by_test_id("transition-confirm").click()
    expect(page.get_by_test_id("status-tag")).to_contain_text("已审批")
    with scopes_disabled():
        assert Contract.objects.get(pk=contract.pk).status == "approved"
    expect(page.get_by_test_id("print-document")).to_be_visible()
    expect(page.get_by_test_id("download-pdf")).to_be_visible()


def test_quote_prints_with_amount_in_capitals(page, live_server, shot, people):
    _admin, _manager, rep = people
    opp = f.opportunity(rep, name="星辰 ERP 项目")
    prod = f.product(rep, code="ERP-9", price="6172.80", name="ERP 授权")
    quote = f.quote(opp, rep, prod=prod, specs=((2, "6172.80", 0),))

    login(page, live_server.url, rep.username)
    page.goto(f"{live_server.url}/quotes/{quote.pk}")
    with page.context.expect_page() as opened:
        page.get_by_test_id("print-document").click()
    doc = opened.value
    doc.wait_for_load_state()
    expect(doc.get_by_test_id("document-capitals")).to_have_text("壹万贰仟叁佰肆拾伍元陆角整")
    expect(doc.get_by_test_id("document-total")).to_have_text("¥12,345.60")
    expect(doc.get_by_test_id("document-customer")).to_contain_text("上海测试客户")
    expect(doc.locator("h1")).to_have_text("报价单")
    shot(doc, "61-quotation-print")


def test_opportunity_card_shows_the_stage_bar(page, live_server, shot, people):
    _admin, _manager, rep = people
    opp = f.opportunity(rep, name="星辰 CRM 项目")
    opp = f.move(opp, "needs_defined", rep)  # no requirement yet: the proposal is blocked

    login(page, live_server.url, rep.username)
    page.goto(f"{live_server.url}/opportunities/{opp.pk}")
    bar = page.get_by_test_id("stage-bar")
    expect(bar).to_be_visible()
    expect(bar.get_by_test_id("stage-needs_defined")).to_be_visible()
    expect(bar.get_by_test_id("stage-next")).to_contain_text("下一步")
    expect(bar.get_by_test_id("stage-blocked")).to_contain_text("需求")
    # The loss is a destructive step: styled as danger.
    expect(page.get_by_test_id("transition-lost")).to_have_class(re.compile("el-button--danger"))
    shot(page, "62-opportunity-stage-bar")


def test_forms_carry_their_context(page, live_server, shot, people):
    """A contract from an approved quote carries customer, name, amount and lines and
    its card opens; a call logged from a lead names the lead and is dated now; a
    return visit planned from a complaint names it (by its customer); a customer's
    contacts only are offered once the customer is chosen."""
    from crm.customers.services import lead_create
    from crm.service import services as service_services

    admin, manager, rep = people
    opp = f.opportunity(rep, name="星辰 ERP 项目")
    f.contact(opp.customer, rep, name="张三")
    other = f.customer(rep, name="另一家客户")
    f.contact(other, rep, name="李四")
    prod = f.product(rep, code="ERP-7", price="5000.00", name="ERP 授权")
    quote = f.quote(opp, rep, prod=prod, specs=((2, "5000.00", 0),))
    quote = f.move(f.move(quote, "submit", rep), "approve", manager)
    lead = lead_create(
        tenant=rep.tenant, actor=rep, company_name="星河贸易", contact_name="周杰", mobile=""
    )
    complaint = service_services.complaint_create(
        tenant=admin.tenant, actor=admin, customer=opp.customer, description="设备故障"
    )

    login(page, live_server.url, rep.username)
    page.goto(f"{live_server.url}/quotes/{quote.pk}")
    page.get_by_test_id("quote-new-contract").click()
    form = page.get_by_test_id("form-contracts")
    expect(form.get_by_test_id("item-customer")).to_contain_text("上海测试客户")
    expect(form.get_by_test_id("field-title")).to_have_value("星辰 ERP 项目")
    form.get_by_test_id("form-save").click()
    expect(page).to_have_url(re.compile(r"/contracts/\d+$"))
    expect(page.get_by_test_id("panel-lines")).to_contain_text("ERP 授权")
    expect(page.get_by_test_id("value-amount")).to_contain_text("10,000.00")
    with scopes_disabled():
        made = Contract.objects.get(quote=quote)
    assert (made.customer_id, made.title, made.lines.count()) == (
        opp.customer_id,
        "星辰 ERP 项目",
        1,
    )

    page.goto(f"{live_server.url}/leads/{lead.pk}")
    page.get_by_test_id("log-activity").click()
    form = page.get_by_test_id("form-activities")
    expect(form.get_by_test_id("item-lead")).to_contain_text("星河贸易")
    expect(form.get_by_test_id("item-occurred_at").locator("input")).not_to_have_value("")
    page.keyboard.press("Escape")

    page.context.clear_cookies()
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}")
    page.get_by_test_id("plan-return-visit").click()
    form = page.get_by_test_id("form-follow-ups")
    # A follow-up has one target: the complaint, named by its customer (not "#12").
    expect(form.get_by_test_id("item-complaint")).to_contain_text("上海测试客户")
    page.keyboard.press("Escape")

    # The contact picker of a new opportunity narrows to the chosen customer's contacts.
    page.goto(f"{live_server.url}/opportunities/{opp.pk}")
    page.get_by_test_id("card-edit").click()
    form = page.get_by_test_id("form-opportunities")
    form.get_by_test_id("field-contact").click()
    options = page.locator(".el-select-dropdown__item:visible")
    expect(options.filter(has_text="张三")).to_have_count(1)
    expect(options.filter(has_text="李四")).to_have_count(0)
    shot(page, "63-contact-narrowed-by-customer")
