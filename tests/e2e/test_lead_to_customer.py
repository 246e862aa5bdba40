"""A new company works a lead from creation to customer in the browser, in Chinese."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from crm.core.models import User
from crm.customers.models import Customer, Lead

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Xing-chen-2026!"
LEAD = "北京星辰科技有限公司"


def test_sign_up_and_work_a_lead_to_a_customer(page, live_server, shot):
    base = live_server.url
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    shot(page, "01-login")

    # --- sign up a new company -------------------------------------------------
    page.get_by_test_id("to-signup").click()
    page.get_by_test_id("signup-company").fill("星辰测试有限公司")
    page.get_by_test_id("signup-username").fill("boss")
    page.get_by_test_id("signup-email").fill("boss@example.cn")
    page.get_by_test_id("signup-password").fill("123")  # too weak: refused on the field
    page.get_by_test_id("signup-submit").click()
    expect(page.locator(".el-form-item__error").first).to_be_visible()
    shot(page, "02-signup-error")
    page.get_by_test_id("signup-password").fill(PASSWORD)
    page.get_by_test_id("signup-submit").click()
    expect(page.get_by_test_id("home-page")).to_be_visible()
    assert User.objects.get(username="boss").tenant.name == "星辰测试有限公司"
    # Only the modules the admin may see are in the menu (all of them for an admin).
    expect(page.get_by_test_id("menu-leads")).to_be_visible()
    expect(page.get_by_test_id("menu-users")).to_be_visible()
    shot(page, "03-home")

    # --- log out, log in ------------------------------------------------------------
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_test_id("login-username").fill("boss")
    page.get_by_test_id("login-password").fill("wrong-password")
    page.get_by_test_id("login-submit").click()
    expect(page.locator(".el-form-item__error")).to_contain_text("用户名或密码")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("home-page")).to_be_visible()

    # --- create a lead -------------------------------------------------------------
    page.get_by_test_id("menu-leads").click()
    expect(page.get_by_test_id("browse-leads")).to_be_visible()
    page.get_by_test_id("create").click()
    form = page.get_by_test_id("form-leads")
    form.get_by_test_id("field-mobile").fill("1381234")  # invalid mobile: the API's field error
    form.get_by_test_id("field-company_name").fill(LEAD)
    form.get_by_test_id("field-contact_name").fill("李明")
    form.get_by_test_id("field-need").fill("需要一套销售管理系统")
    form.get_by_test_id("form-save").click()
    expect(form.get_by_test_id("item-mobile").locator(".el-form-item__error")).to_be_visible()
    shot(page, "04-lead-form-error")
    form.get_by_test_id("field-mobile").fill("13812345678")
    form.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("card-title")).to_have_text(LEAD)
    expect(page.get_by_test_id("status-tag")).to_have_text("新线索")

    # --- a blocked transition shows its reason ------------------------------------------
    expect(page.get_by_test_id("transition-contact")).to_be_disabled()
    expect(page.get_by_test_id("reasons-contact")).to_contain_text("请先记录一次与该线索的电话")
    shot(page, "05-lead-card-blocked")

    # --- log a call from the card, then contact and qualify -----------------------------
    page.get_by_test_id("log-activity").click()
    activity = page.get_by_test_id("form-activities")
    activity.get_by_test_id("field-subject").fill("首次电话沟通")
    activity.get_by_test_id("field-note").fill("客户对线索管理和报表感兴趣")
    activity.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("首次电话沟通")
    expect(page.get_by_test_id("transition-contact")).to_be_enabled()
    page.get_by_test_id("transition-contact").click()
    expect(page.get_by_test_id("status-tag")).to_have_text("已联系")
    page.get_by_test_id("transition-qualify").click()
    expect(page.get_by_test_id("status-tag")).to_have_text("已确认")

    # --- convert: an irreversible step asks first and states the consequence --------------
    page.get_by_test_id("transition-convert").click()
    dialog = page.locator(".el-dialog:visible")
    expect(dialog.get_by_test_id("transition-consequence")).to_contain_text("不可撤销")
    expect(dialog.get_by_test_id("transition-consequence")).to_contain_text("创建客户和联系人")
    shot(page, "06-convert-dialog")
    dialog.get_by_test_id("field-comment").fill("客户确认采购")
    dialog.get_by_test_id("transition-confirm").click()
    expect(page.get_by_test_id("status-tag")).to_have_text("已转化")
    expect(page.get_by_test_id("value-customer")).to_contain_text(LEAD)
    lead = Lead.objects.get(company_name=LEAD)
    assert lead.status == "converted" and lead.customer is not None
    expect(page.get_by_test_id("timeline")).to_contain_text("已确认 → 已转化")
    shot(page, "07-lead-card-converted")

    # --- find the new customer by its pinyin initials --------------------------------------
    lookup = page.get_by_test_id("quick-lookup")
    lookup.fill("bjxc")
    hit = page.locator(".lookup-popper li", has_text="客户").filter(has_text=LEAD).first
    expect(hit).to_be_visible()
    shot(page, "08-quick-lookup")
    hit.click()
    expect(page.get_by_test_id("card-customers")).to_be_visible()
    expect(page.get_by_test_id("card-title")).to_have_text(LEAD)
    expect(page.get_by_test_id("related-contacts")).to_contain_text("李明")
    customer = Customer.objects.get(name=LEAD)
    assert page.url.endswith(f"/customers/{customer.pk}")
    shot(page, "09-customer-card")

    # --- the other main pages -------------------------------------------------------------
    page.get_by_test_id("menu-customers").click()
    expect(page.get_by_test_id("browse-customers").get_by_test_id("row-link").first).to_have_text(
        LEAD
    )
    shot(page, "10-customers")
    page.get_by_test_id("menu-leads-pool").click()
    expect(page.get_by_test_id("browse-leads-pool")).to_be_visible()
    page.get_by_test_id("menu-users").click()
    expect(page.get_by_test_id("browse-users")).to_contain_text("boss")
    shot(page, "11-users")
    page.get_by_test_id("menu-settings").click()
    expect(page.get_by_test_id("setting-daily_claim_cap")).to_be_visible()
    shot(page, "12-settings")

    # --- switch to English: saved in the personal settings and remembered -----------------------
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("menu-leads")).to_have_text("Leads")
    page.get_by_test_id("menu-leads").click()
    expect(page.get_by_role("heading", name="Leads")).to_be_visible()
    page.get_by_test_id("row-link").first.click()
    expect(page.get_by_test_id("status-tag")).to_have_text("converted")
    assert User.objects.get(username="boss").language == "en"
    page.reload()
    expect(page.get_by_test_id("menu-customers")).to_have_text("Customers")
    shot(page, "13-lead-card-english")
