"""Browser tests: Playwright drives the built web app served by Django
(``live_server``, real database) in headless Debian Chromium.

Needs /usr/bin/chromium (Debian package ``chromium``; never ``playwright
install``) and the built app (``frontend/dist``: ``make test`` builds it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in the test thread; the ORM calls of
# the test body (setting up rows) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing: apt-get install chromium fonts-wqy-microhei"
    elif not (Path(settings.FRONTEND_DIST) / "index.html").exists():
        reason = (
            "the web app is not built: run `make test` (or cd frontend && npm ci && npm run build)"
        )
    # In CI (.ci/run installs Chromium and `make test` builds the app) nothing is
    # skipped: a missing browser or build fails loudly there.
    if reason is None or os.environ.get("CI"):
        return
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 1440, "height": 900},
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
    }


@pytest.fixture
def shot():
    """Save a full-page screenshot to test-artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        page.wait_for_timeout(400)  # let dialogs and messages finish their fade-in
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def page(page):
    page.set_default_timeout(15_000)
    return page
