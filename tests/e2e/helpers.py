"""Steps the browser tests share: signing in and picking from Element Plus selects."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("home-page")).to_be_visible()


def choose(page, testid: str, option: str) -> None:
    """Pick an option of an Element Plus select."""
    page.get_by_test_id(testid).click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


def choose_exact(page, testid: str, option: str) -> None:
    """Pick the option of an Element Plus select whose text is exactly ``option``."""
    page.get_by_test_id(testid).click()
    page.locator(".el-select-dropdown__item:visible").get_by_text(option, exact=True).click()
