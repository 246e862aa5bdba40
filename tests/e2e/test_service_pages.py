"""Service pages and the dashboard in the browser, in Chinese: complaints with SLA
countdowns in the list and on the card, acknowledge, close after a scored return
visit, and the dashboard's charts drawn from data in the database."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.customers.services import customer_create
from crm.sales.models import Contract, Installment, Opportunity
from crm.service import services as service
from crm.service.models import Complaint, FollowUp
from tests.conftest import make_company, make_user
from tests.e2e.helpers import choose, login

pytestmark = pytest.mark.django_db(transaction=True)


def complaint(admin, customer, *, severity="normal", received_at=None, text="设备破损"):
    return service.complaint_create(
        tenant=admin.tenant,
        actor=admin,
        customer=customer,
        description=text,
        severity=severity,
        owner=admin,
        received_at=received_at,
    )


def test_complaints_show_sla_countdowns_and_are_acknowledged(page, live_server, shot):
    admin = make_company()
    customer = customer_create(tenant=admin.tenant, actor=admin, name="上海云图科技", owner=admin)
    # Received a month ago: its acknowledge deadline has passed (red).
    late = complaint(
        admin, customer, severity="high", received_at=timezone.now() - dt.timedelta(days=30)
    )
    # Received now with 8 working hours to acknowledge: at least 8 hours left (not amber).
    fresh = complaint(admin, customer, severity="low", text="发票抬头错误")
    assert late.acknowledge_due_at < timezone.now() < fresh.acknowledge_due_at

    login(page, live_server.url, admin.username)
    page.get_by_test_id("menu-complaints").click()
    table = page.get_by_test_id("browse-complaints")
    expect(table.get_by_test_id("row-link")).to_have_count(2)
    late_row = table.locator(".el-table__row", has_text="设备破损")
    fresh_row = table.locator(".el-table__row", has_text="发票抬头错误")
    late_clock = late_row.get_by_test_id("sla-countdown")
    expect(late_clock).to_have_attribute("data-state", "overdue")
    expect(late_clock).to_contain_text("确认已超时")
    expect(late_clock).to_have_class(re.compile(r"\bsla-overdue\b"))
    fresh_clock = fresh_row.get_by_test_id("sla-countdown")
    expect(fresh_clock).to_have_attribute("data-state", "ok")
    expect(fresh_clock).to_contain_text(re.compile(r"确认剩余 \d"))
    shot(page, "50-complaints-list")

    # --- the card: the countdown, then acknowledge by its transition button -------------
    fresh_row.get_by_test_id("row-link").click()
    expect(page.get_by_test_id("card-complaints")).to_be_visible()
    assert page.url.endswith(f"/complaints/{fresh.pk}")
    expect(page.get_by_test_id("card-title")).to_have_text("上海云图科技")
    expect(page.get_by_test_id("status-tag")).to_have_text("待受理")
    card_clock = page.get_by_test_id("value-sla").get_by_test_id("sla-countdown")
    expect(card_clock).to_have_attribute("data-state", "ok")
    expect(card_clock).to_contain_text("确认剩余")
    shot(page, "51-complaint-card")

    page.get_by_test_id("transition-acknowledge").click()
    expect(page.get_by_test_id("status-tag")).to_have_text("已受理")
    # The acknowledge clock stopped; the resolve clock runs now.
    expect(card_clock).to_contain_text("解决剩余")
    expect(page.get_by_test_id("value-acknowledged_at")).not_to_be_empty()
    fresh.refresh_from_db()
    assert fresh.status == "acknowledged" and fresh.acknowledged_at is not None
    assert fresh.resolve_due_at is not None
    expect(page.get_by_test_id("timeline")).to_contain_text("待受理 → 已受理")
    shot(page, "52-complaint-acknowledged")

    # --- the card prints as a document: no menu, no buttons ------------------------------
    page.emulate_media(media="print")
    expect(page.locator(".app-aside")).to_be_hidden()
    expect(page.get_by_test_id("transition-investigate")).to_be_hidden()
    expect(page.get_by_test_id("value-sla")).to_be_visible()
    shot(page, "53-complaint-card-print")
    page.emulate_media(media="screen")


def test_a_complaint_closes_after_a_scored_return_visit(page, live_server, shot):
    admin = make_company()
    customer = customer_create(tenant=admin.tenant, actor=admin, name="杭州青禾贸易", owner=admin)
    item = complaint(admin, customer, text="安装后无法开机")

    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/complaints/{item.pk}")
    expect(page.get_by_test_id("status-tag")).to_have_text("待受理")
    page.get_by_test_id("transition-acknowledge").click()
    expect(page.get_by_test_id("status-tag")).to_have_text("已受理")
    page.get_by_test_id("transition-investigate").click()
    expect(page.get_by_test_id("status-tag")).to_have_text("调查中")

    # Resolve asks for the resolution (a required input of the step).
    page.get_by_test_id("transition-resolve").click()
    dialog = page.locator(".el-dialog:visible")
    dialog.get_by_test_id("transition-confirm").click()
    expect(dialog.locator(".el-form-item__error")).to_contain_text("请填写处理结果")
    dialog.get_by_test_id("field-resolution").fill("已上门更换电源模块")
    dialog.get_by_test_id("transition-confirm").click()
    expect(page.get_by_test_id("status-tag")).to_have_text("已解决")
    expect(page.get_by_test_id("value-resolution")).to_have_text("已上门更换电源模块")

    # Close is blocked until a return visit is done with a score.
    expect(page.get_by_test_id("transition-close")).to_be_disabled()
    expect(page.get_by_test_id("reasons-close")).to_contain_text("回访")

    page.get_by_test_id("plan-return-visit").click()
    form = page.get_by_test_id("form-follow-ups")
    form.get_by_test_id("field-subject").fill("投诉处理回访")
    due = timezone.localtime() + dt.timedelta(days=1)
    due_input = form.get_by_test_id("item-due_at").locator("input")
    due_input.fill(due.strftime("%Y-%m-%d 10:00:00"))
    due_input.press("Enter")
    form.get_by_test_id("form-save").click()
    related = page.get_by_test_id("related-follow-ups")
    expect(related.get_by_role("link", name="回访")).to_be_visible()
    visit = FollowUp.objects.get(complaint=item)
    assert visit.kind == "return_visit" and visit.owner == admin

    # Complete the return visit: the dialog asks the outcome and the score.
    related.get_by_role("link", name="回访").click()
    expect(page.get_by_test_id("card-follow-ups")).to_be_visible()
    page.get_by_test_id("transition-complete").click()
    dialog = page.locator(".el-dialog:visible")
    expect(dialog).to_contain_text("满意度")  # the step's label, from the API
    dialog.get_by_test_id("field-outcome").fill("客户确认设备已恢复正常")
    choose(page, "field-satisfaction", "5 ")  # "5 · Very satisfied" in the caller's language
    shot(page, "54-return-visit-dialog")
    dialog.get_by_test_id("transition-confirm").click()
    expect(page.get_by_test_id("status-tag")).to_have_text("已完成")
    visit.refresh_from_db()
    assert (visit.status, visit.satisfaction) == ("done", 5)

    # Now the complaint closes; the irreversible step states its consequence first.
    page.goto(f"{live_server.url}/complaints/{item.pk}")
    expect(page.get_by_test_id("transition-close")).to_be_enabled()
    page.get_by_test_id("transition-close").click()
    dialog = page.locator(".el-dialog:visible")
    expect(dialog.get_by_test_id("transition-consequence")).to_contain_text("投诉将被关闭")
    dialog.get_by_test_id("transition-confirm").click()
    expect(page.get_by_test_id("status-tag")).to_have_text("已关闭")
    clock = page.get_by_test_id("value-sla").get_by_test_id("sla-countdown")
    expect(clock).to_have_attribute("data-state", "met")
    expect(clock).to_contain_text("解决按时完成")
    assert Complaint.objects.get(pk=item.pk).status == "closed"
    shot(page, "55-complaint-closed")


def _sales_data(admin, customer) -> None:
    """Won deals this month and last, open stages for the funnel, an active contract
    with installments due (receivables)."""
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    rank = {"initial": 0, "needs_defined": 1, "proposal": 2, "negotiation": 3, "won": 4}
    for status, amount, closed_on in (
        ("initial", "10000.00", None),
        ("needs_defined", "20000.00", None),
        ("proposal", "30000.00", None),
        ("negotiation", "40000.00", None),
        ("won", "50000.00", today),
        ("won", "25000.00", last_month),
    ):
        Opportunity.objects.create(
            tenant=admin.tenant,
            name=f"{status}-{amount}",
            customer=customer,
            owner=admin,
            amount=Decimal(amount),
            status=status,
            reached_rank=rank[status],
            closed_on=closed_on,
        )
    contract = Contract.objects.create(
        tenant=admin.tenant,
        number="HT-2026-001",
        customer=customer,
        owner=admin,
        amount=Decimal("90000.00"),
        status="active",
    )
    Installment.objects.bulk_create(
        Installment(
            tenant=admin.tenant,
            contract=contract,
            sequence=i,
            due_date=today + dt.timedelta(days=days),
            amount=Decimal(amount),
            collected_amount=Decimal("0"),
            status="open",
        )
        for i, (days, amount) in enumerate(
            ((20, "30000.00"), (-10, "30000.00"), (-45, "30000.00")), 1
        )
    )


def test_the_dashboard_draws_its_charts(page, live_server, shot):
    admin = make_company()
    customer = customer_create(tenant=admin.tenant, actor=admin, name="北京星河科技", owner=admin)
    _sales_data(admin, customer)
    complaint(admin, customer, severity="high", received_at=timezone.now() - dt.timedelta(days=3))
    complaint(admin, customer, severity="low")

    login(page, live_server.url, admin.username)
    page.get_by_test_id("menu-dashboard").click()
    expect(page.get_by_test_id("dashboard-page")).to_be_visible()
    for name in ("funnel", "won", "aging", "sla"):
        panel = page.get_by_test_id(f"chart-{name}")
        expect(panel.locator("canvas").first).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("chart-won")).to_contain_text("¥75,000.00")
    expect(page.get_by_test_id("chart-aging")).to_contain_text("¥90,000.00")
    expect(page.get_by_test_id("chart-funnel")).to_contain_text("6")
    expect(page.get_by_test_id("chart-sla")).to_contain_text("投诉数 2")
    assert page.locator("[data-testid=dashboard-page] canvas").count() >= 4
    page.wait_for_timeout(300)
    shot(page, "56-dashboard")

    # Printed: the charts stay, the menu and the controls go.
    page.emulate_media(media="print")
    expect(page.locator(".app-aside")).to_be_hidden()
    expect(page.get_by_test_id("dashboard-refresh")).to_be_hidden()
    expect(page.get_by_test_id("chart-sla").locator("canvas").first).to_be_visible()
    shot(page, "57-dashboard-print")
    page.emulate_media(media="screen")


def test_the_dashboard_shows_only_the_charts_a_user_may_see(page, live_server):
    admin = make_company()
    # 客服 (service): the SLA report, no sales reports.
    agent = make_user(admin, "客服", name="周客服")
    login(page, live_server.url, agent.username)
    expect(page.get_by_test_id("menu-dashboard")).to_be_visible()
    page.get_by_test_id("menu-dashboard").click()
    expect(page.get_by_test_id("chart-sla").locator("canvas").first).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("chart-funnel")).to_have_count(0)
    expect(page.get_by_test_id("chart-won")).to_have_count(0)
    expect(page.get_by_test_id("chart-aging")).to_have_count(0)
