"""Transitions in a record's history (registered with core in ``WorkflowsConfig.ready``)."""

from __future__ import annotations

from workflows.models import TransitionLog


def transition_entries(content_type, object_id) -> list[dict]:
    return [
        {
            "kind": "transition",
            "id": log.pk,
            "action": log.transition,
            "actor": log.actor.display_name if log.actor else None,
            "at": log.created_at,
            "source": log.source,
            "target": log.target,
            "comment": log.comment,
        }
        for log in TransitionLog.objects.filter(
            content_type=content_type, object_id=object_id
        ).select_related("actor")
    ]
