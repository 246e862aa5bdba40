"""Reads shared by every module: the history of a record."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from crm.core.history import readable
from crm.core.models import AuditEntry
from crm.core.registries import history_sources


def history_for(obj) -> list[dict]:
    """Field changes of a record plus what the registered sources add (the process
    layer's transitions), newest first: one query per source.

    Audit entries of transitions are left out: the transition source tells them
    with their source and target state.
    """
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    entries = []
    for source in history_sources():
        entries.extend(source(ct, obj.pk))
    audit = list(
        AuditEntry.objects.filter(content_type=ct, object_id=obj.pk)
        .exclude(action__startswith="transition:")
        .select_related("actor")
    )
    model = ct.model_class()
    shown_all = readable([(model, e.tenant_id, e.action, e.changes) for e in audit])
    for entry, shown in zip(audit, shown_all, strict=True):
        entries.append(
            {
                "kind": "change",
                "id": entry.pk,
                "action": entry.action,
                "actor": entry.actor.display_name if entry.actor else None,
                "at": entry.created_at,
                "changes": entry.changes,
                "lines": shown["lines"],
                "job": shown["job"],
            }
        )
    # Newest first, strictly: entries of the same instant by their id (the later row first).
    entries.sort(key=lambda e: (e["at"], e.get("id") or 0), reverse=True)
    return entries
