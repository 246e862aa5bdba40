"""The reminder delivery actors: they take ids and are idempotent (see workflows.reminders).

The scheduler sends ``deliver_reminders`` one message per batch of claimed ids;
``deliver_reminder`` (one id) retries a reminder of a batch that failed, alone.
"""

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


@dramatiq.actor(queue_name="reminders", max_retries=5, min_backoff=1000, max_backoff=60000)
def deliver_reminders(reminder_ids: list[int]) -> None:
    """Deliver a batch; the reminders that failed are retried one by one."""
    with scopes_disabled():
        outcomes = reminders.deliver_many(reminder_ids)
    failed = [pk for pk, outcome in outcomes.items() if outcome == reminders.FAILED]
    if len(failed) == len(outcomes) > 1:
        # Nothing could be delivered (the database is down?): retry the whole message
        # later rather than one message per reminder. Past its retries the claims
        # go stale and the scheduler enqueues them again.
        raise RuntimeError(f"no reminder of a batch of {len(failed)} could be delivered")
    for pk in failed:  # committed or not, each is retried alone with its own backoff
        deliver_reminder.send(pk)
    log.debug("reminders %s: %s", reminder_ids, outcomes)
