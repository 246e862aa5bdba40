"""The Complaint process (客户投诉) with SLA clocks in working hours.

received -> acknowledged -> investigating -> resolved -> closed;
resolved -> investigating (reopen). See SPEC.md §3.

SLA: entering ``received`` (creation) stores ``acknowledge_due_at`` = received_at
+ A working hours; entering ``acknowledged`` stores ``resolve_due_at`` =
received_at + R working hours (the customer's clock runs from receipt); a reopen
restarts the resolve clock at the reopen moment. A and R are tenant settings per
severity; hours are counted on the tenant's working calendar
(``crm.service.selectors.calendar_for``: Chinese statutory holidays and make-up
workdays, plus the tenant's own days).

The escalation ladder of each clock, as reminder rules of the states the clock
runs in (leaving the state cancels what has not fired yet):

1. warning  -- ``complaint_warning_hours`` working hours before the deadline, to the owner;
2. breach   -- at the deadline, to the service lead (the owner's team leader); the
   breach is recorded (``ComplaintBreach``) for the SLA report;
3. manager  -- ``complaint_escalation_hours`` working hours after the deadline, to
   every user holding ``complaints.escalation`` (the 管理员 role by default).

Each step fires once per deadline: a rule whose reminder was already sent for the
same due moment is not scheduled again (acknowledged -> investigating keeps the
same resolve deadline). A late acknowledge/resolve also records the breach, so the
report is right even if no worker ran at the deadline.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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

#: Who receives the last rung of the ladder (see ``escalation_recipients``).
ESCALATION_CODE = "complaints.escalation"


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", gettext_lazy("received")
    ACKNOWLEDGED = "acknowledged", gettext_lazy("acknowledged")
    INVESTIGATING = "investigating", gettext_lazy("investigating")
    RESOLVED = "resolved", gettext_lazy("resolved")
    CLOSED = "closed", gettext_lazy("closed")


class Severity(models.TextChoices):
    LOW = "low", gettext_lazy("low")
    NORMAL = "normal", gettext_lazy("normal")
    HIGH = "high", gettext_lazy("high")
    CRITICAL = "critical", gettext_lazy("critical")


class BreachKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", gettext_lazy("acknowledge deadline")
    RESOLVE = "resolve", gettext_lazy("resolve deadline")


#: States in which the resolve clock runs.
RESOLVE_CLOCK_STATES = (ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.INVESTIGATING)


def _code(name: str) -> str:
    return transition_code("complaint", name)


class ComplaintProcessMixin(ConcurrentTransitionMixin, models.Model):
    """State field and transitions of a complaint; bodies change fields only."""

    status = FSMField(
        gettext_lazy("status"),
        default=ComplaintStatus.RECEIVED,
        choices=ComplaintStatus.choices,
        protected=True,
    )

    class Meta:
        abstract = True

    @transition(
        status,
        source=ComplaintStatus.RECEIVED,
        target=ComplaintStatus.ACKNOWLEDGED,
        permission=_code("acknowledge"),
    )
    def acknowledge(self, actor=None, **inputs):
        self.acknowledged_at = timezone.now()

    @transition(
        status,
        source=ComplaintStatus.ACKNOWLEDGED,
        target=ComplaintStatus.INVESTIGATING,
        permission=_code("investigate"),
    )
    def investigate(self, actor=None, **inputs):
        pass

    @transition(
        status,
        source=ComplaintStatus.INVESTIGATING,
        target=ComplaintStatus.RESOLVED,
        permission=_code("resolve"),
    )
    def resolve(self, actor=None, resolution: str = "", **inputs):
        self.resolution = resolution.strip()
        self.resolved_at = timezone.now()

    @transition(
        status,
        source=ComplaintStatus.RESOLVED,
        target=ComplaintStatus.CLOSED,
        permission=_code("close"),
    )
    def close(self, actor=None, **inputs):
        self.closed_at = timezone.now()

    @transition(
        status,
        source=ComplaintStatus.RESOLVED,
        target=ComplaintStatus.INVESTIGATING,
        permission=_code("reopen"),
    )
    def reopen(self, actor=None, reason: str = "", **inputs):
        self.reopen_count += 1
        self.resolved_at = None
        self.resolve_started_at = timezone.now()


# --- SLA arithmetic -------------------------------------------------------------


def sla_hours(tenant, kind: str, severity: str) -> int:
    """Working hours allowed to acknowledge (``kind="ack"``) or resolve a severity."""
    return tenant.setting(f"complaint_{kind}_hours_{severity}")


def deadline(complaint, kind: str, start: dt.datetime) -> dt.datetime:
    from crm.service.selectors import calendar_for

    hours = sla_hours(complaint.tenant, kind, complaint.severity)
    return calendar_for(complaint.tenant).add_working_hours(start, hours)


def start_acknowledge_clock(complaint) -> None:
    """Entering ``received``: the acknowledge deadline (set on the unsaved object)."""
    complaint.acknowledge_due_at = deadline(complaint, "ack", complaint.received_at)


def start_resolve_clock(complaint, ctx: GuardContext | None = None) -> None:
    """Entering the resolve clock: from receipt, or from a reopen (already set)."""
    start = complaint.resolve_started_at or complaint.received_at
    complaint.resolve_started_at = start
    complaint.resolve_due_at = deadline(complaint, "resolve", start)


def _record_if_late(complaint, kind: str, due: dt.datetime | None, done: dt.datetime | None):
    from crm.service.services import complaint_breach_record

    if due is not None and done is not None and done > due:
        complaint_breach_record(complaint=complaint, kind=kind, due_at=due)


def acknowledged_late(complaint, ctx: GuardContext) -> None:
    _record_if_late(
        complaint, BreachKind.ACKNOWLEDGE, complaint.acknowledge_due_at, complaint.acknowledged_at
    )


def resolved_late(complaint, ctx: GuardContext) -> None:
    _record_if_late(complaint, BreachKind.RESOLVE, complaint.resolve_due_at, complaint.resolved_at)


def restart_resolve_clock(complaint, ctx: GuardContext) -> None:
    start_resolve_clock(complaint)


# --- guards -------------------------------------------------------------------


def has_return_visit(complaint, ctx: GuardContext):
    """``close`` needs a return visit done with a score after the latest resolution."""
    from crm.service.selectors import completed_return_visit

    if completed_return_visit(complaint) is None:
        return _(
            "Complete a return visit with a satisfaction score (1-5) after the resolution first."
        )
    return None


def has_owner(complaint, ctx: GuardContext):
    if complaint.owner_id is None:
        return _("Assign the complaint to an owner first.")
    return None


# --- reminder rules -------------------------------------------------------------


def _calendar(complaint):
    from crm.service.selectors import calendar_for

    return calendar_for(complaint.tenant)


def _once(complaint, rule: str, due: dt.datetime | None) -> dt.datetime | None:
    """``due``, unless this rule already fired for this moment (each rung fires once)."""
    from crm.service.selectors import reminder_already_sent

    if due is None or reminder_already_sent(complaint, rule, due):
        return None
    return due


def _warning(complaint, start, due, rule: str):
    if start is None or due is None:
        return None
    before = dt.timedelta(hours=complaint.tenant.setting("complaint_warning_hours"))
    if before <= dt.timedelta(0):
        return None
    cal = _calendar(complaint)
    total = cal.working_hours_between(start, due)
    if total <= before:
        return None  # the whole clock is shorter than the warning: the breach rung is enough
    return _once(complaint, rule, cal.add_working_hours(start, total - before))


def _escalation(complaint, due, rule: str):
    if due is None:
        return None
    hours = complaint.tenant.setting("complaint_escalation_hours")
    return _once(complaint, rule, _calendar(complaint).add_working_hours(due, hours))


def _ack_warning_due(c):
    return _warning(c, c.received_at, c.acknowledge_due_at, "complaint.ack_warning")


def _ack_breach_due(c):
    return _once(c, "complaint.ack_breach", c.acknowledge_due_at)


def _ack_escalation_due(c):
    return _escalation(c, c.acknowledge_due_at, "complaint.ack_escalation")


def _resolve_warning_due(c):
    return _warning(c, c.resolve_started_at, c.resolve_due_at, "complaint.resolve_warning")


def _resolve_breach_due(c):
    return _once(c, "complaint.resolve_breach", c.resolve_due_at)


def _resolve_escalation_due(c):
    return _escalation(c, c.resolve_due_at, "complaint.resolve_escalation")


def _owner(c):
    return c.owner


def _service_lead(c):
    from crm.service.selectors import team_leader_of

    return team_leader_of(c.owner)


def _fmt(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _subject(c) -> str:
    return c.customer.name


def _ack_warning_message(c):
    return (
        _("Complaint of “%(customer)s” must be acknowledged soon") % {"customer": _subject(c)},
        _("Acknowledge the complaint of “%(customer)s” before %(due)s.")
        % {"customer": _subject(c), "due": _fmt(c.acknowledge_due_at)},
    )


def _resolve_warning_message(c):
    return (
        _("Complaint of “%(customer)s” must be resolved soon") % {"customer": _subject(c)},
        _("Resolve the complaint of “%(customer)s” before %(due)s.")
        % {"customer": _subject(c), "due": _fmt(c.resolve_due_at)},
    )


def _breach_message(c, kind: str, due):
    owner = c.owner.display_name if c.owner else "-"
    what = _("acknowledge deadline") if kind == BreachKind.ACKNOWLEDGE else _("resolve deadline")
    return (
        _("Complaint of “%(customer)s” missed its %(what)s")
        % {"customer": _subject(c), "what": what},
        _(
            "The complaint of “%(customer)s” (owner %(owner)s, severity %(severity)s) passed "
            "its %(what)s at %(due)s."
        )
        % {
            "customer": _subject(c),
            "owner": owner,
            "severity": c.get_severity_display(),
            "what": what,
            "due": _fmt(due),
        },
    )


def _ack_breach_message(c):
    return _breach_message(c, BreachKind.ACKNOWLEDGE, c.acknowledge_due_at)


def _resolve_breach_message(c):
    return _breach_message(c, BreachKind.RESOLVE, c.resolve_due_at)


def _record_ack_breach(c, reminder) -> None:
    from crm.service.services import complaint_breach_record

    complaint_breach_record(complaint=c, kind=BreachKind.ACKNOWLEDGE, due_at=c.acknowledge_due_at)


def _record_resolve_breach(c, reminder) -> None:
    from crm.service.services import complaint_breach_record

    complaint_breach_record(complaint=c, kind=BreachKind.RESOLVE, due_at=c.resolve_due_at)


def _escalate_ack(c, reminder) -> None:
    from crm.service.services import complaint_escalate

    complaint_escalate(
        complaint=c,
        kind=BreachKind.ACKNOWLEDGE,
        due_at=c.acknowledge_due_at,
        message=_ack_breach_message,
        reminder=reminder,
    )


def _escalate_resolve(c, reminder) -> None:
    from crm.service.services import complaint_escalate

    complaint_escalate(
        complaint=c,
        kind=BreachKind.RESOLVE,
        due_at=c.resolve_due_at,
        message=_resolve_breach_message,
        reminder=reminder,
    )


ACK_RULES = ("complaint.ack_warning", "complaint.ack_breach", "complaint.ack_escalation")
RESOLVE_RULES = (
    "complaint.resolve_warning",
    "complaint.resolve_breach",
    "complaint.resolve_escalation",
)


class ComplaintResolveInputs(TransitionInputs):
    resolution = required_text(
        gettext_lazy("resolution"), gettext_lazy("Describe the resolution."), max_length=5000
    )


class ComplaintReopenInputs(TransitionInputs):
    reason = required_text(gettext_lazy("reason"), gettext_lazy("Give the reason for reopening."))


STEPS = {
    "acknowledge": Step(
        "acknowledge",
        gettext_lazy("Acknowledge"),
        guards=[has_owner],
        in_transaction=[restart_resolve_clock, acknowledged_late],
    ),
    "investigate": Step("investigate", gettext_lazy("Start investigating")),
    "resolve": Step(
        "resolve",
        gettext_lazy("Resolve"),
        inputs=ComplaintResolveInputs,
        in_transaction=[resolved_late],
    ),
    "close": Step("close", gettext_lazy("Close"), guards=[has_return_visit], irreversible=True),
    "reopen": Step(
        "reopen",
        gettext_lazy("Reopen"),
        inputs=ComplaintReopenInputs,
        in_transaction=[restart_resolve_clock],
    ),
}

RULES = [
    ReminderRule(
        "complaint.ack_warning",
        ComplaintStatus.RECEIVED,
        due=_ack_warning_due,
        recipient=_owner,
        message=_ack_warning_message,
    ),
    ReminderRule(
        "complaint.ack_breach",
        ComplaintStatus.RECEIVED,
        due=_ack_breach_due,
        recipient=_service_lead,
        message=_ack_breach_message,
        action=_record_ack_breach,
    ),
    ReminderRule(
        "complaint.ack_escalation",
        ComplaintStatus.RECEIVED,
        due=_ack_escalation_due,
        recipient=lambda c: None,  # every holder of ESCALATION_CODE, notified by the action
        action=_escalate_ack,
    ),
    ReminderRule(
        "complaint.resolve_warning",
        RESOLVE_CLOCK_STATES,
        due=_resolve_warning_due,
        recipient=_owner,
        message=_resolve_warning_message,
    ),
    ReminderRule(
        "complaint.resolve_breach",
        RESOLVE_CLOCK_STATES,
        due=_resolve_breach_due,
        recipient=_service_lead,
        message=_resolve_breach_message,
        action=_record_resolve_breach,
    ),
    ReminderRule(
        "complaint.resolve_escalation",
        RESOLVE_CLOCK_STATES,
        due=_resolve_escalation_due,
        recipient=lambda c: None,
        action=_escalate_resolve,
    ),
]


def register_process() -> Process:
    from crm.service.models import Complaint

    return register(Process("complaint", Complaint, STEPS, RULES, ui_path="/complaints/{id}"))
