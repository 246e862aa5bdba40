"""Reads shared by every module: the history of a record."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from crm.core.models import AuditEntry


def history_for(obj) -> list[dict]:
    """Transitions and field changes of a record, newest first (two queries)."""
    from workflows.models import TransitionLog

    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    entries = []
    for log in TransitionLog.objects.filter(content_type=ct, object_id=obj.pk).select_related(
        "actor"
    ):
        entries.append(
            {
                "kind": "transition",
                "action": log.transition,
                "actor": log.actor.display_name if log.actor else None,
                "at": log.created_at,
                "source": log.source,
                "target": log.target,
                "comment": log.comment,
            }
        )
    for entry in (
        AuditEntry.objects.filter(content_type=ct, object_id=obj.pk)
        .exclude(action__startswith="transition:")
        .select_related("actor")
    ):
        entries.append(
            {
                "kind": "change",
                "action": entry.action,
                "actor": entry.actor.display_name if entry.actor else None,
                "at": entry.created_at,
                "changes": entry.changes,
            }
        )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries
