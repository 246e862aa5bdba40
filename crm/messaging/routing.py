"""Every in-app notification (reminders, escalations, approvals, announcements...)
fans out to the channels its recipient chose: the one ``dispatch`` of staff messages.

The notification row is the in-app message itself. The worker that used to
e-mail it (``tasks.notifications``) calls ``route`` first: for each recipient's
choice for the notification's event kind it queues a ``Delivery`` on the
company's active channel of that kind (WeCom, DingTalk, Feishu robots, SMS,
e-mail), held through quiet hours (``preferences.hold_until``). E-mail with no
e-mail channel configured keeps the plain Django mail path (the caller sends
those). A routed notification is stamped (``emailed_at``), so a redelivered
message routes nothing twice. Staff messages are never marketing: the
suppression list does not apply to them.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from crm.messaging.models import Channel, ChannelKind, EventKind, NotificationPreference
from crm.messaging.preferences import DEFAULT_CHANNELS, hold_until


def event_of(notification) -> str:
    """The event kind of a notification: from its reminder rule, else its record."""
    reminder = getattr(notification, "reminder", None)
    if reminder is not None:
        rule = reminder.rule
        if "escalat" in rule or "breach" in rule:
            return EventKind.ESCALATION
        if "approv" in rule:
            return EventKind.APPROVAL
        return EventKind.REMINDER
    model = (
        ContentType.objects.get_for_id(notification.content_type_id).model
        if notification.content_type_id
        else ""
    )
    if model == "announcement":
        return EventKind.ANNOUNCEMENT
    if "approv" in (notification.link or "") or "approv" in model:
        return EventKind.APPROVAL
    return EventKind.REMINDER


def _choices(notifications) -> dict[tuple[int, int | None], dict[str, list[str]]]:
    """(tenant, user or None) -> event -> channel kinds, in two queries."""
    tenants = {n.tenant_id for n in notifications}
    users = {n.recipient_id for n in notifications}
    out: dict[tuple[int, int | None], dict[str, list[str]]] = defaultdict(dict)
    rows = NotificationPreference.objects.filter(tenant_id__in=tenants, user__isnull=True)
    for row in rows:
        out[(row.tenant_id, None)][row.event] = row.channels
    for row in NotificationPreference.objects.filter(tenant_id__in=tenants, user_id__in=users):
        out[(row.tenant_id, row.user_id)][row.event] = row.channels
    return out


def route(notifications: list) -> list:
    """Queue the channel deliveries of ``notifications`` (locked, not yet routed rows with
    their recipient loaded); returns those that still need the plain e-mail."""
    from crm.messaging.services import delivery_queue

    if not notifications:
        return []
    choices = _choices(notifications)
    channels: dict[tuple[int, str], Channel] = {}
    for channel in (
        Channel.objects.filter(tenant_id__in={n.tenant_id for n in notifications}, active=True)
        .select_related("tenant")
        .order_by("id")
    ):
        channels[(channel.tenant_id, channel.kind)] = channel  # the newest wins
    plain_email: list = []
    plain_ids: set[int] = set()
    routed = []
    for note in notifications:
        event = event_of(note)
        user = note.recipient
        kinds = choices[(note.tenant_id, user.pk)].get(
            event, choices[(note.tenant_id, None)].get(event, DEFAULT_CHANNELS)
        )
        for kind in dict.fromkeys(kinds):
            if kind == ChannelKind.IN_APP:
                continue  # the notification row is the in-app message
            channel = channels.get((note.tenant_id, kind))
            if channel is None:
                if kind == ChannelKind.EMAIL:
                    plain_email.append(note)
                    plain_ids.add(note.pk)
                continue
            recipient = {
                ChannelKind.EMAIL: user.email,
                ChannelKind.SMS: getattr(user, "mobile", "") or "",
            }.get(kind, "")
            if kind in (ChannelKind.EMAIL, ChannelKind.SMS) and not recipient:
                continue
            delivery_queue(
                channel=channel,
                recipient=recipient,
                recipient_user=user,
                title=note.title,
                body=note.body,
                event=event,
                send_at=hold_until(channel.tenant, kind, event),
            )
        if note.pk not in plain_ids:
            routed.append(note.pk)
    if routed:
        type(notifications[0]).objects.filter(pk__in=routed).update(emailed_at=timezone.now())
    return plain_email
