"""One timeline per record: activities, follow-ups, tasks, events, transitions,
field changes (and what other apps register, e.g. attachments), newest first.

``GET /api/v1/timeline/?customer=<id>`` (or ``contact``, ``lead``,
``opportunity``, ``contract``, ``complaint``). The record is looked up through
its own collection's viewset, so its permission code and data scope apply as
on its card. Each source (``crm.core.registries.register_timeline_source``)
gives its newest ``page * page_size`` entries and its count in two queries; the
page is cut from their merge, so the query count does not grow with the rows.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from crm.core.registries import register_timeline_source

# The kind of record -> its collection (a router prefix).
RECORD_COLLECTIONS = {
    "customer": "customers",
    "contact": "contacts",
    "lead": "leads",
    "opportunity": "opportunities",
    "contract": "contracts",
    "complaint": "complaints",
}


def _name(user) -> str | None:
    return user.display_name if user is not None else None


def _rows(qs, limit: int) -> tuple[list, int]:
    return list(qs[:limit]), qs.count()


def activity_entries(field: str, record: Model, limit: int):
    from crm.activities.models import Activity

    qs = (
        Activity.objects.filter(tenant_id=record.tenant_id, **{field: record})
        .select_related("owner")
        .order_by("-occurred_at", "-id")
    )
    rows, count = _rows(qs, limit)
    return [
        {
            "kind": "activity",
            "id": a.pk,
            "at": a.occurred_at,
            "title": a.subject,
            "actor": _name(a.owner),
            "status": a.kind,
            "detail": a.note,
            "link": f"/activities/{a.pk}",
        }
        for a in rows
    ], count


def followup_entries(field: str, record: Model, limit: int):
    from crm.service.models import TARGET_FIELDS, FollowUp

    if field not in TARGET_FIELDS:
        return [], 0
    qs = (
        FollowUp.objects.filter(tenant_id=record.tenant_id, **{field: record})
        .select_related("owner")
        .order_by("-due_at", "-id")
    )
    rows, count = _rows(qs, limit)
    return [
        {
            "kind": "follow_up",
            "id": f.pk,
            "at": f.done_at or f.due_at,
            "title": str(f),
            "actor": _name(f.owner),
            "status": f.status,
            "detail": f.outcome,
            "link": f"/follow-ups/{f.pk}",
        }
        for f in rows
    ], count


def task_entries(field: str, record: Model, limit: int):
    from crm.activities.models import Task

    qs = (
        Task.objects.filter(tenant_id=record.tenant_id, **{field: record})
        .select_related("assignee")
        .order_by("-created_at", "-id")
    )
    rows, count = _rows(qs, limit)
    return [
        {
            "kind": "task",
            "id": t.pk,
            "at": t.done_at or t.created_at,
            "title": t.title,
            "actor": _name(t.assignee),
            "status": t.status,
            "detail": t.description,
            "link": f"/tasks/{t.pk}",
        }
        for t in rows
    ], count


def event_entries(field: str, record: Model, limit: int):
    from crm.activities.models import CalendarEvent

    qs = (
        CalendarEvent.objects.filter(tenant_id=record.tenant_id, **{field: record})
        .select_related("owner")
        .order_by("-start", "-id")
    )
    rows, count = _rows(qs, limit)
    return [
        {
            "kind": "event",
            "id": e.pk,
            "at": e.start,
            "title": e.title,
            "actor": _name(e.owner),
            "status": e.status,
            "detail": e.location,
            "link": f"/events/{e.pk}",
        }
        for e in rows
    ], count


def transition_entries(field: str, record: Model, limit: int):
    from workflows.models import TransitionLog
    from workflows.process import transition_labels

    ct = ContentType.objects.get_for_model(record, for_concrete_model=True)
    qs = (
        TransitionLog.objects.filter(content_type=ct, object_id=record.pk)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    rows, count = _rows(qs, limit)
    model = type(record)
    entries = []
    for log in rows:
        # The step and the states by their labels ("联系：新建 → 已联系"), never the codes.
        labels = transition_labels(model, log.transition, log.source, log.target)
        entries.append(
            {
                "kind": "transition",
                "id": log.pk,
                "at": log.created_at,
                "title": labels["step_label"],
                "actor": _name(log.actor),
                "status": log.target,
                "source": log.source,
                "target": log.target,
                "transition": log.transition,
                **labels,
                "detail": log.comment,
            }
        )
    return entries, count


def change_entries(field: str, record: Model, limit: int):
    from crm.core.history import readable
    from crm.core.models import AuditEntry

    ct = ContentType.objects.get_for_model(record, for_concrete_model=True)
    qs = (
        AuditEntry.objects.filter(content_type=ct, object_id=record.pk)
        .exclude(action__startswith="transition:")
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    rows, count = _rows(qs, limit)
    model = ct.model_class()
    shown = readable([(model, e.tenant_id, e.action, e.changes) for e in rows])
    return [
        {
            "kind": "change",
            "id": entry.pk,
            "at": entry.created_at,
            "title": entry.action,
            "actor": _name(entry.actor),
            "changes": entry.changes,
            "lines": readable_entry["lines"],
            "job": readable_entry["job"],
        }
        for entry, readable_entry in zip(rows, shown, strict=True)
    ], count


def register_sources() -> None:
    register_timeline_source("activities", activity_entries)
    register_timeline_source("follow_ups", followup_entries)
    register_timeline_source("tasks", task_entries)
    register_timeline_source("events", event_entries)
    register_timeline_source("transitions", transition_entries)
    register_timeline_source("changes", change_entries)
