"""Attachments on a record's timeline (registered in ``crm.core.registries``)."""

from __future__ import annotations

from django.db.models import Model

from crm.office.models import ATTACHABLE_FIELDS, Attachment


def attachment_entries(field: str, record: Model, limit: int):
    if field not in ATTACHABLE_FIELDS:
        return [], 0
    qs = (
        Attachment.objects.filter(tenant_id=record.tenant_id, **{field: record})
        .select_related("uploaded_by")
        .order_by("-created_at", "-id")
    )
    rows, count = list(qs[:limit]), qs.count()
    return [
        {
            "kind": "attachment",
            "id": a.pk,
            "at": a.created_at,
            "title": a.name,
            "actor": a.uploaded_by.display_name if a.uploaded_by else None,
            "detail": a.content_type,
            "link": f"/api/v1/attachments/{a.pk}/download/",
        }
        for a in rows
    ], count
