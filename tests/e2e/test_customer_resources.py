"""Customer resources in the browser (issue 14): a customer group created, customers
selected in the list and put in the group (with a tag) in one bulk request, the list
filtered by the group; a lead left on the public form lands on the reps of a
round-robin rule in turn; a campaign card shows its ROI."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from crm.core import services as core
from crm.customers.lead_forms import lead_form_create
from crm.customers.models import CustomerGroup, Lead
from crm.customers.rules_api import assignment_rule_create
from crm.customers.services import customer_create, lead_create
from crm.marketing.campaigns import campaign_create
from crm.sales.models import Opportunity
from crm.sales.services import opportunity_create
from tests.conftest import make_company, make_user
from tests.e2e.helpers import choose, login

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(check, timeout: float = 10.0):
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > end:
            return value
        time.sleep(0.2)


def test_group_customers_in_bulk_and_filter_by_the_group(page, live_server, shot):
    admin = make_company()
    for name in ("上海甲公司", "杭州乙公司", "南京丙公司"):
        customer_create(tenant=admin.tenant, actor=admin, name=name, region="华东")
    login(page, live_server.url, admin.username)

    page.goto(f"{live_server.url}/customer-groups")
    page.get_by_test_id("create").click()
    page.get_by_test_id("form-customer-groups").get_by_test_id("field-name").fill("展会客户")
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("card-title")).to_have_text("展会客户")
    group = wait_for(lambda: CustomerGroup.objects.filter(name="展会客户").first())
    assert group is not None

    page.goto(f"{live_server.url}/customers")
    table = page.get_by_test_id("browse-table")
    expect(table).to_contain_text("南京丙公司")
    checkboxes = table.locator(".el-table__body .el-checkbox")
    checkboxes.nth(0).click()
    checkboxes.nth(1).click()
    page.get_by_test_id("bulk-label").click()
    choose(page, "bulk-label-groups", "展会客户")
    tags = page.get_by_test_id("bulk-label-tags")
    tags.click()
    page.keyboard.type("VIP")
    page.keyboard.press("Enter")
    page.locator(".el-dialog__title:visible").click()  # close the tag dropdown
    page.get_by_test_id("bulk-label-confirm").click()
    assert wait_for(lambda: group.customers.count() == 2)
    # the two rows at the top of the list (newest first)
    assert sorted(group.customers.values_list("name", flat=True)) == ["南京丙公司", "杭州乙公司"]

    choose(page, "filter-group", "展会客户")
    page.get_by_test_id("browse-apply").click()
    expect(page.get_by_test_id("browse-total")).to_contain_text("2")
    expect(table).not_to_contain_text("上海甲公司")
    expect(table.get_by_test_id("tag-chip").first).to_have_text("VIP")
    assert "group=" in page.url
    shot(page, "140-customers-by-group")


def test_public_form_lead_lands_on_the_round_robin(page, live_server, shot):
    admin = make_company()
    team = core.team_create(tenant=admin.tenant, actor=admin, name="华东")
    reps = [make_user(admin, "销售代表", team=team, name=n) for n in ("赵一", "钱二")]
    assignment_rule_create(
        tenant=admin.tenant, actor=admin, name="华东轮转", strategy="round_robin", team=team
    )
    form = lead_form_create(
        tenant=admin.tenant,
        actor=admin,
        name="官网",
        title="预约产品演示",
        fields=["contact_name", "need"],
        thank_you="谢谢，我们会尽快联系您！",
    )
    for i, mobile in enumerate(("13911112222", "13933334444")):
        page.goto(f"{live_server.url}/f/{form.public_key}/")
        expect(page.get_by_role("heading")).to_have_text("预约产品演示")
        page.get_by_test_id("form-company_name").fill(f"苏州客户{i}")
        page.get_by_test_id("form-mobile").fill(mobile)
        page.get_by_test_id("form-contact_name").fill("周先生")
        page.get_by_test_id("form-need").fill("想了解价格")
        page.get_by_test_id("form-submit").click()
        expect(page.get_by_test_id("form-thanks")).to_have_text("谢谢，我们会尽快联系您！")
    shot(page, "141-lead-form-thanks")
    owners = [Lead.objects.get(company_name=f"苏州客户{i}").owner_id for i in range(2)]
    assert owners == [reps[0].pk, reps[1].pk]

    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/leads?search=苏州客户0")
    expect(page.get_by_test_id("browse-table")).to_contain_text("赵一")


def test_campaign_card_shows_roi(page, live_server, shot):
    admin = make_company()
    campaign = campaign_create(
        tenant=admin.tenant,
        actor=admin,
        name="双十一战役",
        budget=Decimal("1500"),
        cost=Decimal("1000"),
    )
    lead = lead_create(
        tenant=admin.tenant, actor=admin, company_name="无锡丁公司", campaign=campaign
    )
    customer = customer_create(tenant=admin.tenant, actor=admin, name="无锡丁公司")
    opp = opportunity_create(
        tenant=admin.tenant,
        actor=admin,
        name="年框",
        customer=customer,
        amount=Decimal("3000"),
        lead=lead,
    )
    Opportunity.objects.filter(pk=opp.pk).update(status="won")
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}")
    expect(page.get_by_test_id("card-title")).to_have_text("双十一战役")
    expect(page.get_by_test_id("campaign-leads")).to_have_text("1")
    expect(page.get_by_test_id("campaign-roi")).to_have_text("200.0%")  # (3000 - 1000) / 1000
    expect(page.get_by_test_id("campaign-cost-per-lead")).to_contain_text("1,000.00")
    shot(page, "142-campaign-roi")
