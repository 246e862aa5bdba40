"""The phone and the installable app (issue 18), in Chromium at 375×812, zh-CN.

On a phone the lead list is cards (not a table), the menu a drawer behind the
header button, a quick call/visit note is logged from the home page (with the
location the browser was allowed to give), a follow-up is completed there, and
phone numbers are tel:/sms: links. The web app manifest is served with its
fields, the service worker registers, and the app shell loads with the network
off. Needs the production build (`FRONTEND_DIST`): the dev server has no /sw.js.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.activities.models import Activity
from crm.customers import services as customer_services
from crm.service.models import FollowUp
from crm.service.services import followup_create
from tests.conftest import make_company
from tests.e2e.helpers import choose, login

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(browser):
    """A phone-sized page (its own context: the service worker and offline state stay in it)."""
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def wait_for(check, timeout: float = 15.0):
    """Poll the database until ``check()`` is truthy (the page's request is async)."""
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > end:
            return value
        time.sleep(0.2)


def test_phone_cards_drawer_quick_activity_follow_up_and_tel_links(phone, live_server, shot):
    page = phone
    admin = make_company()
    tenant = admin.tenant
    for i in range(3):
        customer_services.lead_create(
            tenant=tenant,
            actor=admin,
            company_name=f"杭州外勤科技{i}有限公司",
            contact_name="赵六",
            mobile=f"1391234000{i}",
            need="CRM",
            owner=admin,
        )
    customer = customer_services.customer_create(
        tenant=tenant, actor=admin, name="苏州现场制造有限公司", owner=admin
    )
    customer_services.contact_create(
        tenant=tenant, actor=admin, customer=customer, name="钱七", mobile="13812345678"
    )
    follow_up = followup_create(
        tenant=tenant,
        actor=admin,
        kind="follow_up",
        subject="确认报价",
        customer=customer,
        due_at=timezone.now() + dt.timedelta(days=1),
    )
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 31.23041, "longitude": 121.47370, "accuracy": 20})

    login(page, live_server.url, admin.username)
    expect(page.get_by_test_id("phone-home")).to_be_visible()
    # The field actions come first, above the desktop home's panels.
    tiles = page.get_by_test_id("phone-home").locator(".tile")
    expect(tiles).to_have_count(4)
    assert page.get_by_test_id("phone-home").bounding_box()["y"] < 200
    shot(page, "60-phone-home")

    # The menu is a drawer: hidden until the header button opens it.
    expect(page.get_by_test_id("menu-leads")).not_to_be_visible()
    page.get_by_test_id("nav-toggle").click()
    expect(page.get_by_test_id("menu-leads")).to_be_visible()
    shot(page, "61-phone-drawer")
    # The page behind is covered (header included); a tap on it closes the drawer.
    covering = page.evaluate("document.elementFromPoint(360, 20).dataset.testid")
    assert covering == "nav-backdrop", covering
    page.get_by_test_id("nav-backdrop").click(position={"x": 360, "y": 400})
    expect(page.get_by_test_id("menu-leads")).not_to_be_visible()
    page.get_by_test_id("nav-toggle").click()
    page.get_by_test_id("menu-leads").click()
    expect(page).to_have_url(f"{live_server.url}/leads")
    expect(page.get_by_test_id("menu-leads")).not_to_be_visible()

    # The lead list is cards, not a table; the mobile number calls.
    cards = page.get_by_test_id("browse-card")
    expect(cards).to_have_count(3)
    expect(page.locator(".el-table")).to_have_count(0)
    first = cards.first
    expect(first.get_by_test_id("row-link")).to_have_text("杭州外勤科技2有限公司")
    expect(first.get_by_test_id("tel-link")).to_have_attribute("href", "tel:13912340002")
    expect(first.get_by_test_id("sms-link")).to_have_attribute("href", "sms:13912340002")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the list scrolls sideways ({width} px)"
    shot(page, "62-phone-lead-cards")

    # A contact's phone is a tel: link (home page contacts and the contact list).
    page.get_by_test_id("nav-toggle").click()
    page.get_by_test_id("menu-home").click()
    contact = page.get_by_test_id("phone-contact").filter(has_text="钱七")
    expect(contact.get_by_test_id("phone-call")).to_have_attribute("href", "tel:13812345678")
    expect(contact.get_by_test_id("phone-sms")).to_have_attribute("href", "sms:13812345678")

    # Quick activity: a visit note on my customer, with the location.
    page.get_by_test_id("phone-quick-activity").click()
    dialog = page.locator(".el-dialog", has=page.get_by_test_id("quick-activity"))
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert box["width"] >= PHONE["width"] - 1, f"the dialog is not full width ({box['width']})"
    page.get_by_test_id("qa-kind-visit").click()
    expect(page.get_by_test_id("qa-subject")).to_have_value("上门拜访")
    choose(page, "qa-target", "苏州现场制造有限公司")
    page.get_by_test_id("qa-note").fill("见了采购经理，下周报价")
    page.get_by_test_id("qa-location").click()
    expect(dialog).to_contain_text("31.23041")
    shot(page, "63-phone-quick-activity")
    page.get_by_test_id("qa-save").click()
    expect(dialog).not_to_be_visible()
    activity = wait_for(lambda: Activity.objects.filter(customer=customer).first())
    assert activity is not None, "the quick activity was not saved"
    assert activity.kind == "visit"
    assert activity.subject == "上门拜访"
    assert activity.owner_id == admin.pk
    assert activity.note.startswith("见了采购经理，下周报价\n位置：31.23041, 121.47370")

    # Complete a follow-up from the home page.
    row = page.get_by_test_id("phone-follow-up").filter(has_text="确认报价")
    row.get_by_test_id("phone-complete").click()
    page.get_by_test_id("phone-outcome").fill("客户确认报价，下周签约")
    page.get_by_test_id("phone-complete-save").click()
    expect(page.get_by_test_id("phone-follow-up")).to_have_count(0)
    follow_up.refresh_from_db()
    assert wait_for(lambda: FollowUp.objects.get(pk=follow_up.pk).status == "done")
    assert FollowUp.objects.get(pk=follow_up.pk).outcome == "客户确认报价，下周签约"


def test_manifest_service_worker_and_the_app_shell_offline(phone, live_server, shot):
    page = phone
    base = live_server.url

    # The manifest: its fields and icons, as the browser reads them.
    response = page.request.get(f"{base}/manifest.webmanifest")
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    assert response.headers["cache-control"] == "no-cache"
    manifest = response.json()
    assert manifest["name"] == "商慧 CRM"
    assert manifest["short_name"]
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"]
    icons = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= icons
    for icon in manifest["icons"]:
        image = page.request.get(f"{base}{icon['src']}")
        assert image.status == 200, icon
        assert image.headers["content-type"] == "image/png"
    sw = page.request.get(f"{base}/sw.js")
    assert sw.status == 200
    assert "javascript" in sw.headers["content-type"]
    assert sw.headers["cache-control"] == "no-cache"

    # The service worker registers, precaches the shell and takes control.
    admin = make_company()
    login(page, base, admin.username)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page.content()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60_000)
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == f"{base}/"
    cached = page.evaluate(
        """async () => {
            let n = 0
            for (const name of await caches.keys()) {
                n += (await (await caches.open(name)).keys()).length
            }
            return n
        }"""
    )
    assert cached > 50, f"only {cached} files precached"

    # No network: the app shell still loads, and the app starts.
    page.context.set_offline(True)
    page.reload()
    expect(
        page.locator("#app .app-shell, #app [data-testid='login-username']").first
    ).to_be_visible()
    expect(page.get_by_test_id("home-page")).to_be_visible()
    expect(page.get_by_test_id("nav-toggle")).to_be_visible()
    assert page.title().endswith("商慧 CRM")
    # A deep link too (navigations fall back to the cached index.html).
    page.goto(f"{base}/leads")
    expect(page.get_by_test_id("browse-leads")).to_be_visible()
    shot(page, "64-phone-offline-shell")
    page.context.set_offline(False)
