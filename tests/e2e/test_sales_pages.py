"""The sales pages in the browser: the opportunity board (drag = transition, a
refused move snaps back with its reason), a quote with its lines, a contract
with its payment plan, and reversing a payment with a reason — in Chinese."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from crm.sales import services as sales_services
from crm.sales.models import Opportunity, Payment, Quote
from tests.conftest import make_company, make_user
from tests.e2e.helpers import login
from tests.sales import factories as f

# The lost step's reason input, labelled by the API ("loss reason": two catalogs say it two ways).
LOSS_REASON = re.compile("丢单原因|输单原因")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin(db):
    return make_company("星辰测试有限公司")


@pytest.fixture
def customer(admin):
    return f.customer(admin, name="上海星辰科技有限公司")


# The lines each element's text takes (a flex item is one box however its text wraps).
LINES_OF_TEXT = """els => els.map(e => {
  const range = document.createRange()
  range.selectNodeContents(e)
  return [e.textContent, new Set([...range.getClientRects()].map(r => Math.round(r.top))).size]
})"""


def test_board_drag_moves_a_card_and_a_refused_move_snaps_back(
    page, live_server, shot, admin, customer
):
    fresh = f.opportunity(admin, cust=customer, name="星辰 CRM 项目", amount="80000.00")
    stuck = f.opportunity(admin, cust=customer, name="华东分公司扩容", amount="20000.00")
    stuck = f.move(stuck, "needs_defined", admin)  # no requirement recorded: proposal is refused

    login(page, live_server.url, admin.username)
    page.get_by_test_id("menu-opportunities").click()
    expect(page.get_by_test_id("browse-opportunities")).to_contain_text("星辰 CRM 项目")
    page.get_by_test_id("page-board").click()  # the board is linked from the list
    expect(page).to_have_url(re.compile(r"/opportunities/board$"))
    board = page.get_by_test_id("opportunity-board")
    initial = board.get_by_test_id("board-column-initial")
    needs = board.get_by_test_id("board-column-needs_defined")
    proposal = board.get_by_test_id("board-column-proposal")
    expect(initial).to_contain_text("初步接洽")
    expect(initial.get_by_test_id(f"board-card-{fresh.pk}")).to_be_visible()
    expect(board.get_by_test_id("board-amount-initial")).to_have_text("¥80,000.00")
    # A narrow column wraps its head between the stage, its odds and its count, never
    # inside one of them ("初步接" over "洽", "1" over "个").
    page.set_viewport_size({"width": 1366, "height": 768})  # a common laptop screen
    heads = board.locator(".column-title strong, .column-title [data-testid^='board-count-']")
    lines = heads.evaluate_all(LINES_OF_TEXT)
    page.set_viewport_size({"width": 1440, "height": 900})
    assert len(lines) == 12
    assert all(count == 1 for _text, count in lines), lines

    # --- a move the process allows: persisted -------------------------------------------
    board.get_by_test_id(f"board-card-{fresh.pk}").drag_to(needs)
    expect(needs.get_by_test_id(f"board-card-{fresh.pk}")).to_be_visible()
    expect(initial.get_by_test_id(f"board-card-{fresh.pk}")).to_have_count(0)
    expect(page.locator(".el-message--success")).to_contain_text("已移到“需求确认”")
    expect(board.get_by_test_id("board-amount-needs_defined")).to_have_text("¥100,000.00")
    fresh.refresh_from_db()
    assert fresh.status == "needs_defined"

    # --- a move the guard refuses: the card snaps back and the reason is shown -------------
    board.get_by_test_id(f"board-card-{stuck.pk}").drag_to(proposal)
    refusal = board.get_by_test_id("board-refusal")
    expect(refusal).to_contain_text("“华东分公司扩容”不能移到“方案报价”")
    expect(refusal).to_contain_text("请先记录至少一条客户需求")
    expect(needs.get_by_test_id(f"board-card-{stuck.pk}")).to_be_visible()
    expect(proposal.get_by_test_id(f"board-card-{stuck.pk}")).to_have_count(0)
    stuck.refresh_from_db()
    assert stuck.status == "needs_defined"
    shot(page, "40-opportunity-board")

    # The board survives a reload as the database has it.
    page.reload()
    expect(page.get_by_test_id("board-column-needs_defined")).to_contain_text("星辰 CRM 项目")
    assert Opportunity.objects.get(pk=fresh.pk).status == "needs_defined"

    # --- record the missing requirement on the card, then the same move goes through ----------
    page.get_by_test_id(f"board-card-{stuck.pk}").get_by_role("link").click()
    expect(page.get_by_test_id("card-title")).to_have_text("华东分公司扩容")
    expect(page.get_by_test_id("reasons-proposal")).to_contain_text("请先记录至少一条客户需求")
    page.get_by_test_id("add-requirement").click()
    form = page.get_by_test_id("form-requirements")
    form.get_by_test_id("field-description").fill("需要按区域统计的销售漏斗")
    form.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("related-requirements")).to_contain_text("按区域统计的销售漏斗")
    shot(page, "41-opportunity-card")
    page.get_by_test_id("menu-opportunities-board").click()
    board = page.get_by_test_id("opportunity-board")
    board.get_by_test_id(f"board-card-{stuck.pk}").drag_to(
        board.get_by_test_id("board-column-proposal")
    )
    expect(
        board.get_by_test_id("board-column-proposal").get_by_test_id(f"board-card-{stuck.pk}")
    ).to_be_visible()
    expect(page.locator(".el-message--success", has_text="已移到“方案报价”")).to_be_visible()
    expect(board.get_by_test_id("board-refusal")).to_have_count(0)
    assert Opportunity.objects.get(pk=stuck.pk).status == "proposal"

    # --- losing asks first, for the loss reason; cancelling puts the card back ---------------
    board.get_by_test_id(f"board-card-{fresh.pk}").drag_to(
        board.get_by_test_id("board-column-lost")
    )
    dialog = page.locator(".el-dialog:visible")
    expect(dialog).to_contain_text(LOSS_REASON)
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_have_count(0)
    expect(
        board.get_by_test_id("board-column-needs_defined").get_by_test_id(f"board-card-{fresh.pk}")
    ).to_be_visible()
    expect(
        board.get_by_test_id("board-column-lost").get_by_test_id(f"board-card-{fresh.pk}")
    ).to_have_count(0)
    assert Opportunity.objects.get(pk=fresh.pk).status == "needs_defined"

    board.get_by_test_id(f"board-card-{fresh.pk}").drag_to(
        board.get_by_test_id("board-column-lost")
    )
    dialog = page.locator(".el-dialog:visible")
    expect(dialog).to_contain_text(LOSS_REASON)
    dialog.get_by_test_id("field-reason").click()
    page.locator(".el-select-dropdown__item:visible", has_text="选择了竞争对手").first.click()
    dialog.get_by_test_id("transition-confirm").click()
    expect(
        board.get_by_test_id("board-column-lost").get_by_test_id(f"board-card-{fresh.pk}")
    ).to_be_visible()
    expect(page.locator(".el-message--success", has_text="已移到“输单”")).to_be_visible()
    lost = Opportunity.objects.get(pk=fresh.pk)
    assert lost.status == "lost" and lost.loss_reason.code == "competitor"


def test_quote_card_shows_versions_and_lines_and_edits_a_draft(
    page, live_server, shot, admin, customer
):
    make_user(admin, "销售经理", name="王经理")  # someone who may approve (issue 20)
    opp = f.opportunity(admin, cust=customer, name="星辰 CRM 项目", amount="2450.00")
    product = f.product(admin, code="CRM-STD", name="CRM 标准版", price="1000.00")
    extra = f.product(admin, code="CRM-SVC", name="实施服务", price="500.00")
    quote = sales_services.quote_create(
        tenant=admin.tenant,
        actor=admin,
        opportunity=opp,
        lines=f.lines(product, (2, "1000.00", 0)) + f.lines(extra, (1, "500.00", 10)),
    )

    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/quotes/{quote.pk}")
    expect(page.get_by_test_id("card-title")).to_have_text("星辰 CRM 项目 · v1")
    expect(page.get_by_test_id("status-tag")).to_have_text("草稿")
    lines = page.get_by_test_id("lines-table")
    expect(lines).to_contain_text("CRM 标准版")
    expect(lines).to_contain_text("实施服务")
    expect(page.get_by_test_id("lines-subtotal")).to_have_text("¥2,500.00")
    expect(page.get_by_test_id("lines-total")).to_have_text("¥2,450.00")
    expect(page.get_by_test_id("related-quotes")).to_contain_text("1")

    # A draft's lines are edited here; the server computes the amounts.
    page.get_by_test_id("edit-lines").click()
    quantity = page.get_by_test_id("line-quantity-0").locator("input")
    quantity.fill("3")
    quantity.blur()
    expect(page.get_by_test_id("draft-total")).to_have_text("¥3,450.00")
    page.get_by_test_id("save-lines").click()
    expect(page.get_by_test_id("lines-total")).to_have_text("¥3,450.00")
    quote.refresh_from_db()
    assert str(quote.total) == "3450.00" and quote.lines.count() == 2

    # Submitting is a plain transition; the lines stay, edit buttons go (no longer a draft).
    page.get_by_test_id("transition-submit").click()
    expect(page.get_by_test_id("status-tag")).to_have_text("审批中")
    expect(page.get_by_test_id("edit-lines")).to_have_count(0)
    expect(page.get_by_test_id("card-edit")).to_have_count(0)
    # The author may not approve their own quote: the reason is on the button.
    expect(page.get_by_test_id("transition-approve")).to_be_disabled()
    expect(page.get_by_test_id("reasons-approve")).to_be_visible()
    shot(page, "42-quote-card")

    # Printed, the card is a document: no menu, transitions or buttons; the lines and totals stay.
    page.emulate_media(media="print")
    expect(page.get_by_test_id("module-menu")).to_be_hidden()
    expect(page.get_by_test_id("transitions")).to_be_hidden()
    expect(page.get_by_test_id("card-edit")).to_have_count(0)
    expect(page.locator(".el-button:visible")).to_have_count(0)
    expect(page.get_by_test_id("lines-table")).to_be_visible()
    expect(page.get_by_test_id("lines-total")).to_be_visible()
    shot(page, "43-quote-card-print")
    page.emulate_media(media="screen")
    assert Quote.objects.get(pk=quote.pk).status == "submitted"


def test_contract_card_and_reversing_a_payment_with_a_reason(
    page, live_server, shot, admin, customer
):
    approver = make_user(admin, "管理员", name="李审批")
    contract = f.active_contract(
        admin,
        approver,
        cust=customer,
        amount="30000.00",
        plan=[(dt.date(2025, 3, 31), "10000.00"), (dt.date(2025, 6, 30), "20000.00")],
    )
    payment = f.confirmed_payment(contract, admin, "10000.00", seq=1)

    login(page, live_server.url, admin.username)
    page.get_by_test_id("menu-contracts").click()
    page.get_by_test_id("browse-contracts").get_by_test_id("row-link").first.click()
    expect(page.get_by_test_id("card-title")).to_contain_text(contract.number)
    expect(page.get_by_test_id("status-tag")).to_have_text("已生效（已签署）")
    plan = page.get_by_test_id("installments-table")
    expect(plan).to_contain_text("2025-03-31")
    expect(plan).to_contain_text("已收齐")
    expect(plan).to_contain_text("未收齐")
    expect(page.get_by_test_id("plan-total")).to_have_text("¥30,000.00")
    expect(page.get_by_test_id("record-payment-2")).to_be_visible()  # outstanding installment
    expect(page.get_by_test_id("related-payments")).to_contain_text("¥10,000.00")
    expect(page.get_by_test_id("card-edit")).to_have_count(0)  # a signed contract is frozen
    page.get_by_test_id("installments-panel").scroll_into_view_if_needed()
    shot(page, "44-contract-card")

    # --- record the second installment's payment from the plan, then confirm it ---------------
    page.get_by_test_id("record-payment-2").click()
    form = page.get_by_test_id("form-payments")
    form.get_by_test_id("field-reference").fill("HK-20250630")
    form.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("card-payments")).to_be_visible()
    expect(page.get_by_test_id("status-tag")).to_have_text("草稿")
    expect(page.get_by_test_id("value-amount")).to_have_text("¥20,000.00")
    page.get_by_test_id("transition-confirm").click()
    dialog = page.locator(".el-dialog:visible")
    expect(dialog.get_by_test_id("transition-consequence")).to_contain_text("只能红冲")
    dialog.get_by_test_id("transition-confirm").click()
    expect(page.get_by_test_id("status-tag")).to_have_text("已确认")
    second = Payment.objects.get(reference="HK-20250630")
    assert second.status == "confirmed" and second.installment.sequence == 2
    contract.refresh_from_db()
    assert str(contract.collected_amount) == "30000.00"

    # --- reverse the first payment: the dialog states the consequence and wants a reason ------
    page.goto(f"{live_server.url}/contracts/{contract.pk}")
    expect(page.get_by_test_id("related-payments")).to_contain_text("HK-20250630")
    page.get_by_test_id("related-payments").locator("tr", has_text="¥10,000.00").locator(
        "a"
    ).click()
    expect(page.get_by_test_id("card-payments")).to_be_visible()
    expect(page.get_by_test_id("status-tag")).to_have_text("已确认")
    page.get_by_test_id("transition-reverse").click()
    dialog = page.locator(".el-dialog:visible")
    expect(dialog.get_by_test_id("transition-consequence")).to_contain_text("不可撤销")
    expect(dialog.get_by_test_id("transition-consequence")).to_contain_text("红冲单")
    dialog.get_by_test_id("transition-confirm").click()  # no reason yet: refused on the field
    expect(dialog.locator(".el-form-item__error")).to_be_visible()
    dialog.get_by_test_id("field-reason").fill("客户汇款账户有误，原路退回")
    shot(page, "45-payment-reverse-dialog")
    dialog.get_by_test_id("transition-confirm").click()
    expect(page.get_by_test_id("status-tag")).to_have_text("已红冲")
    expect(page.get_by_test_id("value-reverse_reason")).to_have_text("客户汇款账户有误，原路退回")
    payment.refresh_from_db()
    assert payment.status == "reversed"
    reversal = Payment.objects.get(reversal_of=payment)
    assert str(reversal.amount) == "-10000.00"
    expect(page.get_by_test_id("transitions")).not_to_contain_text("红冲")
    shot(page, "46-payment-reversed")
