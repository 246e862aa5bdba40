"""Stock items and the stock documents' drafts: create, edit, delete.

A document is edited and deleted only in draft; a confirmed (issued,
cancelled) one answers 409 ``frozen`` and is corrected by another document.
States move only through ``workflows.engine.transition``.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from crm.core import audit
from crm.core.errors import Frozen, Invalid
from crm.core.limits import MAX_DOCUMENT_LINES, too_many_lines
from crm.core.search import build_search_key
from crm.core.writes import (
    audited_create,
    audited_delete,
    audited_save,
    audited_update,
    check_same_tenant,
    lock_row,
    refuse_unknown,
)
from crm.marketing.models import (
    MONEY_MAX,
    Requisition,
    RequisitionLine,
    StockAdjustment,
    StockAdjustmentLine,
    StockBalance,
    StockItem,
    StockReceipt,
    StockReceiptLine,
    StockReturn,
    StockReturnLine,
)
from crm.sales.services import next_number
from workflows.requisition import RequisitionStatus

STOCK_ITEM_FIELDS = (
    "code",
    "name",
    "category",
    "unit",
    "unit_cost",
    "low_stock_threshold",
    "active",
)


# --- stock items ----------------------------------------------------------------------


def _item_key(item: StockItem) -> str:
    return build_search_key(item.code, item.name)


def _check_item(tenant, data: dict) -> None:
    check_same_tenant(tenant, category=data.get("category"))
    errors = {}
    if "code" in data and not (data["code"] or "").strip():
        errors["code"] = [_("Enter the code.")]
    for name in ("unit_cost", "low_stock_threshold"):
        if data.get(name) is not None and data[name] < 0:
            errors[name] = [_("Enter a number that is not negative.")]
    code = (data.get("code") or "").strip()
    if code and "code" not in errors:
        qs = StockItem.objects.filter(tenant=tenant, code=code)
        if data.get("_pk"):
            qs = qs.exclude(pk=data["_pk"])
        if qs.exists():
            errors["code"] = [_("This code is taken.")]
    if errors:
        raise Invalid(fields=errors)


def stock_item_create(*, tenant, actor, **data: Any) -> StockItem:
    refuse_unknown(data, STOCK_ITEM_FIELDS)
    _check_item(tenant, data)
    with transaction.atomic():
        item = audited_create(StockItem, tenant=tenant, actor=actor, fields=data, key_fn=_item_key)
        StockBalance.objects.create(tenant=tenant, item=item)
    return item


def stock_item_update(item: StockItem, *, tenant, actor, **data: Any) -> StockItem:
    refuse_unknown(data, STOCK_ITEM_FIELDS)
    _check_item(tenant, {**data, "_pk": item.pk})
    if data.get("unit_cost") is not None:
        on_hand = (
            StockBalance.objects.filter(item=item).values_list("quantity", flat=True).first()
        ) or Decimal(0)
        if on_hand * data["unit_cost"] > MONEY_MAX:
            raise Invalid(
                fields={
                    "unit_cost": [
                        _("The %(qty)s on hand would be worth more than %(max)s.")
                        % {"qty": on_hand, "max": MONEY_MAX}
                    ]
                }
            )
    audited_update(item, tenant=tenant, actor=actor, fields=data, key_fn=_item_key)
    return item


def stock_item_delete(item: StockItem, *, tenant, actor) -> None:
    """An item with movements or lines is protected (409); deactivate it instead."""
    audited_delete(item, tenant=tenant, actor=actor)


# --- lines ------------------------------------------------------------------------------


def _clean_lines(tenant, lines, *, signed: bool = False, with_cost: bool = False) -> list[dict]:
    lines = list(lines)
    if len(lines) > MAX_DOCUMENT_LINES:
        raise Invalid(fields={"lines": [too_many_lines()]})
    cleaned, errors = [], []
    for i, line in enumerate(lines, start=1):
        item = line.get("item")
        if item is None or item.tenant_id != tenant.pk:
            errors.append(_("Line %(n)d: choose a stock item.") % {"n": i})
            continue
        quantity = line.get("quantity")
        if quantity is None or quantity == 0 or (quantity < 0 and not signed):
            message = (
                _("Line %(n)d: the quantity cannot be zero.")
                if signed
                else _("Line %(n)d: the quantity must be greater than zero.")
            )
            errors.append(message % {"n": i})
            continue
        cost = line.get("unit_cost") if with_cost else None
        if cost is not None and cost < 0:
            errors.append(_("Line %(n)d: the unit cost cannot be negative.") % {"n": i})
            continue
        unit_cost = item.unit_cost if cost is None else cost
        # A line's value (and the document's) must fit an amount: a bigger one is
        # refused here, not stored to break every list and print that values it.
        if abs(Decimal(quantity) * unit_cost) > MONEY_MAX:
            errors.append(
                _("Line %(n)d: the quantity times the unit cost is more than %(max)s.")
                % {"n": i, "max": MONEY_MAX}
            )
            continue
        cleaned.append(
            {
                "item": item,
                "quantity": Decimal(quantity),
                "unit_cost": unit_cost,
                "position": i,
            }
        )
    if errors:
        raise Invalid(fields={"lines": errors})
    if sum(abs(ln["quantity"] * ln["unit_cost"]) for ln in cleaned) > MONEY_MAX:
        raise Invalid(
            fields={"lines": [_("The lines add up to more than %(max)s.") % {"max": MONEY_MAX}]}
        )
    return cleaned


def _summary(lines) -> list[list[str]]:
    def get(line, name):
        return line[name] if isinstance(line, dict) else getattr(line, name)

    return [
        [str(get(ln, "item").pk), str(get(ln, "quantity")), str(get(ln, "unit_cost"))]
        for ln in lines
    ]


# --- documents --------------------------------------------------------------------------


class DocumentSpec:
    """What differs between the stock documents: models, fields, number prefix."""

    def __init__(self, model, line_model, parent, prefix, fields, *, signed=False, cost=False):
        self.model, self.line_model, self.parent = model, line_model, parent
        self.prefix, self.fields, self.signed, self.cost = prefix, fields, signed, cost


RECEIPT = DocumentSpec(
    StockReceipt, StockReceiptLine, "receipt", "RK", ("supplier", "note"), cost=True
)
ADJUSTMENT = DocumentSpec(
    StockAdjustment, StockAdjustmentLine, "adjustment", "TZ", ("reason", "note"), signed=True
)
REQUISITION = DocumentSpec(
    Requisition,
    RequisitionLine,
    "requisition",
    "LL",
    ("purpose", "marketing_event", "campaign", "note"),
)
RETURN = DocumentSpec(StockReturn, StockReturnLine, "stock_return", "TL", ("requisition", "note"))


def ensure_draft(doc) -> None:
    """Only a draft changes: a confirmed document is frozen, a submitted one returns first."""
    if doc.status in type(doc).frozen_states:
        raise Frozen()
    if doc.status != "draft":
        raise Frozen(_("Only a draft can be changed; return it to draft first."))


def _set_number(doc, *, tenant, prefix: str) -> None:
    doc.number = f"{prefix}{next_number(tenant, f'marketing.{prefix}'):06d}"


def _check_refs(spec: DocumentSpec, tenant, data: dict, doc=None) -> None:
    check_same_tenant(
        tenant,
        **{k: data.get(k) for k in ("marketing_event", "campaign", "requisition") if k in data},
    )
    if spec is REQUISITION and "purpose" in data and not (data["purpose"] or "").strip():
        raise Invalid(fields={"purpose": [_("Enter the purpose.")]})
    if spec is REQUISITION:
        _check_event_or_campaign(data, doc)
    if spec is RETURN and "requisition" in data:
        req = data["requisition"]
        if req is None or req.status != RequisitionStatus.ISSUED:
            raise Invalid(
                fields={
                    "requisition": [_("Goods are returned against an issued requisition only.")]
                }
            )


def _check_event_or_campaign(data: dict, doc) -> None:
    """A requisition is for a marketing event or a campaign, never both: the error
    names the field this change sets (``campaign`` when both come at once)."""

    def given(name: str):
        return data[name] if name in data else getattr(doc, f"{name}_id", None)

    event, campaign = given("marketing_event"), given("campaign")
    if event is None or campaign is None:
        return
    field = "campaign" if "campaign" in data else "marketing_event"
    raise Invalid(
        fields={
            field: [
                _(
                    "A requisition is for a marketing event or a campaign, not both: "
                    "clear the other one first."
                )
            ]
        }
    )


def document_create(spec: DocumentSpec, *, tenant, actor, lines=(), **data: Any):
    refuse_unknown(data, spec.fields)
    _check_refs(spec, tenant, data)
    cleaned = _clean_lines(tenant, lines, signed=spec.signed, with_cost=spec.cost)
    fields = dict(data)
    if spec is REQUISITION:
        fields["requester"] = actor
    with transaction.atomic():
        doc = audited_create(
            spec.model,
            tenant=tenant,
            actor=actor,
            fields=fields,
            audit_fields=[*data, "number"],
            prepare=partial(_set_number, tenant=tenant, prefix=spec.prefix),
            extra_changes={"lines": _summary(cleaned)},
        )
        spec.line_model.objects.bulk_create(
            spec.line_model(tenant=tenant, **{spec.parent: doc}, **line) for line in cleaned
        )
    return doc


def document_update(spec: DocumentSpec, doc, *, tenant, actor, lines=None, **data: Any):
    refuse_unknown(data, spec.fields)
    ensure_draft(doc)
    _check_refs(spec, tenant, data, doc)
    with transaction.atomic():
        lock_row(doc, check=ensure_draft)
        changes = audit.apply_changes(doc, data)
        if lines is not None:
            cleaned = _clean_lines(tenant, lines, signed=spec.signed, with_cost=spec.cost)
            before, after = _summary(doc.lines.all()), _summary(cleaned)
            if before != after:
                spec.line_model.objects.filter(**{spec.parent: doc}).delete()
                spec.line_model.objects.bulk_create(
                    spec.line_model(tenant=tenant, **{spec.parent: doc}, **line) for line in cleaned
                )
                changes["lines"] = [before, after]
        if changes:
            audited_save(doc, tenant=tenant, actor=actor, changes=changes)
    return doc


def document_delete(doc, *, tenant, actor) -> None:
    ensure_draft(doc)
    audited_delete(doc, tenant=tenant, actor=actor, check=ensure_draft)


def _bind(spec: DocumentSpec):
    def create(*, tenant, actor, **data):
        return document_create(spec, tenant=tenant, actor=actor, **data)

    def update(doc, *, tenant, actor, **data):
        return document_update(spec, doc, tenant=tenant, actor=actor, **data)

    return create, update


receipt_create, receipt_update = _bind(RECEIPT)
adjustment_create, adjustment_update = _bind(ADJUSTMENT)
requisition_create, requisition_update = _bind(REQUISITION)
return_create, return_update = _bind(RETURN)
