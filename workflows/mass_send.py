"""The mass send process (群发): draft -> scheduled -> sending -> completed.

``schedule`` (draft) sets the moment (``scheduled_at``, default the one the
draft keeps), which must be in the future; the scheduler starts it when due.
``start`` (draft or scheduled) begins at once.
``pause`` / ``resume`` stop and restart the workers (what is sent stays sent);
``cancel`` ends a draft, scheduled or paused send (the queued deliveries are
dropped). ``complete`` is the system's, once no delivery is left queued.

After commit ``start`` and ``resume`` hand the send to a worker
(``tasks.messaging.expand_mass_send``): it writes one delivery per recipient
(unique per send and address, so a restart never adds one twice), then feeds
them to the senders.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from rest_framework import serializers

from crm.core.permissions import transition_code
from workflows.process import GuardContext, Process, Step, TransitionInputs, register


class MassSendStatus(models.TextChoices):
    DRAFT = "draft", _lazy("draft")
    SCHEDULED = "scheduled", _lazy("scheduled")
    SENDING = "sending", _lazy("sending")
    PAUSED = "paused", _lazy("paused")
    COMPLETED = "completed", _lazy("completed")
    CANCELLED = "cancelled", _lazy("cancelled")


S = MassSendStatus


def _code(name: str) -> str:
    return transition_code("mass_send", name)


class MassSendProcessMixin(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _lazy("status"), default=S.DRAFT, choices=MassSendStatus.choices, protected=True
    )

    class Meta:
        abstract = True

    @property
    def is_frozen(self) -> bool:
        return self.status not in (S.DRAFT, S.SCHEDULED)

    @transition(status, source=S.DRAFT, target=S.SCHEDULED, permission=_code("schedule"))
    def schedule(self, actor=None, scheduled_at=None):
        # A moment past (or none: it was "now") would start at the scheduler's next
        # pass without the confirmation "Send now" asks for: refused, naming the field.
        from crm.core.errors import Invalid
        from crm.messaging.massing import future_time_error

        when = scheduled_at or self.scheduled_at
        reason = future_time_error(when)
        if reason:
            raise Invalid(fields={"scheduled_at": [reason]})
        self.scheduled_at = when

    @transition(status, source=[S.DRAFT, S.SCHEDULED], target=S.SENDING, permission=_code("start"))
    def start(self, actor=None):
        self.started_at = timezone.now()

    @transition(status, source=S.SENDING, target=S.PAUSED, permission=_code("pause"))
    def pause(self, actor=None):
        pass

    @transition(status, source=S.PAUSED, target=S.SENDING, permission=_code("resume"))
    def resume(self, actor=None):
        pass

    @transition(
        status,
        source=[S.DRAFT, S.SCHEDULED, S.PAUSED],
        target=S.CANCELLED,
        permission=_code("cancel"),
    )
    def cancel(self, actor=None, reason=""):
        self.completed_at = timezone.now()

    @transition(status, source=S.SENDING, target=S.COMPLETED, permission=_code("complete"))
    def complete(self, actor=None):
        self.completed_at = timezone.now()


class ScheduleInputs(TransitionInputs):
    scheduled_at = serializers.DateTimeField(
        required=False, allow_null=True, label=_lazy("scheduled at")
    )


class CancelInputs(TransitionInputs):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, label=_lazy("reason")
    )


def has_recipients(mass_send, ctx: GuardContext):
    from crm.messaging.massing import audience_count

    if audience_count(mass_send) == 0:
        return _("The audience has nobody with an address for this channel.")
    return None


def channel_active(mass_send, ctx: GuardContext):
    if not mass_send.channel.active:
        return _("The channel is switched off.")
    if mass_send.channel.kind != mass_send.template.channel_kind:
        return _("The template is not for this channel.")
    return None


def _hand_to_worker(pk: int) -> None:
    from tasks.messaging import expand_mass_send

    expand_mass_send.send(pk)


def _drop_queued(pk: int) -> None:
    from crm.messaging.massing import drop_queued

    drop_queued(pk)


STEPS = {
    "schedule": Step(
        "schedule",
        _lazy("Schedule"),
        guards=[channel_active, has_recipients],
        inputs=ScheduleInputs,
    ),
    "start": Step(
        "start",
        _lazy("Send now"),
        guards=[channel_active, has_recipients],
        irreversible=True,
        after_commit=[_hand_to_worker],
    ),
    "pause": Step("pause", _lazy("Pause")),
    "resume": Step("resume", _lazy("Resume"), after_commit=[_hand_to_worker]),
    "cancel": Step("cancel", _lazy("Cancel"), inputs=CancelInputs, after_commit=[_drop_queued]),
    "complete": Step("complete", _lazy("Complete")),
}


def register_process() -> Process:
    from crm.messaging.models import MassSend

    return register(Process("mass_send", MassSend, STEPS, [], ui_path="/mass-sends/{id}"))
