"""The write path for customer service (keyword-only, audited, one transaction each).

States move only through ``workflows.engine.transition``; these services create
and edit records, keep SLA deadlines and reminders in step with edits, and
record SLA breaches and escalations for the reminder rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.core import audit
from crm.core.errors import Invalid
from crm.core.search import build_search_key
from crm.core.writes import (
    audited_create,
    audited_delete,
    audited_save,
    audited_update,
    check_same_tenant,
    lock_row,
    refuse_unknown,
)
from crm.service.models import (
    TARGET_FIELDS,
    Complaint,
    ComplaintBreach,
    CustomerProject,
    Feedback,
    FollowUp,
    ServiceTicket,
    TenantWorkday,
    WorkingHours,
)
from crm.service.selectors import (
    escalation_recipients,
    parse_intervals,
    parse_time_zone,
    working_hours_of,
)
from workflows import complaint as complaint_process
from workflows import events, reminders
from workflows import followup as followup_process
from workflows.complaint import ComplaintStatus
from workflows.followup import FollowUpKind, FollowUpStatus
from workflows.process import get_process
from workflows.project import ProjectStatus
from workflows.ticket import TicketStatus

#: A "received at" moment may be this far in the future (clock skew of a client).
RECEIVED_AT_SKEW = dt.timedelta(minutes=5)


# --- shared helpers ------------------------------------------------------------


def _require_customer(data: dict) -> None:
    if data.get("customer") is None:
        raise Invalid(fields={"customer": [_("Choose the customer.")]})


def _check_contact(customer, contact) -> None:
    if contact is not None and customer is not None and contact.customer_id != customer.pk:
        raise Invalid(fields={"contact": [_("This contact belongs to another customer.")]})


def _check_contract(customer, contract) -> None:
    """A ticket's or project's contract must be one of the record's customer."""
    if contract is not None and customer is not None and contract.customer_id != customer.pk:
        raise Invalid(fields={"contract": [_("This contract belongs to another customer.")]})


def _editable(obj, data: dict, allowed: tuple[str, ...]) -> dict:
    """``data`` without the fixed fields sent unchanged (a PUT repeats the customer);
    a changed fixed field (the customer, a follow-up's target...) is refused."""
    data = {k: v for k, v in data.items() if k in allowed or getattr(obj, k, None) != v}
    refuse_unknown(data, allowed)
    return data


def _refuse_in(obj, states, message) -> None:
    if obj.status in states:
        raise Invalid(fields={"non_field_errors": [message]})


# --- the working calendar ------------------------------------------------------


def working_hours_update(
    *, tenant, actor, intervals: str | None = None, time_zone: str | None = None
) -> WorkingHours:
    """Set the tenant's daily working intervals and/or time zone (validated)."""
    row = working_hours_of(tenant)
    data: dict[str, Any] = {}
    if intervals is not None:
        parsed = parse_intervals(intervals)
        data["intervals"] = ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in parsed)
    if time_zone is not None:
        data["time_zone"] = parse_time_zone(time_zone).key
    if row.pk is None:
        fields = {"intervals": row.intervals, "time_zone": row.time_zone, **data}
        return audited_create(WorkingHours, tenant=tenant, actor=actor, fields=fields)
    audited_update(row, tenant=tenant, actor=actor, fields=data)
    return row


WORKDAY_FIELDS = ("date", "is_workday", "note")


def _workday_unique(tenant, day, exclude=None) -> None:
    qs = TenantWorkday.objects.filter(tenant_id=tenant.pk, date=day)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    if qs.exists():
        raise Invalid(fields={"date": [_("This date already has an entry.")]})


def workday_create(*, tenant, actor, **data: Any) -> TenantWorkday:
    """Add a company day off (``is_workday=False``) or working day."""
    _workday_unique(tenant, data.get("date"))
    return audited_create(
        TenantWorkday,
        tenant=tenant,
        actor=actor,
        fields=data,
        audit_fields=[f for f in WORKDAY_FIELDS if f in data],
    )


def workday_update(day: TenantWorkday, *, tenant, actor, **data: Any) -> TenantWorkday:
    data = _editable(day, data, WORKDAY_FIELDS)
    if "date" in data:
        _workday_unique(tenant, data["date"], exclude=day)
    audited_update(day, tenant=tenant, actor=actor, fields=data)
    return day


def workday_delete(day: TenantWorkday, *, tenant, actor) -> None:
    audited_delete(day, tenant=tenant, actor=actor)


# --- complaints ------------------------------------------------------------------

COMPLAINT_FIELDS = (
    "customer",
    "contact",
    "channel",
    "severity",
    "category",
    "description",
    "owner",
    "received_at",
)
COMPLAINT_EDITABLE = ("contact", "channel", "severity", "category", "description", "owner")


def _complaint_key(c: Complaint) -> str:
    contact = c.contact
    return build_search_key(
        c.customer.name,
        contact.name if contact else "",
        phones=(contact.mobile if contact else "",),
    )


def complaint_create(*, tenant, actor, received_at: dt.datetime | None = None, **data) -> Complaint:
    """Log a complaint; its acknowledge deadline is counted from ``received_at``
    (default now) in the tenant's working hours, and its SLA reminders scheduled."""
    _require_customer(data)
    check_same_tenant(
        tenant, customer=data.get("customer"), contact=data.get("contact"), owner=data.get("owner")
    )
    _check_contact(data.get("customer"), data.get("contact"))
    if not (data.get("description") or "").strip():
        raise Invalid(fields={"description": [_("Describe the complaint.")]})
    now = timezone.now()
    received_at = received_at or now
    if timezone.is_naive(received_at):
        raise Invalid(fields={"received_at": [_("Give the time with its time zone.")]})
    if received_at > now + RECEIVED_AT_SKEW:
        raise Invalid(fields={"received_at": [_("A complaint cannot be received in the future.")]})
    if data.get("owner") is None:
        data["owner"] = actor

    def prepare(complaint: Complaint) -> None:
        complaint_process.start_acknowledge_clock(complaint)
        complaint.search_key = _complaint_key(complaint)

    with transaction.atomic():
        complaint = audited_create(
            Complaint,
            tenant=tenant,
            actor=actor,
            fields={"received_at": received_at, **data},
            audit_fields=[*COMPLAINT_FIELDS, "acknowledge_due_at"],
            prepare=prepare,
        )
        reminders.on_create(complaint)
    return complaint


def complaint_update(complaint: Complaint, *, tenant, actor, **data: Any) -> Complaint:
    """Edit a complaint. A new severity recomputes the running clock's deadline; a new
    owner or severity reschedules the SLA reminders (rungs already fired stay fired)."""
    data = _editable(complaint, data, COMPLAINT_EDITABLE)
    _refuse_in(
        complaint,
        (ComplaintStatus.CLOSED,),
        _("A closed complaint can no longer be changed."),
    )
    check_same_tenant(tenant, contact=data.get("contact"), owner=data.get("owner"))
    _check_contact(complaint.customer, data.get("contact"))
    if "description" in data and not (data["description"] or "").strip():
        raise Invalid(fields={"description": [_("Describe the complaint.")]})
    with transaction.atomic():
        lock_row(complaint)
        changes = audit.apply_changes(complaint, data)
        if not changes:
            return complaint
        extra = ["search_key"]
        if "severity" in changes:
            if complaint.status == ComplaintStatus.RECEIVED:
                old = complaint.acknowledge_due_at
                complaint_process.start_acknowledge_clock(complaint)
                changes["acknowledge_due_at"] = audit.json_value(
                    [old, complaint.acknowledge_due_at]
                )
                extra.append("acknowledge_due_at")
            elif complaint.status in complaint_process.RESOLVE_CLOCK_STATES:
                old = complaint.resolve_due_at
                complaint_process.start_resolve_clock(complaint)
                changes["resolve_due_at"] = audit.json_value([old, complaint.resolve_due_at])
                extra += ["resolve_due_at", "resolve_started_at"]
        complaint.search_key = _complaint_key(complaint)
        audited_save(complaint, tenant=tenant, actor=actor, changes=changes, extra_fields=extra)
        if {"severity", "owner"} & set(changes):
            rules = [r.name for r in get_process(complaint).reminder_rules]
            reminders.reschedule(complaint, rules)
    return complaint


def _complaint_deletable(complaint: Complaint) -> None:
    if complaint.status != ComplaintStatus.RECEIVED:
        raise Invalid(
            fields={
                "non_field_errors": [
                    _("Only a complaint that is not yet acknowledged can be deleted.")
                ]
            }
        )


def complaint_delete(complaint: Complaint, *, tenant, actor) -> None:
    """Only a complaint still ``received`` (logged by mistake) may be deleted."""
    audited_delete(
        complaint,
        tenant=tenant,
        actor=actor,
        check=_complaint_deletable,
        before_delete=reminders.cancel,
    )


def complaint_breach_record(*, complaint: Complaint, kind: str, due_at: dt.datetime):
    """Record that a deadline of the complaint was missed (once per deadline).

    Called by the breach rung of the ladder (system actor) and by a late
    acknowledge/resolve. Marks the complaint ``breached``.
    """
    with transaction.atomic():
        breach = ComplaintBreach.objects.filter(
            complaint_id=complaint.pk, kind=kind, due_at=due_at
        ).first()
        if breach is not None:
            return breach
        try:
            with transaction.atomic():
                breach = ComplaintBreach.objects.create(
                    tenant_id=complaint.tenant_id,
                    complaint=complaint,
                    kind=kind,
                    due_at=due_at,
                    owner_id=complaint.owner_id,
                )
        except IntegrityError:  # recorded concurrently
            return ComplaintBreach.objects.get(complaint_id=complaint.pk, kind=kind, due_at=due_at)
        # Integrators' webhooks hear of it once the breach is committed.
        events.on_commit_event(
            "complaint.breached", model=Complaint, pk=complaint.pk, tenant_id=complaint.tenant_id
        )
        if not complaint.breached:
            complaint.breached = True
            Complaint.objects.filter(pk=complaint.pk).update(breached=True)
        audit.record(
            tenant=complaint.tenant,
            actor=None,
            action="sla_breach",
            obj=complaint,
            changes={"kind": kind, "due_at": audit.json_value(due_at)},
        )
    return breach


def complaint_escalate(*, complaint: Complaint, kind: str, due_at, message, reminder=None):
    """The last rung: tell every holder of ``complaints.escalation`` (in their language)."""
    from crm.activities.services import notify

    process = get_process(complaint)
    breach = complaint_breach_record(complaint=complaint, kind=kind, due_at=due_at)
    recipients = escalation_recipients(complaint.tenant)
    for user in recipients:
        with translation.override(user.language):
            title, body = message(complaint)
        notify(
            tenant_id=complaint.tenant_id,
            recipient_id=user.pk,
            title=title,
            body=body,
            target=complaint,
            link=process.ui_path.format(id=complaint.pk),
            reminder=reminder,
        )
    if breach.escalated_at is None:
        breach.escalated_at = timezone.now()
        breach.save(update_fields=["escalated_at"])
    audit.record(
        tenant=complaint.tenant,
        actor=None,
        action="sla_escalation",
        obj=complaint,
        changes={"kind": kind, "recipients": [u.pk for u in recipients]},
    )
    return recipients


# --- follow-ups --------------------------------------------------------------------

FOLLOWUP_FIELDS = ("kind", "subject", *TARGET_FIELDS, "owner", "due_at")
FOLLOWUP_EDITABLE = ("kind", "subject", "owner", "due_at")


def check_exactly_one_target(data: dict[str, Any]) -> str:
    """The name of the one target given; Invalid naming every target field otherwise."""
    given = [name for name in TARGET_FIELDS if data.get(name) is not None]
    if len(given) == 1:
        return given[0]
    message = _("Link the follow-up to exactly one record: one of %(fields)s.") % {
        "fields": ", ".join(TARGET_FIELDS)
    }
    raise Invalid(fields={name: [message] for name in (given or TARGET_FIELDS)})


def _check_due(due_at) -> None:
    if not isinstance(due_at, dt.datetime):
        raise Invalid(fields={"due_at": [_("Give the due date and time.")]})
    if timezone.is_naive(due_at):
        raise Invalid(fields={"due_at": [_("Give the time with its time zone.")]})


def followup_create(*, tenant, actor, **data: Any) -> FollowUp:
    """Quick create: a follow-up, return visit or care task on exactly one record.

    The owner defaults to the creator; its reminders (due soon, auto-missed) are
    scheduled at once.
    """
    refuse_unknown(data, FOLLOWUP_FIELDS)
    target = check_exactly_one_target(data)
    check_same_tenant(tenant, owner=data.get("owner"), **{target: data[target]})
    _check_due(data.get("due_at"))
    if data.get("kind") == FollowUpKind.RETURN_VISIT and target not in ("customer", "complaint"):
        message = _("A return visit is made to a customer or about a complaint.")
        raise Invalid(fields={target: [message]})
    if data.get("owner") is None:
        data["owner"] = actor
    with transaction.atomic():
        followup = audited_create(
            FollowUp,
            tenant=tenant,
            actor=actor,
            fields=data,
            audit_fields=[f for f in FOLLOWUP_FIELDS if f in data],
        )
        reminders.on_create(followup)
    return followup


def _followup_planned(followup: FollowUp) -> None:
    if followup.status != FollowUpStatus.PLANNED:
        raise Invalid(fields={"non_field_errors": [_("Only a planned follow-up can be changed.")]})


def _followup_deletable(followup: FollowUp) -> None:
    if followup.status == FollowUpStatus.DONE:
        raise Invalid(fields={"non_field_errors": [_("A completed follow-up is kept on record.")]})


def followup_update(followup: FollowUp, *, tenant, actor, **data: Any) -> FollowUp:
    """Edit a planned follow-up; a new due date or owner reschedules its reminders."""
    data = _editable(followup, data, FOLLOWUP_EDITABLE)
    _followup_planned(followup)
    check_same_tenant(tenant, owner=data.get("owner"))
    if "due_at" in data:
        _check_due(data["due_at"])
    if data.get("kind") == FollowUpKind.RETURN_VISIT and followup.target_field not in (
        "customer",
        "complaint",
    ):
        message = _("A return visit is made to a customer or about a complaint.")
        raise Invalid(fields={"kind": [message]})
    with transaction.atomic():
        changes = audited_update(
            followup, tenant=tenant, actor=actor, fields=data, check=_followup_planned
        )
        if {"due_at", "owner"} & set(changes):
            reminders.reschedule(followup, followup_process.DUE_RULES)
    return followup


def followup_delete(followup: FollowUp, *, tenant, actor) -> None:
    audited_delete(
        followup,
        tenant=tenant,
        actor=actor,
        check=_followup_deletable,
        before_delete=reminders.cancel,
    )


# --- service tickets -------------------------------------------------------------

TICKET_FIELDS = ("customer", "contract", "subject", "description", "priority", "owner")
TICKET_EDITABLE = ("contract", "subject", "description", "priority", "owner")


def _ticket_key(t: ServiceTicket) -> str:
    return build_search_key(t.subject, t.customer.name)


def ticket_create(*, tenant, actor, **data: Any) -> ServiceTicket:
    refuse_unknown(data, TICKET_FIELDS)
    _require_customer(data)
    check_same_tenant(
        tenant,
        customer=data.get("customer"),
        contract=data.get("contract"),
        owner=data.get("owner"),
    )
    _check_contract(data["customer"], data.get("contract"))
    if not (data.get("subject") or "").strip():
        raise Invalid(fields={"subject": [_("Enter a subject.")]})
    return audited_create(
        ServiceTicket,
        tenant=tenant,
        actor=actor,
        fields=data,
        audit_fields=[f for f in TICKET_FIELDS if f in data],
        key_fn=_ticket_key,
    )


def ticket_update(ticket: ServiceTicket, *, tenant, actor, **data: Any) -> ServiceTicket:
    data = _editable(ticket, data, TICKET_EDITABLE)
    _ticket_open(ticket)
    check_same_tenant(tenant, owner=data.get("owner"), contract=data.get("contract"))
    _check_contract(ticket.customer, data.get("contract"))
    if "subject" in data and not (data["subject"] or "").strip():
        raise Invalid(fields={"subject": [_("Enter a subject.")]})
    audited_update(
        ticket, tenant=tenant, actor=actor, fields=data, check=_ticket_open, key_fn=_ticket_key
    )
    return ticket


def _ticket_open(ticket: ServiceTicket) -> None:
    _refuse_in(ticket, (TicketStatus.CLOSED,), _("A closed ticket can no longer be changed."))


def _ticket_deletable(ticket: ServiceTicket) -> None:
    if ticket.status != TicketStatus.OPEN:
        raise Invalid(
            fields={
                "non_field_errors": [_("Only an open ticket that was not started can be deleted.")]
            }
        )


def ticket_delete(ticket: ServiceTicket, *, tenant, actor) -> None:
    audited_delete(
        ticket,
        tenant=tenant,
        actor=actor,
        check=_ticket_deletable,
        before_delete=reminders.cancel,
    )


# --- customer projects -----------------------------------------------------------

PROJECT_FIELDS = (
    "customer",
    "contract",
    "name",
    "description",
    "owner",
    "planned_start",
    "planned_end",
)
PROJECT_EDITABLE = ("contract", "name", "description", "owner", "planned_start", "planned_end")


def _project_key(p: CustomerProject) -> str:
    return build_search_key(p.name, p.customer.name)


def _check_dates(start, end) -> None:
    if start is not None and end is not None and end < start:
        raise Invalid(fields={"planned_end": [_("The end cannot be before the start.")]})


def project_create(*, tenant, actor, **data: Any) -> CustomerProject:
    refuse_unknown(data, PROJECT_FIELDS)
    _require_customer(data)
    check_same_tenant(
        tenant,
        customer=data.get("customer"),
        contract=data.get("contract"),
        owner=data.get("owner"),
    )
    _check_contract(data["customer"], data.get("contract"))
    if not (data.get("name") or "").strip():
        raise Invalid(fields={"name": [_("Enter the project name.")]})
    _check_dates(data.get("planned_start"), data.get("planned_end"))
    return audited_create(
        CustomerProject,
        tenant=tenant,
        actor=actor,
        fields=data,
        audit_fields=[f for f in PROJECT_FIELDS if f in data],
        key_fn=_project_key,
    )


def project_update(project: CustomerProject, *, tenant, actor, **data: Any) -> CustomerProject:
    data = _editable(project, data, PROJECT_EDITABLE)
    _project_open(project)
    check_same_tenant(tenant, owner=data.get("owner"), contract=data.get("contract"))
    _check_contract(project.customer, data.get("contract"))
    if "name" in data and not (data["name"] or "").strip():
        raise Invalid(fields={"name": [_("Enter the project name.")]})
    _check_dates(
        data.get("planned_start", project.planned_start),
        data.get("planned_end", project.planned_end),
    )
    audited_update(
        project, tenant=tenant, actor=actor, fields=data, check=_project_open, key_fn=_project_key
    )
    return project


def _project_open(project: CustomerProject) -> None:
    _refuse_in(
        project,
        (ProjectStatus.ACCEPTED, ProjectStatus.CANCELLED),
        _("An accepted or cancelled project can no longer be changed."),
    )


def _project_deletable(project: CustomerProject) -> None:
    if project.status != ProjectStatus.PLANNED:
        raise Invalid(
            fields={
                "non_field_errors": [
                    _("Only a planned project can be deleted; cancel a started one.")
                ]
            }
        )


def project_delete(project: CustomerProject, *, tenant, actor) -> None:
    audited_delete(
        project,
        tenant=tenant,
        actor=actor,
        check=_project_deletable,
        before_delete=reminders.cancel,
    )


# --- feedback ----------------------------------------------------------------------

FEEDBACK_FIELDS = ("customer", "contact", "kind", "text", "handled")
FEEDBACK_EDITABLE = ("contact", "kind", "text", "handled")


def _apply_handled(feedback: Feedback, actor) -> list[str]:
    if feedback.handled and feedback.handled_at is None:
        feedback.handled_at = timezone.now()
        feedback.handled_by = actor
        return ["handled_at", "handled_by"]
    if not feedback.handled and feedback.handled_at is not None:
        feedback.handled_at = None
        feedback.handled_by = None
        return ["handled_at", "handled_by"]
    return []


def feedback_create(*, tenant, actor, **data: Any) -> Feedback:
    refuse_unknown(data, FEEDBACK_FIELDS)
    _require_customer(data)
    check_same_tenant(tenant, customer=data.get("customer"), contact=data.get("contact"))
    _check_contact(data.get("customer"), data.get("contact"))
    if not (data.get("text") or "").strip():
        raise Invalid(fields={"text": [_("Write down the feedback.")]})
    return audited_create(
        Feedback,
        tenant=tenant,
        actor=actor,
        fields=data,
        audit_fields=[f for f in FEEDBACK_FIELDS if f in data],
        prepare=lambda feedback: _apply_handled(feedback, actor),
    )


def feedback_update(feedback: Feedback, *, tenant, actor, **data: Any) -> Feedback:
    """Edit feedback; setting ``handled`` stamps who handled it and when."""
    data = _editable(feedback, data, FEEDBACK_EDITABLE)
    check_same_tenant(tenant, contact=data.get("contact"))
    _check_contact(feedback.customer, data.get("contact"))
    if "text" in data and not (data["text"] or "").strip():
        raise Invalid(fields={"text": [_("Write down the feedback.")]})
    with transaction.atomic():
        lock_row(feedback)
        changes = audit.apply_changes(feedback, data)
        if changes:
            extra = _apply_handled(feedback, actor)
            audited_save(feedback, tenant=tenant, actor=actor, changes=changes, extra_fields=extra)
    return feedback


def feedback_delete(feedback: Feedback, *, tenant, actor) -> None:
    audited_delete(feedback, tenant=tenant, actor=actor)
