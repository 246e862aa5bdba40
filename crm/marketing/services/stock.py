"""The stock ledger: the one place quantities change.

Every posting locks the balance rows of its items (``SELECT ... FOR UPDATE``,
in item id order so two documents never deadlock), checks that no balance goes
below zero, then writes the balances and one ``StockMovement`` per line in the
same transaction. So the balance always equals the sum of the ledger, and of two
concurrent issues of the last units one passes and the other is refused with
the items short. Called by the transitions' in-transaction work
(``workflows/requisition.py``, ``workflows/stock.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from crm.core.errors import GuardFailed
from crm.marketing.models import (
    MONEY_MAX,
    QUANTITY_MAX,
    ZERO,
    DocumentKind,
    Requisition,
    StockBalance,
    StockItem,
    StockMovement,
    StockReturn,
    StockReturnLine,
)
from workflows.stock import StockDocumentStatus


def balances_open(*, tenant, item_ids: Iterable[int]) -> None:
    """Zero balance rows for new items (a bulk import's ``stock_item_create``); an
    item that has one keeps it."""
    StockBalance.objects.bulk_create(
        [StockBalance(tenant=tenant, item_id=pk) for pk in item_ids], ignore_conflicts=True
    )


def _short_reason(item: StockItem, need: Decimal, on_hand: Decimal) -> str:
    return _("%(item)s: %(need)s %(unit)s needed, %(left)s on hand.") % {
        "item": item.name,
        "need": need,
        "unit": item.unit,
        "left": on_hand,
    }


def _totals(pairs: Iterable[tuple[StockItem, Decimal]]) -> dict[int, tuple[StockItem, Decimal]]:
    totals: dict[int, tuple[StockItem, Decimal]] = {}
    for item, quantity in pairs:
        before = totals.get(item.pk, (item, ZERO))[1]
        totals[item.pk] = (item, before + quantity)
    return totals


def shortages(tenant, pairs: Iterable[tuple[StockItem, Decimal]]) -> str | None:
    """The reason taking ``(item, quantity)`` out of stock would fail, naming each item
    short, or None. A read without locks: the posting checks again under the lock."""
    wanted = {pk: v for pk, v in _totals(pairs).items() if v[1] > 0}
    if not wanted:
        return None
    on_hand = dict(
        StockBalance.objects.filter(tenant=tenant, item_id__in=wanted).values_list(
            "item_id", "quantity"
        )
    )
    short = [
        _short_reason(item, need, on_hand.get(pk, ZERO))
        for pk, (item, need) in sorted(wanted.items())
        if need > on_hand.get(pk, ZERO)
    ]
    if not short:
        return None
    return _("Not enough stock: %(items)s") % {"items": " ".join(short)}


def post(
    *,
    tenant,
    actor,
    entries: list[tuple[StockItem, Decimal, Decimal]],
    kind: str,
    document,
) -> list[StockMovement]:
    """Move stock: ``entries`` are ``(item, signed quantity, unit cost)``.

    Refuses (GuardFailed, every item short named) when a balance would go below zero.
    """
    changes = _totals((item, qty) for item, qty, _cost in entries)
    with transaction.atomic():
        ids = sorted(changes)
        StockBalance.objects.bulk_create(
            [StockBalance(tenant=tenant, item_id=pk) for pk in ids], ignore_conflicts=True
        )
        balances = {
            b.item_id: b
            for b in StockBalance.objects.select_for_update()
            .filter(tenant=tenant, item_id__in=ids)
            .order_by("item_id")
        }
        short = [
            _short_reason(item, -delta, balances[pk].quantity)
            for pk, (item, delta) in sorted(changes.items())
            if balances[pk].quantity + delta < 0
        ]
        if short:
            raise GuardFailed(
                reasons=[_("Not enough stock: %(items)s") % {"items": " ".join(short)}]
            )
        # The balance (a quantity) and its value (an amount) must fit their fields.
        too_much = [
            _("%(item)s: %(qty)s %(unit)s on hand would be more than the stock can hold.")
            % {"item": item.name, "qty": balances[pk].quantity + delta, "unit": item.unit}
            for pk, (item, delta) in sorted(changes.items())
            if delta > 0
            and (
                balances[pk].quantity + delta > QUANTITY_MAX
                or (balances[pk].quantity + delta) * item.unit_cost > MONEY_MAX
            )
        ]
        if too_much:
            raise GuardFailed(reasons=too_much)
        for pk, (_item, delta) in changes.items():
            balance = balances[pk]
            balance.quantity += delta
            balance.save(update_fields=["quantity"])
        movements = [
            StockMovement(
                tenant=tenant,
                item=item,
                quantity=qty,
                unit_cost=cost,
                document_kind=kind,
                document_id=document.pk,
                document_number=document.number,
                actor=actor,
            )
            for item, qty, cost in entries
            if qty != 0
        ]
        StockMovement.objects.bulk_create(movements)
    return movements


def _lines(doc) -> list:
    return list(doc.lines.select_related("item").order_by("position", "id"))


def receipt_post(receipt, *, actor) -> None:
    entries = [(ln.item, ln.quantity, ln.unit_cost) for ln in _lines(receipt)]
    post(
        tenant=receipt.tenant,
        actor=actor,
        entries=entries,
        kind=DocumentKind.RECEIPT,
        document=receipt,
    )


def adjustment_post(adjustment, *, actor) -> None:
    lines = _lines(adjustment)
    for line in lines:  # the adjustment is valued at the item's cost when confirmed
        line.unit_cost = line.item.unit_cost
    if lines:
        type(lines[0]).objects.bulk_update(lines, ["unit_cost"])
    entries = [(ln.item, ln.quantity, ln.unit_cost) for ln in lines]
    post(
        tenant=adjustment.tenant,
        actor=actor,
        entries=entries,
        kind=DocumentKind.ADJUSTMENT,
        document=adjustment,
    )


def requisition_post(requisition, *, actor) -> None:
    """``issue``: the goods leave stock at the items' current cost (kept on the lines)."""
    lines = _lines(requisition)
    for line in lines:
        line.unit_cost = line.item.unit_cost
    if lines:
        type(lines[0]).objects.bulk_update(lines, ["unit_cost"])
    entries = [(ln.item, -ln.quantity, ln.unit_cost) for ln in lines]
    post(
        tenant=requisition.tenant,
        actor=actor,
        entries=entries,
        kind=DocumentKind.REQUISITION,
        document=requisition,
    )


def issued_and_returned(requisition_id: int, *, exclude_return: int | None = None):
    """Per item id: (issued quantity, unit cost) and the quantity confirmed returns gave back."""
    req = Requisition.objects.get(pk=requisition_id)
    issued: dict[int, tuple[Decimal, Decimal]] = {}
    for line in req.lines.all():
        qty, _cost = issued.get(line.item_id, (ZERO, line.unit_cost))
        issued[line.item_id] = (qty + line.quantity, line.unit_cost)
    returned_qs = StockReturnLine.objects.filter(
        stock_return__requisition_id=requisition_id,
        stock_return__status=StockDocumentStatus.CONFIRMED,
    )
    if exclude_return is not None:
        returned_qs = returned_qs.exclude(stock_return_id=exclude_return)
    returned = defaultdict(
        lambda: ZERO,
        returned_qs.values("item_id").annotate(q=Sum("quantity")).values_list("item_id", "q"),
    )
    return issued, returned


def return_excess(stock_return: StockReturn) -> str | None:
    """Why the return gives back more than was issued (naming the items), or None."""
    issued, returned = issued_and_returned(
        stock_return.requisition_id, exclude_return=stock_return.pk
    )
    reasons = []
    for item_id, (item, qty) in sorted(
        _totals((ln.item, ln.quantity) for ln in _lines(stock_return)).items()
    ):
        left = issued.get(item_id, (ZERO, ZERO))[0] - returned[item_id]
        if qty > left:
            reasons.append(
                _("%(item)s: %(qty)s returned, at most %(left)s left to return.")
                % {"item": item.name, "qty": qty, "left": max(left, ZERO)}
            )
    if not reasons:
        return None
    return _("More than was issued: %(items)s") % {"items": " ".join(reasons)}


def return_post(stock_return: StockReturn, *, actor) -> None:
    """``confirm`` of a return: under the requisition's row lock (returns of one
    requisition confirm one at a time), checked again, valued at the issue cost."""
    Requisition.objects.select_for_update().filter(pk=stock_return.requisition_id).first()
    reason = return_excess(stock_return)
    if reason:
        raise GuardFailed(reasons=[reason])
    issued, _returned = issued_and_returned(stock_return.requisition_id)
    lines = _lines(stock_return)
    for line in lines:
        line.unit_cost = issued.get(line.item_id, (ZERO, line.item.unit_cost))[1]
    if lines:
        type(lines[0]).objects.bulk_update(lines, ["unit_cost"])
    entries = [(ln.item, ln.quantity, ln.unit_cost) for ln in lines]
    post(
        tenant=stock_return.tenant,
        actor=actor,
        entries=entries,
        kind=DocumentKind.RETURN,
        document=stock_return,
    )
