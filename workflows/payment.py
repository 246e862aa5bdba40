"""The Payment process (回款): draft -> confirmed; confirmed -> reversed.

A confirmed payment is never edited: ``reverse`` marks it reversed and creates
a reversal payment (红冲) with the negative amount pointing at it; both stay
on record. Collected amounts are derived from confirmed and reversed payments
(the reversal's negative amount nets the original out).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from crm.core.money_format import money_text
from crm.core.permissions import transition_code
from workflows.process import GuardContext, Process, Step, TransitionInputs, register, required_text


class PaymentStatus(models.TextChoices):
    DRAFT = "draft", _lazy("draft")
    CONFIRMED = "confirmed", _lazy("confirmed")
    REVERSED = "reversed", _lazy("reversed")


S = PaymentStatus
FROZEN_STATES = (S.CONFIRMED, S.REVERSED)
# Payments counted in collected amounts (a reversed original plus its negative reversal = 0).
COUNTED_STATES = (S.CONFIRMED, S.REVERSED)


def _code(name: str) -> str:
    return transition_code("payment", name)


class PaymentProcessMixin(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _lazy("status"), default=S.DRAFT, choices=PaymentStatus.choices, protected=True
    )
    confirmed_at = models.DateTimeField(_lazy("confirmed at"), null=True, blank=True)
    reverse_reason = models.CharField(_lazy("reason reversed"), max_length=500, blank=True)

    class Meta:
        abstract = True

    @transition(status, source=S.DRAFT, target=S.CONFIRMED, permission=_code("confirm"))
    def confirm(self, actor=None):
        self.confirmed_at = timezone.now()
        self.confirmed_by = actor

    @transition(status, source=S.CONFIRMED, target=S.REVERSED, permission=_code("reverse"))
    def reverse(self, actor=None, reason=""):
        self.reverse_reason = (reason or "").strip()


# --- guards -------------------------------------------------------------------


def contract_active(payment, ctx: GuardContext):
    from workflows.contract import ContractStatus

    if payment.contract.status != ContractStatus.ACTIVE:
        return _("Payments are recorded against an active (signed) contract only.")
    return None


def positive_amount(payment, ctx: GuardContext):
    if payment.amount is None or payment.amount <= 0:
        return _("The amount must be greater than zero.")
    return None


def within_outstanding(payment, ctx: GuardContext):
    installment = payment.installment
    outstanding = installment.amount - installment.collected_amount
    if payment.amount is not None and payment.amount > outstanding:
        return _(
            "The amount %(amount)s exceeds the %(outstanding)s outstanding on installment %(seq)d."
        ) % {
            "amount": money_text(payment.amount),
            "outstanding": money_text(outstanding),
            "seq": installment.sequence,
        }
    return None


def not_a_reversal(payment, ctx: GuardContext):
    if payment.reversal_of_id is not None:
        return _("A reversal cannot be reversed; record a new payment instead.")
    return None


def update_collected(payment, ctx: GuardContext) -> None:
    from crm.sales.services import collected_recompute

    collected_recompute(contract_id=payment.contract_id, pending=payment)


def create_reversal(payment, ctx: GuardContext) -> None:
    from crm.sales.services import payment_reversal_create

    payment_reversal_create(original=payment, actor=ctx.actor, reason=ctx.inputs.get("reason", ""))


class PaymentReverseInputs(TransitionInputs):
    reason = required_text(
        _lazy("reason reversed"), _lazy("Give the reason for the reversal."), max_length=500
    )


STEPS = {
    "confirm": Step(
        "confirm",
        _lazy("Confirm"),
        guards=[contract_active, positive_amount, within_outstanding],
        irreversible=True,
        in_transaction=[update_collected],
    ),
    "reverse": Step(
        "reverse",
        _lazy("Reverse"),
        guards=[not_a_reversal, contract_active],
        inputs=PaymentReverseInputs,
        irreversible=True,
        in_transaction=[create_reversal],
    ),
}


def register_process() -> Process:
    from crm.sales.models import Payment

    return register(Process("payment", Payment, STEPS, [], ui_path="/payments/{id}"))
