"""The write path of messaging: channels, deliveries (sent once, retried with backoff)."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from crm.core.errors import Invalid
from crm.core.writes import audited_create, audited_delete, audited_update, refuse_unknown
from crm.messaging import crypto, senders
from crm.messaging.models import Channel, ChannelKind, Delivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BASE_BACKOFF_SECONDS = 30  # 30 s, 1 min, 2 min, 4 min, 8 min: ~15 min in all
CHANNEL_FIELDS = ("kind", "name", "active", "endpoint", "options")
NEEDS_ENDPOINT = {ChannelKind.SMS, ChannelKind.WECOM, ChannelKind.DINGTALK, ChannelKind.FEISHU}

# What happened to a delivery (for logs, tests and the actor).
SENT, RETRY, FAILED, DONE_ALREADY, MISSING = "sent", "retry", "failed", "done-already", "missing"


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
    """A queued delivery, sent by a worker after commit (at ``send_at`` when given)."""
    from tasks.messaging import send_delivery

    delivery = Delivery.objects.create(
        tenant_id=channel.tenant_id,
        channel=channel,
        recipient=recipient,
        recipient_user=recipient_user,
        title=title[:300],
        body=body,
        event=event,
        next_attempt_at=send_at,
    )
    delay = None
    if send_at is not None:
        delay = max(int((send_at - timezone.now()).total_seconds() * 1000), 0)
    transaction.on_commit(partial(_enqueue, send_delivery, delivery.pk, delay))
    return delivery


def _enqueue(actor, pk: int, delay: int | None) -> None:
    if delay:
        actor.send_with_options(args=(pk,), delay=delay)
    else:
        actor.send(pk)


def deliver(delivery_id: int) -> str:
    """Send one delivery once; idempotent under redelivery (row lock + status check).

    A transient failure leaves it queued with ``next_attempt_at`` pushed by the
    backoff and returns ``RETRY`` (the actor re-enqueues it with that delay); past
    ``MAX_ATTEMPTS`` or on a permanent error it is ``failed``.
    """
    with scopes_disabled(), transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("channel")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return MISSING
        if delivery.status != Delivery.Status.QUEUED:
            return DONE_ALREADY
        now = timezone.now()
        if delivery.next_attempt_at and delivery.next_attempt_at > now + timedelta(seconds=1):
            return RETRY  # early (a duplicate message): the scheduled one will send it
        channel = delivery.channel
        delivery.attempts += 1
        try:
            if not channel.active:
                raise senders.SendError("channel inactive", permanent=True)
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
            ]
        )
    log.info("delivery %s: %s (attempt %s)", delivery_id, outcome, delivery.attempts)
    return outcome


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
