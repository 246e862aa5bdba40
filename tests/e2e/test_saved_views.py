"""Saved list views in the browser (issue 20 item 9): the customer list filtered by
region is saved as a view "我的客户"; the list opened again without a query shows
every customer, and applying the view brings the filter back."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from crm.core.models import SavedView
from crm.customers.services import customer_create
from tests.conftest import make_company
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_save_a_filtered_customer_list_as_a_view_and_apply_it(page, live_server, shot):
    admin = make_company()
    for name, region in (("上海甲公司", "华东"), ("杭州乙公司", "华东"), ("广州丙公司", "华南")):
        customer_create(tenant=admin.tenant, actor=admin, name=name, region=region)
    login(page, live_server.url, admin.username)

    page.goto(f"{live_server.url}/customers")
    table = page.get_by_test_id("browse-table")
    expect(table).to_contain_text("广州丙公司")
    page.get_by_test_id("filter-region").fill("华南")
    page.get_by_test_id("browse-apply").click()
    expect(page).to_have_url(re.compile(r"region="))
    expect(table).not_to_contain_text("上海甲公司")
    expect(table).to_contain_text("广州丙公司")

    page.get_by_test_id("saved-views").click()
    expect(page.get_by_test_id("saved-view-default-mine")).to_have_text("我的客户")
    page.get_by_test_id("saved-view-save").click()
    page.get_by_test_id("saved-view-name").fill("我的客户")
    page.get_by_test_id("saved-view-confirm").click()
    expect(page.get_by_test_id("saved-view-dialog")).to_be_hidden()
    with scopes_disabled():
        view = SavedView.objects.get(owner=admin, collection="customers")
    assert view.name == "我的客户"
    assert view.query.get("region") == "华南"
    assert "name" in view.columns

    # Opened again without a query: every customer; applying the view filters again.
    page.goto(f"{live_server.url}/customers")
    expect(table).to_contain_text("上海甲公司")
    expect(page.get_by_test_id("filter-region")).to_have_value("")
    page.get_by_test_id("saved-views").click()
    saved = page.get_by_test_id(f"saved-view-{view.pk}")
    expect(saved).to_contain_text("我的客户")
    saved.click()
    expect(page).to_have_url(re.compile(r"region="))
    expect(page.get_by_test_id("filter-region")).to_have_value("华南")
    expect(table).not_to_contain_text("上海甲公司")
    expect(table).to_contain_text("广州丙公司")
    expect(page.get_by_test_id("browse-total")).to_contain_text("1")
    shot(page, "saved-views")
