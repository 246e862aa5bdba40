"""The Customer project process (客户项目): planned -> running -> accepted | cancelled.

planned|running -> cancelled (with a reason). ``start`` needs an owner and a
planned end date; ``accept`` (the customer's acceptance, 验收) needs an
acceptance note. Accepted and cancelled are final.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from crm.core.permissions import transition_code
from workflows.process import GuardContext, Process, Step, TransitionInputs, register, required_text


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", gettext_lazy("planned")
    RUNNING = "running", gettext_lazy("in progress")
    ACCEPTED = "accepted", gettext_lazy("accepted by the customer")
    CANCELLED = "cancelled", gettext_lazy("cancelled")


def _code(name: str) -> str:
    return transition_code("project", name)


class ProjectProcessMixin(ConcurrentTransitionMixin, models.Model):
    """State field and transitions of a customer project; bodies change fields only."""

    status = FSMField(
        gettext_lazy("status"),
        default=ProjectStatus.PLANNED,
        choices=ProjectStatus.choices,
        protected=True,
    )

    class Meta:
        abstract = True

    @transition(
        status,
        source=ProjectStatus.PLANNED,
        target=ProjectStatus.RUNNING,
        permission=_code("start"),
    )
    def start(self, actor=None, **inputs):
        self.started_at = timezone.now()

    @transition(
        status,
        source=ProjectStatus.RUNNING,
        target=ProjectStatus.ACCEPTED,
        permission=_code("accept"),
    )
    def accept(self, actor=None, note: str = "", **inputs):
        self.acceptance_note = note.strip()
        self.accepted_at = timezone.now()

    @transition(
        status,
        source=[ProjectStatus.PLANNED, ProjectStatus.RUNNING],
        target=ProjectStatus.CANCELLED,
        permission=_code("cancel"),
    )
    def cancel(self, actor=None, reason: str = "", **inputs):
        self.cancel_reason = reason.strip()
        self.cancelled_at = timezone.now()


def has_owner(project, ctx: GuardContext):
    if project.owner_id is None:
        return _("Assign the project to a project manager first.")
    return None


def has_planned_end(project, ctx: GuardContext):
    if project.planned_end is None:
        return _("Enter the planned end date first.")
    return None


class ProjectAcceptInputs(TransitionInputs):
    note = required_text(
        gettext_lazy("acceptance note"),
        gettext_lazy("Describe the customer's acceptance."),
        max_length=5000,
    )


class ProjectCancelInputs(TransitionInputs):
    reason = required_text(
        gettext_lazy("cancellation reason"),
        gettext_lazy("Give the reason for cancelling."),
        max_length=300,
    )


STEPS = {
    "start": Step("start", gettext_lazy("Start"), guards=[has_owner, has_planned_end]),
    "accept": Step(
        "accept",
        gettext_lazy("Record acceptance"),
        inputs=ProjectAcceptInputs,
        irreversible=True,
    ),
    "cancel": Step(
        "cancel",
        gettext_lazy("Cancel"),
        inputs=ProjectCancelInputs,
        irreversible=True,
    ),
}


def register_process() -> Process:
    from crm.service.models import CustomerProject

    return register(Process("project", CustomerProject, STEPS, [], ui_path="/projects/{id}"))
