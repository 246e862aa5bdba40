"""The Contract process (合同): draft -> pending_approval -> approved -> active
(signed) -> completed | terminated; pending_approval -> draft (rejected with a
reason).

Approval follows the tenant's approval bands (amount ranges -> permission
code); the author never approves their own contract. Active, completed and
terminated contracts are immutable.

Installments (回款计划) have a derived status (open / collected) and their own
reminder rules (due soon, overdue daily); they are registered here as a
process without transitions so the one reminder machinery serves them.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from crm.core.api.fields import DateField
from crm.core.money_format import money_text
from crm.core.permissions import transition_code
from workflows.opportunity import morning_of
from workflows.process import (
    GuardContext,
    Process,
    ReminderRule,
    Step,
    TransitionInputs,
    register,
    required_text,
)


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _lazy("draft")
    PENDING_APPROVAL = "pending_approval", _lazy("pending approval")
    APPROVED = "approved", _lazy("approved")
    ACTIVE = "active", _lazy("active (signed)")
    COMPLETED = "completed", _lazy("completed")
    TERMINATED = "terminated", _lazy("terminated")


S = ContractStatus
FROZEN_STATES = (S.ACTIVE, S.COMPLETED, S.TERMINATED)
APPROVED_STATES = (S.APPROVED, S.ACTIVE, S.COMPLETED)


class InstallmentStatus(models.TextChoices):
    # "open" alone is also a task's state (待办): a context of its own.
    OPEN = "open", pgettext_lazy("instalment status", "open")
    COLLECTED = "collected", _lazy("collected")


def _code(name: str) -> str:
    return transition_code("contract", name)


class ContractProcessMixin(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _lazy("status"), default=S.DRAFT, choices=ContractStatus.choices, protected=True
    )
    reject_reason = models.CharField(_lazy("reason rejected"), max_length=500, blank=True)
    terminate_reason = models.CharField(_lazy("reason terminated"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_lazy("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_lazy("approved at"), null=True, blank=True)
    signed_on = models.DateField(_lazy("signed on"), null=True, blank=True)
    closed_at = models.DateTimeField(_lazy("closed at"), null=True, blank=True)

    class Meta:
        abstract = True

    @transition(status, source=S.DRAFT, target=S.PENDING_APPROVAL, permission=_code("submit"))
    def submit(self, actor=None):
        self.submitted_at = timezone.now()
        self.submitted_by = actor
        self.reject_reason = ""

    @transition(status, source=S.PENDING_APPROVAL, target=S.APPROVED, permission=_code("approve"))
    def approve(self, actor=None):
        self.approved_at = timezone.now()
        self.approved_by = actor

    @transition(status, source=S.PENDING_APPROVAL, target=S.DRAFT, permission=_code("reject"))
    def reject(self, actor=None, reason=""):
        self.reject_reason = (reason or "").strip()

    @transition(status, source=S.APPROVED, target=S.ACTIVE, permission=_code("sign"))
    def sign(self, actor=None, signed_on=None):
        # An imported draft may carry its signing date already: keep it unless given.
        self.signed_on = signed_on or self.signed_on or timezone.localdate()

    @transition(status, source=S.ACTIVE, target=S.COMPLETED, permission=_code("complete"))
    def complete(self, actor=None):
        self.closed_at = timezone.now()

    @transition(
        status, source=[S.APPROVED, S.ACTIVE], target=S.TERMINATED, permission=_code("terminate")
    )
    def terminate(self, actor=None, reason=""):
        self.terminate_reason = (reason or "").strip()
        self.closed_at = timezone.now()


# --- guards -------------------------------------------------------------------


def has_customer(contract, ctx: GuardContext):
    if not contract.customer_id:
        return _("Choose the customer.")
    return None


def positive_amount(contract, ctx: GuardContext):
    if contract.amount is None or contract.amount <= 0:
        return _("The contract amount must be greater than zero.")
    return None


def lines_match_amount(contract, ctx: GuardContext):
    from crm.sales.money import total

    lines = list(contract.lines.values_list("amount", flat=True))
    if not lines:
        return _("Add at least one contract line.")
    if total(lines) != contract.amount:
        return _("The lines add up to %(lines)s, not the contract amount %(amount)s.") % {
            "lines": money_text(total(lines)),
            "amount": money_text(contract.amount),
        }
    return None


def plan_matches_amount(contract, ctx: GuardContext):
    from crm.sales.money import total

    plan = list(contract.installments.values_list("amount", flat=True))
    if not plan:
        return _("Add a payment plan (at least one installment).")
    if total(plan) != contract.amount:
        return _("The installments add up to %(plan)s, not the contract amount %(amount)s.") % {
            "plan": money_text(total(plan)),
            "amount": money_text(contract.amount),
        }
    return None


def dates_in_order(contract, ctx: GuardContext):
    if contract.start_date and contract.end_date and contract.end_date < contract.start_date:
        return _("The end date is before the start date.")
    return None


SUBMIT_GUARDS = [
    has_customer,
    positive_amount,
    lines_match_amount,
    plan_matches_amount,
    dates_in_order,
]


def holds_approval_band(contract, ctx: GuardContext):
    from crm.sales.selectors import approval_band_for

    if ctx.actor is None:
        return _("Only a person can approve a contract.")
    band = approval_band_for(contract.tenant, contract.amount)
    if not ctx.actor.has_code(band.permission):
        return _("A contract of %(amount)s must be approved by someone with “%(label)s”.") % {
            "amount": money_text(contract.amount),
            "label": band.get_permission_display(),
        }
    return None


def not_own_contract(contract, ctx: GuardContext):
    if ctx.actor is not None and ctx.actor.pk in (contract.created_by_id, contract.submitted_by_id):
        return _("You cannot approve a contract you wrote or submitted yourself.")
    return None


def fully_collected(contract, ctx: GuardContext):
    if contract.collected_amount < contract.amount:
        return _(
            "Collected %(collected)s of %(amount)s: the payment plan is not fully collected."
        ) % {
            "collected": money_text(contract.collected_amount),
            "amount": money_text(contract.amount),
        }
    return None


def start_installment_reminders(contract, ctx: GuardContext) -> None:
    from crm.sales.services import installments_schedule_reminders

    installments_schedule_reminders(contract)


def stop_installment_reminders(contract, ctx: GuardContext) -> None:
    from crm.sales.services import installments_cancel_reminders

    installments_cancel_reminders(contract)


def has_approver(doc, ctx: GuardContext):
    """Someone must be able to approve what is submitted (crm.sales.approvals)."""
    from crm.sales.approvals import no_approver_reason

    return no_approver_reason(doc, submitter=ctx.actor)


def notify_approvers(pk: int) -> None:
    from crm.sales.approvals import notify_approvers as notify
    from crm.sales.models import Contract

    notify(Contract, pk)


# --- reminder rules -----------------------------------------------------------


def _approval_due(contract):
    if contract.submitted_at is None:
        return None
    hours = contract.tenant.setting("contract_approval_wait_hours")
    return contract.submitted_at + dt.timedelta(hours=hours)


def _approver(contract):
    from crm.sales.selectors import approver_for

    return approver_for(contract)


def _renewal_due(contract):
    if contract.end_date is None:
        return None
    days = contract.tenant.setting("contract_renewal_days")
    return morning_of(contract.end_date - dt.timedelta(days=days))


def _owner(obj):
    return obj.owner


def _approval_message(contract):
    return (
        _("Contract %(number)s is waiting for your approval") % {"number": contract.number},
        _("Contract %(number)s (%(amount)s) has waited more than %(hours)d hours for approval.")
        % {
            "number": contract.number,
            "amount": money_text(contract.amount),
            "hours": contract.tenant.setting("contract_approval_wait_hours"),
        },
    )


def _renewal_message(contract):
    return (
        _("Contract %(number)s ends on %(date)s")
        % {"number": contract.number, "date": contract.end_date},
        _("Contract %(number)s with %(customer)s ends on %(date)s: talk about the renewal.")
        % {"number": contract.number, "customer": contract.customer, "date": contract.end_date},
    )


def _inst_active(inst) -> bool:
    return inst.contract.status == S.ACTIVE


def _due_soon_due(inst):
    if not _inst_active(inst):
        return None
    days = inst.tenant.setting("installment_due_soon_days")
    return morning_of(inst.due_date - dt.timedelta(days=days))


def _overdue_due(inst):
    if not _inst_active(inst):
        return None
    return morning_of(inst.due_date + dt.timedelta(days=1))


def _inst_owner(inst):
    return inst.contract.owner


def _due_soon_message(inst):
    return (
        _("Installment %(seq)d of contract %(number)s is due on %(date)s")
        % {"seq": inst.sequence, "number": inst.contract.number, "date": inst.due_date},
        _("%(amount)s of %(customer)s is due on %(date)s (outstanding %(outstanding)s).")
        % {
            "amount": money_text(inst.amount),
            "customer": inst.contract.customer,
            "date": inst.due_date,
            "outstanding": money_text(inst.outstanding),
        },
    )


def _overdue_message(inst):
    return (
        _("Installment %(seq)d of contract %(number)s is overdue")
        % {"seq": inst.sequence, "number": inst.contract.number},
        _("%(outstanding)s of %(customer)s was due on %(date)s and is still outstanding.")
        % {
            "outstanding": money_text(inst.outstanding),
            "customer": inst.contract.customer,
            "date": inst.due_date,
        },
    )


def _remind_again_tomorrow(inst, reminder) -> None:
    """Overdue reminders repeat daily: each delivered row schedules the next day's row."""
    from workflows.models import Reminder

    Reminder.objects.create(
        tenant_id=reminder.tenant_id,
        content_type_id=reminder.content_type_id,
        object_id=reminder.object_id,
        rule=reminder.rule,
        state=reminder.state,
        due_at=reminder.due_at + dt.timedelta(days=1),
        recipient_id=reminder.recipient_id,
    )


APPROVAL_RULE = "contract.approval_waiting"
RENEWAL_RULE = "contract.renewal"
DUE_SOON_RULE = "installment.due_soon"
OVERDUE_RULE = "installment.overdue"


class ContractRejectInputs(TransitionInputs):
    reason = required_text(
        _lazy("reason rejected"),
        _lazy("Give the reason for rejecting the contract."),
        max_length=500,
    )


class ContractSignInputs(TransitionInputs):
    # Today when not given.
    signed_on = DateField(label=_lazy("signed on"), required=False)


class ContractTerminateInputs(TransitionInputs):
    reason = required_text(
        _lazy("reason terminated"),
        _lazy("Give the reason for terminating the contract."),
        max_length=500,
    )


STEPS = {
    "submit": Step(
        "submit",
        _lazy("Submit for approval"),
        guards=[*SUBMIT_GUARDS, has_approver],
        after_commit=[notify_approvers],
    ),
    "approve": Step(
        "approve",
        _lazy("Approve"),
        guards=[holds_approval_band, not_own_contract],
        irreversible=True,
    ),
    "reject": Step(
        "reject",
        _lazy("Reject (back to draft)"),
        inputs=ContractRejectInputs,
    ),
    "sign": Step(
        "sign",
        _lazy("Sign (activate)"),
        inputs=ContractSignInputs,
        irreversible=True,
        in_transaction=[start_installment_reminders],
    ),
    "complete": Step(
        "complete",
        _lazy("Complete"),
        guards=[fully_collected],
        irreversible=True,
        in_transaction=[stop_installment_reminders],
    ),
    "terminate": Step(
        "terminate",
        _lazy("Terminate"),
        inputs=ContractTerminateInputs,
        irreversible=True,
        in_transaction=[stop_installment_reminders],
    ),
}

RULES = [
    ReminderRule(
        APPROVAL_RULE,
        S.PENDING_APPROVAL,
        due=_approval_due,
        recipient=_approver,
        message=_approval_message,
    ),
    ReminderRule(
        RENEWAL_RULE, S.ACTIVE, due=_renewal_due, recipient=_owner, message=_renewal_message
    ),
]

INSTALLMENT_RULES = [
    ReminderRule(
        DUE_SOON_RULE,
        InstallmentStatus.OPEN,
        due=_due_soon_due,
        recipient=_inst_owner,
        message=_due_soon_message,
    ),
    ReminderRule(
        OVERDUE_RULE,
        InstallmentStatus.OPEN,
        due=_overdue_due,
        recipient=_inst_owner,
        message=_overdue_message,
        action=_remind_again_tomorrow,
    ),
]


def register_process() -> list[Process]:
    from crm.sales.models import Contract, Installment

    return [
        register(Process("contract", Contract, STEPS, RULES, ui_path="/contracts/{id}")),
        # No transitions: the status is derived from confirmed payments by the service.
        register(
            Process(
                "installment",
                Installment,
                {},
                INSTALLMENT_RULES,
                ui_path="/installments/{id}",
            )
        ),
    ]
