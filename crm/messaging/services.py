"""The write path of messaging: channels, deliveries (sent once, retried with backoff)."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from crm.core.errors import Invalid
from crm.core.writes import audited_create, audited_delete, audited_update, refuse_unknown
from crm.messaging import crypto, ratelimit, senders
from crm.messaging.models import Channel, ChannelKind, Delivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BASE_BACKOFF_SECONDS = 30  # 30 s, 1 min, 2 min, 4 min, 8 min: ~15 min in all
CHANNEL_FIELDS = ("kind", "name", "active", "endpoint", "options")
NEEDS_ENDPOINT = {ChannelKind.SMS, ChannelKind.WECOM, ChannelKind.DINGTALK, ChannelKind.FEISHU}

# What happened to a delivery (for logs, tests and the actor).
SENT, RETRY, FAILED, DONE_ALREADY, MISSING = "sent", "retry", "failed", "done-already", "missing"
PAUSED, SUPPRESSED = "paused", "suppressed"


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: doubles each time."""
    return timedelta(seconds=BASE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))


# --- channels -------------------------------------------------------------------------


def _check_channel(kind: str, endpoint: str) -> None:
    if kind in NEEDS_ENDPOINT and not endpoint:
        raise Invalid(fields={"endpoint": [_("This channel needs an endpoint URL.")]})


def channel_create(*, tenant, actor, secret: str = "", **fields: Any) -> Channel:
    refuse_unknown(fields, CHANNEL_FIELDS)
    _check_channel(fields.get("kind", ""), fields.get("endpoint", ""))
    # The audit entry lists the secret only as "set", never its value.
    return audited_create(
        Channel,
        tenant=tenant,
        actor=actor,
        fields={**fields, "secret_encrypted": crypto.encrypt(secret)},
        audit_fields=list(fields),
        extra_changes={"secret": "set"} if secret else None,
    )


def channel_update(channel: Channel, *, tenant, actor, secret: str | None = None, **fields):
    refuse_unknown(fields, CHANNEL_FIELDS)
    _check_channel(fields.get("kind", channel.kind), fields.get("endpoint", channel.endpoint))
    extra = {}
    if secret is not None:
        channel.secret_encrypted = crypto.encrypt(secret)
        extra = {"secret": "changed"}
    audited_update(
        channel,
        tenant=tenant,
        actor=actor,
        fields=fields,
        extra_changes=extra,
        extra_fields=["secret_encrypted"] if extra else (),
    )
    return channel


def channel_delete(channel: Channel, *, tenant, actor) -> None:
    audited_delete(channel, tenant=tenant, actor=actor)


# --- deliveries -----------------------------------------------------------------------


def delivery_queue(
    *,
    channel: Channel,
    body: str,
    recipient: str = "",
    recipient_user=None,
    title: str = "",
    event: str = "",
    send_at=None,
) -> Delivery:
    """A queued delivery. Due now: handed to a worker after commit. Due later (quiet
    hours): the row waits with its ``next_attempt_at`` and the scheduler loop hands
    it over when due (``hand_due``), so nothing rests on a delayed broker message."""
    now = timezone.now()
    later = send_at is not None and send_at > now
    delivery = Delivery.objects.create(
        tenant_id=channel.tenant_id,
        channel=channel,
        recipient=recipient,
        recipient_user=recipient_user,
        title=title[:300],
        body=body,
        event=event,
        next_attempt_at=send_at if later else now,
        claimed_at=None if later else now,
    )
    if not later:
        transaction.on_commit(partial(_enqueue, [delivery.pk]))
    return delivery


def _enqueue(ids: list[int]) -> None:
    from tasks.messaging import send_deliveries

    send_deliveries.send(ids)


def _room(size: int) -> int:
    """Deliveries the workers have room for: the backlog of the messaging queue is
    bounded (``MESSAGING_MAX_BACKLOG`` messages), so a claim is only stale when its
    message was really lost, not merely waiting behind a rate limit."""
    from tasks.messaging import send_deliveries
    from tasks.scheduler import queue_backlog

    most = int(getattr(settings, "MESSAGING_MAX_BACKLOG", 40))
    backlog = queue_backlog(send_deliveries.queue_name)
    return max(0, most - (backlog or 0)) * size


def stale_claim_seconds() -> float:
    return float(getattr(settings, "MESSAGING_STALE_CLAIM_SECONDS", 120))


def hand_due(now=None, limit: int | None = None, size: int = 50, mass_send_id=None) -> int:
    """The scheduler's pass over deliveries: those due (held for the morning, waiting
    out a backoff) and those whose claim went stale (a dead worker, a lost message)
    are claimed (``FOR UPDATE SKIP LOCKED``) and handed to workers in batches. The
    deliveries of a mass send go only while it is sending."""
    from crm.messaging.models import MassSend

    now = now or timezone.now()
    if limit is None:
        limit = _room(size)
    if not limit:
        return 0
    stale = now - timedelta(seconds=stale_claim_seconds())
    due = Delivery.objects.filter(status=Delivery.Status.QUEUED, next_attempt_at__lte=now)
    if mass_send_id is not None:
        due = due.filter(mass_send_id=mass_send_id)
    with scopes_disabled(), transaction.atomic():
        ids = list(
            due.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
            .filter(Q(mass_send__isnull=True) | Q(mass_send__status=MassSend.Status.SENDING))
            .order_by("next_attempt_at")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            # Due by now: the worker sends them (``deliver`` refuses rows due later).
            Delivery.objects.filter(pk__in=ids).update(
                claimed_at=now, next_attempt_at=min(now, timezone.now())
            )
            for start in range(0, len(ids), size):
                transaction.on_commit(partial(_enqueue, ids[start : start + size]))
    return len(ids)


def suppressed_in(ids) -> set[int]:
    """The marketing deliveries among ``ids`` whose address is on the suppression list
    (one query for a worker's batch)."""
    from django.db.models import Exists, OuterRef

    from crm.messaging.models import Suppression

    listed = Suppression.objects.filter(
        tenant_id=OuterRef("tenant_id"),
        channel_kind=OuterRef("channel__kind"),
        address=OuterRef("recipient"),
    )
    return set(
        Delivery.objects.filter(pk__in=ids, mass_send__template__marketing=True)
        .filter(Exists(listed))
        .values_list("pk", flat=True)
    )


def deliver(delivery_id: int, suppressed: bool | None = None) -> str:
    """Send one delivery once; idempotent under redelivery (row lock + status check).

    A transient failure leaves it queued with ``next_attempt_at`` pushed by the
    backoff and returns ``RETRY`` (the actor re-enqueues it with that delay); past
    ``MAX_ATTEMPTS`` or on a permanent error it is ``failed``.
    """
    with scopes_disabled(), transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("channel", "mass_send__template")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return MISSING
        if delivery.status != Delivery.Status.QUEUED:
            return DONE_ALREADY
        if delivery.mass_send_id is not None:
            held = _mass_send_hold(delivery, suppressed)
            if held:
                return held
        now = timezone.now()
        if delivery.next_attempt_at and delivery.next_attempt_at > now + timedelta(seconds=1):
            return RETRY  # early (a duplicate message): the scheduler hands it over when due
        channel = delivery.channel
        delivery.attempts += 1
        try:
            if not channel.active:
                raise senders.SendError("channel inactive", permanent=True)
            ratelimit.take(channel)
            sender = senders.SENDERS[channel.kind]
            provider_id = sender(channel, crypto.decrypt(channel.secret_encrypted), delivery)
        except senders.SendError as exc:
            delivery.error = str(exc)[:2000]
            if exc.permanent or delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = Delivery.Status.FAILED
                delivery.next_attempt_at = None
                outcome = FAILED
            else:
                delivery.next_attempt_at = now + backoff(delivery.attempts)
                delivery.claimed_at = None  # the scheduler hands it over when due
                outcome = RETRY
        else:
            delivery.status = Delivery.Status.SENT
            delivery.provider_id = provider_id or ""
            delivery.sent_at = now
            delivery.error = ""
            delivery.next_attempt_at = None
            outcome = SENT
        delivery.save(
            update_fields=[
                "status",
                "attempts",
                "error",
                "next_attempt_at",
                "provider_id",
                "sent_at",
                "claimed_at",
            ]
        )
    log.info("delivery %s: %s (attempt %s)", delivery_id, outcome, delivery.attempts)
    return outcome


def _mass_send_hold(delivery: Delivery, suppressed: bool | None) -> str | None:
    """A mass send's delivery waits while its send is paused (the scheduler hands it
    over on resume) and is suppressed if its address unsubscribed meanwhile."""
    from crm.messaging.models import MassSend, Suppression

    if delivery.mass_send.status != MassSend.Status.SENDING:
        delivery.claimed_at = None
        delivery.save(update_fields=["claimed_at"])
        return PAUSED
    if suppressed is None:  # not told by the batch: look it up
        suppressed = (
            delivery.mass_send.template.marketing
            and Suppression.objects.filter(
                tenant_id=delivery.tenant_id,
                channel_kind=delivery.channel.kind,
                address=delivery.recipient,
            ).exists()
        )
    if suppressed:
        delivery.status = Delivery.Status.SUPPRESSED
        delivery.save(update_fields=["status"])
        return SUPPRESSED
    return None


def channel_test(channel: Channel, *, actor, recipient: str = "") -> Delivery:
    """Queue a test message on ``channel`` (to ``recipient`` or the acting user)."""
    if channel.kind == ChannelKind.EMAIL:
        recipient = recipient or actor.email
    elif channel.kind == ChannelKind.SMS:
        recipient = recipient or getattr(actor, "mobile", "") or ""
        if not recipient:
            raise Invalid(fields={"recipient": [_("A mobile number is needed.")]})
    with transaction.atomic():
        return delivery_queue(
            channel=channel,
            recipient=recipient,
            recipient_user=actor,
            title=_("Test message"),
            body=_("This is a test message from Shanghui CRM."),
            event="test",
        )
