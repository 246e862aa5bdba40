"""Payments: confirm, reverse (红冲), derived collected amounts, confirmed = frozen."""

import datetime as dt

import pytest

from crm.core.errors import Frozen, GuardFailed, Invalid, InvalidTransition
from crm.sales import services
from crm.sales.models import Contract, Installment, Payment
from tests.sales import factories as f
from tests.sales.factories import D, client_for

PLAN = [(dt.date(2025, 3, 31), "10000.00"), (dt.date(2025, 6, 30), "20000.00")]


@pytest.fixture
def manager(sales_team):
    return sales_team.leader


@pytest.fixture
def active(rep, manager):
    return f.active_contract(rep, manager, amount="30000.00", plan=PLAN)


def collected(contract):
    c = Contract.objects.get(pk=contract.pk)
    return c.collected_amount, [
        (i.collected_amount, i.status) for i in Installment.objects.filter(contract=c)
    ]


def test_confirm_updates_installment_and_contract(rep, active):
    p = f.payment(active, rep, "4000.00")
    assert collected(active)[0] == D("0.00")  # drafts do not count
    p = f.move(p, "confirm", rep)
    assert (p.status, p.confirmed_by) == ("confirmed", rep)
    assert collected(active) == (
        D("4000.00"),
        [(D("4000.00"), "open"), (D("0.00"), "open")],
    )
    f.confirmed_payment(active, rep, "6000.00")
    assert collected(active) == (
        D("10000.00"),
        [(D("10000.00"), "collected"), (D("0.00"), "open")],
    )


def test_confirm_guards(rep, manager, active):
    # Two drafts that each fit: the second no longer fits once the first is confirmed.
    first, over = f.payment(active, rep, "6000.00"), f.payment(active, rep, "6000.00")
    f.move(first, "confirm", rep)
    with pytest.raises(GuardFailed) as err:
        f.move(over, "confirm", rep)
    assert err.value.reasons == [
        "The amount ¥6,000.00 exceeds the ¥4,000.00 outstanding on installment 1."
    ]
    draft_contract = f.contract(rep)
    with pytest.raises(Invalid) as err:
        f.payment(draft_contract, rep, "1.00")
    assert err.value.fields["contract"] == [
        "Payments are recorded against an active (signed) contract only."
    ]
    p = f.payment(active, rep, "100.00")
    f.move(active, "terminate", rep, reason="终止")
    with pytest.raises(GuardFailed) as err:
        f.move(p, "confirm", rep)
    assert err.value.reasons == ["Payments are recorded against an active (signed) contract only."]


def test_amount_must_be_positive(rep, active):
    with pytest.raises(Invalid):
        f.payment(active, rep, "0.00")
    response = client_for(rep).post(
        "/api/v1/payments/",
        {"installment": active.installments.first().pk, "amount": "-5.00"},
        format="json",
    )
    assert response.status_code == 400


def test_installment_of_another_contract_is_refused(rep, manager, active):
    other = f.active_contract(rep, manager)
    with pytest.raises(Invalid) as err:
        services.payment_create(
            tenant=rep.tenant,
            actor=rep,
            contract=active,
            installment=other.installments.get(),
            amount=D("1.00"),
        )
    assert err.value.fields["installment"] == ["This installment belongs to another contract."]


def test_reversal_nets_the_collected_amount_back(rep, active):
    original = f.confirmed_payment(active, rep, "10000.00")
    assert collected(active)[1][0] == (D("10000.00"), "collected")
    with pytest.raises(GuardFailed) as err:
        f.move(original, "reverse", rep)
    assert err.value.reasons == ["Give the reason for the reversal."]
    original = f.move(original, "reverse", rep, reason="录错客户")
    reversal = Payment.objects.get(reversal_of=original)
    assert (original.status, original.reverse_reason) == ("reversed", "录错客户")
    assert (reversal.status, reversal.amount, reversal.installment_id) == (
        "confirmed",
        D("-10000.00"),
        original.installment_id,
    )
    assert collected(active) == (D("0.00"), [(D("0.00"), "open"), (D("0.00"), "open")])
    # Both stay listed.
    listed = client_for(rep).get(f"/api/v1/payments/?contract={active.pk}").json()
    rows = {r["id"]: r for r in listed["results"]}
    assert rows[reversal.pk]["reversal_of"] == original.pk
    assert rows[original.pk]["reversed_by"] == reversal.pk
    # A reversal cannot be reversed, nor the original twice.
    with pytest.raises(GuardFailed) as err:
        f.move(reversal, "reverse", rep, reason="x")
    assert err.value.reasons == ["A reversal cannot be reversed; record a new payment instead."]
    with pytest.raises(InvalidTransition):
        f.move(original, "reverse", rep, reason="again")
    # Re-entered correctly.
    f.confirmed_payment(active, rep, "10000.00")
    assert collected(active)[0] == D("10000.00")


def test_complete_after_reversal_needs_the_full_plan(rep, active):
    f.confirmed_payment(active, rep, "10000.00")
    p2 = f.confirmed_payment(active, rep, "20000.00", seq=2)
    f.move(p2, "reverse", rep, reason="退票")
    with pytest.raises(GuardFailed):
        f.move(active, "complete", rep)
    f.confirmed_payment(active, rep, "20000.00", seq=2)
    assert f.move(active, "complete", rep).status == "completed"
    # Completed: no more reversals.
    with pytest.raises(GuardFailed):
        f.move(Payment.objects.filter(status="confirmed").first(), "reverse", rep, reason="x")


# --- confirmed = frozen ----------------------------------------------------------


@pytest.fixture
def confirmed(rep, active):
    return f.confirmed_payment(active, rep, "5000.00")


def test_frozen_in_the_service_layer(rep, confirmed):
    with pytest.raises(Frozen) as err:
        services.payment_update(confirmed, tenant=rep.tenant, actor=rep, amount=D("1.00"))
    assert str(err.value.detail) == "A confirmed payment cannot be changed; reverse it instead."
    with pytest.raises(Frozen):
        services.payment_delete(confirmed, tenant=rep.tenant, actor=rep)


def test_frozen_at_the_model_layer(confirmed):
    stale = Payment.objects.get(pk=confirmed.pk)
    stale.amount = D("1.00")
    with pytest.raises(Frozen):
        stale.save()
    with pytest.raises(Frozen):
        stale.delete()
    assert Payment.objects.get(pk=confirmed.pk).amount == D("5000.00")


def test_frozen_through_the_api(admin, confirmed):
    api = client_for(admin)
    for method, body in (
        ("patch", {"amount": "1.00"}),
        ("put", {"installment": confirmed.installment_id, "amount": "1.00"}),
        ("delete", None),
    ):
        response = getattr(api, method)(f"/api/v1/payments/{confirmed.pk}/", body, format="json")
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "frozen"


def test_frozen_in_the_admin(confirmed, django_user_model, client):
    operator = django_user_model.objects.create_superuser("op", "op@example.cn", "x")
    client.force_login(operator)
    url = f"/admin/sales/payment/{confirmed.pk}/"
    assert (
        client.post(f"{url}change/", {"amount": "1.00", "paid_at": "2025-01-01"}).status_code == 403
    )
    assert client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    assert Payment.objects.get(pk=confirmed.pk).amount == D("5000.00")


def test_drafts_are_editable_and_deletable(rep, manager, active):
    p = f.payment(active, rep, "100.00")
    api = client_for(rep)
    edited = api.patch(f"/api/v1/payments/{p.pk}/", {"amount": "150.50"}, format="json")
    assert edited.status_code == 200 and edited.json()["amount"] == "150.50"
    assert client_for(manager).delete(f"/api/v1/payments/{p.pk}/").status_code == 204


def test_a_payment_larger_than_the_installment_owes_is_refused_at_save(rep, active):
    """Issue 20: refused when saved (400 naming the amount), not only at confirm."""
    f.confirmed_payment(active, rep, "4000.00")
    with pytest.raises(Invalid) as err:
        f.payment(active, rep, "6000.01")
    assert err.value.fields["amount"] == [
        "The amount ¥6,000.01 exceeds the ¥6,000.00 still owed on installment 1."
    ]
    inst = active.installments.get(sequence=1)
    body = {"installment": inst.pk, "amount": "6000.01", "paid_at": "2025-03-01"}
    res = client_for(rep).post("/api/v1/payments/", body, format="json")
    assert res.status_code == 400
    assert "amount" in res.json()["fields"]
    assert Payment.objects.filter(amount=D("6000.01")).count() == 0
    # Exactly what is owed is fine; moving it up by a cent on edit is not.
    p = f.payment(active, rep, "6000.00")
    res = client_for(rep).patch(f"/api/v1/payments/{p.pk}/", {"amount": "6000.01"}, format="json")
    assert res.status_code == 400 and "amount" in res.json()["fields"]
    # The second installment owes 20,000.00: moving the draft there is fine.
    inst2 = active.installments.get(sequence=2)
    services.payment_update(p, tenant=rep.tenant, actor=rep, installment=inst2, amount=D("20000"))
