"""User data renders as text; the lead list paints fast; the first list page's JS stays small."""

from __future__ import annotations

import gzip
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from playwright.sync_api import expect

from crm.customers import services as customer_services
from tests.conftest import make_company
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)

XSS = "<img src=x onerror=alert(1)>"


def test_a_customer_named_like_html_renders_as_text(page, live_server, shot):
    admin = make_company()
    customer = customer_services.customer_create(
        tenant=admin.tenant, actor=admin, name=XSS, owner=admin
    )
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    login(page, live_server.url, admin.username)
    page.get_by_test_id("menu-customers").click()
    expect(page.get_by_test_id("row-link").first).to_have_text(XSS)
    page.get_by_test_id("row-link").first.click()
    expect(page.get_by_test_id("card-title")).to_have_text(XSS)
    assert page.url.endswith(f"/customers/{customer.pk}")
    page.get_by_test_id("quick-lookup").fill("onerror")
    expect(page.locator(".lookup-popper li").first).to_contain_text(XSS)
    page.wait_for_timeout(500)
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
    shot(page, "20-xss-as-text")


def test_lead_list_of_50_rows_paints_fast_and_its_javascript_is_small(page, live_server, shot):
    admin = make_company()
    for i in range(60):
        customer_services.lead_create(
            tenant=admin.tenant,
            actor=admin,
            company_name=f"上海测试科技{i:02d}有限公司",
            contact_name="张三",
            mobile=f"1381234{i:04d}",
            need="CRM",
            owner=admin,
        )
    login(page, live_server.url, admin.username)

    # A full navigation to the list (cold JS from this server, warm HTTP cache off).
    page.goto(f"{live_server.url}/leads?page_size=50")
    rows = page.locator(".el-table__body tbody tr")
    expect(rows).to_have_count(50, timeout=30_000)
    cold_ms = page.evaluate("performance.now()")
    scripts = page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name).filter(n => n.endsWith('.js'))"
    )
    # In-app navigation: from the home page to the 50-row list.
    page.get_by_test_id("menu-home").click()
    expect(page.get_by_test_id("home-page")).to_be_visible()
    start = page.evaluate("performance.now()")
    page.evaluate(
        "window.history.pushState({}, '', '/leads?page_size=50');"
        "dispatchEvent(new PopStateEvent('popstate'))"
    )
    expect(rows).to_have_count(50, timeout=30_000)
    page.wait_for_function("document.querySelectorAll('.el-table__body tbody tr').length === 50")
    spa_ms = page.evaluate("performance.now()") - start
    shot(page, "21-leads-50-rows")

    # The JavaScript the first list page loaded, gzip-compressed as served.
    dist = Path(settings.FRONTEND_DIST)
    sizes = {}
    for url in scripts:
        path = dist / urlparse(url).path.lstrip("/")
        sizes[path.name] = len(gzip.compress(path.read_bytes(), 9))
    total_kb = sum(sizes.values()) / 1024
    charts = [n for n in sizes if n.startswith(("StatusChart", "ReportChart", "DashboardPage"))]
    print(
        f"\nlead list, 50 rows: painted {cold_ms:.0f} ms after a full navigation, "
        f"{spa_ms:.0f} ms after an in-app navigation; "
        f"JS for the first list page: {len(sizes)} files, {total_kb:.1f} KB gzip"
    )
    for name, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {name}: {size / 1024:.1f} KB gzip")
    assert not charts, "ECharts must load lazily, not with the list"
    # 250 KB until the round that added eleven modules, whose list metadata and zh-CN
    # catalogs load with the app shell (66 KB index); splitting them per module is open.
    assert total_kb <= 290, sizes
    # Only generous bounds: on a loaded 2-core machine the figures swing widely
    # (0.9-5 s seen); the printed figures are the measure.
    assert cold_ms < 20_000
    assert spa_ms < 15_000
