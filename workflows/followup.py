"""The Follow-up process (跟进/回访): planned -> done | missed | cancelled; missed -> planned.

A follow-up (kind follow_up, return_visit or care) points at exactly one record
(lead, customer, complaint; opportunity and contract once the sales models land).
``complete`` needs an outcome note, and a satisfaction score (1-5) for a return
visit. Reminders: ``followup_reminder_hours`` before ``due_at`` to the owner; at
``due_at`` + ``followup_grace_hours`` the worker moves it to ``missed`` as the
system actor and tells the owner's team leader. See SPEC.md §3.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from rest_framework import serializers

from crm.core.api.fields import DateTimeField
from crm.core.permissions import transition_code
from workflows.process import (
    GuardContext,
    Process,
    ReminderRule,
    Step,
    TransitionInputs,
    optional_text,
    register,
    required_text,
)


class FollowUpStatus(models.TextChoices):
    PLANNED = "planned", gettext_lazy("planned")
    DONE = "done", gettext_lazy("done")
    MISSED = "missed", gettext_lazy("missed")
    CANCELLED = "cancelled", gettext_lazy("cancelled")


class FollowUpKind(models.TextChoices):
    FOLLOW_UP = "follow_up", gettext_lazy("follow-up")
    RETURN_VISIT = "return_visit", gettext_lazy("return visit")
    CARE = "care", gettext_lazy("care")


SATISFACTION_RANGE = (1, 5)


def _code(name: str) -> str:
    return transition_code("followup", name)


class FollowUpProcessMixin(ConcurrentTransitionMixin, models.Model):
    """State field and transitions of a follow-up; bodies change fields only."""

    status = FSMField(
        gettext_lazy("status"),
        default=FollowUpStatus.PLANNED,
        choices=FollowUpStatus.choices,
        protected=True,
    )

    class Meta:
        abstract = True

    @transition(
        status,
        source=FollowUpStatus.PLANNED,
        target=FollowUpStatus.DONE,
        permission=_code("complete"),
    )
    def complete(self, actor=None, outcome: str = "", satisfaction=None, **inputs):
        self.outcome = outcome.strip()
        if satisfaction is not None:
            self.satisfaction = int(satisfaction)
        self.done_at = timezone.now()

    @transition(
        status,
        source=FollowUpStatus.PLANNED,
        target=FollowUpStatus.MISSED,
        permission=_code("miss"),
    )
    def miss(self, actor=None, **inputs):
        self.missed_at = timezone.now()

    @transition(
        status,
        source=FollowUpStatus.PLANNED,
        target=FollowUpStatus.CANCELLED,
        permission=_code("cancel"),
    )
    def cancel(self, actor=None, reason: str = "", **inputs):
        pass

    @transition(
        status,
        source=FollowUpStatus.MISSED,
        target=FollowUpStatus.PLANNED,
        permission=_code("reschedule"),
    )
    def reschedule(self, actor=None, due_at=None, **inputs):
        self.due_at = due_at
        self.missed_at = None
        self.reschedule_count += 1


# --- guards -------------------------------------------------------------------


def valid_satisfaction(value) -> bool:
    low, high = SATISFACTION_RANGE
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def score_for_return_visit(followup, ctx: GuardContext):
    """A return visit is completed with a score 1-5; other kinds may give one.

    Checked on the inputs of a real call; the preview of the record's steps (no
    inputs) does not report it, the UI asks for the score like an input.
    """
    if not ctx.inputs:
        return None
    score = ctx.inputs.get("satisfaction")
    if score is None:
        if followup.kind == FollowUpKind.RETURN_VISIT:
            return _("Give the customer's satisfaction score (1-5) for a return visit.")
        return None
    if not valid_satisfaction(score):
        return _("The satisfaction score must be a whole number from 1 to 5.")
    return None


def new_due_in_future(followup, ctx: GuardContext):
    due = ctx.inputs.get("due_at")
    if due is None:
        return None  # reported as a missing input
    if not isinstance(due, dt.datetime) or timezone.is_naive(due):
        return _("Give the new due date as a date and time with its time zone.")
    if due <= timezone.now():
        return _("The new due date must be in the future.")
    return None


# --- reminder rules -------------------------------------------------------------


def _due_soon(f):
    hours = f.tenant.setting("followup_reminder_hours")
    if hours <= 0 or f.due_at is None:
        return None
    return f.due_at - dt.timedelta(hours=hours)


def _auto_miss_due(f):
    if f.due_at is None:
        return None
    return f.due_at + dt.timedelta(hours=f.tenant.setting("followup_grace_hours"))


def _owner(f):
    return f.owner


def _team_leader(f):
    from crm.service.selectors import team_leader_of

    return team_leader_of(f.owner)


def _describe(f) -> str:
    return f.subject or f.get_kind_display()


def _target_name(f) -> str:
    target = f.target
    return str(target) if target is not None else "-"


def _due_soon_message(f):
    due = timezone.localtime(f.due_at).strftime("%Y-%m-%d %H:%M")
    return (
        _("%(kind)s “%(subject)s” is due soon")
        % {"kind": f.get_kind_display(), "subject": _describe(f)},
        _("The %(kind)s “%(subject)s” on “%(target)s” is due at %(due)s.")
        % {
            "kind": f.get_kind_display(),
            "subject": _describe(f),
            "target": _target_name(f),
            "due": due,
        },
    )


def _missed_message(f):
    owner = f.owner.display_name if f.owner else "-"
    due = timezone.localtime(f.due_at).strftime("%Y-%m-%d %H:%M")
    return (
        _("%(owner)s missed the %(kind)s “%(subject)s”")
        % {"owner": owner, "kind": f.get_kind_display(), "subject": _describe(f)},
        _(
            "The %(kind)s “%(subject)s” on “%(target)s” owned by %(owner)s was due at %(due)s "
            "and was not done: it is now marked missed. Reschedule it or cancel it."
        )
        % {
            "kind": f.get_kind_display(),
            "subject": _describe(f),
            "target": _target_name(f),
            "owner": owner,
            "due": due,
        },
    )


def _mark_missed(f, reminder) -> None:
    from workflows.engine import transition as run

    run(
        model=type(f),
        pk=f.pk,
        name="miss",
        tenant=f.tenant,
        actor=None,
        inputs={"comment": "overdue"},
    )


DUE_RULES = ("followup.due_soon", "followup.auto_miss")

SATISFACTION_CHOICES = [
    (5, gettext_lazy("5 · Very satisfied")),
    (4, gettext_lazy("4 · Satisfied")),
    (3, gettext_lazy("3 · Neutral")),
    (2, gettext_lazy("2 · Dissatisfied")),
    (1, gettext_lazy("1 · Very dissatisfied")),
]
_SCORE = gettext_lazy("Give a whole number from 1 to 5.")


def customer_touched(followup, ctx) -> None:
    """A completed follow-up on a customer restarts its pool clock (customer pool)."""
    if followup.customer_id:
        from crm.customers.services import customer_activity_logged

        customer_activity_logged(customer_id=followup.customer_id, occurred_at=timezone.now())


class FollowUpCompleteInputs(TransitionInputs):
    outcome = required_text(
        gettext_lazy("outcome"), gettext_lazy("Write down the outcome."), max_length=5000
    )
    # Required for a return visit (score_for_return_visit), optional otherwise.
    satisfaction = serializers.ChoiceField(
        label=gettext_lazy("satisfaction"),
        choices=SATISFACTION_CHOICES,
        required=False,
        error_messages={"invalid_choice": _SCORE},
    )


class FollowUpCancelInputs(TransitionInputs):
    reason = optional_text(gettext_lazy("reason"))


class FollowUpRescheduleInputs(TransitionInputs):
    # Bounded to 1900..2200 like every date of the API (the grace hours are added to it).
    due_at = DateTimeField(
        label=gettext_lazy("new due date"),
        error_messages={
            "required": gettext_lazy("Give the new due date."),
            "null": gettext_lazy("Give the new due date."),
        },
    )


STEPS = {
    "complete": Step(
        "complete",
        gettext_lazy("Complete"),
        guards=[score_for_return_visit],
        inputs=FollowUpCompleteInputs,
        in_transaction=[customer_touched],
    ),
    "miss": Step("miss", gettext_lazy("Mark missed")),
    "cancel": Step("cancel", gettext_lazy("Cancel"), inputs=FollowUpCancelInputs),
    "reschedule": Step(
        "reschedule",
        gettext_lazy("Reschedule"),
        guards=[new_due_in_future],
        inputs=FollowUpRescheduleInputs,
    ),
}

RULES = [
    ReminderRule(
        "followup.due_soon",
        FollowUpStatus.PLANNED,
        due=_due_soon,
        recipient=_owner,
        message=_due_soon_message,
    ),
    ReminderRule(
        "followup.auto_miss",
        FollowUpStatus.PLANNED,
        due=_auto_miss_due,
        recipient=_team_leader,
        message=_missed_message,
        action=_mark_missed,
    ),
]


def register_process() -> Process:
    from crm.service.models import FollowUp

    return register(Process("followup", FollowUp, STEPS, RULES, ui_path="/follow-ups/{id}"))
