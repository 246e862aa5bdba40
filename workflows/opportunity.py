"""The Opportunity process (销售机会): initial -> needs_defined -> proposal ->
negotiation -> won | lost; lost -> initial (reopen). See SPEC.md §3.

Transitions are named after the stage they move to, so moving a kanban card
is ``POST /opportunities/{id}/transitions/<stage>/``.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from rest_framework import serializers

from crm.core.permissions import transition_code
from workflows.process import (
    GuardContext,
    Process,
    ReminderRule,
    Step,
    TransitionInputs,
    optional_text,
    register,
)


class OpportunityStatus(models.TextChoices):
    INITIAL = "initial", _lazy("initial contact")
    NEEDS_DEFINED = "needs_defined", _lazy("needs defined")
    PROPOSAL = "proposal", _lazy("proposal")
    NEGOTIATION = "negotiation", _lazy("negotiation")
    WON = "won", _lazy("won")
    LOST = "lost", _lazy("lost")


S = OpportunityStatus
OPEN = (S.INITIAL, S.NEEDS_DEFINED, S.PROPOSAL, S.NEGOTIATION)
# The pipeline order: ``reached_rank`` keeps the furthest stage an opportunity reached.
STAGE_RANK = {S.INITIAL: 0, S.NEEDS_DEFINED: 1, S.PROPOSAL: 2, S.NEGOTIATION: 3, S.WON: 4}
PIPELINE = [S.INITIAL, S.NEEDS_DEFINED, S.PROPOSAL, S.NEGOTIATION, S.WON]


def _code(name: str) -> str:
    return transition_code("opportunity", name)


class OpportunityProcessMixin(ConcurrentTransitionMixin, models.Model):
    """State field and transitions of an opportunity; bodies change fields only."""

    status = FSMField(
        _lazy("stage"), default=S.INITIAL, choices=OpportunityStatus.choices, protected=True
    )
    stage_changed_at = models.DateTimeField(_lazy("stage changed at"), null=True, blank=True)
    reached_rank = models.PositiveSmallIntegerField(default=0, editable=False)
    closed_on = models.DateField(_lazy("closed on"), null=True, blank=True)
    loss_note = models.TextField(_lazy("loss note"), blank=True)

    class Meta:
        abstract = True

    def _moved(self, stage: str) -> None:
        self.stage_changed_at = timezone.now()
        self.reached_rank = max(self.reached_rank, STAGE_RANK.get(stage, 0))

    @transition(status, source=S.INITIAL, target=S.NEEDS_DEFINED, permission=_code("needs_defined"))
    def needs_defined(self, actor=None):
        self._moved(S.NEEDS_DEFINED)

    @transition(status, source=S.NEEDS_DEFINED, target=S.PROPOSAL, permission=_code("proposal"))
    def proposal(self, actor=None):
        self._moved(S.PROPOSAL)

    @transition(status, source=S.PROPOSAL, target=S.NEGOTIATION, permission=_code("negotiation"))
    def negotiation(self, actor=None):
        self._moved(S.NEGOTIATION)

    @transition(status, source=S.NEGOTIATION, target=S.WON, permission=_code("won"))
    def won(self, actor=None):
        self._moved(S.WON)
        self.closed_on = timezone.localdate()

    @transition(status, source=list(OPEN), target=S.LOST, permission=_code("lost"))
    def lost(self, actor=None, reason="", note=""):
        self.stage_changed_at = timezone.now()
        self.closed_on = timezone.localdate()
        self.loss_note = (note or "").strip()

    @transition(status, source=S.LOST, target=S.INITIAL, permission=_code("reopen"))
    def reopen(self, actor=None):
        self.stage_changed_at = timezone.now()
        self.closed_on = None
        self.loss_reason = None
        self.loss_note = ""


# --- guards: pure functions returning a reason, or None -----------------------


def has_requirement(opp, ctx: GuardContext):
    from crm.sales.models import Requirement

    if not Requirement.objects.filter(tenant_id=opp.tenant_id, opportunity_id=opp.pk).exists():
        return _("Record at least one customer requirement first.")
    return None


def has_sent_quote(opp, ctx: GuardContext):
    from crm.sales.models import Quote
    from workflows.quote import SENT_STATES

    if not Quote.objects.filter(
        tenant_id=opp.tenant_id, opportunity_id=opp.pk, status__in=SENT_STATES
    ).exists():
        return _("Send a quote to the customer first.")
    return None


def has_approved_quote_or_contract(opp, ctx: GuardContext):
    from crm.sales.models import Contract, Quote
    from workflows.contract import APPROVED_STATES
    from workflows.quote import APPROVED_STATES as QUOTE_APPROVED

    quotes = Quote.objects.filter(
        tenant_id=opp.tenant_id, opportunity_id=opp.pk, status__in=QUOTE_APPROVED
    )
    contracts = Contract.objects.filter(
        tenant_id=opp.tenant_id, opportunity_id=opp.pk, status__in=APPROVED_STATES
    )
    if not (quotes.exists() or contracts.exists()):
        return _("An approved quote or an approved contract is needed to win the deal.")
    return None


def resolve_loss_reason(tenant_id: int, value):
    """The active loss-reason dictionary item named by id, code or label, or None."""
    from crm.core.models import DictionaryItem

    if value in (None, ""):
        return None
    items = DictionaryItem.objects.filter(
        tenant_id=tenant_id, kind=DictionaryItem.Kind.LOSS_REASON, active=True
    )
    text = str(value).strip()
    if text.isdigit():
        found = items.filter(pk=int(text)).first()
        if found:
            return found
    return items.filter(models.Q(code=text) | models.Q(label=text)).first()


def loss_reason_known(opp, ctx: GuardContext):
    value = ctx.inputs.get("reason")
    if value in (None, ""):
        return None  # reported as a missing required input
    if resolve_loss_reason(opp.tenant_id, value) is None:
        return _("“%(value)s” is not a loss reason of the dictionary.") % {"value": value}
    return None


def set_loss_reason(opp, ctx: GuardContext) -> None:
    opp.loss_reason = resolve_loss_reason(opp.tenant_id, ctx.inputs.get("reason"))


# --- reminder rules -----------------------------------------------------------


def last_activity_at(opp) -> dt.datetime | None:
    """The newest activity logged with the opportunity's customer."""
    from django.db.models import Max

    from crm.activities.models import Activity

    return Activity.objects.filter(tenant_id=opp.tenant_id, customer_id=opp.customer_id).aggregate(
        last=Max("occurred_at")
    )["last"]


def _idle_due(opp):
    base = opp.stage_changed_at or opp.created_at
    last = last_activity_at(opp)
    if last and last > base:
        base = last
    return base + dt.timedelta(days=opp.tenant.setting("opportunity_idle_days"))


def morning_of(day: dt.date) -> dt.datetime:
    """09:00 local time on ``day`` (reminders about dates arrive at the start of work)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _close_date_due(opp):
    if opp.expected_close_date is None:
        return None
    return morning_of(opp.expected_close_date + dt.timedelta(days=1))


def _owner(opp):
    return opp.owner


def _idle_message(opp):
    days = opp.tenant.setting("opportunity_idle_days")
    return (
        _("Opportunity “%(name)s” has had no activity for %(days)d days")
        % {"name": opp.name, "days": days},
        _("Log a call, visit or meeting with the customer to keep “%(name)s” moving.")
        % {"name": opp.name},
    )


def _close_date_message(opp):
    return (
        _("Opportunity “%(name)s” is past its expected close date") % {"name": opp.name},
        _("The expected close date %(date)s of “%(name)s” has passed: update it, win or lose it.")
        % {"name": opp.name, "date": opp.expected_close_date.isoformat()},
    )


IDLE_RULE = "opportunity.idle"
CLOSE_DATE_RULE = "opportunity.close_date_passed"


class OpportunityLostInputs(TransitionInputs):
    # A loss-reason dictionary item by id, code or label (checked by loss_reason_known).
    reason = serializers.CharField(
        label=_lazy("loss reason"),
        max_length=200,
        error_messages={
            "required": _lazy("Choose the loss reason."),
            "blank": _lazy("Choose the loss reason."),
            "null": _lazy("Choose the loss reason."),
        },
        style={"input": "dict", "dict": "loss_reason"},
    )
    note = optional_text(_lazy("loss note"))


STEPS = {
    "needs_defined": Step("needs_defined", _lazy("Needs defined")),
    "proposal": Step("proposal", _lazy("Move to proposal"), guards=[has_requirement]),
    "negotiation": Step("negotiation", _lazy("Move to negotiation"), guards=[has_sent_quote]),
    "won": Step(
        "won",
        _lazy("Mark won"),
        guards=[has_approved_quote_or_contract],
        irreversible=True,
    ),
    "lost": Step(
        "lost",
        _lazy("Mark lost"),
        guards=[loss_reason_known],
        inputs=OpportunityLostInputs,
        in_transaction=[set_loss_reason],
    ),
    "reopen": Step("reopen", _lazy("Reopen")),
}

RULES = [
    ReminderRule(IDLE_RULE, OPEN, due=_idle_due, recipient=_owner, message=_idle_message),
    ReminderRule(
        CLOSE_DATE_RULE, OPEN, due=_close_date_due, recipient=_owner, message=_close_date_message
    ),
]


def register_process() -> Process:
    from crm.sales.models import Opportunity

    return register(
        Process("opportunity", Opportunity, STEPS, RULES, ui_path="/opportunities/{id}")
    )
