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
