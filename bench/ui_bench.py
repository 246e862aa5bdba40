"""The lead list in a real browser: time to paint 50 rows, on the production build.

gunicorn (2 sync workers, DEBUG off, the built app served by WhiteNoise) over
the seeded tenant (20,000 leads); headless Debian Chromium through Playwright.
Measured: a full navigation to ``/leads?page_size=50`` (HTML, JS, API) until the
50th row is in the table, and an in-app navigation (home -> list), median of
``RUNS``. Baseline: the issue's budget (1,000 ms), and the same page's API call
alone from the browser (``fetch``), so the share of the server is visible.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from bench.api_bench import gunicorn
from bench.common import QUICK, ROOT, Result, say
from bench.seed import PASSWORD

CHROMIUM = "/usr/bin/chromium"
RUNS = 3 if QUICK else 7
ROWS = ".el-table__body tbody tr"
LIST_PATH = "/leads?page_size=50"
API_PATH = "/api/v1/leads/?page_size=50&ordering=-id"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def run(seed: dict) -> list[Result]:
    if not Path(CHROMIUM).exists():
        say(f"  ui: {CHROMIUM} is missing (apt-get install chromium): skipped")
        return []
    if not (ROOT / "frontend" / "dist" / "index.html").exists():
        say("  ui: the web app is not built (make frontend): skipped")
        return []
    from playwright.sync_api import sync_playwright

    admin = seed["admin"]
    with gunicorn() as (_proc, port), sync_playwright() as pw:
        base = f"http://127.0.0.1:{port}"
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            viewport={"width": 1440, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        page = context.new_page()
        page.goto(f"{base}/login")
        page.get_by_test_id("login-username").fill(admin.username)
        page.get_by_test_id("login-password").fill(PASSWORD)
        page.get_by_test_id("login-submit").click()
        page.get_by_test_id("home-page").wait_for(timeout=60_000)

        full, spa, api = [], [], []
        for _ in range(RUNS + 1):  # the first round warms the server's caches
            page.goto(f"{base}{LIST_PATH}")
            page.wait_for_function(
                f"document.querySelectorAll('{ROWS}').length === 50", timeout=60_000
            )
            full.append(page.evaluate("performance.now()"))

            page.get_by_test_id("menu-home").click()
            page.get_by_test_id("home-page").wait_for()
            start = page.evaluate("performance.now()")
            page.evaluate(
                f"window.history.pushState({{}}, '', '{LIST_PATH}');"
                "dispatchEvent(new PopStateEvent('popstate'))"
            )
            page.wait_for_function(
                f"document.querySelectorAll('{ROWS}').length === 50", timeout=60_000
            )
            spa.append(page.evaluate("performance.now()") - start)

            api.append(
                page.evaluate(
                    "async (url) => { const t = performance.now();"
                    " const r = await fetch(url, {credentials: 'same-origin'});"
                    " await r.json(); return performance.now() - t }",
                    API_PATH,
                )
            )
        browser.close()
    full, spa, api = full[1:], spa[1:], api[1:]
    full_ms, spa_ms, api_ms = (statistics.median(x) for x in (full, spa, api))
    say(
        f"  lead list, 50 rows painted: full navigation {full_ms:.0f} ms, "
        f"in-app {spa_ms:.0f} ms, its API call alone {api_ms:.0f} ms (median of {RUNS})"
    )
    return [
        Result("lead list paint: full navigation (median)", full_ms, "ms", "budget", 1000),
        Result("lead list paint: in-app navigation (median)", spa_ms, "ms", "budget", 1000),
        Result(
            "lead list paint: in-app vs its API call",
            spa_ms,
            "ms",
            "the page's API call alone (fetch)",
            api_ms,
        ),
    ]
