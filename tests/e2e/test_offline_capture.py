"""Offline capture in the browser (issue 18, sections 3 and 4): with the network
off a rep records a visit and a new lead, reloads the installed app (the service
worker serves the shell, IndexedDB the records and the outbox) and sees them
queued; back online the outbox is pushed and each appears on the server once.
An edit made offline that clashes with an edit made online meanwhile asks, per
field, which value to keep, and the chosen one ends on the server."""

from __future__ import annotations

import json

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from crm.activities.models import Activity
from crm.customers.models import Customer, Lead
from crm.customers.services import customer_create, lead_create
from crm.sync.models import SyncOperation
from tests.conftest import PASSWORD, make_company
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 812}


def app_ready_offline(page, base: str) -> None:
    """The service worker controls the page and the offline copy has been pulled once."""
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    status = page.get_by_test_id("offline-status")
    expect(status).not_to_have_attribute("data-synced-at", "")


def queued(page) -> int:
    return int(page.get_by_test_id("offline-status").get_attribute("data-queued") or 0)


def api_json(page, base: str, path: str):
    response = page.request.get(f"{base}/api/v1/{path}")
    assert response.ok, response.text()
    return response.json()


def test_visit_and_lead_recorded_offline_survive_a_reload_and_sync_once(
    page, context, live_server, shot
):
    admin = make_company()
    base = live_server.url
    customer = customer_create(tenant=admin.tenant, actor=admin, name="上海甲公司")
    lead_create(tenant=admin.tenant, actor=admin, company_name="已有线索公司")
    page.set_viewport_size(PHONE)
    login(page, base, admin.username)

    # Online, the rep opens the customer's card (and its visit form) before leaving the office.
    page.goto(f"{base}/customers/{customer.pk}")
    expect(page.get_by_test_id("card-title")).to_have_text("上海甲公司")
    app_ready_offline(page, base)
    page.get_by_test_id("log-customer-activity").click()
    expect(page.get_by_test_id("form-activities")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("form-activities")).to_be_hidden()

    context.set_offline(True)
    expect(page.get_by_test_id("offline-indicator")).to_have_text("离线")
    expect(page.get_by_test_id("offline-age")).to_contain_text("数据")

    # A visit on the customer...
    page.get_by_test_id("log-customer-activity").click()
    form = page.get_by_test_id("form-activities")
    form.get_by_test_id("field-subject").fill("离线拜访上海甲公司")
    form.get_by_test_id("form-save").click()
    expect(form).to_be_hidden()
    expect(page.get_by_test_id("offline-pending")).to_have_text("待同步 1")

    # ...a new lead, from the leads list read from the offline copy...
    page.goto(f"{base}/leads")  # offline: the service worker serves the app
    expect(page.get_by_test_id("browse-offline")).to_be_visible()
    expect(page.get_by_test_id("browse-leads")).to_contain_text("已有线索公司")
    page.get_by_test_id("create").click()
    form = page.get_by_test_id("form-leads")
    form.get_by_test_id("field-company_name").fill("离线新线索公司")
    form.get_by_test_id("field-contact_name").fill("王经理")
    form.get_by_test_id("form-save").click()
    expect(form).to_be_hidden()
    expect(page.get_by_test_id("offline-pending")).to_have_text("待同步 2")

    # ...and an activity linked to nothing, which the server will refuse.
    page.goto(f"{base}/activities")
    page.get_by_test_id("create").click()
    form = page.get_by_test_id("form-activities")
    form.get_by_test_id("field-subject").fill("未关联的电话")
    form.get_by_test_id("form-save").click()
    expect(form).to_be_hidden()
    expect(page.get_by_test_id("offline-pending")).to_have_text("待同步 3")

    # Reload with the network still off: the shell from the service worker, the queue from IDB.
    page.goto(f"{base}/leads")
    page.reload()
    expect(page.get_by_test_id("offline-indicator")).to_be_visible()
    expect(page.get_by_test_id("offline-pending")).to_have_text("待同步 3")
    expect(page.get_by_test_id("browse-leads")).to_contain_text("已有线索公司")
    page.get_by_test_id("offline-pending").click()
    items = page.get_by_test_id("outbox-item")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("离线拜访上海甲公司")
    expect(items.nth(1)).to_contain_text("离线新线索公司")
    expect(items.nth(2)).to_contain_text("未关联的电话")
    shot(page, "offline-queue")
    with scopes_disabled():
        assert not Activity.objects.filter(subject="离线拜访上海甲公司").exists()

    # Signal again: the outbox is pushed at once, in order, each operation once.
    context.set_offline(False)
    expect(page.get_by_test_id("offline-pending")).to_be_hidden()
    expect(page.get_by_test_id("offline-indicator")).to_be_hidden()
    # The refused one stays, with the server's reason, to retry or discard.
    expect(page.get_by_test_id("offline-failed")).to_have_text("同步失败 1")
    expect(items).to_have_count(1)
    expect(items.first).to_have_attribute("data-state", "rejected")
    expect(page.get_by_test_id("outbox-reasons")).to_contain_text("请将活动关联到一条记录")
    shot(page, "offline-refused")
    items.first.get_by_test_id("outbox-discard").click()
    page.locator(".el-message-box__btns .el-button--primary").click()
    expect(items).to_have_count(0)
    expect(page.get_by_test_id("offline-failed")).to_be_hidden()

    activities = api_json(page, base, "activities/?page_size=200")["results"]
    assert [a["subject"] for a in activities].count("离线拜访上海甲公司") == 1
    assert "未关联的电话" not in [a["subject"] for a in activities]
    visit = next(a for a in activities if a["subject"] == "离线拜访上海甲公司")
    assert (visit["kind"], visit["customer"]) == ("visit", customer.pk)
    leads = api_json(page, base, "leads/?search=离线新线索公司")["results"]
    assert [(lead["company_name"], lead["contact_name"]) for lead in leads] == [
        ("离线新线索公司", "王经理")
    ]

    # A reopened app pushes nothing twice.
    page.reload()
    app_ready_offline(page, base)
    assert queued(page) == 0
    with scopes_disabled():
        assert Activity.objects.filter(subject="离线拜访上海甲公司").count() == 1
        assert Lead.objects.filter(company_name="离线新线索公司").count() == 1
        applied = SyncOperation.objects.filter(tenant=admin.tenant)
        assert applied.count() >= 2


def test_an_offline_edit_that_clashes_asks_which_value_to_keep(
    page, context, playwright, live_server, shot
):
    admin = make_company()
    base = live_server.url
    customer = customer_create(
        tenant=admin.tenant, actor=admin, name="杭州乙公司", phone="0571-1111", region="华东"
    )
    login(page, base, admin.username)
    page.goto(f"{base}/customers/{customer.pk}")
    expect(page.get_by_test_id("card-title")).to_have_text("杭州乙公司")
    app_ready_offline(page, base)
    # The edit form once online.
    page.get_by_test_id("card-edit").click()
    expect(page.get_by_test_id("form-customers")).to_be_visible()
    page.keyboard.press("Escape")

    context.set_offline(True)
    expect(page.get_by_test_id("offline-indicator")).to_be_visible()
    page.get_by_test_id("card-edit").click()
    form = page.get_by_test_id("form-customers")
    form.get_by_test_id("field-phone").fill("0571-2222")
    form.get_by_test_id("field-region").fill("浙江")
    form.get_by_test_id("form-save").click()
    expect(form).to_be_hidden()
    expect(page.get_by_test_id("offline-pending")).to_have_text("待同步 1")
    # The card (read from the offline copy) shows the queued edit.
    expect(page.get_by_test_id("card-offline")).to_be_visible()
    expect(page.get_by_test_id("value-phone")).to_have_text("0571-2222")

    # Meanwhile a colleague changes the phone online (another API client).
    api = playwright.request.new_context(base_url=base)
    token = api.post("/api/v1/auth/token/", data={"username": admin.username, "password": PASSWORD})
    assert token.ok, token.text()
    auth = {"Authorization": f"Token {token.json()['token']}", "Content-Type": "application/json"}
    current = api.get(f"/api/v1/customers/{customer.pk}/", headers=auth).json()
    changed = api.patch(
        f"/api/v1/customers/{customer.pk}/",
        data=json.dumps({"phone": "0571-3333"}),
        headers={**auth, "If-Match": f'"{current["version"]}"'},
    )
    assert changed.ok, changed.text()
    api.dispose()

    context.set_offline(False)
    dialog = page.get_by_test_id("conflict-dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_test_id("conflict-field-phone")).to_be_visible()
    expect(page.get_by_test_id("conflict-mine-phone")).to_contain_text("0571-2222")
    expect(page.get_by_test_id("conflict-theirs-phone")).to_contain_text("0571-3333")
    # Only the field changed on both sides asks; the region merges.
    expect(page.get_by_test_id("conflict-field-region")).to_have_count(0)
    shot(page, "offline-conflict")
    page.get_by_test_id("conflict-mine-phone").click()
    page.get_by_test_id("conflict-apply").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("offline-status")).to_have_attribute("data-queued", "0")

    with scopes_disabled():
        customer = Customer.objects.get(pk=customer.pk)
    assert customer.phone == "0571-2222"
    assert customer.region == "浙江"
    record = api_json(page, base, f"customers/{customer.pk}/")
    assert (record["phone"], record["region"]) == ("0571-2222", "浙江")
