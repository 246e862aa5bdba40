"""The company profile in the browser (issue 17): the admin fills it in, uploads a
logo and sees the logo in the header."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import make_company
from tests.e2e.helpers import login
from tests.settings.test_company import PNG, VALID_CODE

pytestmark = pytest.mark.django_db(transaction=True)


def test_fill_the_company_profile_with_a_logo(page, live_server, shot, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    admin = make_company()
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/settings/company")
    expect(page.get_by_test_id("company-page")).to_be_visible()
    page.get_by_test_id("company-short_name").fill("青禾")
    page.get_by_test_id("company-credit_code").fill(VALID_CODE)
    page.get_by_test_id("company-address").fill("杭州市西湖区文三路 1 号")
    page.get_by_test_id("company-save").click()
    expect(page.locator(".el-message--success")).to_be_visible()
    admin.tenant.refresh_from_db()
    assert (admin.tenant.short_name, admin.tenant.credit_code) == ("青禾", VALID_CODE)

    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    page.get_by_test_id("company-logo-file").set_input_files(str(logo))
    expect(page.get_by_test_id("company-logo")).to_be_visible()
    expect(page.get_by_test_id("header-logo")).to_be_visible()
    # The image really loads (served by the API, decoded by the browser).
    assert page.get_by_test_id("header-logo").evaluate("img => img.naturalWidth") == 16
    shot(page, "91-company-profile")
    admin.tenant.refresh_from_db()
    assert admin.tenant.logo.name.startswith("logos/")

    # A wrong check character is refused beside its field.
    page.get_by_test_id("company-credit_code").fill("91350100M000100Y44")
    page.get_by_test_id("company-save").click()
    expect(page.locator(".el-form-item__error")).to_be_visible()
