"""The Quote process (报价): draft -> submitted -> approved -> sent ->
accepted | rejected; submitted -> draft (returned with a reason).

``revise`` leaves the quote where it is and creates the next version (v2, v3,
...) as a new draft with the lines copied. An approved quote is immutable.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from crm.core.permissions import transition_code
from workflows.process import GuardContext, Process, Step, TransitionInputs, register, required_text


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _lazy("draft")
    SUBMITTED = "submitted", _lazy("submitted for approval")
    APPROVED = "approved", _lazy("approved")
    SENT = "sent", _lazy("sent to customer")
    ACCEPTED = "accepted", _lazy("accepted")
    REJECTED = "rejected", _lazy("rejected")


S = QuoteStatus
# Approved and everything after it is confirmed: frozen.
FROZEN_STATES = (S.APPROVED, S.SENT, S.ACCEPTED, S.REJECTED)
APPROVED_STATES = (S.APPROVED, S.SENT, S.ACCEPTED)
SENT_STATES = (S.SENT, S.ACCEPTED)
REVISABLE = [S.APPROVED, S.SENT, S.REJECTED]


def _code(name: str) -> str:
    return transition_code("quote", name)


class QuoteProcessMixin(ConcurrentTransitionMixin, models.Model):
    status = FSMField(_lazy("status"), default=S.DRAFT, choices=QuoteStatus.choices, protected=True)
    return_reason = models.CharField(_lazy("reason returned"), max_length=500, blank=True)
    reject_reason = models.CharField(_lazy("reason rejected"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_lazy("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_lazy("approved at"), null=True, blank=True)
    sent_at = models.DateTimeField(_lazy("sent at"), null=True, blank=True)

    class Meta:
        abstract = True

    @transition(status, source=S.DRAFT, target=S.SUBMITTED, permission=_code("submit"))
    def submit(self, actor=None):
        self.submitted_at = timezone.now()
        self.submitted_by = actor
        self.return_reason = ""

    @transition(status, source=S.SUBMITTED, target=S.APPROVED, permission=_code("approve"))
    def approve(self, actor=None):
        self.approved_at = timezone.now()
        self.approved_by = actor

    # ``return`` is a Python keyword: the method is named through its __name__.
    def _return(self, actor=None, reason=""):
        self.return_reason = (reason or "").strip()

    _return.__name__ = "return"
    _return.__qualname__ = "QuoteProcessMixin.return"
    vars()["return"] = transition(
        status, source=S.SUBMITTED, target=S.DRAFT, permission=_code("return")
    )(_return)
    del _return

    @transition(status, source=S.APPROVED, target=S.SENT, permission=_code("send"))
    def send(self, actor=None):
        self.sent_at = timezone.now()

    @transition(status, source=S.SENT, target=S.ACCEPTED, permission=_code("accept"))
    def accept(self, actor=None):
        pass

    @transition(status, source=S.SENT, target=S.REJECTED, permission=_code("reject"))
    def reject(self, actor=None, reason=""):
        self.reject_reason = (reason or "").strip()

    @transition(status, source=REVISABLE, target=None, permission=_code("revise"))
    def revise(self, actor=None):
        """The quote stays as it is (on record); the next version is created by the step."""
        self.is_latest = False


# --- guards -------------------------------------------------------------------


def has_lines(quote, ctx: GuardContext):
    if not quote.lines.exists():
        return _("Add at least one line to the quote.")
    return None


def has_positive_total(quote, ctx: GuardContext):
    if quote.total <= 0:
        return _("The quote total must be greater than zero.")
    return None


def opportunity_open(quote, ctx: GuardContext):
    from workflows.opportunity import OPEN

    if quote.opportunity.status not in OPEN:
        return _("The opportunity is closed.")
    return None


def not_own_quote(quote, ctx: GuardContext):
    if ctx.actor is None:
        return _("Only a person can approve.")
    if ctx.actor.pk in (quote.created_by_id, quote.submitted_by_id):
        return _("You cannot approve a quote you prepared or submitted yourself.")
    return None


def is_latest_version(quote, ctx: GuardContext):
    if not quote.is_latest:
        return _("Only the latest version (v%(n)d) can be revised.") % {"n": quote.latest_number()}
    return None


def has_approver(doc, ctx: GuardContext):
    """Someone must be able to approve what is submitted (crm.sales.approvals)."""
    from crm.sales.approvals import no_approver_reason

    return no_approver_reason(doc, submitter=ctx.actor)


def notify_approvers(pk: int) -> None:
    from crm.sales.approvals import notify_approvers as notify
    from crm.sales.models import Quote

    notify(Quote, pk)


def create_next_version(quote, ctx: GuardContext) -> None:
    from crm.sales.services import quote_next_version

    quote_next_version(quote=quote, actor=ctx.actor)


class QuoteReturnInputs(TransitionInputs):
    reason = required_text(
        _lazy("reason returned"), _lazy("Give the reason for returning the quote."), max_length=500
    )


class QuoteRejectInputs(TransitionInputs):
    reason = required_text(
        _lazy("reason rejected"),
        _lazy("Give the reason the customer rejected the quote."),
        max_length=500,
    )


STEPS = {
    "submit": Step(
        "submit",
        _lazy("Submit for approval"),
        guards=[has_lines, has_positive_total, opportunity_open, has_approver],
        after_commit=[notify_approvers],
    ),
    "approve": Step("approve", _lazy("Approve"), guards=[not_own_quote], irreversible=True),
    "return": Step(
        "return",
        _lazy("Return to draft"),
        inputs=QuoteReturnInputs,
    ),
    "send": Step("send", _lazy("Mark sent to customer"), guards=[opportunity_open]),
    "accept": Step("accept", _lazy("Customer accepted")),
    "reject": Step(
        "reject",
        _lazy("Customer rejected"),
        inputs=QuoteRejectInputs,
    ),
    "revise": Step(
        "revise",
        _lazy("Revise (new version)"),
        guards=[is_latest_version, opportunity_open],
        in_transaction=[create_next_version],
    ),
}


def register_process() -> Process:
    from crm.sales.models import Quote

    return register(Process("quote", Quote, STEPS, [], ui_path="/quotes/{id}"))
