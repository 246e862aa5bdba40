"""The user manual in the browser (issue 20 item 14): the help icon of a page opens its
chapter at /docs/ with no request leaving the machine, and a tour of the demo company's pages
that, with MANUAL_SCREENSHOTS=1, refreshes the manual's screenshots (manual/<lang>/img/)."""

from __future__ import annotations

import os
import re
from urllib.parse import urlparse

import pytest
from django.db import transaction
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from crm.core.models import Role, User
from crm.customers.models import Customer, Lead
from crm.sales.models import Contract, Quote
from crm.service.models import Complaint
from fixtures import demo
from tests.conftest import make_company
from tests.e2e.helpers import login, manual_shot
from tests.manual_site import built_manual, built_manual_dir  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def _outside_requests(context, base: str) -> list[str]:
    host = urlparse(base).netloc
    seen: list[str] = []
    context.on(
        "request",
        lambda r: (
            seen.append(r.url)
            if r.url.startswith("http") and urlparse(r.url).netloc != host
            else None
        ),
    )
    return seen


@pytest.mark.usefixtures("built_manual")
def test_help_icon_on_the_leads_page_opens_the_leads_chapter(page, live_server):
    base = live_server.url
    admin = make_company("帮助测试有限公司")
    outside = _outside_requests(page.context, base)
    login(page, base, admin.username)
    page.get_by_test_id("menu-leads").click()
    expect(page.get_by_test_id("browse-leads")).to_be_visible()
    help_link = page.get_by_test_id("help-link")
    expect(help_link).to_have_attribute("href", "/docs/leads/")

    with page.context.expect_page() as opened:
        help_link.click()
    manual = opened.value
    manual.wait_for_load_state("networkidle")
    expect(manual).to_have_url(f"{base}/docs/leads/")
    expect(manual.locator("h1")).to_have_text(re.compile("潜在客户与公海"))
    expect(manual.get_by_role("heading", name=re.compile("如何把线索转为客户"))).to_be_visible()
    # The screenshots are served too, and the search runs in the page (no server, no network).
    assert manual.evaluate("[...document.images].every((i) => i.complete && i.naturalWidth > 0)")
    search = manual.locator("input.md-search__input")
    search.click()
    search.fill("公海")
    search.press("End")  # the search listens to key presses (an IME ends with one)
    expect(manual.locator(".md-search-result__item").first).to_be_visible()
    assert outside == [], outside

    # The English edition follows the UI language.
    page.get_by_test_id("menu-customers").click()
    expect(help_link).to_have_attribute("href", "/docs/customers/")
    page.goto(f"{base}/settings/modules")
    expect(help_link).to_have_attribute("href", "/docs/modules/")
    manual.goto(f"{base}/docs/en/leads/")
    expect(manual.locator("h1")).to_have_text(re.compile("Leads and the public pool"))


def _ids():
    with scopes_disabled():
        tenant = User.objects.get(username="demo").tenant
        lead = (
            Lead.objects.filter(tenant=tenant, status="contacted").order_by("id").first()
            or Lead.objects.filter(tenant=tenant).order_by("id").first()
        )
        customer = Customer.objects.filter(tenant=tenant).order_by("id").first()
        quote = (
            Quote.objects.filter(tenant=tenant, status="submitted").first()
            or Quote.objects.filter(tenant=tenant).first()
        )
        contract = (
            Contract.objects.filter(tenant=tenant, status="active").order_by("id").first()
            or Contract.objects.filter(tenant=tenant).first()
        )
        complaint = (
            Complaint.objects.filter(tenant=tenant, status="acknowledged").first()
            or Complaint.objects.filter(tenant=tenant).first()
        )
        role = Role.objects.get(tenant=tenant, name="销售经理")
    return {
        "lead": lead.pk,
        "customer": customer.pk,
        "quote": quote.pk,
        "contract": contract.pk,
        "complaint": complaint.pk,
        "role": role.pk,
    }


# (screenshot, path, what shows the page is there[, a button to click first]);
# "{x}" is a demo record's id.
TOUR = [
    ("workbench", "/", "home-page"),
    ("leads-list", "/leads", "browse-leads"),
    ("lead-card", "/leads/{lead}", "card-leads"),
    ("lead-pool", "/leads/pool", "browse-leads-pool"),
    ("customers-list", "/customers", "browse-customers"),
    ("customer-card", "/customers/{customer}", "card-customers"),
    ("opportunity-board", "/opportunities/board", "opportunity-board"),
    ("quote-card", "/quotes/{quote}", "card-quotes"),
    ("contract-card", "/contracts/{contract}", "card-contracts"),
    ("payments-list", "/payments", "browse-payments"),
    ("complaint-card", "/complaints/{complaint}", "card-complaints"),
    ("calendar", "/events/calendar", "calendar-page"),
    ("tasks-list", "/tasks", "browse-tasks"),
    ("campaigns", "/campaigns", "browse-campaigns"),
    ("dashboard", "/dashboard", "dashboard-page"),
    ("import-wizard", "/imports", "import-wizard"),
    ("role-card", "/roles/{role}", "form-roles", "card-edit"),  # the permission editor
    ("modules", "/settings/modules", "modules-page"),
    ("settings", "/settings", "settings-page"),
    ("backup", "/settings/backup", "backup-page"),
    ("me", "/me", "me-page"),
]


# The English tour only when refreshing the pictures: the help links of the English UI are
# checked by help.spec.ts and the test above, and a demo company costs a minute of CI.
TOUR_LANGS = ["zh", "en"] if os.environ.get("MANUAL_SCREENSHOTS") == "1" else ["zh"]


@pytest.mark.parametrize("lang", TOUR_LANGS)
def test_manual_tour_of_the_demo_company(page, live_server, lang):
    """Every page the manual pictures opens for the demo admin, with its help icon
    pointing at the chapter that shows it; MANUAL_SCREENSHOTS=1 saves the pictures."""
    base = live_server.url
    with transaction.atomic():
        demo.load()
    if lang == "en":
        with scopes_disabled():
            User.objects.filter(username="demo").update(language="en")
    ids = _ids()
    if lang == "en":  # the sign-in page speaks the language chosen earlier in this browser
        page.add_init_script("localStorage.setItem('shanghui.lang', 'en')")
    page.goto(f"{base}/login")
    expect(page.get_by_test_id("login-username")).to_be_visible()
    manual_shot(page, "login", lang)
    page.get_by_test_id("login-username").fill("demo")
    page.get_by_test_id("login-password").fill(demo.DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("home-page")).to_be_visible()
    prefix = "/docs/en/" if lang == "en" else "/docs/"
    for name, path, testid, *click in TOUR:
        page.goto(base + path.format(**ids))
        for button in click:
            page.get_by_test_id(button).click()
        expect(page.get_by_test_id(testid)).to_be_visible()
        href = page.get_by_test_id("help-link").get_attribute("href")
        assert href.startswith(prefix), (path, href)
        chapter = href.removeprefix(prefix).strip("/")
        pictured = (
            open(f"manual/{lang}/{chapter}.md", encoding="utf-8").read().count(f"img/{name}.png")
        )
        assert pictured or name == "workbench", f"{path}: chapter {chapter} lacks {name}.png"
        manual_shot(page, name, lang)
