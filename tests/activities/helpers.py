"""Shared helpers of the activities tests."""

from __future__ import annotations

from crm.activities.models import Notification
from workflows.engine import transition


def titles(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("title", flat=True)
    )


def move(obj, name: str, actor, **inputs):
    return transition(
        model=type(obj), pk=obj.pk, name=name, tenant=obj.tenant, actor=actor, inputs=inputs
    )
