"""The Task process (任务): open -> in_progress -> done | cancelled; done -> open (reopen).

``start`` and ``complete`` are for the assignee or the assigner (or a manager
who sees the task through a wider data scope); ``cancel`` needs a reason.
Reminders (open and in progress): ``task_reminder_minutes`` before ``due_at``
to the assignee; at ``due_at`` (overdue) to the assigner. Leaving the state
cancels them; a changed due moment or assignee plans them again.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy
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


class TaskStatus(models.TextChoices):
    # "open" alone is also an instalment's state (未收齐): a context of its own.
    OPEN = "open", pgettext_lazy("task status", "open")
    IN_PROGRESS = "in_progress", _lazy("in progress")
    DONE = "done", _lazy("done")
    CANCELLED = "cancelled", _lazy("cancelled")


class TaskPriority(models.TextChoices):
    LOW = "low", _lazy("low")
    NORMAL = "normal", _lazy("normal")
    HIGH = "high", _lazy("high")
    URGENT = "urgent", _lazy("urgent")


S = TaskStatus
ACTIVE_STATES = (S.OPEN, S.IN_PROGRESS)
DUE_SOON_RULE = "task_due_soon"
OVERDUE_RULE = "task_overdue"


def _code(name: str) -> str:
    return transition_code("task", name)


class TaskProcessMixin(ConcurrentTransitionMixin, models.Model):
    status = FSMField(_lazy("status"), default=S.OPEN, choices=TaskStatus.choices, protected=True)
    started_at = models.DateTimeField(_lazy("started at"), null=True, blank=True)
    done_at = models.DateTimeField(_lazy("done at"), null=True, blank=True)
    cancel_reason = models.CharField(_lazy("reason cancelled"), max_length=500, blank=True)

    class Meta:
        abstract = True

    @transition(status, source=S.OPEN, target=S.IN_PROGRESS, permission=_code("start"))
    def start(self, actor=None):
        self.started_at = timezone.now()

    @transition(status, source=[S.OPEN, S.IN_PROGRESS], target=S.DONE, permission=_code("complete"))
    def complete(self, actor=None):
        self.done_at = timezone.now()

    @transition(
        status, source=[S.OPEN, S.IN_PROGRESS], target=S.CANCELLED, permission=_code("cancel")
    )
    def cancel(self, actor=None, reason=""):
        self.cancel_reason = (reason or "").strip()

    @transition(status, source=S.DONE, target=S.OPEN, permission=_code("reopen"))
    def reopen(self, actor=None):
        self.done_at = None


# --- guards -------------------------------------------------------------------


def involved(task, ctx: GuardContext):
    """The assignee, the assigner, or someone whose data scope reaches beyond their own rows."""
    actor = ctx.actor
    if actor is None or actor.pk in (task.assignee_id, task.assigner_id):
        return None
    if actor.data_scope != "own":
        return None
    return _("Only the assignee or the person who gave the task can do this.")


class TaskCancelInputs(TransitionInputs):
    reason = required_text(
        _lazy("reason cancelled"), _lazy("Give the reason for cancelling the task."), max_length=500
    )


STEPS = {
    "start": Step("start", _lazy("Start"), guards=[involved]),
    "complete": Step("complete", _lazy("Complete"), guards=[involved]),
    "cancel": Step("cancel", _lazy("Cancel"), guards=[involved], inputs=TaskCancelInputs),
    "reopen": Step("reopen", _lazy("Reopen"), guards=[involved]),
}


# --- reminder rules -----------------------------------------------------------


def _due_soon(task) -> dt.datetime | None:
    if task.due_at is None:
        return None
    return task.due_at - dt.timedelta(minutes=task.tenant.setting("task_reminder_minutes"))


def _overdue(task) -> dt.datetime | None:
    return task.due_at


def _due_soon_message(task):
    local = timezone.localtime(task.due_at)
    return (
        _("Task “%(title)s” is due at %(due)s")
        % {"title": task.title, "due": f"{local:%m-%d %H:%M}"},
        task.description[:500],
    )


def _overdue_message(task):
    assignee = task.assignee.display_name if task.assignee_id else ""
    return (
        _("Task “%(title)s” is overdue") % {"title": task.title},
        _("%(name)s has not completed the task you gave.") % {"name": assignee},
    )


RULES = [
    ReminderRule(
        DUE_SOON_RULE,
        ACTIVE_STATES,
        due=_due_soon,
        recipient=lambda task: task.assignee,
        message=_due_soon_message,
    ),
    ReminderRule(
        OVERDUE_RULE,
        ACTIVE_STATES,
        due=_overdue,
        recipient=lambda task: task.assigner,
        message=_overdue_message,
    ),
]


def register_process() -> Process:
    from crm.activities.models import Task

    return register(Process("task", Task, STEPS, RULES, ui_path="/tasks/{id}"))
