"""Modules on and off in the browser (issue 17): the admin switches marketing off on
the 模块 page; its menu entries go, its pages give the not-found page and its API
answers 404 module_disabled; switched back on, all of it returns."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import make_company
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def api_status(page, path: str) -> list:
    return page.evaluate(
        """async (path) => {
            const r = await fetch(path, { credentials: 'same-origin' })
            const body = await r.json().catch(() => ({}))
            return [r.status, body.code ?? null]
        }""",
        path,
    )


def confirm(page) -> None:
    page.locator(".el-message-box__btns .el-button--primary").click()


def test_switch_marketing_off_and_on(page, live_server, shot):
    admin = make_company()
    login(page, live_server.url, admin.username)
    expect(page.get_by_test_id("menu-stock-items")).to_be_visible()

    page.goto(f"{live_server.url}/settings/modules")
    switch = page.get_by_test_id("module-marketing")
    expect(switch).to_be_visible()
    expect(page.get_by_test_id("modules-table")).to_contain_text("始终开启")  # customers, system
    switch.click()
    confirm(page)
    expect(page.get_by_test_id("menu-stock-items")).to_have_count(0)
    expect(page.get_by_test_id("menu-requisitions")).to_have_count(0)
    expect(page.get_by_test_id("menu-customers")).to_be_visible()
    shot(page, "90-modules-marketing-off")
    admin.tenant.refresh_from_db()
    assert admin.tenant.modules_off == ["marketing"]
    assert api_status(page, "/api/v1/stock-items/") == [404, "module_disabled"]
    assert api_status(page, "/api/v1/customers/")[0] == 200

    page.goto(f"{live_server.url}/stock-items")
    expect(page.get_by_test_id("menu-home")).to_be_visible()
    expect(page.locator(".el-result")).to_be_visible()  # the not-found page

    page.goto(f"{live_server.url}/settings/modules")
    page.get_by_test_id("module-marketing").click()
    confirm(page)
    expect(page.get_by_test_id("menu-stock-items")).to_be_visible()
    assert api_status(page, "/api/v1/stock-items/")[0] == 200
