"""The write path for activities and notifications (tasks, events and plans: the
modules beside this one)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.activities.models import LINK_FIELDS, Activity, Notification
from crm.core.errors import Invalid
from crm.core.writes import audited_create, audited_delete, audited_update, check_same_tenant

ACTIVITY_FIELDS = ("kind", "subject", "note", "occurred_at", *LINK_FIELDS, "owner")


def activity_create(*, tenant, actor, **data: Any) -> Activity:
    """Log an activity on a record (lead, customer, contact, opportunity, contract,
    complaint); a lead's idle clock restarts."""
    from crm.customers.services import customer_activity_logged, lead_activity_logged

    if not any(data.get(name) for name in LINK_FIELDS):
        message = _("Link the activity to a record.")
        raise Invalid(fields={name: [message] for name in LINK_FIELDS})
    check_same_tenant(tenant, **{name: data[name] for name in LINK_FIELDS if data.get(name)})
    data.setdefault("owner", actor)
    data.setdefault("occurred_at", timezone.now())
    with transaction.atomic():
        activity = audited_create(
            Activity,
            tenant=tenant,
            actor=actor,
            fields=data,
            audit_fields=[f for f in ACTIVITY_FIELDS if f in data],
        )
        if activity.lead_id:
            lead_activity_logged(lead_id=activity.lead_id, occurred_at=activity.occurred_at)
        if activity.customer_id:  # its pool clock restarts
            customer_activity_logged(
                customer_id=activity.customer_id, occurred_at=activity.occurred_at
            )
    return activity


def activity_update(activity: Activity, *, tenant, actor, **data: Any) -> Activity:
    audited_update(activity, tenant=tenant, actor=actor, fields=data)
    return activity


def activity_delete(activity: Activity, *, tenant, actor) -> None:
    audited_delete(activity, tenant=tenant, actor=actor)


def notify(
    *,
    tenant_id: int,
    recipient_id: int,
    title: str,
    body: str = "",
    target=None,
    link="",
    reminder=None,
) -> Notification:
    """Create an in-app notification; its e-mail is sent after commit by a worker."""
    from tasks.notifications import send_notification_email

    notification = Notification.objects.create(
        tenant_id=tenant_id,
        recipient_id=recipient_id,
        title=title[:300],
        body=body,
        link=link,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=target.pk if target is not None else None,
        reminder=reminder,
    )
    transaction.on_commit(partial(send_notification_email.send, notification.pk))
    return notification


def notify_many(notifications: list[Notification]) -> list[Notification]:
    """Insert unsaved notifications in one query; their e-mails go in one message after
    commit (a batch of deliveries notifies this way, one by one ``notify``)."""
    from tasks.notifications import send_notification_emails

    if not notifications:
        return []
    for note in notifications:
        note.title = note.title[:300]
    created = Notification.objects.bulk_create(notifications)
    ids = [note.pk for note in created]
    transaction.on_commit(partial(send_notification_emails.send, ids))
    return created


def notifications_mark_read(*, recipient, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
