"""Shared fixtures: companies made through the real sign-up, real API clients,
a real dramatiq worker on the configured broker (in-process StubBroker, or
Redis when REDIS_URL is set)."""

from __future__ import annotations

import itertools

import dramatiq
import pytest
from django.conf import settings
from django_scopes import scopes_disabled
from dramatiq.brokers.stub import StubBroker
from rest_framework.test import APIClient

from crm.core import credentials, services
from crm.core.models import Role, Team, User

_seq = itertools.count(1)
PASSWORD = "Test-pass-1234!"


@pytest.fixture(autouse=True)
def _no_scope_in_test_bodies():
    """Test code sets up rows directly; requests still run inside their tenant scope."""
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def clear_rate_limits() -> None:
    """Forget the per-address counters (sign-ups, failed sign-ins) kept in the cache.

    On Redis only the cache's own keys go: the broker may share the database.
    """
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with no sign-up or failed sign-in counted against its address."""
    clear_rate_limits()
    yield


def make_company(name: str | None = None) -> User:
    n = next(_seq)
    return services.tenant_signup(
        company=name or f"测试公司{n}",
        username=f"admin{n}",
        password=PASSWORD,
        email=f"admin{n}@example.cn",
    )


def make_user(admin: User, role: str, *, team: Team | None = None, name: str = "") -> User:
    n = next(_seq)
    return services.user_create(
        tenant=admin.tenant,
        actor=admin,
        username=f"user{n}",
        password=PASSWORD,
        email=f"user{n}@example.cn",
        full_name=name or f"员工{n}",
        team=team,
        roles=[Role.objects.get(tenant=admin.tenant, name=role)],
    )


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        _token, key = credentials.issue_token(user=user, client="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def admin(db) -> User:
    return make_company()


@pytest.fixture
def tenant(admin):
    return admin.tenant


@pytest.fixture
def api(admin) -> APIClient:
    return client_for(admin)


@pytest.fixture
def other_admin(db) -> User:
    return make_company("另一家公司")


@pytest.fixture
def sales_team(admin):
    leader = make_user(admin, "销售经理", name="王经理")
    team = services.team_create(tenant=admin.tenant, actor=admin, name="销售一部", leader=leader)
    services.user_update(leader, tenant=admin.tenant, actor=admin, team=team)
    leader.refresh_from_db()
    return team


@pytest.fixture
def rep(admin, sales_team) -> User:
    return make_user(admin, "销售代表", team=sales_team, name="李销售")


class RunningWorker:
    def __init__(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self.broker = broker
        self.worker = worker

    def drain(self) -> None:
        """Wait until every queue is empty and the worker is idle."""
        for _ in range(3):  # actors may enqueue more (e-mails after notifications)
            for queue in list(self.broker.get_declared_queues()):
                self.broker.join(queue, timeout=30_000)
            self.worker.join()


@pytest.fixture
def worker(transactional_db):
    """A real dramatiq worker on the configured broker, stopped after the test."""
    import tasks.actors  # noqa: F401 - declare every actor and its queue

    broker = dramatiq.get_broker()
    broker.flush_all()
    if isinstance(broker, StubBroker):
        broker.dead_letters_by_queue.clear()
    w = dramatiq.Worker(broker, worker_timeout=100, worker_threads=2)
    w.start()
    yield RunningWorker(broker, w)
    w.stop()
    broker.flush_all()


def uses_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def uses_redis() -> bool:
    return bool(settings.REDIS_URL)
