"""The Campaign process (战役): planned -> active -> completed | cancelled;
planned -> cancelled."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from crm.core.permissions import transition_code
from workflows.process import Process, Step, TransitionInputs, register, required_text


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _lazy("planned")
    ACTIVE = "active", _lazy("active")
    COMPLETED = "completed", _lazy("completed")
    CANCELLED = "cancelled", _lazy("cancelled")


S = CampaignStatus


def _code(name: str) -> str:
    return transition_code("campaign", name)


class CampaignProcessMixin(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _lazy("status"), default=S.PLANNED, choices=CampaignStatus.choices, protected=True
    )
    started_at = models.DateTimeField(_lazy("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_lazy("completed at"), null=True, blank=True)
    cancel_reason = models.CharField(_lazy("reason cancelled"), max_length=500, blank=True)

    class Meta:
        abstract = True

    @transition(status, source=S.PLANNED, target=S.ACTIVE, permission=_code("start"))
    def start(self, actor=None):
        self.started_at = timezone.now()

    @transition(status, source=S.ACTIVE, target=S.COMPLETED, permission=_code("complete"))
    def complete(self, actor=None):
        self.completed_at = timezone.now()

    @transition(
        status, source=[S.PLANNED, S.ACTIVE], target=S.CANCELLED, permission=_code("cancel")
    )
    def cancel(self, actor=None, reason=""):
        self.cancel_reason = (reason or "").strip()


class CampaignCancelInputs(TransitionInputs):
    reason = required_text(
        _lazy("reason cancelled"),
        _lazy("Give the reason for cancelling the campaign."),
        max_length=500,
    )


STEPS = {
    "start": Step("start", _lazy("Start")),
    "complete": Step("complete", _lazy("Complete")),
    "cancel": Step("cancel", _lazy("Cancel"), inputs=CampaignCancelInputs),
}


def register_process() -> Process:
    from crm.marketing.models import Campaign

    return register(Process("campaign", Campaign, STEPS, [], ui_path="/campaigns/{id}"))
