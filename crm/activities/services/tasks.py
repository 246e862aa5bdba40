"""Tasks: create, change, delete, and complete many at once (each through the engine)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from crm.activities.models import LINK_FIELDS, Task
from crm.activities.services.links import check_links
from crm.core.errors import DomainError
from crm.core.writes import audited_create, audited_delete, audited_update, check_same_tenant
from workflows import reminders
from workflows.engine import transition
from workflows.task import DUE_SOON_RULE, OVERDUE_RULE

TASK_FIELDS = ("title", "description", "assignee", "due_at", "priority", *LINK_FIELDS)
# What the reminders read: a change plans them again.
REMINDER_FIELDS = {"assignee", "due_at"}


def task_create(*, tenant, actor, **data: Any) -> Task:
    """Give a task (to oneself by default); its reminders are planned at once."""
    data.setdefault("assignee", actor)
    check_links(tenant, data)
    check_same_tenant(tenant, assignee=data["assignee"])
    with transaction.atomic():
        task = audited_create(
            Task,
            tenant=tenant,
            actor=actor,
            fields={**data, "assigner": actor},
            audit_fields=[f for f in (*TASK_FIELDS, "assigner") if f in data or f == "assigner"],
        )
        reminders.on_create(task)
    return task


def task_update(task: Task, *, tenant, actor, **data: Any) -> Task:
    check_links(tenant, data, current=task)
    if data.get("assignee") is not None:
        check_same_tenant(tenant, assignee=data["assignee"])
    with transaction.atomic():
        changes = audited_update(task, tenant=tenant, actor=actor, fields=data, allowed=TASK_FIELDS)
        if REMINDER_FIELDS & set(changes):
            reminders.reschedule(task, [DUE_SOON_RULE, OVERDUE_RULE])
    return task


def task_delete(task: Task, *, tenant, actor) -> None:
    audited_delete(task, tenant=tenant, actor=actor, before_delete=reminders.cancel)


def tasks_complete(*, tenant, actor, ids: list[int]) -> list[dict[str, Any]]:
    """Complete each task through the engine in one transaction, one savepoint each:
    a task that cannot be completed is reported with its reason and the others are
    completed all the same. ``ids`` are those the caller may see (others: not found)."""
    results = []
    with transaction.atomic():
        for pk in ids:
            try:
                with transaction.atomic():
                    task = transition(
                        model=Task, pk=pk, name="complete", tenant=tenant, actor=actor
                    )
            except DomainError as exc:
                results.append(
                    {
                        "id": pk,
                        "ok": False,
                        "code": exc.code,
                        "detail": str(exc.detail),
                        "reasons": [str(r) for r in exc.reasons],
                    }
                )
            else:
                results.append({"id": pk, "ok": True, "status": task.status})
    return results
