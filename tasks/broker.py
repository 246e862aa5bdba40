"""Which broker is in use: Redis when REDIS_URL is set, in-process otherwise.

django-dramatiq builds the broker from ``settings.DRAMATIQ_BROKER`` when the
apps load; this module only answers questions about it.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

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


def redacted(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def wait_for_redis(
    url: str, *, attempts: int = 5, first_delay: float = 0.5, sleep=time.sleep
) -> str | None:
    """Ping Redis up to ``attempts`` times, doubling the pause between tries.

    Returns None once it answers, else the last error. A worker checks this
    before it starts: dramatiq's consumers retry a lost connection forever
    (every 3 s, silently to the operator), so an unreachable ``REDIS_URL``
    would look like a running worker that never does anything.
    """
    import redis

    delay, error = first_delay, "no attempt made"
    for attempt in range(attempts):
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        try:
            if client.ping():
                return None
        except redis.RedisError as exc:
            error = str(exc) or type(exc).__name__
        finally:
            client.close()
        if attempt + 1 < attempts:
            sleep(delay)
            delay *= 2
    return error
