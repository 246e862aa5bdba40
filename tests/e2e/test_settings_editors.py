"""The settings editors in the browser (issue 17, item 3): an industry renamed in the
dictionary shows in the customer form's choices; a day off added to the working
calendar moves the deadline checker's answer past it; the policies page, grouped
by module, saves a value and refuses an out-of-range one beside its field."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from crm.core.models import DictionaryItem
from crm.service.models import TenantWorkday
from tests.conftest import make_company
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(check, timeout: float = 10.0):
    """Poll ``check`` until it returns something truthy (the app saves in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    return check()


def test_rename_an_industry_and_see_it_in_the_customer_form(page, live_server, shot):
    admin = make_company()
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/settings")
    page.get_by_test_id("settings-dictionary-link").click()
    expect(page.get_by_test_id("dictionary-page")).to_be_visible()
    label = page.get_by_test_id("dict-label-manufacturing")
    expect(label).to_have_value("制造业")
    label.fill("高端制造业")
    label.press("Enter")
    expect(page.locator(".el-message--success")).to_be_visible()
    item = DictionaryItem.objects.get(tenant=admin.tenant, kind="industry", code="manufacturing")
    assert item.label == "高端制造业"
    # Reorder: move it down one place, persisted.
    page.get_by_test_id("dict-down-manufacturing").click()
    expect(page.get_by_test_id("dictionary-values").locator("li").nth(1)).to_have_attribute(
        "data-testid", "dict-row-manufacturing"
    )
    # The list moves at once; the new order is stored when the request returns.
    assert wait_for(lambda: DictionaryItem.objects.filter(pk=item.pk, order=1).exists())
    shot(page, "97a-dictionary-editor")

    # Without reloading the app: the customer form's choices carry the new name.
    page.evaluate(
        "window.history.pushState({}, '', '/customers');"
        " window.dispatchEvent(new PopStateEvent('popstate'))"
    )
    page.get_by_test_id("create").click()
    page.get_by_test_id("field-industry").click()
    options = page.locator(".el-select-dropdown__item:visible")
    expect(options.filter(has_text="高端制造业")).to_have_count(1)
    expect(options.get_by_text("制造业", exact=True)).to_have_count(0)


def test_in_use_value_can_only_be_deactivated(page, live_server):
    from crm.customers.services import customer_create

    admin = make_company()
    industry = DictionaryItem.objects.get(tenant=admin.tenant, kind="industry", code="finance")
    customer_create(tenant=admin.tenant, actor=admin, name="某银行", industry=industry)
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/settings/dictionary")
    page.get_by_test_id("dict-delete-finance").click()
    page.locator(".el-message-box__btns .el-button--primary").click()  # confirm the delete
    # The confirm box may still be fading out when the refusal opens: take the refusal.
    box = page.locator(".el-message-box").filter(has_text="正在使用")
    expect(box).to_contain_text("金融")
    expect(box).to_contain_text("1")
    box.locator(".el-message-box__btns .el-button--primary").click()  # deactivate instead
    expect(page.get_by_test_id("dict-row-finance")).to_contain_text("已停用")
    industry.refresh_from_db()
    assert industry.active is False


def test_a_day_off_moves_the_deadline(page, live_server, shot):
    admin = make_company()
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/settings/calendar")
    expect(page.get_by_test_id("working-calendar-page")).to_be_visible()

    def deadline_falls_on(day: str) -> None:
        """Run the check; its answer (awaited: a rerun replaces the one shown) is on ``day``."""
        start = page.get_by_test_id("check-start").locator("input")
        start.fill("2026-06-01 09:00")
        start.press("Enter")
        hours = page.get_by_test_id("check-hours").locator("input")
        hours.fill("12")
        hours.press("Tab")
        page.get_by_test_id("check-run").click()
        expect(page.get_by_test_id("check-deadline")).to_have_text(re.compile(f"^{day}"))

    deadline_falls_on("2026-06-02")
    date = page.get_by_test_id("day-new-date").locator("input")
    date.fill("2026-06-02")
    date.press("Enter")
    page.get_by_test_id("day-new-note").fill("公司团建")
    page.get_by_test_id("day-add").click()
    expect(page.get_by_test_id("days-table")).to_contain_text("公司团建")
    assert TenantWorkday.objects.filter(
        tenant=admin.tenant, date="2026-06-02", is_workday=False
    ).exists()
    deadline_falls_on("2026-06-03")
    shot(page, "97b-working-calendar")


def test_policies_grouped_by_module_save_and_refuse_out_of_range(page, live_server, shot):
    admin = make_company()
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/settings")
    leads = page.get_by_test_id("settings-group-leads")
    expect(leads).to_contain_text("天")
    expect(page.get_by_test_id("settings-group-service")).to_contain_text("小时")
    field = page.get_by_test_id("setting-pool_idle_days").locator("input")
    field.fill("45")
    field.press("Tab")
    page.get_by_test_id("settings-save").click()
    expect(page.locator(".el-message--success")).to_be_visible()
    admin.tenant.refresh_from_db()
    assert admin.tenant.setting("pool_idle_days") == 45

    field.fill("9999")
    field.press("Tab")
    page.get_by_test_id("settings-save").click()
    error = leads.locator(".el-form-item__error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("365")
    admin.tenant.refresh_from_db()
    assert admin.tenant.setting("pool_idle_days") == 45
    shot(page, "97c-policies")


def test_role_editor_groups_codes_by_module_with_each_steps_subject(page, live_server, shot):
    from crm.core.models import Role

    admin = make_company()
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/settings")
    page.get_by_test_id("settings-roles-link").click()
    page.get_by_test_id("create").click()
    form = page.get_by_test_id("form-roles")
    form.get_by_test_id("field-name").fill("合同审批员")
    form.get_by_test_id("codes-group-sales").locator(".el-collapse-item__header").click()
    approve = form.get_by_test_id("code-transition:contract.approve")
    expect(approve).to_be_visible()
    expect(approve).to_have_text("合同 · 审批通过")
    approve.click()
    shot(page, "97d-role-editor")
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("card-title")).to_have_text("合同审批员")
    role = Role.objects.get(tenant=admin.tenant, name="合同审批员")
    assert role.permissions == ["transition:contract.approve"]
