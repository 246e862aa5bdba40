"""Reminder rules in action: schedule on entering a state, cancel on leaving,
deliver exactly once.

The ``Reminder`` row is the source of truth (DESIGN.md §2.6). Delivery locks
the row, re-checks it is still due and its target still in the rule's state,
then notifies (or acts) and marks it sent, so a message delivered twice or a
tick run twice does nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone, translation

from workflows.models import Reminder
from workflows.process import Process, ReminderRule, get_process

log = logging.getLogger(__name__)

# A recomputed due moment later than the stored one by more than this is stale.
STALE_TOLERANCE_SECONDS = 1


def _build(obj: models.Model, rule: ReminderRule, state: str) -> Reminder | None:
    due = rule.due(obj)
    if due is None:
        return None
    recipient = rule.recipient(obj)
    if recipient is None and rule.action is None:
        return None
    return Reminder(
        tenant_id=obj.tenant_id,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        rule=rule.name,
        state=state,
        due_at=due,
        recipient=recipient,
    )


def schedule(obj: models.Model, process: Process, state: str, rules: Iterable[ReminderRule]):
    rows = [r for rule in rules if rule.applies_to(state) and (r := _build(obj, rule, state))]
    if rows:
        Reminder.objects.bulk_create(rows)
    return rows


def cancel(obj: models.Model, *, state: str | None = None, rules: Iterable[str] | None = None):
    """Cancel pending (or claimed) reminders of a record, for a state or named rules."""
    qs = Reminder.objects.filter(
        tenant_id=obj.tenant_id,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        status__in=[Reminder.Status.PENDING, Reminder.Status.CLAIMED],
    )
    if state is not None:
        qs = qs.filter(state=state)
    if rules is not None:
        qs = qs.filter(rule__in=list(rules))
    return qs.update(status=Reminder.Status.CANCELLED)


def on_state_change(obj: models.Model, process: Process, *, source: str, target: str) -> None:
    if source != target:
        cancel(obj, state=source)
    schedule(obj, process, target, process.reminder_rules)


def on_create(obj: models.Model) -> None:
    """Schedule the reminders of a new record's initial state."""
    process = get_process(obj)
    schedule(obj, process, getattr(obj, process.field_name), process.reminder_rules)


def reschedule(obj: models.Model, rule_names: Iterable[str]) -> None:
    """Recompute named rules of the record's current state (e.g. after an activity)."""
    process = get_process(obj)
    names = set(rule_names)
    cancel(obj, rules=names)
    state = getattr(obj, process.field_name)
    schedule(obj, process, state, [r for r in process.reminder_rules if r.name in names])


def deliver(reminder_id: int) -> str:
    """Deliver one reminder; idempotent. Returns what happened (for logs and tests).

    Must run with tenant scopes disabled (the actor does that).
    """
    from crm.activities.services import notify

    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .filter(pk=reminder_id)
            .select_related("recipient")
            .first()
        )
        if reminder is None:
            return "missing"
        if reminder.status not in (Reminder.Status.PENDING, Reminder.Status.CLAIMED):
            return "done-already"
        model = reminder.content_type.model_class()
        process = get_process(model)
        rule = process.rule(reminder.rule)
        # Rules read the tenant's settings: load it with the record (one query less).
        obj = model.objects.filter(pk=reminder.object_id).select_related("tenant").first()
        reason = _why_not(reminder, process, rule, obj)
        if reason:
            reminder.status = Reminder.Status.CANCELLED
            reminder.note = reason
            reminder.save(update_fields=["status", "note"])
            if reason == "stale":
                _replace_stale(obj, process, rule, reminder)
            return reason
        if rule.action is not None:
            rule.action(obj, reminder)
        if reminder.recipient_id and rule.message is not None:
            with translation.override(reminder.recipient.language):
                title, body = rule.message(obj)
            notify(
                tenant_id=reminder.tenant_id,
                recipient_id=reminder.recipient_id,
                title=title,
                body=body,
                target=obj,
                link=process.ui_path.format(id=obj.pk),
                reminder=reminder,
            )
        reminder.status = Reminder.Status.SENT
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["status", "sent_at"])
        return "sent"


def _replace_stale(obj, process: Process, rule: ReminderRule, reminder: Reminder) -> None:
    """A stale row (its record moved the due moment) gets a successor, unless one exists."""
    exists = Reminder.objects.filter(
        content_type_id=reminder.content_type_id,
        object_id=reminder.object_id,
        rule=rule.name,
        status=Reminder.Status.PENDING,
    ).exists()
    if not exists:
        schedule(obj, process, reminder.state, [rule])


def _why_not(reminder: Reminder, process: Process, rule, obj) -> str:
    if rule is None:
        return "unknown-rule"
    if obj is None:
        return "target-gone"
    if getattr(obj, process.field_name) != reminder.state:
        return "state-left"
    due = rule.due(obj)
    if due is None:
        return "no-longer-due"
    if (due - reminder.due_at).total_seconds() > STALE_TOLERANCE_SECONDS:
        return "stale"
    return ""
