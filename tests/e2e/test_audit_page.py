"""The audit browser in the browser (issue 17): an admin filters the trail by record
type and opens the record's card from an entry."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import make_company
from tests.customers.leads import new_lead
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_filter_the_trail_and_open_the_record(page, live_server, shot):
    admin = make_company()
    lead = new_lead(admin, owner=admin, company_name="杭州审计测试有限公司")
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/settings/audit")
    table = page.get_by_test_id("audit-table")
    expect(table).to_be_visible()
    page.get_by_test_id("audit-model").fill("customers.lead")
    page.get_by_test_id("audit-search").click()
    entry = table.get_by_role("link", name=f"#{lead.pk}").first
    expect(entry).to_be_visible()
    shot(page, "92-audit-trail")
    export = page.get_by_test_id("audit-export")
    assert "model=customers.lead" in export.get_attribute("href")
    entry.click()
    expect(page).to_have_url(f"{live_server.url}/leads/{lead.pk}")
