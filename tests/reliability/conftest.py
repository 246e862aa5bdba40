"""Fixtures of the reliability suite."""

from __future__ import annotations

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker

from tests.conftest import RunningWorker, uses_postgres


@pytest.fixture
def worker(transactional_db):
    """Like the shared ``worker`` fixture, with threads that suit the database: one on
    SQLite (its in-memory test database locks whole tables across threads), four on
    PostgreSQL so concurrent deliveries really race."""
    import tasks.actors  # noqa: F401 - declare every actor and its queue

    broker = dramatiq.get_broker()
    broker.flush_all()
    if isinstance(broker, StubBroker):
        broker.dead_letters_by_queue.clear()
    w = dramatiq.Worker(broker, worker_timeout=100, worker_threads=4 if uses_postgres() else 1)
    w.start()
    yield RunningWorker(broker, w)
    w.stop()
    broker.flush_all()
