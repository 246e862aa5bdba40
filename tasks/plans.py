"""The daily "submit your plan" check (crm.activities.services.plans.remind_missing_plans).

The scheduler enqueues it every ``SCHEDULER_PLAN_CHECK_SECONDS``; it is
idempotent (one reminder per user and day), so a duplicate message or two
schedulers do nothing twice.
"""

import logging

import dramatiq
from django_scopes import scopes_disabled

log = logging.getLogger(__name__)


@dramatiq.actor(queue_name="reminders", max_retries=3)
def check_missing_plans() -> None:
    from crm.activities.services.plans import remind_missing_plans

    with scopes_disabled():
        told = remind_missing_plans()
    log.debug("plan check: %d people told", told)
