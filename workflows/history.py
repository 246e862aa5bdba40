"""Transitions in a record's history (registered with core in ``WorkflowsConfig.ready``)."""

from __future__ import annotations

from workflows.models import TransitionLog
from workflows.process import transition_labels


def transition_entries(content_type, object_id) -> list[dict]:
    model = content_type.model_class()
    return [
        {
            "kind": "transition",
            "id": log.pk,
            "action": log.transition,
            "actor": log.actor.display_name if log.actor else None,
            "at": log.created_at,
            "source": log.source,
            "target": log.target,
            # The step and the states by their labels in the active language.
            **transition_labels(model, log.transition, log.source, log.target),
            "comment": log.comment,
        }
        for log in TransitionLog.objects.filter(
            content_type=content_type, object_id=object_id
        ).select_related("actor")
    ]
