"""Which broker is in use: Redis when REDIS_URL is set, in-process otherwise.

django-dramatiq builds the broker from ``settings.DRAMATIQ_BROKER`` when the
apps load; this module only answers questions about it.
"""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker


def get_broker() -> dramatiq.Broker:
    return dramatiq.get_broker()


def is_in_process() -> bool:
    return isinstance(get_broker(), StubBroker)


def ping() -> bool:
    """True when the broker answers (always for the in-process one)."""
    broker = get_broker()
    if isinstance(broker, StubBroker):
        return True
    try:
        return bool(broker.client.ping())
    except Exception:
        return False
