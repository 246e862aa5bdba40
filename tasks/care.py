"""The daily care tick (crm.care.services.care_tick): care follow-ups for the
coming birthdays, anniversaries and festivals.

The scheduler enqueues it every ``SCHEDULER_CARE_SECONDS``; it is idempotent
(one occurrence row per rule, person or customer and year, unique in the
database), so a duplicate message or two schedulers do nothing twice.
"""

import logging

import dramatiq

log = logging.getLogger(__name__)


@dramatiq.actor(queue_name="reminders", max_retries=3)
def run_care_tick() -> None:
    from crm.care.services import care_tick

    made = care_tick()
    log.debug("care tick: %d care follow-ups", made)
