"""The requisition process: each step with its guards and reasons, stock movements on
issue, returns limited to what was issued, frozen documents."""

import pytest

from crm.core.errors import Frozen, GuardFailed, InvalidTransition, PermissionRefused
from crm.marketing import services
from crm.marketing.models import (
    Requisition,
    StockMovement,
    StockReturn,
)
from tests.marketing.helpers import D, issued, item, move, on_hand, requisition
from workflows.requisition import RequisitionStatus as S


@pytest.fixture
def gift(admin):
    return item(admin, "G1", "保温杯", stock=20)


@pytest.fixture
def brochure(admin):
    return item(admin, "P1", "宣传册", cost="2.50", stock=300)


def test_happy_path_moves_stock_and_freezes(marketer, manager, keeper, gift, brochure):
    req = requisition(marketer, [(brochure, 200), (gift, 20)])
    assert req.number.startswith("LL") and req.requester == marketer
    req = move(Requisition, req, "submit", marketer)
    assert req.status == S.SUBMITTED
    req = move(Requisition, req, "approve", manager)
    assert req.status == S.APPROVED and req.approved_by == manager
    req = move(Requisition, req, "issue", keeper)
    assert req.status == S.ISSUED and req.issued_by == keeper
    assert on_hand(brochure) == D(100) and on_hand(gift) == D(0)
    movements = StockMovement.objects.filter(document_kind="requisition", document_id=req.pk)
    assert sorted((m.item_id, m.quantity, m.unit_cost) for m in movements) == sorted(
        [(brochure.pk, D(-200), D("2.50")), (gift.pk, D(-20), D("10.00"))]
    )
    with pytest.raises(Frozen):
        services.requisition_update(req, tenant=req.tenant, actor=marketer, purpose="x")
    with pytest.raises(Frozen):
        services.document_delete(req, tenant=req.tenant, actor=marketer)


def test_no_self_approval(admin, gift):
    req = requisition(admin, [(gift, 1)])
    move(Requisition, req, "submit", admin)
    with pytest.raises(GuardFailed) as err:
        move(Requisition, req, "approve", admin)
    assert err.value.reasons == ["You cannot approve a requisition you requested yourself."]


def test_approval_needs_the_code(marketer, gift):
    req = requisition(marketer, [(gift, 1)])
    move(Requisition, req, "submit", marketer)
    with pytest.raises(PermissionRefused):
        move(Requisition, req, "approve", marketer)


def test_submit_needs_lines(marketer):
    req = services.requisition_create(tenant=marketer.tenant, actor=marketer, purpose="x", lines=[])
    with pytest.raises(GuardFailed) as err:
        move(Requisition, req, "submit", marketer)
    assert err.value.reasons == ["Add at least one line to the requisition."]


def test_return_to_draft_needs_a_reason_and_reopens_editing(marketer, manager, gift):
    req = requisition(marketer, [(gift, 1)])
    move(Requisition, req, "submit", marketer)
    with pytest.raises(Frozen):
        services.requisition_update(req, tenant=req.tenant, actor=marketer, purpose="x")
    with pytest.raises(GuardFailed) as err:
        move(Requisition, req, "return", manager)
    assert err.value.reasons == ["Give the reason for returning the requisition."]
    req = move(Requisition, req, "return", manager, reason="数量太多")
    assert req.status == S.DRAFT and req.return_reason == "数量太多"
    services.requisition_update(req, tenant=req.tenant, actor=marketer, purpose="改")
    assert Requisition.objects.get(pk=req.pk).purpose == "改"


def test_cancel_from_draft_or_submitted_only(marketer, manager, keeper, gift):
    draft = requisition(marketer, [(gift, 1)])
    assert move(Requisition, draft, "cancel", marketer, reason="不要了").status == S.CANCELLED
    done = issued(marketer, manager, keeper, [(gift, 1)])
    with pytest.raises(InvalidTransition):
        move(Requisition, done, "cancel", marketer, reason="x")


def test_issue_refused_for_short_stock_naming_the_items(admin, marketer, manager, keeper, gift):
    pen = item(admin, "G2", "签字笔", stock=3)
    cup = item(admin, "G3", "U盘", stock=50)
    req = requisition(marketer, [(gift, 25), (pen, 5), (cup, 10)])
    move(Requisition, req, "submit", marketer)
    move(Requisition, req, "approve", manager)
    with pytest.raises(GuardFailed) as err:
        move(Requisition, req, "issue", keeper)
    (reason,) = err.value.reasons
    assert "保温杯" in reason and "签字笔" in reason and "U盘" not in reason
    assert "25" in reason and "20" in reason
    assert on_hand(gift) == D(20) and on_hand(cup) == D(50)
    assert Requisition.objects.get(pk=req.pk).status == S.APPROVED


def test_return_at_most_what_was_issued_twice(marketer, manager, keeper, gift, brochure):
    req = issued(marketer, manager, keeper, [(gift, 10), (brochure, 100)])
    first = services.return_create(
        tenant=req.tenant,
        actor=marketer,
        requisition=req,
        lines=[{"item": gift, "quantity": D(6)}],
    )
    second = services.return_create(
        tenant=req.tenant,
        actor=marketer,
        requisition=req,
        lines=[{"item": gift, "quantity": D(5)}],
    )
    move(StockReturn, first, "confirm", keeper)
    assert on_hand(gift) == D(16)
    with pytest.raises(GuardFailed) as err:
        move(StockReturn, second, "confirm", keeper)
    assert "保温杯" in err.value.reasons[0] and "4" in err.value.reasons[0]
    assert on_hand(gift) == D(16)
    too_many = services.return_create(
        tenant=req.tenant,
        actor=marketer,
        requisition=req,
        lines=[{"item": brochure, "quantity": D(101)}],
    )
    with pytest.raises(GuardFailed):
        move(StockReturn, too_many, "confirm", keeper)
    # The return is valued at the issue cost and frozen once confirmed.
    ret = StockReturn.objects.get(pk=first.pk)
    assert ret.lines.get().unit_cost == D("10.00")
    with pytest.raises(Frozen):
        services.document_delete(ret, tenant=ret.tenant, actor=keeper)


def test_return_only_against_an_issued_requisition(marketer, gift):
    from crm.core.errors import Invalid

    req = requisition(marketer, [(gift, 1)])
    with pytest.raises(Invalid) as err:
        services.return_create(tenant=req.tenant, actor=marketer, requisition=req, lines=[])
    assert "requisition" in err.value.fields


def test_frozen_in_the_admin(marketer, manager, keeper, gift, django_user_model, rf):
    from django.contrib import admin as django_admin

    req = issued(marketer, manager, keeper, [(gift, 2)])
    draft = requisition(marketer, [(gift, 1)])
    request = rf.post("/admin/")
    request.user = django_user_model.objects.create_superuser("op", "op@example.cn", "x")
    model_admin = django_admin.site._registry[Requisition]
    assert not model_admin.has_change_permission(request, req)
    assert not model_admin.has_delete_permission(request, req)
    assert model_admin.has_change_permission(request, draft)
    assert model_admin.has_delete_permission(request, draft)
    assert "delete_selected" not in model_admin.get_actions(request)
    assert not model_admin.has_add_permission(request)
    ledger = django_admin.site._registry[StockMovement]
    assert not ledger.has_change_permission(request) and not ledger.has_delete_permission(request)


def test_the_ledger_refuses_changes_at_the_model():
    row = StockMovement(quantity=D(1))
    row._state.adding = False
    with pytest.raises(Frozen):
        row.save()
    with pytest.raises(Frozen):
        row.delete()
