"""The Service ticket process (售后服务): open -> in_progress -> resolved -> closed.

resolved -> in_progress (reopen, with a reason). ``start`` needs an owner;
``resolve`` needs a resolution note.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from crm.core.permissions import transition_code
from workflows.process import GuardContext, Process, Step, TransitionInputs, register, required_text


class TicketStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("waiting")
    IN_PROGRESS = "in_progress", gettext_lazy("in progress")
    RESOLVED = "resolved", gettext_lazy("resolved")
    CLOSED = "closed", gettext_lazy("closed")


def _code(name: str) -> str:
    return transition_code("ticket", name)


class TicketProcessMixin(ConcurrentTransitionMixin, models.Model):
    """State field and transitions of a service ticket; bodies change fields only."""

    status = FSMField(
        gettext_lazy("status"),
        default=TicketStatus.OPEN,
        choices=TicketStatus.choices,
        protected=True,
    )

    class Meta:
        abstract = True

    @transition(
        status, source=TicketStatus.OPEN, target=TicketStatus.IN_PROGRESS, permission=_code("start")
    )
    def start(self, actor=None, **inputs):
        self.started_at = timezone.now()

    @transition(
        status,
        source=TicketStatus.IN_PROGRESS,
        target=TicketStatus.RESOLVED,
        permission=_code("resolve"),
    )
    def resolve(self, actor=None, resolution: str = "", **inputs):
        self.resolution = resolution.strip()
        self.resolved_at = timezone.now()

    @transition(
        status, source=TicketStatus.RESOLVED, target=TicketStatus.CLOSED, permission=_code("close")
    )
    def close(self, actor=None, **inputs):
        self.closed_at = timezone.now()

    @transition(
        status,
        source=TicketStatus.RESOLVED,
        target=TicketStatus.IN_PROGRESS,
        permission=_code("reopen"),
    )
    def reopen(self, actor=None, reason: str = "", **inputs):
        self.resolved_at = None


def has_owner(ticket, ctx: GuardContext):
    if ticket.owner_id is None:
        return _("Assign the ticket to someone first.")
    return None


class TicketResolveInputs(TransitionInputs):
    resolution = required_text(
        gettext_lazy("resolution"), gettext_lazy("Describe the resolution."), max_length=5000
    )


class TicketReopenInputs(TransitionInputs):
    reason = required_text(gettext_lazy("reason"), gettext_lazy("Give the reason for reopening."))


STEPS = {
    "start": Step("start", gettext_lazy("Start work"), guards=[has_owner]),
    "resolve": Step(
        "resolve",
        gettext_lazy("Resolve"),
        inputs=TicketResolveInputs,
    ),
    "close": Step("close", gettext_lazy("Close"), irreversible=True),
    "reopen": Step(
        "reopen",
        gettext_lazy("Reopen"),
        inputs=TicketReopenInputs,
    ),
}


def register_process() -> Process:
    from crm.service.models import ServiceTicket

    return register(Process("ticket", ServiceTicket, STEPS, [], ui_path="/tickets/{id}"))
