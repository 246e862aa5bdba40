"""The small stock processes: receipts (入库), adjustments after a count and
returns (退料), each draft -> confirmed.

Confirming writes the stock movements (``crm.marketing.services.stock``) in the
engine's transaction and freezes the document; a confirmed document is
corrected only by another document (an adjustment, a return).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from crm.core.permissions import transition_code
from workflows.process import GuardContext, Process, Step, register


class StockDocumentStatus(models.TextChoices):
    DRAFT = "draft", _lazy("draft")
    CONFIRMED = "confirmed", _lazy("confirmed")


S = StockDocumentStatus
FROZEN_STATES = (S.CONFIRMED,)


def _mixin(process: str):
    """The django-fsm mixin of one stock document process (same states, own codes)."""

    class StockDocumentProcessMixin(ConcurrentTransitionMixin, models.Model):
        status = FSMField(
            _lazy("status"), default=S.DRAFT, choices=StockDocumentStatus.choices, protected=True
        )
        confirmed_at = models.DateTimeField(_lazy("confirmed at"), null=True, blank=True)

        class Meta:
            abstract = True

        @transition(
            status,
            source=S.DRAFT,
            target=S.CONFIRMED,
            permission=transition_code(process, "confirm"),
        )
        def confirm(self, actor=None):
            self.confirmed_at = timezone.now()
            self.confirmed_by = actor

    return StockDocumentProcessMixin


StockReceiptProcessMixin = _mixin("stock_receipt")
StockAdjustmentProcessMixin = _mixin("stock_adjustment")
StockReturnProcessMixin = _mixin("stock_return")


# --- guards -------------------------------------------------------------------


def has_lines(doc, ctx: GuardContext):
    if not doc.lines.exists():
        return _("Add at least one line.")
    return None


def adjustment_has_reason(doc, ctx: GuardContext):
    if not (doc.reason or "").strip():
        return _("Give the reason for the adjustment.")
    return None


def adjustment_keeps_stock(doc, ctx: GuardContext):
    from crm.marketing.services.stock import shortages

    short = shortages(doc.tenant, [(ln.item, -ln.quantity) for ln in doc.lines.all()])
    return short


def return_within_issued(doc, ctx: GuardContext):
    from crm.marketing.services.stock import return_excess

    return return_excess(doc)


def requisition_issued(doc, ctx: GuardContext):
    from workflows.requisition import RequisitionStatus

    if doc.requisition.status != RequisitionStatus.ISSUED:
        return _("Goods are returned against an issued requisition only.")
    return None


def _confirm_receipt(doc, ctx: GuardContext) -> None:
    from crm.marketing.services.stock import receipt_post

    receipt_post(doc, actor=ctx.actor)


def _confirm_adjustment(doc, ctx: GuardContext) -> None:
    from crm.marketing.services.stock import adjustment_post

    adjustment_post(doc, actor=ctx.actor)


def _confirm_return(doc, ctx: GuardContext) -> None:
    from crm.marketing.services.stock import return_post

    return_post(doc, actor=ctx.actor)


def _confirm(guards, work) -> dict[str, Step]:
    return {
        "confirm": Step(
            "confirm", _lazy("Confirm"), guards=guards, irreversible=True, in_transaction=[work]
        )
    }


RECEIPT_STEPS = _confirm([has_lines], _confirm_receipt)
ADJUSTMENT_STEPS = _confirm(
    [has_lines, adjustment_has_reason, adjustment_keeps_stock], _confirm_adjustment
)
RETURN_STEPS = _confirm([has_lines, requisition_issued, return_within_issued], _confirm_return)


def register_processes() -> list[Process]:
    from crm.marketing.models import StockAdjustment, StockReceipt, StockReturn

    return [
        register(
            Process(
                "stock_receipt", StockReceipt, RECEIPT_STEPS, [], ui_path="/stock-receipts/{id}"
            )
        ),
        register(
            Process(
                "stock_adjustment",
                StockAdjustment,
                ADJUSTMENT_STEPS,
                [],
                ui_path="/stock-adjustments/{id}",
            )
        ),
        register(
            Process("stock_return", StockReturn, RETURN_STEPS, [], ui_path="/stock-returns/{id}")
        ),
    ]
