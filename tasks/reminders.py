"""The reminder delivery actor: takes an id, idempotent (see workflows.reminders)."""

import logging

import dramatiq
from django_scopes import scopes_disabled

from workflows import reminders

log = logging.getLogger(__name__)


@dramatiq.actor(queue_name="reminders", max_retries=5, min_backoff=1000, max_backoff=60000)
def deliver_reminder(reminder_id: int) -> None:
    # Returns nothing: a returned value makes dramatiq log a warning per message.
    with scopes_disabled():
        outcome = reminders.deliver(reminder_id)
    log.debug("reminder %s: %s", reminder_id, outcome)
