"""Who hears of what, where: per-user channel choices, the company default, quiet hours.

A user's choice for an event kind wins; else the company default (a preference
row without user); else in-app + e-mail. SMS and robot messages are held during
quiet hours (21:00-08:00 by default, in the working-day calendar's time zone,
Asia/Shanghai unless the company set another) until the morning; escalations go
through when the company says so.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from crm.core.errors import Invalid
from crm.messaging.models import Channel, ChannelKind, EventKind, NotificationPreference

DEFAULT_CHANNELS = [ChannelKind.IN_APP.value, ChannelKind.EMAIL.value]
QUIET_KINDS = {ChannelKind.SMS, ChannelKind.WECOM, ChannelKind.DINGTALK, ChannelKind.FEISHU}
ZONE = ZoneInfo("Asia/Shanghai")


def defaults_of(tenant) -> dict[str, list[str]]:
    rows = NotificationPreference.objects.filter(tenant_id=tenant.pk, user__isnull=True)
    default = {row.event: row.channels for row in rows}
    return {kind: list(default.get(kind, DEFAULT_CHANNELS)) for kind in EventKind.values}


def preferences_of(user) -> dict[str, list[str]]:
    """Every event kind with the channel kinds that reach ``user`` (effective values)."""
    rows = NotificationPreference.objects.filter(tenant_id=user.tenant_id, user__isnull=True)
    default = {row.event: row.channels for row in rows}
    own = {
        row.event: row.channels
        for row in NotificationPreference.objects.filter(tenant_id=user.tenant_id, user=user)
    }
    return {
        kind: list(own.get(kind, default.get(kind, DEFAULT_CHANNELS))) for kind in EventKind.values
    }


def preferences_set(*, user, tenant, values: dict[str, list[str]], default: bool = False):
    """Store ``values`` (event kind -> channel kinds) for ``user`` or as the company default.
    Anything but an object (a list, a text, a number) is refused, not read as ``{}``."""
    from django.utils.translation import gettext as _

    if not isinstance(values, dict):
        message = _("Send an object: each event kind with the list of its channel kinds.")
        raise Invalid(message, fields={"non_field_errors": [message]})
    errors: dict[str, list[str]] = {}
    for event, kinds in values.items():
        if event not in EventKind.values:
            errors[event] = [_("Unknown event kind.")]
        elif not isinstance(kinds, list) or any(k not in ChannelKind.values for k in kinds):
            errors[event] = [_("Unknown channel.")]
    if errors:
        raise Invalid(fields=errors)
    owner = None if default else user
    with transaction.atomic():
        for event, kinds in values.items():
            NotificationPreference.objects.update_or_create(
                tenant=tenant,
                user=owner,
                event=event,
                defaults={"channels": list(dict.fromkeys(kinds))},
            )


def zone_of(tenant):
    """The working-day calendar's time zone of ``tenant`` (service hours), else Shanghai."""
    try:
        from crm.service.selectors import parse_time_zone, working_hours_of

        return parse_time_zone(working_hours_of(tenant).time_zone)
    except Exception:  # no service module, a bad zone name: the default
        return ZONE


def hold_until(tenant, kind: str, event: str, now: dt.datetime | None = None):
    """When a message of channel ``kind`` for ``event`` may go: None (now) or the end
    of the quiet hours (the next ``end`` o'clock in the calendar's zone)."""
    if kind not in QUIET_KINDS:
        return None
    if event == EventKind.ESCALATION and tenant.setting("messaging_escalations_bypass_quiet"):
        return None
    start = tenant.setting("messaging_quiet_start_hour")
    end = tenant.setting("messaging_quiet_end_hour")
    if start == end:
        return None
    local = (now or timezone.now()).astimezone(zone_of(tenant))
    hour = local.hour
    quiet = (start <= hour or hour < end) if start > end else (start <= hour < end)
    if not quiet:
        return None
    morning = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if morning <= local:
        morning += dt.timedelta(days=1)
    return morning


def dispatch(*, user, event: str, title: str, body: str, now=None) -> list:
    """Queue ``title``/``body`` to ``user`` on each channel their preference names that
    the company has configured (active); SMS and robots wait out quiet hours."""
    from crm.messaging.services import delivery_queue

    kinds = preferences_of(user)[event]
    channels = {
        c.kind: c
        for c in Channel.objects.filter(tenant_id=user.tenant_id, active=True, kind__in=kinds)
        .select_related("tenant")
        .order_by("-id")
    }
    out = []
    for kind in kinds:
        channel = channels.get(kind)
        if channel is None:
            continue
        recipient = {
            ChannelKind.EMAIL: user.email,
            ChannelKind.SMS: getattr(user, "mobile", "") or "",
        }.get(kind, "")
        out.append(
            delivery_queue(
                channel=channel,
                recipient=recipient,
                recipient_user=user,
                title=title,
                body=body,
                event=event,
                send_at=hold_until(channel.tenant, kind, event, now),
            )
        )
    return out
