"""The public pool under a hostile client: claims sent at once stay within the
per-user daily cap (customers and leads), and a reason made only of invisible
characters is no reason."""

from __future__ import annotations

from collections import Counter

import pytest

from crm.core import services as core
from crm.customers.models import Customer, Lead
from crm.customers.services import customer_create
from tests.conftest import client_for, uses_postgres
from tests.customers.leads import lead_in_state
from tests.races import race
from workflows.engine import transition
from workflows.models import TransitionLog

THREADS = 6
CAP = 2
needs_postgres = pytest.mark.skipif(
    not uses_postgres(),
    reason="needs PostgreSQL (DATABASE_URL; CI sets it): the cap is kept by a row lock "
    "(SELECT ... FOR UPDATE), a no-op on SQLite, which serialises writers",
)


def pooled_customers(admin, n: int) -> list[Customer]:
    out = []
    for i in range(n):
        customer = customer_create(
            tenant=admin.tenant, actor=admin, name=f"公海并发客户{i}", owner=admin
        )
        transition(
            model=Customer,
            pk=customer.pk,
            name="release",
            tenant=admin.tenant,
            actor=admin,
            inputs={"reason": "闲置"},
        )
        out.append(customer)
    return out


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_customer_claims_at_once_stay_within_the_daily_cap(admin, rep):
    core.tenant_settings_update(tenant=admin.tenant, actor=admin, customer_daily_claim_cap=CAP)
    customers = pooled_customers(admin, THREADS)
    clients = [client_for(rep) for _ in range(THREADS)]
    calls = [
        (lambda c, pk=customer.pk: c.post(f"/api/v1/customers/{pk}/transitions/claim/", {}))
        for customer in customers
    ]
    codes = Counter(r.status_code for r in race(clients, calls))
    assert codes == {200: CAP, 400: THREADS - CAP}, codes
    assert Customer.objects.filter(owner=rep).count() == CAP
    assert (
        TransitionLog.objects.filter(process="customer", transition="claim", actor=rep).count()
        == CAP
    )


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_lead_claims_at_once_stay_within_the_daily_cap(admin, rep):
    core.tenant_settings_update(tenant=admin.tenant, actor=admin, daily_claim_cap=CAP)
    leads = [
        lead_in_state(admin, "pooled", company_name=f"公海并发线索{i}") for i in range(THREADS)
    ]
    clients = [client_for(rep) for _ in range(THREADS)]
    calls = [
        (lambda c, pk=lead.pk: c.post(f"/api/v1/leads/{pk}/transitions/claim/", {}))
        for lead in leads
    ]
    codes = Counter(r.status_code for r in race(clients, calls))
    assert codes == {200: CAP, 400: THREADS - CAP}, codes
    assert Lead.objects.filter(owner=rep).count() == CAP


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["\u200b", "\u200b \u202e\ufeff", "\u2060"])
def test_an_invisible_release_reason_is_missing_and_nothing_changes(admin, rep, reason):
    customer = customer_create(tenant=admin.tenant, actor=admin, name="上海青松科技", owner=rep)
    response = client_for(rep).post(
        f"/api/v1/customers/{customer.pk}/transitions/release/?lang=en",
        {"reason": reason},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["reasons"] == ["Give the reason for returning the customer to the pool."]
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.status, stored.owner_id, stored.release_reason) == ("owned", rep.pk, "")
    assert not TransitionLog.objects.filter(object_id=customer.pk, process="customer").exists()


@pytest.mark.django_db
def test_the_engine_refuses_an_invisible_required_input(admin, rep):
    """Callers other than the API (imports, actors) reach the engine directly."""
    from crm.core.errors import GuardFailed

    customer = customer_create(tenant=admin.tenant, actor=admin, name="上海青松科技", owner=rep)
    with pytest.raises(GuardFailed):
        transition(
            model=Customer,
            pk=customer.pk,
            name="release",
            tenant=admin.tenant,
            actor=admin,
            inputs={"reason": "\u200b\u200b"},
        )
    assert Customer.objects.get(pk=customer.pk).status == "owned"


@pytest.mark.django_db
def test_a_level_rule_must_leave_room_for_the_warning(admin):
    """The tenant's idle days must exceed its warning days; a level's override was
    not checked, so a level returned to the pool before (or as) it was warned."""
    from crm.core.models import DictionaryItem
    from crm.customers.models import PoolLevelRule

    core.tenant_settings_update(tenant=admin.tenant, actor=admin, customer_pool_warning_days=7)
    level = DictionaryItem.objects.create(tenant=admin.tenant, kind="level", code="z", label="Z")
    api = client_for(admin)
    for days in (5, 7):
        refused = api.post(
            "/api/v1/pool-level-rules/?lang=en",
            {"level": level.pk, "idle_days": days},
            format="json",
        )
        assert refused.status_code == 400, refused.content
        assert refused.json()["fields"] == {
            "idle_days": ["The warning must come before the return to the pool."]
        }
    assert not PoolLevelRule.objects.filter(level=level).exists()
    created = api.post(
        "/api/v1/pool-level-rules/", {"level": level.pk, "idle_days": 8}, format="json"
    )
    assert created.status_code == 201, created.content
    rule = created.json()["id"]
    refused = api.patch(f"/api/v1/pool-level-rules/{rule}/", {"idle_days": 3}, format="json")
    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["idle_days"]
    assert PoolLevelRule.objects.get(pk=rule).idle_days == 8


@pytest.mark.django_db
def test_the_warning_cannot_be_raised_to_a_level_rules_idle_days(admin):
    """The reverse of the rule above: the tenant's warning raised to (or past) a
    level's idle days was saved, so customers of that level went back to the pool
    before (or as) they were warned. Refused, naming the warning and the levels."""
    from crm.core.models import DictionaryItem, Tenant
    from crm.customers.models import PoolLevelRule

    tenant = admin.tenant
    core.tenant_settings_update(tenant=tenant, actor=admin, customer_pool_warning_days=3)
    level = {
        code: DictionaryItem.objects.create(tenant=tenant, kind="level", code=code, label=label)
        for code, label in (("x", "X级"), ("y", "Y级"), ("w", "W级"))
    }
    api = client_for(admin)
    for code, days in (("x", 10), ("y", 7), ("w", 30)):
        made = api.post(
            "/api/v1/pool-level-rules/", {"level": level[code].pk, "idle_days": days}, format="json"
        )
        assert made.status_code == 201, made.content

    def warn(days: int):
        return api.patch(
            "/api/v1/settings/?lang=en", {"customer_pool_warning_days": days}, format="json"
        )

    for days in (7, 10):  # as long as Y's idle days, then past it and as long as X's
        refused = warn(days)
        assert refused.status_code == 400, refused.content
        assert list(refused.json()["fields"]) == ["customer_pool_warning_days"]
        [message] = refused.json()["fields"]["customer_pool_warning_days"]
        assert "“Y级”" in message and "after as few as 7 days" in message, message
        assert ("“X级”" in message) == (days == 10), message
        assert "W级" not in message, message
        assert Tenant.objects.get(pk=tenant.pk).setting("customer_pool_warning_days") == 3
    saved = warn(6)  # shorter than every level's idle days
    assert saved.status_code == 200, saved.content
    assert Tenant.objects.get(pk=tenant.pk).setting("customer_pool_warning_days") == 6
    # A rule given more idle days makes room for a longer warning.
    rule = PoolLevelRule.objects.get(level=level["y"])
    assert api.patch(f"/api/v1/pool-level-rules/{rule.pk}/", {"idle_days": 20}).status_code == 200
    assert warn(9).status_code == 200


@pytest.mark.django_db
def test_the_tenant_warning_must_come_before_its_own_idle_days(admin):
    """Without level rules, the tenant's own idle days bound the warning, either way."""
    api = client_for(admin)
    for body in (
        {"customer_pool_idle_days": 10, "customer_pool_warning_days": 12},
        {"customer_pool_idle_days": 5},  # the warning (7 by default) now comes too late
    ):
        refused = api.patch("/api/v1/settings/?lang=en", body, format="json")
        assert refused.status_code == 400, refused.content
        assert refused.json()["fields"] == {
            "customer_pool_warning_days": ["The warning must come before the return to the pool."]
        }
    assert api.patch("/api/v1/settings/", {"customer_pool_idle_days": 8}).status_code == 200
