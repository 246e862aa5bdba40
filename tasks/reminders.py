"""The reminder delivery actor: takes an id, idempotent (see workflows.reminders)."""

import dramatiq
from django_scopes import scopes_disabled

from workflows import reminders


@dramatiq.actor(queue_name="reminders", max_retries=5, min_backoff=1000, max_backoff=60000)
def deliver_reminder(reminder_id: int) -> str:
    with scopes_disabled():
        return reminders.deliver(reminder_id)
