"""Outbound webhooks: events signed and POSTed to integrators' URLs.

The recipe an integrator checks a delivery with (also in README.md)::

    expected = hex(HMAC-SHA256(key=secret, msg=X-Shanghui-Timestamp + "." + raw body))
    valid = compare_digest(expected, X-Shanghui-Signature)

and refuses timestamps older than a few minutes (replays). Events come from
``workflows.events`` after the business transaction committed; each
subscribed webhook gets a ``WebhookDelivery`` row, sent by
``tasks.messaging.send_webhook`` and retried with backoff for a day. A webhook
failing ``WEBHOOK_DISABLE_AFTER`` times in a row is switched off and its
company's admins are notified.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from crm.core.errors import Invalid
from crm.core.writes import audited_create, audited_delete, audited_update, refuse_unknown
from crm.messaging import crypto, senders
from crm.messaging.models import Webhook, WebhookDelivery

log = logging.getLogger(__name__)

# The events integrators subscribe to: name -> (process, transition) or None (other source).
EVENTS: dict[str, Any] = {
    "lead.converted": gettext_lazy("lead converted"),
    "opportunity.won": gettext_lazy("opportunity won"),
    "contract.signed": gettext_lazy("contract signed"),
    "payment.confirmed": gettext_lazy("payment confirmed"),
    "payment.reversed": gettext_lazy("payment reversed"),
    "complaint.breached": gettext_lazy("complaint SLA breached"),
}
# (process, transition) -> event
TRANSITION_EVENTS = {
    ("lead", "convert"): "lead.converted",
    ("opportunity", "won"): "opportunity.won",
    ("contract", "sign"): "contract.signed",
    ("payment", "confirm"): "payment.confirmed",
    ("payment", "reverse"): "payment.reversed",
}
# Waits after each failed attempt: 1 min, 5 min, 30 min, 2 h, 6 h, 15 h (~24 h in all).
RETRY_SCHEDULE = (60, 300, 1800, 7200, 21600, 54000)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
DISABLE_AFTER = 20  # consecutive failed attempts before a webhook is switched off
WEBHOOK_FIELDS = ("url", "events", "active")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Shanghui-Signature of a delivery: hex HMAC-SHA256 of ``timestamp.body``."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _check_events(events) -> None:
    if not isinstance(events, list) or not events:
        raise Invalid(fields={"events": [_("Choose at least one event.")]})
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise Invalid(
            fields={
                "events": [_("Unknown event: %(name)s.") % {"name": ", ".join(map(str, unknown))}]
            }
        )


def webhook_create(*, tenant, actor, **fields: Any) -> tuple[Webhook, str]:
    """A new webhook and its signing secret (returned once: only its cipher is stored)."""
    refuse_unknown(fields, WEBHOOK_FIELDS)
    _check_events(fields.get("events"))
    secret = "whsec_" + secrets.token_hex(24)
    webhook = audited_create(
        Webhook,
        tenant=tenant,
        actor=actor,
        fields={**fields, "secret_encrypted": crypto.encrypt(secret)},
        audit_fields=list(fields),
    )
    return webhook, secret


def webhook_update(webhook: Webhook, *, tenant, actor, **fields: Any):
    refuse_unknown(fields, WEBHOOK_FIELDS)
    if "events" in fields:
        _check_events(fields["events"])
    if fields.get("active") and not webhook.active:
        # Switched on again by hand: its failure count starts over.
        webhook.consecutive_failures = 0
        webhook.disabled_at = None
        audited_update(
            webhook,
            tenant=tenant,
            actor=actor,
            fields=fields,
            extra_fields=["consecutive_failures", "disabled_at"],
        )
    else:
        audited_update(webhook, tenant=tenant, actor=actor, fields=fields)
    return webhook


def webhook_delete(webhook: Webhook, *, tenant, actor) -> None:
    audited_delete(webhook, tenant=tenant, actor=actor)


# --- emitting -------------------------------------------------------------------------


def emit(event: str, *, tenant_id: int, data: dict) -> list[int]:
    """Queue ``event`` to every active webhook of the tenant subscribed to it.

    Call after the business transaction committed (``workflows.events`` does).
    Returns the new deliveries' ids.
    """
    from tasks.messaging import send_webhook

    now = timezone.now()
    with scopes_disabled(), transaction.atomic():
        hooks = [
            h
            for h in Webhook.objects.filter(tenant_id=tenant_id, active=True)
            if event in (h.events or [])
        ]
        rows = []
        for hook in hooks:
            uid = uuid.uuid4()
            payload = {
                "event": event,
                "id": str(uid),
                "occurred_at": now.isoformat(),
                "data": data,
            }
            rows.append(
                WebhookDelivery(
                    tenant_id=tenant_id, webhook=hook, uid=uid, event=event, payload=payload
                )
            )
        created = WebhookDelivery.objects.bulk_create(rows)
        ids = [row.pk for row in created]
        for pk in ids:
            transaction.on_commit(partial(send_webhook.send, pk))
    return ids


def record_data(obj) -> dict:
    """The record as JSON: its concrete fields (foreign keys as ids), no secrets."""
    from crm.core import audit

    names = [
        f.name
        for f in obj._meta.concrete_fields
        if f.name not in {"tenant", "search_key", "password"}
    ]
    return audit.snapshot(obj, names)


def on_transition(*, model, pk: int, process: str, transition: str, tenant_id: int) -> None:
    """The engine's after-commit listener: a transition that is an event is emitted."""
    event = TRANSITION_EVENTS.get((process, transition))
    if event is None:
        return
    with scopes_disabled():
        if not Webhook.objects.filter(tenant_id=tenant_id, active=True).exists():
            return  # most companies have none: no record read
        obj = model._base_manager.filter(pk=pk).first()
        if obj is None:
            return
        emit(event, tenant_id=tenant_id, data=record_data(obj))


def on_event(*, event: str, model, pk: int, tenant_id: int) -> None:
    """The listener of business events that are not transitions (complaint.breached)."""
    if event not in EVENTS:
        return
    with scopes_disabled():
        if not Webhook.objects.filter(tenant_id=tenant_id, active=True).exists():
            return
        obj = model._base_manager.filter(pk=pk).first()
        if obj is not None:
            emit(event, tenant_id=tenant_id, data=record_data(obj))


# --- sending --------------------------------------------------------------------------


def deliver(delivery_id: int) -> str:
    """POST one webhook delivery once (row lock + status check); returns the outcome."""
    with scopes_disabled(), transaction.atomic():
        row = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("webhook")
            .filter(pk=delivery_id)
            .first()
        )
        if row is None:
            return "missing"
        if row.status != WebhookDelivery.Status.QUEUED:
            return "done-already"
        now = timezone.now()
        if row.next_attempt_at and row.next_attempt_at > now + timedelta(seconds=1):
            return "retry"
        hook = row.webhook
        if not hook.active:
            row.status = WebhookDelivery.Status.FAILED
            row.error = "webhook inactive"
            row.save(update_fields=["status", "error"])
            return "failed"
        body = json.dumps(row.payload, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "X-Shanghui-Event": row.event,
            "X-Shanghui-Delivery": str(row.uid),
            "X-Shanghui-Timestamp": timestamp,
            "X-Shanghui-Signature": sign(crypto.decrypt(hook.secret_encrypted), timestamp, body),
            "User-Agent": "Shanghui-Webhook/1",
        }
        row.attempts += 1
        try:
            status, text = senders.post_bytes(hook.url, body, headers)
            row.response_code = status
            ok = 200 <= status < 300
            row.error = "" if ok else f"HTTP {status}: {text[:500]}"
        except senders.SendError as exc:
            ok = False
            row.response_code = None
            row.error = str(exc)[:2000]
        if ok:
            row.status = WebhookDelivery.Status.SENT
            row.sent_at = now
            row.next_attempt_at = None
            outcome = "sent"
        else:
            if row.attempts >= MAX_ATTEMPTS:
                row.status = WebhookDelivery.Status.FAILED
                row.next_attempt_at = None
                outcome = "failed"
            else:
                row.next_attempt_at = now + timedelta(seconds=RETRY_SCHEDULE[row.attempts - 1])
                outcome = "retry"
        row.save(
            update_fields=[
                "status",
                "attempts",
                "response_code",
                "error",
                "sent_at",
                "next_attempt_at",
            ]
        )
        # The webhook row is locked too: parallel deliveries count failures exactly.
        locked = Webhook.objects.select_for_update().get(pk=hook.pk)
        locked.consecutive_failures = 0 if ok else locked.consecutive_failures + 1
        fields = ["consecutive_failures"]
        if not ok and locked.active and locked.consecutive_failures >= DISABLE_AFTER:
            locked.active = False
            locked.disabled_at = now
            fields += ["active", "disabled_at"]
            _notify_admins(locked)
        locked.save(update_fields=fields)
    return outcome


def _notify_admins(webhook: Webhook) -> None:
    from crm.activities.services import notify
    from crm.core.models import Role, User

    roles = [
        r.pk
        for r in Role.objects.filter(tenant_id=webhook.tenant_id)
        if "messaging.webhook.edit" in (r.permissions or [])
    ]
    admins = User.objects.filter(tenant_id=webhook.tenant_id, is_active=True, roles__in=roles)
    for user in admins.distinct():
        notify(
            tenant_id=webhook.tenant_id,
            recipient_id=user.pk,
            title=_("Webhook switched off after repeated failures"),
            body=_("%(url)s failed %(count)d times in a row and was switched off.")
            % {"url": webhook.url, "count": webhook.consecutive_failures},
            link="/webhooks",
        )


def replay(row: WebhookDelivery) -> WebhookDelivery:
    """Send a logged delivery again as a new delivery (same event id, new attempt log)."""
    from tasks.messaging import send_webhook

    with transaction.atomic():
        copy = WebhookDelivery.objects.create(
            tenant_id=row.tenant_id, webhook=row.webhook, event=row.event, payload=row.payload
        )
        transaction.on_commit(partial(send_webhook.send, copy.pk))
    return copy
