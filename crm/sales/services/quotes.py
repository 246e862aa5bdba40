"""Quote and contract lines, quotes and quote versions."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from crm.core import audit
from crm.core.errors import Frozen, Invalid
from crm.core.limits import MAX_DOCUMENT_LINES, too_many_lines
from crm.core.writes import (
    audited_create,
    audited_delete,
    audited_save,
    check_same_tenant,
    lock_row,
    refuse_unknown,
)
from crm.sales.models import (
    Quote,
    QuoteLine,
)
from crm.sales.money import ZERO, line_amount, money, total
from crm.sales.services._base import QUOTE_FIELDS
from crm.sales.services.opportunities import _opportunity_open
from workflows.quote import QuoteStatus

# --- lines (quotes and contracts) ---------------------------------------------------


def _clean_lines(tenant, lines) -> list[dict]:
    """Validate line input; amounts are computed here, in Decimal, never trusted."""
    lines = list(lines)
    if len(lines) > MAX_DOCUMENT_LINES:
        raise Invalid(fields={"lines": [too_many_lines()]})
    cleaned, errors = [], []
    for i, line in enumerate(lines, start=1):
        product = line.get("product")
        if product is None or product.tenant_id != tenant.pk:
            errors.append(_("Line %(n)d: choose a product.") % {"n": i})
            continue
        quantity = line.get("quantity")
        unit_price = line.get("unit_price")
        unit_price = product.price if unit_price is None else unit_price
        discount = line.get("discount_percent") or ZERO
        if quantity is None or quantity <= 0:
            errors.append(_("Line %(n)d: the quantity must be greater than zero.") % {"n": i})
            continue
        if unit_price < 0:
            errors.append(_("Line %(n)d: the unit price cannot be negative.") % {"n": i})
            continue
        if not ZERO <= discount <= 100:
            errors.append(_("Line %(n)d: the discount must be between 0 and 100%%.") % {"n": i})
            continue
        cleaned.append(
            {
                "product": product,
                "description": (line.get("description") or product.name)[:300],
                "quantity": Decimal(quantity),
                "unit_price": money(unit_price),
                "discount_percent": Decimal(discount),
                "amount": line_amount(quantity, money(unit_price), discount),
                "position": i,
            }
        )
    if errors:
        raise Invalid(fields={"lines": errors})
    return cleaned


def _line_summary(lines) -> list[list[str]]:
    return [
        [
            str(getattr(line, "product_id", None) or line["product"].pk),
            str(line["quantity"] if isinstance(line, dict) else line.quantity),
            str(line["unit_price"] if isinstance(line, dict) else line.unit_price),
            str(line["discount_percent"] if isinstance(line, dict) else line.discount_percent),
        ]
        for line in lines
    ]


def _replace_lines(model, parent_field: str, parent, tenant, cleaned: list[dict]) -> list:
    model.objects.filter(**{parent_field: parent}).delete()
    rows = [model(tenant=tenant, **{parent_field: parent}, **line) for line in cleaned]
    model.objects.bulk_create(rows)
    return rows


def quote_totals(lines) -> tuple[Decimal, Decimal]:
    """(subtotal before discounts, total after discounts), each line rounded half-up."""

    def get(line, name):
        return line[name] if isinstance(line, dict) else getattr(line, name)

    subtotal = total(money(get(x, "quantity") * get(x, "unit_price")) for x in lines)
    return subtotal, total(get(x, "amount") for x in lines)


# --- quotes -----------------------------------------------------------------------


def quote_ensure_editable(quote: Quote) -> None:
    if quote.status in Quote.frozen_states:
        raise Frozen(_("An approved quote cannot be changed; revise it to make a new version."))
    if quote.status != QuoteStatus.DRAFT:
        raise Frozen(_("Only a draft quote can be changed; return it to draft first."))


def _set_totals(quote: Quote, *, subtotal: Decimal, grand: Decimal) -> None:
    quote.subtotal, quote.total = subtotal, grand


def quote_create(*, tenant, actor, opportunity, lines=(), **data: Any) -> Quote:
    """Quote v1 of an opportunity; later versions come from ``revise``."""
    refuse_unknown(data, QUOTE_FIELDS)
    check_same_tenant(tenant, opportunity=opportunity)
    _opportunity_open(opportunity)
    if Quote.objects.filter(opportunity=opportunity).exists():
        raise Invalid(
            fields={
                "opportunity": [
                    _("This opportunity has a quote already: edit its draft or revise it.")
                ]
            }
        )
    cleaned = _clean_lines(tenant, lines)
    subtotal, grand = quote_totals(cleaned)
    with transaction.atomic():
        quote = audited_create(
            Quote,
            tenant=tenant,
            actor=actor,
            fields={"opportunity": opportunity, "number": 1, **data},
            audit_fields=["opportunity", "number", *data, "total"],
            prepare=partial(_set_totals, subtotal=subtotal, grand=grand),
            extra_changes={"lines": _line_summary(cleaned)},
        )
        _replace_lines(QuoteLine, "quote", quote, tenant, cleaned)
    return quote


def _check_move(quote: Quote, tenant, opportunity) -> None:
    """A draft v1 may be moved to another open opportunity that has no quote yet."""
    check_same_tenant(tenant, opportunity=opportunity)
    _opportunity_open(opportunity)
    if quote.number != 1 or quote.revised_from_id is not None:
        raise Invalid(fields={"opportunity": [_("A revised quote stays with its opportunity.")]})
    if Quote.objects.filter(opportunity=opportunity).exclude(pk=quote.pk).exists():
        raise Invalid(
            fields={
                "opportunity": [
                    _("This opportunity has a quote already: edit its draft or revise it.")
                ]
            }
        )


def quote_update(quote: Quote, *, tenant, actor, lines=None, **data: Any) -> Quote:
    refuse_unknown(data, (*QUOTE_FIELDS, "opportunity"))
    quote_ensure_editable(quote)
    if data.get("opportunity") is not None and data["opportunity"].pk != quote.opportunity_id:
        _check_move(quote, tenant, data["opportunity"])
    else:
        data.pop("opportunity", None)
    with transaction.atomic():
        lock_row(quote, check=quote_ensure_editable)
        changes = audit.apply_changes(quote, data)
        if lines is not None:
            cleaned = _clean_lines(tenant, lines)
            before = _line_summary(quote.lines.all())
            after = _line_summary(cleaned)
            if before != after:
                _replace_lines(QuoteLine, "quote", quote, tenant, cleaned)
                changes["lines"] = [before, after]
                subtotal, new_total = quote_totals(cleaned)
                changes.update(
                    audit.apply_changes(quote, {"subtotal": subtotal, "total": new_total})
                )
        if changes:
            audited_save(quote, tenant=tenant, actor=actor, changes=changes)
    return quote


def quote_delete(quote: Quote, *, tenant, actor) -> None:
    """A draft version may be deleted; the version it was revised from becomes the latest."""
    with transaction.atomic():
        previous = quote.revised_from
        audited_delete(quote, tenant=tenant, actor=actor, check=quote_ensure_editable)
        if previous is not None:
            previous.is_latest = True
            previous.save(update_fields=["is_latest"])  # a derived field: allowed when frozen


def quote_next_version(*, quote: Quote, actor) -> Quote:
    """``revise``'s work: the next version as a draft with the lines copied."""
    tenant = quote.tenant
    number = quote.latest_number() + 1
    new = audited_create(
        Quote,
        tenant=tenant,
        actor=actor,
        fields={
            "opportunity_id": quote.opportunity_id,
            "number": number,
            "revised_from": quote,
            "is_latest": True,
            "valid_until": quote.valid_until,
            "note": quote.note,
            "subtotal": quote.subtotal,
            "total": quote.total,
            "created_by": actor if actor is not None else quote.created_by,
        },
        audit_fields=(),
        extra_changes={"revised_from": quote.pk, "number": number, "total": str(quote.total)},
    )
    QuoteLine.objects.bulk_create(
        QuoteLine(
            tenant=tenant,
            quote=new,
            product_id=line.product_id,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            amount=line.amount,
            position=line.position,
        )
        for line in quote.lines.all()
    )
    return new
