"""Steps the browser tests share: signing in, picking from Element Plus selects, and the
user manual's screenshots."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("home-page")).to_be_visible()


def choose(page, testid: str, option: str) -> None:
    """Pick an option of an Element Plus select, from that select's own list (another
    select's list may still be fading out with the same option in it)."""
    select = page.get_by_test_id(testid)
    select.click()
    owner = select.locator("[aria-controls]")
    listbox = owner.first.get_attribute("aria-controls") if owner.count() else None
    if listbox:
        items = page.locator(f"[id='{listbox}'] .el-select-dropdown__item:visible")
    else:
        items = page.locator(".el-select-dropdown__item:visible")
    items.filter(has_text=option).first.click()


def choose_exact(page, testid: str, option: str) -> None:
    """Pick the option of an Element Plus select whose text is exactly ``option``."""
    page.get_by_test_id(testid).click()
    page.locator(".el-select-dropdown__item:visible").get_by_text(option, exact=True).click()


def manual_shot(page, name: str, lang: str = "zh") -> None:
    """Screenshot for the user manual: ``manual/<lang>/img/<name>.png``.

    Only with ``MANUAL_SCREENSHOTS=1`` (run ``MANUAL_SCREENSHOTS=1 pytest
    tests/e2e/test_manual_help.py`` to refresh them and commit the images); a normal
    run walks the same pages and checks them, and writes nothing into the repository.
    """
    if os.environ.get("MANUAL_SCREENSHOTS") != "1":
        return
    from django.conf import settings

    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1200)  # charts animate, messages fade in
    path = Path(settings.BASE_DIR) / "manual" / lang / "img" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    try:  # 256 colours: a third of the size, still crisp for UI pictures
        from PIL import Image

        with Image.open(path) as img:
            img.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
                path, optimize=True
            )
    except ImportError:
        pass
