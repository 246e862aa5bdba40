"""Issue 20 item 13 in the browser: the demo company of ``make run`` is full of real
work. The rep's workbench is filled, the kanban has cards in every open stage, the
dashboard shows figures, and the manager finds a contract waiting for him in
待我审批."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from crm.sales.models import Contract
from fixtures import demo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def company(db):
    with scopes_disabled(), transaction.atomic():  # as ``load_demo`` runs it
        demo.load()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(demo.DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("home-page")).to_be_visible()


def test_the_demo_users_find_real_work(page, live_server, shot, company):
    base = live_server.url

    # The rep's morning: today's meeting, tasks, follow-ups due, notifications.
    sign_in(page, base, "rep1")
    bench = page.get_by_test_id("workbench")
    for panel, text in (
        ("events", "销售周例会"),
        ("tasks", "整理华东区客户报价"),
        ("follow_ups", ""),
        ("notifications", "本月回款冲刺安排"),
    ):
        card = bench.get_by_test_id(f"workbench-{panel}")
        expect(card.locator("li").first).to_be_visible()
        if text:
            expect(card).to_contain_text(text)
    expect(bench.get_by_test_id("workbench-announcements")).to_contain_text("本月回款冲刺安排")
    shot(page, "80-demo-rep-workbench")

    # The kanban: cards in every open stage, the closed columns too.
    page.goto(f"{base}/opportunities/board")
    board = page.get_by_test_id("opportunity-board")
    for stage in ("initial", "needs_defined", "proposal", "negotiation", "won"):
        column = board.get_by_test_id(f"board-column-{stage}")
        expect(column.locator("[data-testid^='board-card-']").first).to_be_visible()
    shot(page, "81-demo-kanban")

    # The dashboard (the admin sees every team): funnel, won deals, aging and SLA
    # figures are not zero.
    page.context.clear_cookies()
    sign_in(page, base, "demo")
    page.goto(f"{base}/dashboard")
    for chart in ("chart-funnel", "chart-won", "chart-aging", "chart-sla"):
        panel = page.get_by_test_id(chart)
        expect(panel.locator(".kpis b").first).not_to_have_text(re.compile(r"^(0|¥0\.00|-)?$"))
        expect(panel.locator("canvas, svg").first).to_be_visible()
    page.wait_for_timeout(1200)  # ECharts animates
    shot(page, "82-demo-dashboard")

    # 待我审批: the contract the rep submitted waits for the manager.
    page.context.clear_cookies()
    sign_in(page, base, "manager")
    with scopes_disabled():
        waiting = Contract.objects.get(  # the other one is above his band: the admin's
            tenant__name=demo.DEMO_COMPANY, status="pending_approval", amount__lte=100000
        )
    expect(page.get_by_test_id("workbench-approvals")).to_contain_text(waiting.number)
    page.get_by_test_id("menu-contracts-awaiting").click()
    expect(page).to_have_url(re.compile(r"/contracts/awaiting$"))
    listing = page.get_by_test_id("browse-contracts-awaiting")
    expect(listing).to_contain_text(waiting.number)
    shot(page, "83-demo-contracts-awaiting-me")
