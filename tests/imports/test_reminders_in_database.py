"""PostgreSQL plans imported customers' pool reminders in SQL: the same rows as the
Python rules (``workflows.customer``) build for the same records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from crm.core import services as core
from crm.core.models import DictionaryItem
from crm.customers.models import Customer, PoolLevelRule
from tests.imports.helpers import csv_bytes, run
from tests.imports.test_imports import customer_rows
from workflows import reminders
from workflows.models import Reminder
from workflows.process import get_process

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (DATABASE_URL; CI sets it): only PostgreSQL plans the "
        "reminders in SQL; other databases run the Python rules themselves",
    ),
]

DAY = dt.timedelta(days=1)
FIELDS = (
    "tenant_id",
    "content_type_id",
    "object_id",
    "rule",
    "state",
    "due_at",
    "recipient_id",
    "status",
    "attempts",
    "claimed_at",
    "sent_at",
    "note",
)


def _configure(tenant, admin, **settings):
    core.tenant_settings_update(tenant=tenant, actor=admin, **settings)
    tenant.refresh_from_db()


def _rows(ids) -> list[tuple]:
    ct = ContentType.objects.get_for_model(Customer)
    return sorted(
        Reminder.objects.filter(content_type=ct, object_id__in=list(ids)).values_list(*FIELDS)
    )


def _python_rows(tenant, plan: dict) -> list[tuple]:
    """Forget the records' reminders, plan them again with the Python rules."""
    ct = ContentType.objects.get_for_model(Customer)
    Reminder.objects.filter(content_type=ct, object_id__in=list(plan)).delete()
    tenant.refresh_from_db()  # a fresh tenant object: no cached level rules
    reminders._plan_in_python(Customer, get_process(Customer), tenant, plan, ("owner",))
    return _rows(plan)


def _database_rows(tenant, plan: dict) -> tuple[int, list[tuple]]:
    ct = ContentType.objects.get_for_model(Customer)
    Reminder.objects.filter(content_type=ct, object_id__in=list(plan)).delete()
    count = reminders._plan_in_database(get_process(Customer), ct, tenant, plan)
    return count, _rows(plan)


def test_an_imports_reminders_equal_the_python_rules_rows(api, tenant, admin, rep):
    _configure(tenant, admin, customer_pool_idle_days=30, customer_pool_warning_days=5)
    level_a = DictionaryItem.objects.get(tenant=tenant, kind="level", code="a")
    PoolLevelRule.objects.create(tenant=tenant, level=level_a, idle_days=60)
    rows = customer_rows(4)
    rows[3][4] = ""  # no level: the tenant's 30 days
    rows[4][4] = ""
    rows[4][rows[0].index("负责人")] = rep.username
    job = run(api, csv_bytes(rows))
    assert job["totals"]["new"] == 4, job
    customers = {c.code: c for c in Customer.objects.filter(tenant=tenant)}
    ids = [c.pk for c in customers.values()]

    imported = _rows(ids)
    assert len(imported) == 8  # two rules for each of the four owned customers
    due = {(r[2], r[3]): r[5] for r in imported}
    recipient = {r[2]: r[6] for r in imported}
    for code, days in (("C0001", 60), ("C0002", 60), ("C0003", 30), ("C0004", 30)):
        c = customers[code]
        assert c.created_at < c.owned_since  # the file's 创建日期 is older: owned_since counts
        assert due[(c.pk, "customer.auto_pool")] == c.owned_since + days * DAY
        assert due[(c.pk, "customer.pool_warning")] == c.owned_since + (days - 5) * DAY
    assert recipient[customers["C0004"].pk] == rep.pk
    assert recipient[customers["C0001"].pk] == admin.pk

    assert _python_rows(tenant, dict.fromkeys(ids)) == imported


def test_edge_cases_equal_the_python_rules_rows(tenant, admin, rep):
    """No owner, pooled, a later activity, no owner start, a level without a rule, and
    a subset of rules: the same rows (or none) from both paths."""
    _configure(tenant, admin, customer_pool_idle_days=20, customer_pool_warning_days=3)
    level_a = DictionaryItem.objects.get(tenant=tenant, kind="level", code="a")
    level_b = DictionaryItem.objects.filter(tenant=tenant, kind="level").exclude(pk=level_a.pk)[0]
    PoolLevelRule.objects.create(tenant=tenant, level=level_a, idle_days=45)
    now = dt.datetime(2026, 3, 7, 9, 30, 15, 123456, tzinfo=dt.UTC)

    def make(name, **fields):
        return Customer.objects.create(tenant=tenant, name=name, **fields).pk

    plain = make("甲", owner=rep, owned_since=now)
    no_owner = make("乙", owner=None, owned_since=None)
    pooled = make("丙", owner=None, status="pooled", pooled_at=now)
    later = make("丁", owner=rep, owned_since=now, last_activity_at=now + 3 * DAY, level=level_a)
    older = make("戊", owner=admin, owned_since=now, last_activity_at=now - 3 * DAY)
    unstarted = make("己", owner=rep, owned_since=None, level=level_b)
    plan = dict.fromkeys([plain, no_owner, pooled, later, older, unstarted])

    count, in_database = _database_rows(tenant, plan)
    assert count == len(in_database) == 8
    assert {r[2] for r in in_database} == {plain, later, older, unstarted}
    due = {(r[2], r[3]): r[5] for r in in_database}
    assert due[(later, "customer.auto_pool")] == now + 3 * DAY + 45 * DAY
    assert due[(older, "customer.pool_warning")] == now + 17 * DAY
    created = Customer.objects.get(pk=unstarted).created_at
    assert due[(unstarted, "customer.auto_pool")] == created + 20 * DAY
    assert _python_rows(tenant, plan) == in_database

    subset = {plain: frozenset({"customer.auto_pool"}), later: None, no_owner: None}
    count, in_database = _database_rows(tenant, subset)
    assert count == 3 and [r[3] for r in in_database if r[2] == plain] == ["customer.auto_pool"]
    assert _python_rows(tenant, subset) == in_database

    _configure(tenant, admin, customer_pool_warning_days=0)  # no warning at all
    count, in_database = _database_rows(tenant, plan)
    assert count == 4 and {r[3] for r in in_database} == {"customer.auto_pool"}
    assert _python_rows(tenant, plan) == in_database


def test_schedule_many_plans_customers_in_the_database(tenant, admin, rep, monkeypatch):
    """The import's entry point takes the SQL path for customers (the Python one
    is not called) and cancels the open reminders of the records planned again."""
    customer = Customer.objects.create(tenant=tenant, name="庚", owner=rep, owned_since=None)
    calls = []
    monkeypatch.setattr(reminders, "_plan_in_python", lambda *a: calls.append(a) or 0)
    assert reminders.schedule_many(Customer, tenant=tenant, created=[customer.pk]) == 2
    assert reminders.schedule_many(Customer, tenant=tenant, again={customer.pk: None}) == 2
    assert calls == []
    statuses = sorted(Reminder.objects.filter(object_id=customer.pk).values_list("rule", "status"))
    assert statuses == [
        ("customer.auto_pool", "cancelled"),
        ("customer.auto_pool", "pending"),
        ("customer.pool_warning", "cancelled"),
        ("customer.pool_warning", "pending"),
    ]
