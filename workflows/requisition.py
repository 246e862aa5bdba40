"""The Requisition process (领料): draft -> submitted -> approved -> issued;
submitted -> draft (returned with a reason); draft | submitted -> cancelled.

Approval needs ``transition:requisition.approve`` and someone other than the
requester. ``issue`` needs stock for every line (the reason names the items
short), writes the stock movements in the engine's transaction (balances
row-locked, so two issues of the last units cannot both pass) and freezes the
requisition. An issued requisition is undone only by a stock return pointing at
it (``workflows/stock.py``).

Reminders: the approver is told when a requisition has waited longer than the
tenant's ``requisition_approval_wait_hours`` working hours; after an issue that
leaves an item at or below its low-stock threshold, the stock keepers are told.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from crm.core.permissions import transition_code
from workflows.process import (
    GuardContext,
    Process,
    ReminderRule,
    Step,
    TransitionInputs,
    register,
    required_text,
)


class RequisitionStatus(models.TextChoices):
    DRAFT = "draft", _lazy("draft")
    SUBMITTED = "submitted", _lazy("submitted for approval")
    APPROVED = "approved", _lazy("approved")
    ISSUED = "issued", _lazy("issued")
    CANCELLED = "cancelled", _lazy("cancelled")


S = RequisitionStatus
# Issued (stock moved) and cancelled requisitions are frozen.
FROZEN_STATES = (S.ISSUED, S.CANCELLED)
APPROVAL_RULE = "requisition_approval_waiting"
LOW_STOCK_RULE = "requisition_low_stock"


def _code(name: str) -> str:
    return transition_code("requisition", name)


class RequisitionProcessMixin(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _lazy("status"), default=S.DRAFT, choices=RequisitionStatus.choices, protected=True
    )
    return_reason = models.CharField(_lazy("reason returned"), max_length=500, blank=True)
    cancel_reason = models.CharField(_lazy("reason cancelled"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_lazy("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_lazy("approved at"), null=True, blank=True)
    issued_at = models.DateTimeField(_lazy("issued at"), null=True, blank=True)

    class Meta:
        abstract = True

    @transition(status, source=S.DRAFT, target=S.SUBMITTED, permission=_code("submit"))
    def submit(self, actor=None):
        self.submitted_at = timezone.now()
        self.return_reason = ""

    # ``return`` is a Python keyword: the method is named through its __name__.
    def _return(self, actor=None, reason=""):
        self.return_reason = (reason or "").strip()

    _return.__name__ = "return"
    _return.__qualname__ = "RequisitionProcessMixin.return"
    vars()["return"] = transition(
        status, source=S.SUBMITTED, target=S.DRAFT, permission=_code("return")
    )(_return)
    del _return

    @transition(status, source=S.SUBMITTED, target=S.APPROVED, permission=_code("approve"))
    def approve(self, actor=None):
        self.approved_at = timezone.now()
        self.approved_by = actor

    @transition(status, source=S.APPROVED, target=S.ISSUED, permission=_code("issue"))
    def issue(self, actor=None):
        self.issued_at = timezone.now()
        self.issued_by = actor

    @transition(
        status, source=[S.DRAFT, S.SUBMITTED], target=S.CANCELLED, permission=_code("cancel")
    )
    def cancel(self, actor=None, reason=""):
        self.cancel_reason = (reason or "").strip()


# --- guards -------------------------------------------------------------------


def has_lines(req, ctx: GuardContext):
    if not req.lines.exists():
        return _("Add at least one line to the requisition.")
    return None


def not_own_requisition(req, ctx: GuardContext):
    if ctx.actor is None:
        return _("Only a person can approve.")
    if ctx.actor.pk in (req.requester_id, req.created_by_id):
        return _("You cannot approve a requisition you requested yourself.")
    return None


def enough_stock(req, ctx: GuardContext):
    from crm.marketing.services.stock import shortages

    return shortages(req.tenant, [(line.item, line.quantity) for line in req.lines.all()])


def _issue(req, ctx: GuardContext) -> None:
    from crm.marketing.services.stock import requisition_post

    requisition_post(req, actor=ctx.actor)


class RequisitionReturnInputs(TransitionInputs):
    reason = required_text(
        _lazy("reason returned"),
        _lazy("Give the reason for returning the requisition."),
        max_length=500,
    )


class RequisitionCancelInputs(TransitionInputs):
    reason = required_text(
        _lazy("reason cancelled"),
        _lazy("Give the reason for cancelling the requisition."),
        max_length=500,
    )


STEPS = {
    "submit": Step("submit", _lazy("Submit for approval"), guards=[has_lines]),
    "return": Step("return", _lazy("Return to draft"), inputs=RequisitionReturnInputs),
    "approve": Step("approve", _lazy("Approve"), guards=[not_own_requisition]),
    "issue": Step(
        "issue",
        _lazy("Issue the goods"),
        guards=[has_lines, enough_stock],
        irreversible=True,
        in_transaction=[_issue],
    ),
    "cancel": Step("cancel", _lazy("Cancel"), inputs=RequisitionCancelInputs, irreversible=True),
}


# --- reminder rules -----------------------------------------------------------


def _approval_due(req):
    from crm.service.selectors import calendar_for

    if req.submitted_at is None:
        return None
    hours = req.tenant.setting("requisition_approval_wait_hours")
    return calendar_for(req.tenant).add_working_hours(req.submitted_at, hours)


def _approver(req):
    from crm.marketing.selectors import requisition_approver

    return requisition_approver(req)


def _approval_message(req):
    return (
        _("Requisition %(number)s is waiting for your approval") % {"number": req.number},
        _("Requisition %(number)s (%(purpose)s) has waited more than %(hours)d working hours.")
        % {
            "number": req.number,
            "purpose": req.purpose,
            "hours": req.tenant.setting("requisition_approval_wait_hours"),
        },
    )


def _low_stock_due(req):
    from crm.marketing.selectors import low_stock_lines

    if req.issued_at is None or not low_stock_lines(req):
        return None
    return req.issued_at


def _stock_keeper(req):
    from crm.marketing.selectors import stock_keepers

    return next(iter(stock_keepers(req.tenant)), None)


def _low_stock_message(req):
    from crm.marketing.selectors import low_stock_lines

    items = _("; ").join(
        _("%(item)s: %(left)s %(unit)s left") % {"item": i.name, "left": q, "unit": i.unit}
        for i, q in low_stock_lines(req)
    )
    return (
        _("Low stock after requisition %(number)s") % {"number": req.number},
        _("Restock soon. %(items)s") % {"items": items},
    )


RULES = [
    ReminderRule(
        APPROVAL_RULE,
        S.SUBMITTED,
        due=_approval_due,
        recipient=_approver,
        message=_approval_message,
    ),
    ReminderRule(
        LOW_STOCK_RULE,
        S.ISSUED,
        due=_low_stock_due,
        recipient=_stock_keeper,
        message=_low_stock_message,
    ),
]


def register_process() -> Process:
    from crm.marketing.models import Requisition

    return register(Process("requisition", Requisition, STEPS, RULES, ui_path="/requisitions/{id}"))
