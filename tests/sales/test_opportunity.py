"""The opportunity process: every path and guard, reasons, lead conversion, kanban."""

from decimal import Decimal

import pytest
from django.db import transaction

from crm.core.errors import GuardFailed, InvalidTransition, PermissionRefused
from crm.customers.models import Contact, Customer, Lead
from crm.customers.services import lead_create
from crm.sales.models import Opportunity
from tests.conftest import make_user
from tests.sales import factories as f
from tests.sales.factories import client_for
from workflows import lead as lead_process


@pytest.fixture
def manager(sales_team):
    return sales_team.leader


def test_happy_path_through_every_stage(rep, manager):
    opp = f.opportunity(rep)
    assert opp.status == "initial" and opp.reached_rank == 0
    opp = f.to_proposal(opp, rep)
    assert (opp.status, opp.reached_rank) == ("proposal", 2)
    f.sent_quote(opp, rep, manager)
    opp = f.move(opp, "negotiation", rep)
    opp = f.move(opp, "won", rep)
    assert (opp.status, opp.reached_rank) == ("won", 4)
    assert opp.closed_on is not None
    with pytest.raises(InvalidTransition):
        f.move(opp, "lost", rep, reason="price")


def test_proposal_needs_a_requirement(rep):
    opp = f.move(f.opportunity(rep), "needs_defined", rep)
    with pytest.raises(GuardFailed) as err:
        f.move(opp, "proposal", rep)
    assert err.value.reasons == ["Record at least one customer requirement first."]
    f.requirement(opp, rep)
    assert f.move(opp, "proposal", rep).status == "proposal"


def test_negotiation_needs_a_sent_quote(rep, manager):
    opp = f.to_proposal(f.opportunity(rep), rep)
    q = f.quote(opp, rep)
    f.move(q, "submit", rep)
    f.move(q, "approve", manager)
    with pytest.raises(GuardFailed) as err:
        f.move(opp, "negotiation", rep)
    assert err.value.reasons == ["Send a quote to the customer first."]
    f.move(q, "send", rep)
    assert f.move(opp, "negotiation", rep).status == "negotiation"


def test_won_needs_an_approved_quote_or_an_approved_contract(rep, manager, admin):
    opp = f.to_proposal(f.opportunity(rep), rep)
    q = f.sent_quote(opp, rep, manager)
    opp = f.move(opp, "negotiation", rep)
    # The customer rejects the quote: nothing approved is left standing.
    f.move(q, "reject", rep, reason="太贵")
    # A rejected quote is not an approved quote.
    with pytest.raises(GuardFailed) as err:
        f.move(opp, "won", rep)
    assert err.value.reasons == [
        "An approved quote or an approved contract is needed to win the deal."
    ]
    contract = f.contract(rep, opp=opp)
    f.move(contract, "submit", rep)
    with pytest.raises(GuardFailed):
        f.move(opp, "won", rep)  # pending approval is not enough
    f.move(contract, "approve", manager)
    assert f.move(opp, "won", rep).status == "won"


def test_lost_needs_a_dictionary_loss_reason_and_reopen_needs_permission(rep, admin):
    opp = f.move(f.opportunity(rep), "needs_defined", rep)
    with pytest.raises(GuardFailed) as err:
        f.move(opp, "lost", rep)
    assert err.value.reasons == ["Choose the loss reason."]
    with pytest.raises(GuardFailed) as err:
        f.move(opp, "lost", rep, reason="天气不好")
    assert err.value.reasons == ["“天气不好” is not a loss reason of the dictionary."]
    opp = f.move(opp, "lost", rep, reason="competitor", note="选了别家")
    assert opp.loss_reason.code == "competitor" and opp.loss_note == "选了别家"
    assert opp.reached_rank == 1
    with pytest.raises(PermissionRefused):
        f.move(opp, "reopen", rep)
    opp = f.move(opp, "reopen", admin)
    assert (opp.status, opp.loss_reason, opp.closed_on) == ("initial", None, None)
    assert opp.reached_rank == 1  # the furthest stage reached is kept for the funnel


def test_lost_from_each_open_stage_and_by_label(rep, manager):
    for stage_path in ([], ["needs_defined"]):
        opp = f.opportunity(rep)
        for step in stage_path:
            opp = f.move(opp, step, rep)
        assert f.move(opp, "lost", rep, reason="价格过高").loss_reason.code == "price"
    opp = f.to_proposal(f.opportunity(rep), rep)
    assert f.move(opp, "lost", rep, reason="no_budget").status == "lost"


def test_stages_cannot_be_skipped(rep, admin):
    opp = f.opportunity(rep)
    for name in ("proposal", "negotiation", "won", "reopen"):
        with pytest.raises(InvalidTransition):
            f.move(opp, name, admin)


def test_transitions_over_the_api_show_reasons(rep):
    opp = f.move(f.opportunity(rep), "needs_defined", rep)
    api = client_for(rep)
    detail = api.get(f"/api/v1/opportunities/{opp.pk}/").json()
    steps = {t["name"]: t for t in detail["transitions"]}
    assert steps["proposal"]["allowed"] is False
    assert steps["proposal"]["reasons"] == ["Record at least one customer requirement first."]
    assert [(i["name"], i["type"], i.get("dict")) for i in steps["lost"]["inputs"]] == [
        ("reason", "dict", "loss_reason"),
        ("note", "textarea", None),
    ]
    refused = api.post(f"/api/v1/opportunities/{opp.pk}/transitions/proposal/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "guard_failed",
        "detail": "This step is not allowed yet.",
        "reasons": ["Record at least one customer requirement first."],
    }
    lost = api.post(
        f"/api/v1/opportunities/{opp.pk}/transitions/lost/", {"reason": "price"}, format="json"
    )
    assert lost.status_code == 200 and lost.json()["loss_reason_label"] == "价格过高"
    wrong_state = api.post(f"/api/v1/opportunities/{opp.pk}/transitions/won/", {}, format="json")
    assert wrong_state.status_code == 409
    assert wrong_state.json()["code"] == "invalid_transition"


def test_closed_opportunities_refuse_edits(rep):
    opp = f.move(f.opportunity(rep), "lost", rep, reason="price")
    response = client_for(rep).patch(
        f"/api/v1/opportunities/{opp.pk}/", {"amount": "1.00"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "frozen"


def test_probability_is_tenant_editable_and_read_only(rep, admin):
    opp = f.move(f.opportunity(rep, amount="8000.00"), "needs_defined", rep)
    api = client_for(admin)
    response = api.patch(
        "/api/v1/settings/", {"opportunity_probability_needs_defined": 40}, format="json"
    )
    assert response.status_code == 200, response.content
    row = api.get(f"/api/v1/opportunities/{opp.pk}/").json()
    assert (row["probability"], row["weighted_amount"]) == (40, "3200.00")
    api.patch(f"/api/v1/opportunities/{opp.pk}/", {"probability": 99}, format="json")
    assert api.get(f"/api/v1/opportunities/{opp.pk}/").json()["probability"] == 40
    bad = api.patch("/api/v1/settings/", {"opportunity_probability_proposal": 101}, format="json")
    assert bad.status_code == 400


def test_money_in_json_is_a_two_place_string(rep):
    api = client_for(rep)
    cust = f.customer(rep)
    made = api.post(
        "/api/v1/opportunities/",
        {"name": "新项目", "customer": cust.pk, "amount": "1234.5"},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["amount"] == "1234.50"
    assert made.json()["owner"] == rep.pk
    too_precise = api.post(
        "/api/v1/opportunities/",
        {"name": "新项目", "customer": cust.pk, "amount": "1.005"},
        format="json",
    )
    assert too_precise.status_code == 400
    assert "amount" in too_precise.json()["fields"]


def test_contact_must_belong_to_the_customer(rep):
    a, b = f.customer(rep, name="甲公司"), f.customer(rep, name="乙公司")
    other_contact = f.contact(b, rep)
    response = client_for(rep).post(
        "/api/v1/opportunities/",
        {"name": "x", "customer": a.pk, "contact": other_contact.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["contact"] == ["This contact belongs to another customer."]


# --- lead conversion -------------------------------------------------------------


def _qualified_lead(rep, **kwargs):
    lead = lead_create(
        tenant=rep.tenant,
        actor=rep,
        company_name=kwargs.pop("company_name", "深圳云帆"),
        contact_name="陈晨",
        mobile="+8613800000001",
        need="需要 CRM 与报价",
        **kwargs,
    )
    Lead.objects.filter(pk=lead.pk).update(activity_count=1)
    lead = f.move(lead, "contact", rep)
    return f.move(lead, "qualify", rep)


def test_convert_creates_customer_contact_and_opportunity(rep):
    lead = f.move(_qualified_lead(rep), "convert", rep)
    opp = Opportunity.objects.get(lead=lead)
    assert opp.customer == lead.customer and opp.customer.name == "深圳云帆"
    assert opp.contact == Contact.objects.get(customer=lead.customer, name="陈晨")
    assert opp.owner == rep and opp.status == "initial"
    assert opp.name == "深圳云帆 - 需要 CRM 与报价"
    assert list(opp.requirements.values_list("description", flat=True)) == ["需要 CRM 与报价"]


def test_convert_is_one_transaction(rep, monkeypatch):
    """If the opportunity cannot be created, no customer or contact is left behind."""
    lead = _qualified_lead(rep, company_name="原子公司")

    def boom(*args, **kwargs):
        raise RuntimeError("opportunity failed")

    monkeypatch.setattr("crm.sales.services.opportunities.opportunity_create", boom)
    with pytest.raises(RuntimeError):
        f.move(lead, "convert", rep)
    assert not Customer.objects.filter(name="原子公司").exists()
    assert not Contact.objects.filter(name="陈晨").exists()
    assert Lead.objects.get(pk=lead.pk).status == "qualified"
    assert Opportunity.objects.count() == 0


def test_convert_hook_is_registered_once():
    from crm.sales.services import opportunity_for_converted_lead

    hooks = lead_process.STEPS["convert"].in_transaction
    assert hooks.count(opportunity_for_converted_lead) == 1
    assert hooks.index(opportunity_for_converted_lead) > hooks.index(
        lead_process.create_customer_from_lead
    )


# --- kanban --------------------------------------------------------------------------


@pytest.mark.django_db
def test_board_groups_by_stage_with_totals_and_moves_by_transition(rep, manager):
    f.opportunity(rep, amount="1000.00")
    f.opportunity(rep, amount="3000.00")
    f.move(f.opportunity(rep, amount="2000.00"), "needs_defined", rep)
    api = client_for(rep)
    board = api.get("/api/v1/opportunities/board/")
    assert board.status_code == 200, board.content
    columns = {c["status"]: c for c in board.json()}
    assert list(columns) == ["initial", "needs_defined", "proposal", "negotiation", "won", "lost"]
    assert (columns["initial"]["count"], columns["initial"]["amount"]) == (2, "4000.00")
    assert columns["initial"]["weighted_amount"] == "400.00"  # 10%
    assert columns["needs_defined"]["weighted_amount"] == "500.00"  # 25%
    assert [c["amount"] for c in columns["initial"]["results"]] == ["3000.00", "1000.00"]
    assert api.get("/api/v1/opportunities/?view=board").json() == board.json()
    card = columns["needs_defined"]["results"][0]
    drag = api.post(f"/api/v1/opportunities/{card['id']}/transitions/proposal/", {}, format="json")
    assert drag.status_code == 400  # guards apply to a dragged card


def test_board_respects_the_data_scope(admin, rep, sales_team):
    other = make_user(admin, "销售代表", team=sales_team)
    f.opportunity(rep, amount="1000.00")
    f.opportunity(other, amount="5000.00")
    mine = {c["status"]: c for c in client_for(rep).get("/api/v1/opportunities/board/").json()}
    assert mine["initial"]["count"] == 1 and mine["initial"]["amount"] == "1000.00"
    team = {
        c["status"]: c
        for c in client_for(sales_team.leader).get("/api/v1/opportunities/board/").json()
    }
    assert team["initial"]["amount"] == "6000.00"


def test_an_atomic_block_around_a_transition_rolls_everything_back(rep):
    opp = f.move(f.opportunity(rep), "needs_defined", rep)
    with pytest.raises(RuntimeError), transaction.atomic():
        f.move(opp, "lost", rep, reason="price")
        raise RuntimeError
    assert Opportunity.objects.get(pk=opp.pk).status == "needs_defined"
    assert Opportunity.objects.get(pk=opp.pk).amount == Decimal("10000.00")
