"""Messaging actors: channel deliveries, mass send expansion, webhook deliveries
(ids in, idempotent).

A delivery that failed for a passing reason stays queued with its backoff in
``next_attempt_at``; the scheduler loop's ``tick`` hands due rows to workers
(the database is the durable queue: a lost Redis loses no retry); dramatiq's
own retries cover errors of the database or the broker.
"""

import logging

import dramatiq
from django.utils import timezone
from django_scopes import scopes_disabled

log = logging.getLogger(__name__)


def _delay_ms(when) -> int:
    return max(int((when - timezone.now()).total_seconds() * 1000), 0) if when else 0


@dramatiq.actor(queue_name="messaging", max_retries=5, min_backoff=1000, max_backoff=60000)
def send_delivery(delivery_id: int) -> None:
    """One delivery (the test action, a replay). A passing failure leaves the row
    queued with its ``next_attempt_at``: the scheduler loop hands it over again
    when due (``services.hand_due``), so no retry rests on a delayed message."""
    send_deliveries([delivery_id])


@dramatiq.actor(queue_name="messaging", max_retries=5, min_backoff=1000, max_backoff=60000)
def send_deliveries(delivery_ids: list[int]) -> None:
    """A batch of deliveries, each sent once (``services.deliver_batch``)."""
    from crm.messaging import massing, services

    with scopes_disabled():
        # A few queries for the batch (claim, related rows, suppression); one UPDATE a send.
        outcomes = services.deliver_batch(delivery_ids)
        log.debug("deliveries: %s", outcomes)
        for pk in services.mass_sends_of(delivery_ids):
            massing.complete_if_done(pk)


@dramatiq.actor(queue_name="messaging", max_retries=10, min_backoff=1000, max_backoff=60000)
def expand_mass_send(mass_send_id: int) -> None:
    """Write a mass send's deliveries (idempotent) and hand the first ones over."""
    from crm.messaging import massing

    added = massing.expand(mass_send_id)
    log.info("mass send %s: %d deliveries written", mass_send_id, added)


def tick() -> dict:
    """The scheduler loop's messaging chore: mass sends to start or complete, then
    deliveries due (held for the morning, after a backoff) or stale claims."""
    from crm.messaging import massing, services

    with scopes_disabled():
        out = massing.tick()
        out["handed"] = services.hand_due()
    return out


@dramatiq.actor(queue_name="webhooks", max_retries=5, min_backoff=1000, max_backoff=60000)
def send_webhook(delivery_id: int) -> None:
    from crm.messaging import webhooks
    from crm.messaging.models import WebhookDelivery

    with scopes_disabled():
        outcome = webhooks.deliver(delivery_id)
        if outcome == "retry":
            when = (
                WebhookDelivery.objects.filter(pk=delivery_id)
                .values_list("next_attempt_at", flat=True)
                .first()
            )
            send_webhook.send_with_options(args=(delivery_id,), delay=_delay_ms(when))
    log.debug("webhook delivery %s: %s", delivery_id, outcome)
