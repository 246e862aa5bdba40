"""Messaging actors: one channel delivery, one webhook delivery (ids in, idempotent).

A delivery that failed for a passing reason is re-enqueued with a delay equal to
its backoff (``next_attempt_at`` on the row); dramatiq's own retries cover
errors of the database or the broker.
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
    from crm.messaging import services
    from crm.messaging.models import Delivery

    with scopes_disabled():
        outcome = services.deliver(delivery_id)
        if outcome == services.RETRY:
            when = (
                Delivery.objects.filter(pk=delivery_id)
                .values_list("next_attempt_at", flat=True)
                .first()
            )
            send_delivery.send_with_options(args=(delivery_id,), delay=_delay_ms(when))
    log.debug("delivery %s: %s", delivery_id, outcome)


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
