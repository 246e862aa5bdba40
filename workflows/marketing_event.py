"""The Marketing event process (市场活动): planned -> ongoing -> finished | cancelled;
planned -> cancelled."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from crm.core.permissions import transition_code
from workflows.process import Process, Step, TransitionInputs, register, required_text


class MarketingEventStatus(models.TextChoices):
    PLANNED = "planned", _lazy("planned")
    ONGOING = "ongoing", _lazy("ongoing")
    FINISHED = "finished", _lazy("finished")
    CANCELLED = "cancelled", _lazy("cancelled")


S = MarketingEventStatus


def _code(name: str) -> str:
    return transition_code("marketing_event", name)


class MarketingEventProcessMixin(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _lazy("status"), default=S.PLANNED, choices=MarketingEventStatus.choices, protected=True
    )
    started_at = models.DateTimeField(_lazy("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_lazy("finished at"), null=True, blank=True)
    cancel_reason = models.CharField(_lazy("reason cancelled"), max_length=500, blank=True)

    class Meta:
        abstract = True

    @transition(status, source=S.PLANNED, target=S.ONGOING, permission=_code("start"))
    def start(self, actor=None):
        self.started_at = timezone.now()

    @transition(status, source=S.ONGOING, target=S.FINISHED, permission=_code("finish"))
    def finish(self, actor=None):
        self.finished_at = timezone.now()

    @transition(
        status, source=[S.PLANNED, S.ONGOING], target=S.CANCELLED, permission=_code("cancel")
    )
    def cancel(self, actor=None, reason=""):
        self.cancel_reason = (reason or "").strip()


class MarketingEventCancelInputs(TransitionInputs):
    reason = required_text(
        _lazy("reason cancelled"),
        _lazy("Give the reason for cancelling the event."),
        max_length=500,
    )


STEPS = {
    "start": Step("start", _lazy("Start")),
    "finish": Step("finish", _lazy("Finish")),
    "cancel": Step("cancel", _lazy("Cancel"), inputs=MarketingEventCancelInputs),
}


def register_process() -> Process:
    from crm.marketing.models import MarketingEvent

    return register(
        Process("marketing_event", MarketingEvent, STEPS, [], ui_path="/marketing-events/{id}")
    )
