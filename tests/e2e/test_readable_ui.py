"""What a new user reads and types (issue 20 items 7, 9-12), in Chromium, zh-CN:
a record's history in labelled old → new lines, a selection deleted after its
consequences are shown, dialogs driven by the keyboard, a header and labels that
stay on one line at 1280 and 1920 px."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from crm.core.services import dictionary_create
from crm.customers.models import Contact
from tests.conftest import make_company, make_user
from tests.e2e.helpers import login
from tests.sales import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def test_history_reads_as_labelled_changes(page, live_server, shot):
    admin = make_company()
    rep = make_user(admin, "销售代表", name="李晓明")
    industry = dictionary_create(
        tenant=admin.tenant, actor=admin, kind="industry", code="e2e-mfg", label="精密制造"
    )
    cust = f.customer(admin, name="北京读史科技有限公司")
    from crm.customers.services import customer_update

    customer_update(cust, tenant=admin.tenant, actor=admin, industry=industry, owner=rep)
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/customers/{cust.pk}")
    timeline = page.get_by_test_id("timeline")
    lines = timeline.get_by_test_id("timeline-lines").first
    expect(lines).to_contain_text("行业：— → 精密制造")
    expect(lines).to_contain_text(f"负责人：{admin.display_name} → 李晓明")
    text = timeline.inner_text()
    assert "update" not in text and "industry" not in text and str(industry.pk) not in text
    expect(timeline).to_contain_text("修改")
    shot(page, "issue20-readable-history")


def test_a_lead_timeline_names_the_step_and_states(page, live_server):
    """A transition reads "标记已联系：新线索 → 已联系", a field change by its label."""
    from decimal import Decimal

    from django.utils import translation

    from crm.activities.services import activity_create
    from crm.customers.services import lead_create, lead_update
    from crm.marketing.services import ad_placement_create
    from tests.activities.helpers import move
    from workflows.lead import LeadStatus
    from workflows.process import get_process

    admin = make_company()
    lead = lead_create(
        tenant=admin.tenant, actor=admin, company_name="读史线索公司", contact_name="王五"
    )
    activity_create(tenant=admin.tenant, actor=admin, kind="call", subject="首次电话", lead=lead)
    move(lead, "contact", admin)
    ad = ad_placement_create(
        tenant=admin.tenant, actor=admin, name="百度春季推广", cost=Decimal(1000)
    )
    lead.refresh_from_db()
    lead_update(lead, tenant=admin.tenant, actor=admin, ad_placement=ad)
    with translation.override("zh-hans"):
        step = str(get_process("lead").step("contact").label)
        moved = f"{step}：{LeadStatus.NEW.label} → {LeadStatus.CONTACTED.label}"
        field = str(type(lead)._meta.get_field("ad_placement").verbose_name)
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/leads/{lead.pk}")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text(moved)
    expect(timeline).to_contain_text(f"{field}：— → 百度春季推广")
    text = timeline.inner_text()
    for code in ("new →", "→ contacted", "ad placement", "ad_placement"):
        assert code not in text, code


def test_bulk_delete_shows_the_consequences_first(page, live_server, shot):
    admin = make_company()
    plain = [f.customer(admin, name=f"批量删除客户{i}") for i in range(2)]
    used = f.customer(admin, name="批量删除有商机客户")
    f.opportunity(admin, cust=used)
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/customers?search=批量删除")
    table = page.locator(".el-table")
    expect(table.get_by_text("批量删除有商机客户")).to_be_visible()
    page.locator(".el-table__header .el-checkbox").first.click()
    page.get_by_test_id("bulk-delete").click()
    expect(page.get_by_test_id("bulk-delete-count")).to_have_text("所选 3 条中，将删除 2 条。")
    refused = page.get_by_test_id("bulk-delete-refused")
    expect(refused).to_contain_text("批量删除有商机客户")
    expect(refused).to_contain_text("销售机会")
    export = page.get_by_test_id("bulk-export")
    href = export.get_attribute("href")
    assert "ids=" in href and all(str(c.pk) in href for c in [*plain, used])
    shot(page, "issue20-bulk-delete")
    page.get_by_test_id("bulk-delete-confirm").click()
    expect(page.get_by_test_id("browse-total")).to_contain_text("1")
    expect(table.get_by_text("批量删除客户0")).to_have_count(0)
    expect(table.get_by_text("批量删除有商机客户")).to_be_visible()


def test_bulk_delete_of_selected_contacts(page, live_server):
    admin = make_company()
    owner = f.customer(admin, name="联系人批量客户")
    doomed = [f.contact(owner, admin, name=f"批量联系人{i}") for i in range(2)]
    kept = f.contact(owner, admin, name="批量联系人留下")
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/contacts?search=批量联系人")
    table = page.locator(".el-table")
    expect(table.get_by_text("批量联系人留下")).to_be_visible()
    for contact in doomed:
        table.locator(".el-table__row", has_text=contact.name).locator(".el-checkbox").click()
    page.get_by_test_id("bulk-delete").click()
    expect(page.get_by_test_id("bulk-delete-count")).to_contain_text("2")
    page.get_by_test_id("bulk-delete-confirm").click()
    expect(table.get_by_text("批量联系人0")).to_have_count(0)
    expect(table.get_by_text("批量联系人留下")).to_be_visible()
    with scopes_disabled():
        assert set(Contact.objects.filter(customer=owner).values_list("pk", flat=True)) == {kept.pk}


def test_dialogs_focus_submit_on_enter_close_on_esc(page, live_server):
    admin = make_company()
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/customers")
    page.get_by_test_id("create").click()
    form = page.get_by_test_id("form-customers")
    expect(form).to_be_visible()
    # The first field has the focus: typing goes there.
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.closest('.el-dialog')"
        " && document.activeElement.tagName === 'INPUT'"
    )
    page.keyboard.type("键盘创建的客户")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/customers/" in url and url.rstrip("/").split("/")[-1].isdigit())
    expect(page.get_by_text("键盘创建的客户").first).to_be_visible()
    # Esc closes a dialog.
    page.goto(f"{live_server.url}/customers")
    page.get_by_test_id("create").click()
    expect(page.get_by_test_id("form-customers")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("form-customers")).to_be_hidden()


def test_a_date_panel_never_covers_the_save_button(page, live_server):
    admin = make_company()
    cust = f.customer(admin, name="日期客户")
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/contracts")
    page.get_by_test_id("create").click()
    form = page.locator(".el-dialog form").first
    expect(form).to_be_visible()
    pickers = form.locator(".el-date-editor input")
    assert pickers.count() >= 1, "the contract form has date fields"
    save = page.get_by_test_id("form-save")
    for i in range(pickers.count()):
        pickers.nth(i).scroll_into_view_if_needed()
        pickers.nth(i).click()
        panel = page.locator(".el-picker__popper:visible").last
        expect(panel).to_be_visible()
        a, b = panel.bounding_box(), save.bounding_box()
        overlap = not (
            a["x"] + a["width"] <= b["x"]
            or b["x"] + b["width"] <= a["x"]
            or a["y"] + a["height"] <= b["y"]
            or b["y"] + b["height"] <= a["y"]
        )
        assert not overlap, f"date panel {i} covers the save button: {a} over {b}"
        page.keyboard.press("Escape")
        page.wait_for_timeout(200)
    assert cust.pk


LINES_JS = """
(selector) => {
  // Elements whose text runs over more than one line: the text's own boxes (not
  // icons beside it) start at tops further apart than half a line.
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent || !el.textContent.trim()) continue;
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
    const tops = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) if (r.width > 0) tops.push(r.top);
    }
    tops.sort((a, b) => a - b);
    let lines = tops.length ? 1 : 0;
    for (let i = 1; i < tops.length; i++) if (tops[i] - tops[i - 1] > line / 2) lines++;
    if (lines > 1) out.push({ text: el.textContent.trim(), lines, line });
  }
  return out;
}
"""


@pytest.mark.parametrize("width", [1280, 1920])
def test_header_and_labels_stay_on_one_line(page, live_server, width, shot):
    admin = make_company("上海某某精密机械制造股份有限公司华东区域销售服务中心")
    from crm.core import services

    services.user_update(
        admin, tenant=admin.tenant, actor=admin, full_name="欧阳·司马长名字测试用户"
    )
    f.customer(admin, name="布局客户")
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server.url, admin.username)
    for path in ("/customers", "/contracts", "/settings", "/me"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        header = page.locator(".app-header")
        box = header.bounding_box()
        assert box["height"] <= 57, (path, box)
        user = page.get_by_test_id("user-menu")
        assert page.evaluate(LINES_JS, '[data-testid="user-menu"]') == [], path
        assert user.bounding_box()["y"] < box["y"] + box["height"]
        broken = page.evaluate(
            LINES_JS,
            ".el-table th .cell, .el-form-item__label, .el-descriptions__label, .page-header h1",
        )
        assert broken == [], (width, path, broken)
        title = page.locator(".page-header h1").first
        if title.count():
            assert title.bounding_box()["width"] > 20, (width, path)
    page.goto(f"{live_server.url}/customers")
    page.get_by_test_id("create").click()
    expect(page.get_by_test_id("form-customers")).to_be_visible()
    page.wait_for_timeout(300)
    assert page.evaluate(LINES_JS, ".el-dialog .el-form-item__label") == []
    shot(page, f"issue20-layout-{width}")


def test_sign_up_password_errors_in_chinese_inside_the_form(page, live_server):
    page.goto(f"{live_server.url}/signup")
    page.get_by_test_id("signup-company").fill("杭州密码测试有限公司")
    page.get_by_test_id("signup-username").fill("pwcheck")
    page.get_by_test_id("signup-email").fill("pwcheck@example.cn")
    page.get_by_test_id("signup-password").fill("12345678")
    page.get_by_test_id("signup-submit").click()
    item = page.locator(".el-form-item", has=page.get_by_test_id("signup-password"))
    error = item.locator(".el-form-item__error")
    expect(error).to_be_visible()
    text = error.inner_text()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    assert "password" not in text.lower() and "This" not in text, text
    # Several reasons read as one clean line: no doubled stops, no stray spaces between.
    assert "。 " not in text and "。；" not in text, text
