"""Contracts (numbering, payment plans), payments, reversals and collected amounts."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core import audit
from crm.core.errors import Frozen, GuardFailed, Invalid
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
from crm.sales.models import (
    Contract,
    ContractLine,
    Installment,
    NumberSequence,
    Payment,
)
from crm.sales.money import ZERO, money, money_text, total
from crm.sales.services._base import (
    CONTRACT_FIELDS,
    PAYMENT_FIELDS,
    _money_positive,
    check_claimed,
)
from crm.sales.services.quotes import _clean_lines, _line_summary, _replace_lines
from crm.sales.services.sequences import contract_number
from workflows import reminders
from workflows.contract import ContractStatus, InstallmentStatus
from workflows.payment import COUNTED_STATES, PaymentStatus

# --- contracts --------------------------------------------------------------------


def next_number(tenant, key: str) -> int:
    """The next value of a per-tenant sequence, under a row lock (safe under concurrency)."""
    with transaction.atomic():
        NumberSequence.objects.get_or_create(tenant=tenant, key=key)
        seq = NumberSequence.objects.select_for_update().get(tenant=tenant, key=key)
        seq.last_value += 1
        seq.save(update_fields=["last_value"])
    return seq.last_value


def _contract_key(contract: Contract) -> str:
    return build_search_key(contract.number, contract.title, contract.customer.name)


def _clean_installments(installments) -> list[dict]:
    installments = list(installments)
    if len(installments) > MAX_DOCUMENT_LINES:
        raise Invalid(fields={"installments": [too_many_lines()]})
    cleaned, errors = [], []
    for i, item in enumerate(installments, start=1):
        amount = item.get("amount")
        due = item.get("due_date")
        if due is None:
            errors.append(_("Installment %(n)d: enter the due date.") % {"n": i})
        elif amount is None or amount <= 0:
            errors.append(_("Installment %(n)d: the amount must be greater than zero.") % {"n": i})
        else:
            cleaned.append(
                {
                    "sequence": i,
                    "due_date": due,
                    "amount": money(amount),
                    "note": item.get("note", ""),
                }
            )
    if errors:
        raise Invalid(fields={"installments": errors})
    return sorted(cleaned, key=lambda x: (x["due_date"], x["sequence"]))


def _check_contract_dates(start, end) -> None:
    if start is not None and end is not None and end < start:
        raise Invalid(fields={"end_date": [_("The contract cannot end before it starts.")]})


def _check_contract_links(customer, opportunity, quote) -> None:
    errors = {}
    if opportunity is not None and customer is not None and opportunity.customer_id != customer.pk:
        errors["opportunity"] = [_("This opportunity belongs to another customer.")]
    if quote is not None and opportunity is not None and quote.opportunity_id != opportunity.pk:
        errors["quote"] = [_("This quote belongs to another opportunity.")]
    if errors:
        raise Invalid(fields=errors)


def _write_installments(contract, tenant, cleaned) -> None:
    Installment.objects.filter(contract=contract).delete()
    Installment.objects.bulk_create(
        Installment(tenant=tenant, contract=contract, **dict(item, sequence=i))
        for i, item in enumerate(cleaned, start=1)
    )


def contract_create(*, tenant, actor, lines=None, installments=(), **data: Any) -> Contract:
    """A draft contract, numbered from the tenant's sequence.

    Without ``lines``, a chosen quote's lines are copied; without ``amount``,
    the lines' total is the amount.
    """
    refuse_unknown(data, CONTRACT_FIELDS)
    check_same_tenant(
        tenant,
        customer=data.get("customer"),
        opportunity=data.get("opportunity"),
        quote=data.get("quote"),
        owner=data.get("owner"),
    )
    # The field the customer comes from, to name it when the customer is in the pool.
    sent = next((f for f in ("customer", "opportunity", "quote") if data.get(f)), "customer")
    if data.get("quote") is not None and data.get("opportunity") is None:
        data["opportunity"] = data["quote"].opportunity
    if data.get("customer") is None and data.get("opportunity") is not None:
        data["customer"] = data["opportunity"].customer
    if not data.get("title") and data.get("opportunity") is not None:
        data["title"] = data["opportunity"].name  # a contract from a quote carries its name
    if data.get("customer") is None:
        raise Invalid(fields={"customer": [_("Choose the customer.")]})
    check_claimed(data["customer"], sent)
    _check_contract_links(data.get("customer"), data.get("opportunity"), data.get("quote"))
    _check_contract_dates(data.get("start_date"), data.get("end_date"))
    if lines is None and data.get("quote") is not None:
        lines = [
            {
                "product": line.product,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount_percent": line.discount_percent,
            }
            for line in data["quote"].lines.select_related("product")
        ]
    cleaned = _clean_lines(tenant, lines or [])
    plan = _clean_installments(installments)
    if data.get("amount") is None:
        data["amount"] = total(x["amount"] for x in cleaned)
    _money_positive("amount", data["amount"], allow_zero=True)
    data["amount"] = money(data["amount"])
    if data.get("owner") is None:
        opp = data.get("opportunity")
        data["owner"] = actor if actor is not None else (opp.owner if opp else None)
    with transaction.atomic():
        number = contract_number(next_number(tenant, "contract"))
        contract = audited_create(
            Contract,
            tenant=tenant,
            actor=actor,
            fields={"number": number, **data},
            key_fn=_contract_key,
            extra_changes={
                "lines": _line_summary(cleaned),
                "installments": [[str(p["due_date"]), str(p["amount"])] for p in plan],
            },
        )
        _replace_lines(ContractLine, "contract", contract, tenant, cleaned)
        _write_installments(contract, tenant, plan)
    return contract


def contract_ensure_editable(contract: Contract) -> None:
    if contract.status in Contract.frozen_states:
        raise Frozen(
            _("A signed contract cannot be changed; use a supplementary agreement or terminate it.")
        )
    if contract.status != ContractStatus.DRAFT:
        raise Frozen(_("Only a draft contract can be changed."))


def contract_update(
    contract: Contract, *, tenant, actor, lines=None, installments=None, **data: Any
) -> Contract:
    refuse_unknown(data, CONTRACT_FIELDS)
    contract_ensure_editable(contract)
    check_same_tenant(
        tenant,
        customer=data.get("customer"),
        opportunity=data.get("opportunity"),
        quote=data.get("quote"),
        owner=data.get("owner"),
    )
    customer = data.get("customer")
    if customer is not None and customer.pk != contract.customer_id:
        check_claimed(customer)  # a new customer only: one since pooled stays linked
    _check_contract_links(
        data.get("customer", contract.customer),
        data.get("opportunity", contract.opportunity),
        data.get("quote", contract.quote),
    )
    _check_contract_dates(
        data.get("start_date", contract.start_date), data.get("end_date", contract.end_date)
    )
    if data.get("amount") is not None:
        _money_positive("amount", data["amount"], allow_zero=True)
        data["amount"] = money(data["amount"])
    with transaction.atomic():
        lock_row(contract, check=contract_ensure_editable)
        changes = audit.apply_changes(contract, data)
        if lines is not None:
            cleaned = _clean_lines(tenant, lines)
            before, after = _line_summary(contract.lines.all()), _line_summary(cleaned)
            if before != after:
                _replace_lines(ContractLine, "contract", contract, tenant, cleaned)
                changes["lines"] = [before, after]
        if installments is not None:
            plan = _clean_installments(installments)
            before = [[str(i.due_date), str(i.amount)] for i in contract.installments.all()]
            after = [[str(p["due_date"]), str(p["amount"])] for p in plan]
            if before != after:
                _write_installments(contract, tenant, plan)
                changes["installments"] = [before, after]
        if changes:
            contract.search_key = _contract_key(contract)
            audited_save(
                contract, tenant=tenant, actor=actor, changes=changes, extra_fields=["search_key"]
            )
    return contract


def contract_delete(contract: Contract, *, tenant, actor) -> None:
    """A draft only; the state is re-checked under the row lock (a ``submit`` racing
    the delete either finds the row gone, 404, or makes the delete a 409)."""
    audited_delete(
        contract,
        tenant=tenant,
        actor=actor,
        check=contract_ensure_editable,
        before_delete=reminders.cancel,
    )


def _installment_with(contract: Contract, inst: Installment) -> Installment:
    inst.contract = contract  # the in-memory contract (its new state is not saved yet)
    return inst


def installments_schedule_reminders(contract: Contract) -> None:
    """On signing: each open installment's due-soon and overdue reminders."""
    for inst in contract.installments.all():
        if inst.status == InstallmentStatus.OPEN:
            reminders.on_create(_installment_with(contract, inst))


def installments_cancel_reminders(contract: Contract) -> None:
    for inst in contract.installments.all():
        reminders.cancel(inst)


# --- payments ---------------------------------------------------------------------


def _payment_links(tenant, data: dict, payment: Payment | None = None) -> None:
    installment = data.get("installment") or (payment.installment if payment else None)
    contract = data.get("contract")
    if contract is None and payment is not None and "installment" not in data:
        contract = payment.contract
    check_same_tenant(tenant, installment=installment, contract=contract)
    if installment is None:
        raise Invalid(fields={"installment": [_("Choose the installment.")]})
    if contract is None:  # derived from the installment (a draft may move to another one)
        data["contract"] = contract = installment.contract
    if installment.contract_id != contract.pk:
        raise Invalid(fields={"installment": [_("This installment belongs to another contract.")]})
    if contract.status != ContractStatus.ACTIVE:
        raise Invalid(
            fields={
                "contract": [_("Payments are recorded against an active (signed) contract only.")]
            }
        )


def _payment_within_outstanding(installment, amount) -> None:
    """A payment may not exceed what its installment still owes (checked at save,
    again at confirm by the step's guard)."""

    outstanding = installment.outstanding
    if amount > outstanding:
        raise Invalid(
            fields={
                "amount": [
                    _(
                        "The amount %(amount)s exceeds the %(outstanding)s still owed on "
                        "installment %(seq)d."
                    )
                    % {
                        "amount": money_text(amount),
                        "outstanding": money_text(outstanding),
                        "seq": installment.sequence,
                    }
                ]
            }
        )


def payment_create(*, tenant, actor, **data: Any) -> Payment:
    refuse_unknown(data, (*PAYMENT_FIELDS, "contract"))
    _payment_links(tenant, data)
    if data.get("amount") is None or data["amount"] <= 0:
        raise Invalid(fields={"amount": [_("Enter an amount greater than zero.")]})
    data["amount"] = money(data["amount"])
    _payment_within_outstanding(data["installment"], data["amount"])
    data.setdefault("paid_at", timezone.localdate())
    return audited_create(Payment, tenant=tenant, actor=actor, fields=data)


def payment_ensure_editable(payment: Payment) -> None:
    if payment.status != PaymentStatus.DRAFT:
        raise Frozen(_("A confirmed payment cannot be changed; reverse it instead."))


def payment_update(payment: Payment, *, tenant, actor, **data: Any) -> Payment:
    refuse_unknown(data, (*PAYMENT_FIELDS, "contract"))
    payment_ensure_editable(payment)
    _payment_links(tenant, data, payment)
    if "amount" in data:
        if data["amount"] is None or data["amount"] <= 0:
            raise Invalid(fields={"amount": [_("Enter an amount greater than zero.")]})
        data["amount"] = money(data["amount"])
    if "amount" in data or "installment" in data:
        _payment_within_outstanding(
            data.get("installment") or payment.installment, data.get("amount", payment.amount)
        )
    audited_update(payment, tenant=tenant, actor=actor, fields=data, check=payment_ensure_editable)
    return payment


def payment_delete(payment: Payment, *, tenant, actor) -> None:
    """A draft only; the state is re-checked under the row lock, so a ``confirm``
    racing the delete never loses its confirmed payment."""
    audited_delete(payment, tenant=tenant, actor=actor, check=payment_ensure_editable)


def payment_reversal_create(*, original: Payment, actor, reason: str) -> Payment:
    """``reverse``'s work: a confirmed payment of the negative amount pointing at the original."""
    reversal = audited_create(
        Payment,
        tenant=original.tenant,
        actor=actor,
        fields={
            "contract_id": original.contract_id,
            "installment_id": original.installment_id,
            "amount": -original.amount,
            "paid_at": timezone.localdate(),
            "method": original.method,
            "reference": original.reference,
            "note": (reason or "")[:300],
            "reversal_of": original,
            "status": PaymentStatus.CONFIRMED,
            "confirmed_at": timezone.now(),
            "confirmed_by": actor,
        },
        audit_fields=(),
        extra_changes={
            "reversal_of": original.pk,
            "amount": str(-original.amount),
            "reason": reason,
        },
    )
    collected_recompute(contract_id=original.contract_id, pending=original)
    return reversal


def collected_recompute(*, contract_id: int, pending: Payment | None = None) -> Contract:
    """Derive installment and contract collected amounts from counted payments.

    ``pending`` is the payment whose transition is being applied (its new
    state is not saved yet). The contract row is locked so concurrent
    confirmations on one contract are serialised; an over-collection is refused.
    """
    contract = Contract.objects.select_for_update().get(pk=contract_id)
    counted = Payment.objects.filter(contract_id=contract_id, status__in=COUNTED_STATES)
    if pending is not None:
        counted = counted.exclude(pk=pending.pk)
    sums = {
        row["installment_id"]: row["s"]
        for row in counted.order_by().values("installment_id").annotate(s=Sum("amount"))
    }
    if pending is not None and pending.status in COUNTED_STATES:
        sums[pending.installment_id] = sums.get(pending.installment_id, ZERO) + pending.amount
    grand = ZERO
    for inst in contract.installments.all():
        collected = money(sums.get(inst.pk) or ZERO)
        if collected > inst.amount:
            raise GuardFailed(
                reasons=[
                    _("Installment %(seq)d would be over-collected (%(collected)s of %(amount)s).")
                    % {
                        "seq": inst.sequence,
                        "collected": money_text(collected),
                        "amount": money_text(inst.amount),
                    }
                ]
            )
        status = InstallmentStatus.COLLECTED if collected >= inst.amount else InstallmentStatus.OPEN
        grand += collected
        if (collected, status) != (inst.collected_amount, inst.status):
            was = inst.status
            inst.collected_amount, inst.status = collected, status
            inst.save(update_fields=["collected_amount", "status"])  # derived fields
            inst.contract = contract
            if was != status:
                reminders.cancel(inst)
                if status == InstallmentStatus.OPEN:
                    reminders.on_create(inst)
    grand = money(grand)
    if contract.collected_amount != grand:
        contract.collected_amount = grand
        contract.save(update_fields=["collected_amount"])  # a derived field
    return contract
