"""The contract process: paths, guards with reasons, approval bands, no
self-approval, numbering, and signed = frozen in every layer."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from crm.core.errors import Frozen, GuardFailed, InvalidTransition, PermissionRefused
from crm.core.models import Role
from crm.core.services import role_update
from crm.sales import services
from crm.sales.models import ApprovalBand, Contract, ContractLine, Installment
from crm.sales.selectors import approval_band_for, approval_bands
from tests.conftest import make_user, uses_postgres
from tests.sales import factories as f
from tests.sales.factories import D, client_for


@pytest.fixture
def manager(sales_team):
    return sales_team.leader


def test_numbers_come_from_a_per_tenant_sequence(rep, other_admin):
    first, second = f.contract(rep), f.contract(rep)
    elsewhere = f.contract(other_admin)
    assert (first.number, second.number, elsewhere.number) == ("HT000001", "HT000002", "HT000001")


def test_submit_guards_each_give_a_reason(rep):
    c = services.contract_create(
        tenant=rep.tenant,
        actor=rep,
        customer=f.customer(rep),
        amount=D("0"),
        start_date=dt.date(2025, 6, 1),
    )
    # The services refuse an end before the start (issue 12); a row written before
    # that rule (or by hand) still meets the submit guard.
    Contract.objects.filter(pk=c.pk).update(end_date=dt.date(2025, 1, 1))
    c.refresh_from_db()
    with pytest.raises(GuardFailed) as err:
        f.move(c, "submit", rep)
    assert err.value.reasons == [
        "The contract amount must be greater than zero.",
        "Add at least one contract line.",
        "Add a payment plan (at least one installment).",
        "The end date is before the start date.",
    ]
    prod = f.product(rep)
    c = services.contract_update(
        c,
        tenant=rep.tenant,
        actor=rep,
        amount=D("1000.00"),
        end_date=dt.date(2025, 12, 31),
        lines=f.lines(prod, (1, "999.99", 0)),
        installments=[
            {"due_date": dt.date(2025, 7, 1), "amount": D("500.00")},
            {"due_date": dt.date(2025, 8, 1), "amount": D("400.00")},
        ],
    )
    with pytest.raises(GuardFailed) as err:
        f.move(c, "submit", rep)
    assert err.value.reasons == [
        "The lines add up to ¥999.99, not the contract amount ¥1,000.00.",
        "The installments add up to ¥900.00, not the contract amount ¥1,000.00.",
    ]
    c = services.contract_update(
        c,
        tenant=rep.tenant,
        actor=rep,
        lines=f.lines(prod, (1, "1000.00", 0)),
        installments=[
            {"due_date": dt.date(2025, 8, 1), "amount": D("400.00")},
            {"due_date": dt.date(2025, 7, 1), "amount": D("600.00")},
        ],
    )
    assert list(c.installments.values_list("sequence", "due_date")) == [
        (1, dt.date(2025, 7, 1)),
        (2, dt.date(2025, 8, 1)),
    ]
    assert f.move(c, "submit", rep).status == "pending_approval"


def test_every_path(rep, manager):
    c = f.move(f.contract(rep), "submit", rep)
    with pytest.raises(GuardFailed) as err:
        f.move(c, "reject", manager)
    assert err.value.reasons == ["Give the reason for rejecting the contract."]
    c = f.move(c, "reject", manager, reason="付款周期太长")
    assert (c.status, c.reject_reason) == ("draft", "付款周期太长")
    c = f.move(f.move(c, "submit", rep), "approve", manager)
    assert (c.status, c.approved_by) == ("approved", manager)
    c = f.move(c, "sign", rep, signed_on=dt.date(2025, 1, 2))
    assert (c.status, c.signed_on) == ("active", dt.date(2025, 1, 2))
    with pytest.raises(GuardFailed) as err:
        f.move(c, "complete", rep)
    assert err.value.reasons == [
        "Collected ¥0.00 of ¥30,000.00: the payment plan is not fully collected."
    ]
    f.confirmed_payment(c, rep, "30000.00")
    c = f.move(c, "complete", rep)
    assert c.status == "completed" and c.collected_amount == D("30000.00")
    for name in ("terminate", "sign", "submit"):
        with pytest.raises(InvalidTransition):
            f.move(c, name, manager)


def test_terminate_needs_a_reason(rep, manager):
    c = f.active_contract(rep, manager)
    with pytest.raises(GuardFailed) as err:
        f.move(c, "terminate", rep)
    assert err.value.reasons == ["Give the reason for terminating the contract."]
    c = f.move(c, "terminate", rep, reason="客户破产")
    assert (c.status, c.terminate_reason) == ("terminated", "客户破产")
    approved = f.move(f.move(f.contract(rep), "submit", rep), "approve", manager)
    assert f.move(approved, "terminate", rep, reason="未签署").status == "terminated"


# --- approval bands -------------------------------------------------------------------


def test_default_bands_are_seeded_once(tenant):
    bands = approval_bands(tenant)
    assert [(b.max_amount, b.permission) for b in bands] == [
        (D("100000.00"), "sales.contract.approve"),
        (None, "sales.contract.approve_large"),
    ]
    approval_bands(tenant)
    assert ApprovalBand.objects.filter(tenant=tenant).count() == 2
    assert approval_band_for(tenant, D("100000.00")).permission == "sales.contract.approve"
    assert approval_band_for(tenant, D("100000.01")).permission == "sales.contract.approve_large"


def test_large_contracts_need_the_large_approval_permission(rep, manager, admin):
    big = f.move(f.contract(rep, amount="100000.01"), "submit", rep)
    with pytest.raises(GuardFailed) as err:
        f.move(big, "approve", manager)
    assert err.value.reasons == [
        "A contract of ¥100,000.01 must be approved by someone with “approve large contracts”."
    ]
    detail = client_for(manager).get(f"/api/v1/contracts/{big.pk}/").json()
    assert detail["approval_permission"] == "sales.contract.approve_large"
    approve = {t["name"]: t for t in detail["transitions"]}["approve"]
    assert approve["allowed"] is False and len(approve["reasons"]) == 1
    assert f.move(big, "approve", admin).status == "approved"
    small = f.move(f.contract(rep, amount="100000.00"), "submit", rep)
    assert f.move(small, "approve", manager).status == "approved"


def test_bands_are_tenant_editable(rep, manager, admin):
    api = client_for(admin)
    listed = api.get("/api/v1/approval-bands/").json()["results"]
    assert [b["max_amount"] for b in listed] == ["100000.00", None]
    first = listed[0]["id"]
    changed = api.patch(
        f"/api/v1/approval-bands/{first}/", {"max_amount": "5000.00"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    c = f.move(f.contract(rep, amount="6000.00"), "submit", rep)
    with pytest.raises(GuardFailed):
        f.move(c, "approve", manager)
    refused = client_for(manager).patch(
        f"/api/v1/approval-bands/{first}/", {"max_amount": "999999.00"}, format="json"
    )
    assert refused.status_code == 403  # managers cannot widen their own band


def test_nobody_approves_their_own_contract(admin, manager, rep):
    own = f.move(f.contract(admin), "submit", admin)
    with pytest.raises(GuardFailed) as err:
        f.move(own, "approve", admin)
    assert err.value.reasons == ["You cannot approve a contract you wrote or submitted yourself."]
    submitted_by_manager = f.move(f.contract(rep), "submit", manager)
    with pytest.raises(GuardFailed):
        f.move(submitted_by_manager, "approve", manager)
    assert f.move(own, "approve", manager).status == "approved"


def test_reps_never_approve_even_with_the_band_permission_code_missing(rep, manager):
    c = f.move(f.contract(manager), "submit", manager)
    with pytest.raises(PermissionRefused):
        f.move(c, "approve", rep)


def test_a_role_without_the_band_code_is_told_why(admin, rep, sales_team):
    approver_role = Role.objects.get(tenant=admin.tenant, name="销售经理")
    role_update(
        approver_role,
        tenant=admin.tenant,
        actor=admin,
        permissions=[p for p in approver_role.permissions if p != "sales.contract.approve"],
    )
    approver = make_user(admin, "销售经理", team=sales_team)
    c = f.move(f.contract(rep, amount="10.00"), "submit", rep)
    with pytest.raises(GuardFailed) as err:
        f.move(c, "approve", approver)
    assert "approve contracts" in err.value.reasons[0]


# --- signed = frozen in every layer ---------------------------------------------------------


@pytest.fixture
def active(rep, manager):
    return f.active_contract(rep, manager)


def test_frozen_in_the_service_layer(rep, active):
    with pytest.raises(Frozen) as err:
        services.contract_update(active, tenant=rep.tenant, actor=rep, title="改")
    assert "supplementary agreement" in str(err.value.detail)
    with pytest.raises(Frozen):
        services.contract_delete(active, tenant=rep.tenant, actor=rep)


def test_pending_and_approved_contracts_are_locked(rep, manager):
    c = f.move(f.contract(rep), "submit", rep)
    with pytest.raises(Frozen) as err:
        services.contract_update(c, tenant=rep.tenant, actor=rep, title="改")
    assert str(err.value.detail) == "Only a draft contract can be changed."


def test_frozen_at_the_model_layer(active):
    stale = Contract.objects.get(pk=active.pk)
    stale.amount = D("1.00")
    with pytest.raises(Frozen):
        stale.save()
    with pytest.raises(Frozen):
        stale.delete()
    for row in (ContractLine.objects.get(contract=active), active.installments.get()):
        row.amount = D("1.00")
        with pytest.raises(Frozen):
            row.save()
        with pytest.raises(Frozen):
            row.delete()
    inst = active.installments.get()
    inst.note = "x"
    with pytest.raises(Frozen):
        inst.save(update_fields=["note", "collected_amount"])
    assert Contract.objects.get(pk=active.pk).amount == D("30000.00")


def test_frozen_through_the_api(admin, active):
    api = client_for(admin)
    for method, body in (
        ("patch", {"title": "x"}),
        ("put", {"customer": active.customer_id}),
        ("delete", None),
    ):
        response = getattr(api, method)(f"/api/v1/contracts/{active.pk}/", body, format="json")
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "frozen"


def test_frozen_in_the_admin(active, django_user_model, client):
    operator = django_user_model.objects.create_superuser("op", "op@example.cn", "x")
    client.force_login(operator)
    assert client.get(f"/admin/sales/contract/{active.pk}/change/").status_code == 200
    assert (
        client.post(f"/admin/sales/contract/{active.pk}/change/", {"title": "x"}).status_code == 403
    )
    deleted = client.post(f"/admin/sales/contract/{active.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    changelist = client.get("/admin/sales/contract/")
    assert b"delete_selected" not in changelist.content
    assert Contract.objects.filter(pk=active.pk, title="").exists()


def test_contract_from_quote_copies_its_lines(rep, manager):
    opp = f.to_proposal(f.opportunity(rep), rep)
    q = f.sent_quote(opp, rep, manager, specs=((3, "100.00", "10"),))
    c = services.contract_create(
        tenant=rep.tenant,
        actor=rep,
        quote=q,
        installments=[{"due_date": dt.date(2025, 5, 1), "amount": D("270.00")}],
    )
    assert (c.customer, c.opportunity, c.amount) == (opp.customer, opp, D("270.00"))
    assert list(c.lines.values_list("quantity", "discount_percent", "amount")) == [
        (D("3.00"), D("10.00"), D("270.00"))
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not uses_postgres(),
    reason="needs PostgreSQL (DATABASE_URL; CI sets it): SQLite serialises writers and "
    "SELECT ... FOR UPDATE is a no-op there, so the race cannot happen",
)
def test_numbers_stay_unique_under_concurrency():
    from tests.conftest import make_company

    admin = make_company()
    cust = f.customer(admin)
    numbers, errors = [], []

    def create():
        try:
            with scopes_disabled():
                c = services.contract_create(
                    tenant=admin.tenant, actor=admin, customer=cust, amount=D("1.00")
                )
            numbers.append(c.number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"HT{n:06d}" for n in range(1, 9)]
    assert Installment.objects.count() == 0


def test_a_contract_is_made_only_from_a_quote_in_scope(admin, rep, manager):
    """A quote alone names the opportunity and the customer: another rep's quote
    answers as one that does not exist (400, ``quote``) and no contract is written."""
    other = make_user(admin, "销售代表", name="孙二部")
    opp = f.opportunity(other, cust=f.customer(other, name="别人的客户"))
    theirs = f.quote(opp, other)
    url = "/api/v1/contracts/"
    response = client_for(rep).post(url, {"quote": theirs.pk}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["quote"]
    assert not Contract.objects.filter(opportunity=opp).exists()
    mine = f.quote(f.opportunity(rep), rep)
    response = client_for(rep).post(url, {"quote": mine.pk}, format="json")
    assert response.status_code == 201, response.content
