"""Calendar events: create, move, change, delete; their reminders to owner and invitees."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.activities.models import LINK_FIELDS, CalendarEvent
from crm.activities.recurrence import next_start
from crm.activities.services.links import check_links
from crm.core.errors import Invalid
from crm.core.writes import audited_create, audited_delete, audited_update, check_same_tenant
from workflows import reminders
from workflows.event import STARTING_RULE, EventStatus, reminder_due
from workflows.models import Reminder

EVENT_FIELDS = (
    "title",
    "start",
    "end",
    "all_day",
    "location",
    "note",
    "owner",
    "remind_minutes",
    "recurrence",
    "recurrence_interval",
    "recurrence_until",
    "recurrence_count",
    *LINK_FIELDS,
)
# What the reminders read: a change plans them again.
REMINDER_FIELDS = {
    "start",
    "owner",
    "remind_minutes",
    "recurrence",
    "recurrence_interval",
    "recurrence_until",
    "recurrence_count",
}


def _check(tenant, data: dict[str, Any], current: CalendarEvent | None = None) -> None:
    def value(name):
        return data[name] if name in data else getattr(current, name, None)

    check_links(tenant, data, current=current)
    errors: dict[str, list[str]] = {}
    start, end = value("start"), value("end")
    if start is not None and end is not None and end < start:
        errors["end"] = [_("The end cannot be before the start.")]
    until = value("recurrence_until")
    if until is not None and start is not None and until < timezone.localtime(start).date():
        # A series ending before its first occurrence has none: the event would
        # be saved and never shown in the calendar.
        errors["recurrence_until"] = [_("The repetition cannot end before the event starts.")]
    if value("recurrence_until") is not None and value("recurrence_count") is not None:
        message = _("Give an end date or a number of occurrences, not both.")
        errors["recurrence_until"] = errors["recurrence_count"] = [message]
    if not value("recurrence") and (
        value("recurrence_until") is not None or value("recurrence_count") is not None
    ):
        errors["recurrence"] = [_("Choose how the event repeats.")]
    if errors:
        raise Invalid(fields=errors)


def event_create(*, tenant, actor, invitees=(), **data: Any) -> CalendarEvent:
    data.setdefault("owner", actor)
    _check(tenant, data)
    invitees = list(invitees or [])
    check_same_tenant(
        tenant, owner=data["owner"], **{f"invitee{i}": u for i, u in enumerate(invitees)}
    )
    with transaction.atomic():
        event = audited_create(
            CalendarEvent,
            tenant=tenant,
            actor=actor,
            fields=data,
            extra_changes={"invitees": sorted(u.pk for u in invitees)},
        )
        event.invitees.set(invitees)
        plan_event_reminders(event)
    return event


def event_update(event: CalendarEvent, *, tenant, actor, **data: Any) -> CalendarEvent:
    """Change an event; moving it (start, end) or changing who is told plans its
    reminders again."""
    invitees = data.pop("invitees", None)
    _check(tenant, data, current=event)
    extra: dict[str, Any] = {}
    if invitees is not None:
        invitees = list(invitees)
        check_same_tenant(tenant, **{f"invitee{i}": u for i, u in enumerate(invitees)})
        before = sorted(event.invitees.values_list("pk", flat=True))
        after = sorted(u.pk for u in invitees)
        if before != after:
            extra["invitees"] = [before, after]
    with transaction.atomic():
        changes = audited_update(
            event,
            tenant=tenant,
            actor=actor,
            fields=data,
            allowed=EVENT_FIELDS,
            extra_changes=extra,
        )
        if "invitees" in extra:
            event.invitees.set(invitees)
        if REMINDER_FIELDS & set(changes) or "invitees" in changes:
            plan_event_reminders(event)
    return event


def event_delete(event: CalendarEvent, *, tenant, actor) -> None:
    audited_delete(event, tenant=tenant, actor=actor, before_delete=reminders.cancel)


def _reminder(event: CalendarEvent, user_id: int, due: dt.datetime) -> Reminder:
    return Reminder(
        tenant_id=event.tenant_id,
        content_type=ContentType.objects.get_for_model(CalendarEvent),
        object_id=event.pk,
        rule=STARTING_RULE,
        state=EventStatus.SCHEDULED,
        due_at=due,
        recipient_id=user_id,
    )


def plan_event_reminders(event: CalendarEvent) -> list[Reminder]:
    """Cancel the event's open reminders and plan one per person (owner, invitees)
    for its next occurrence."""
    reminders.cancel(event, rules=[STARTING_RULE])
    if event.status != EventStatus.SCHEDULED:
        return []
    due = reminder_due(event)
    if due is None:
        return []
    people = [event.owner_id, *event.invitees.values_list("pk", flat=True)]
    rows = [_reminder(event, pk, due) for pk in dict.fromkeys(people)]
    return Reminder.objects.bulk_create(rows)


def plan_next_occurrence(event: CalendarEvent, reminder: Reminder) -> None:
    """After a recurring event's reminder: the same person's, for the next occurrence."""
    if not event.recurrence or event.remind_minutes is None:
        return
    lead = dt.timedelta(minutes=event.remind_minutes)
    start = next_start(event, after=reminder.due_at + lead)
    if start is None:
        return
    exists = Reminder.objects.filter(
        content_type_id=reminder.content_type_id,
        object_id=event.pk,
        rule=STARTING_RULE,
        recipient_id=reminder.recipient_id,
        status=Reminder.Status.PENDING,
    ).exists()
    if not exists:
        _reminder(event, reminder.recipient_id, start - lead).save()
