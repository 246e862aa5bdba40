"""The Calendar event process (日程): scheduled -> cancelled.

An event reminds its owner and every invitee ``remind_minutes`` before it
starts (before its next occurrence, for a recurring event). The rule computes
the moment; the rows per person are planned by
``crm.activities.services.events.plan_event_reminders`` (a rule has one
recipient, an event many). Delivering a recurring event's reminder plans the
same person's reminder of the following occurrence (the rule's action).
Moving an event plans its reminders again; cancelling it cancels them.
"""

from __future__ import annotations

import datetime as dt

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
    optional_text,
    register,
)


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _lazy("scheduled")
    CANCELLED = "cancelled", _lazy("cancelled")


S = EventStatus
STARTING_RULE = "event_starting"


class EventProcessMixin(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _lazy("status"), default=S.SCHEDULED, choices=EventStatus.choices, protected=True
    )
    cancel_reason = models.CharField(_lazy("reason cancelled"), max_length=500, blank=True)

    class Meta:
        abstract = True

    @transition(
        status,
        source=S.SCHEDULED,
        target=S.CANCELLED,
        permission=transition_code("event", "cancel"),
    )
    def cancel(self, actor=None, reason=""):
        self.cancel_reason = (reason or "").strip()


def own_event(event, ctx: GuardContext):
    actor = ctx.actor
    if actor is None or actor.pk == event.owner_id or actor.data_scope != "own":
        return None
    return _("Only the event's owner can cancel it.")


class EventCancelInputs(TransitionInputs):
    reason = optional_text(_lazy("reason cancelled"), max_length=500)


STEPS = {
    "cancel": Step(
        "cancel", _lazy("Cancel the event"), guards=[own_event], inputs=EventCancelInputs
    ),
}


def reminder_due(event, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the reminder of the event's next occurrence is due (None: no reminder).

    A one-off event: its start minus ``remind_minutes``, past or not (the
    delivery re-checks it). A recurring one: that of the first occurrence
    starting after ``now``.
    """
    from crm.activities.recurrence import next_start

    if event.remind_minutes is None:
        return None
    lead = dt.timedelta(minutes=event.remind_minutes)
    if not event.recurrence:
        return event.start - lead
    start = next_start(event, after=now or timezone.now())
    return None if start is None else start - lead


def _message(event):
    local = timezone.localtime(event.start if not event.recurrence else _next(event))
    text = f"{local:%m-%d}" if event.all_day else f"{local:%m-%d %H:%M}"
    return (
        _("“%(title)s” starts at %(start)s") % {"title": event.title, "start": text},
        event.location,
    )


def _next(event):
    from crm.activities.recurrence import next_start

    return next_start(event, after=timezone.now()) or event.start


def _plan_next(event, reminder) -> None:
    """After a recurring event's reminder: the same person's, for the next occurrence."""
    from crm.activities.services.events import plan_next_occurrence

    plan_next_occurrence(event, reminder)


RULES = [
    ReminderRule(
        STARTING_RULE,
        S.SCHEDULED,
        due=reminder_due,
        recipient=lambda event: event.owner,
        message=_message,
        action=_plan_next,
    ),
]


def register_process() -> Process:
    from crm.activities.models import CalendarEvent

    return register(Process("event", CalendarEvent, STEPS, RULES, ui_path="/events/{id}"))
