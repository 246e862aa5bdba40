"""Running the company alone in the browser (issue 17 items 4, 7, 8): download a
backup made by the worker, invite a colleague who accepts in another browser and
signs in, change one's own language and rows per page and see them applied,
revoke another browser's session."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core import mail
from playwright.sync_api import expect

from crm.customers import services as customer_services
from tests.conftest import make_company
from tests.e2e.helpers import choose, login

pytestmark = pytest.mark.django_db(transaction=True)
NEW_PASSWORD = "Joined-today-8642!"


def test_download_a_backup_from_the_settings_page(
    page, live_server, worker, settings, tmp_path, shot
):
    settings.MEDIA_ROOT = str(tmp_path)
    admin = make_company("备份演示公司")
    customer_services.customer_create(tenant=admin.tenant, actor=admin, name="要备份的客户")
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/settings")
    page.get_by_test_id("settings-backup-link").click()
    expect(page.get_by_test_id("backup-page")).to_be_visible()
    page.get_by_test_id("backup-start").click()
    link = page.get_by_test_id("backup-download")
    expect(link).to_be_visible(timeout=60_000)
    shot(page, "93-backup")
    with page.expect_download() as info:
        link.click()
    data = open(info.value.path(), "rb").read()
    archive = zipfile.ZipFile(io.BytesIO(data))
    rows = json.loads(archive.read("customers.customer.json"))
    assert [r["name"] for r in rows] == ["要备份的客户"]


def test_invite_a_colleague_who_accepts_and_signs_in(page, browser, live_server, shot):
    admin = make_company("邀请演示公司")
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/settings/users")
    page.get_by_test_id("invite-open").click()
    page.get_by_test_id("invite-emails").fill("newrep@example.cn")
    choose(page, "invite-roles", "销售代表")
    page.keyboard.press("Escape")
    page.get_by_test_id("invite-send").click()
    expect(page.locator(".el-message--success")).to_be_visible()
    expect(page.get_by_test_id("users-admin-table")).to_contain_text("newrep@example.cn")
    assert len(mail.outbox) == 1
    url = re.search(r"https?://\S+/invite/[\w-]+", mail.outbox[0].body).group(0)

    other = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        guest = other.new_page()
        guest.goto(url)
        expect(guest.get_by_test_id("accept-form")).to_be_visible()
        guest.get_by_test_id("accept-full-name").fill("新同事")
        guest.get_by_test_id("accept-password").fill(NEW_PASSWORD)
        guest.get_by_test_id("accept-again").fill(NEW_PASSWORD)
        guest.get_by_test_id("accept-submit").click()
        expect(guest.get_by_test_id("login-form")).to_be_visible()
        guest.get_by_test_id("login-username").fill("newrep@example.cn")
        guest.get_by_test_id("login-password").fill(NEW_PASSWORD)
        guest.get_by_test_id("login-submit").click()
        expect(guest.get_by_test_id("home-page")).to_be_visible()
        expect(guest.get_by_test_id("user-menu")).to_contain_text("新同事")
        # The link worked once.
        guest.goto(url)
        expect(guest.get_by_test_id("invite-invalid")).to_be_visible()
    finally:
        other.close()


def test_own_language_and_page_size_are_applied(page, live_server, shot):
    admin = make_company("设置演示公司")
    for i in range(25):
        customer_services.customer_create(tenant=admin.tenant, actor=admin, name=f"客户{i:02d}")
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/customers")
    expect(page.get_by_test_id("browse-table").locator(".el-table__row")).to_have_count(20)

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("open-me").click()
    expect(page.get_by_test_id("me-page")).to_be_visible()
    choose(page, "me-page-size", "50")
    choose(page, "me-language", "English")
    page.get_by_test_id("me-save").click()
    expect(page.get_by_role("heading", name="Personal settings")).to_be_visible()
    shot(page, "94-personal-settings")
    admin.refresh_from_db()
    assert (admin.page_size, admin.language) == (50, "en")

    page.goto(f"{live_server.url}/customers")
    expect(page.get_by_test_id("browse-table").locator(".el-table__row")).to_have_count(25)
    expect(page.get_by_test_id("browse-total")).to_contain_text("25")


def test_revoke_another_browsers_session(page, browser, live_server):
    admin = make_company("会话演示公司")
    other = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        laptop = other.new_page()
        login(laptop, live_server.url, admin.username)
        login(page, live_server.url, admin.username)
        page.goto(f"{live_server.url}/me")
        sessions = page.get_by_test_id("me-sessions")
        revoke = sessions.locator("[data-testid^=revoke-session-]")
        expect(revoke).to_have_count(1)
        revoke.click()
        page.locator(".el-message-box .el-button--primary").click()
        expect(page.locator(".el-message--success")).to_be_visible()
        expect(revoke).to_have_count(0)
        # The other browser is signed out at its next request.
        laptop.goto(f"{live_server.url}/customers")
        expect(laptop.get_by_test_id("login-form")).to_be_visible()
        # This one is still in.
        page.goto(f"{live_server.url}/customers")
        expect(page.get_by_test_id("browse-customers")).to_be_visible()
    finally:
        other.close()


def test_the_owner_reads_the_usage_of_a_period(page, live_server, shot):
    admin = make_company("用量演示公司")
    customer_services.customer_create(tenant=admin.tenant, actor=admin, name="今天的客户")
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/settings")
    page.get_by_test_id("settings-usage-link").click()
    expect(page.get_by_test_id("usage-page")).to_be_visible()
    # The last 30 days: the admin signed in and created a customer today.
    expect(page.get_by_test_id("usage-active")).to_have_text("1")
    expect(page.get_by_test_id("usage-sign-ins")).to_have_text("1")
    expect(page.get_by_test_id("usage-created")).to_contain_text("1")
    page.wait_for_timeout(300)
    shot(page, "95-usage")
    # Last month: nothing yet.
    page.get_by_test_id("usage-page").locator(".el-date-editor").first.click()
    page.locator(".el-picker-panel__shortcut", has_text="上月").click()
    expect(page.get_by_test_id("usage-active")).to_have_text("0")
    expect(page.get_by_test_id("usage-sign-ins")).to_have_text("0")
