"""Stock: the balance always equals the sum of the ledger and never goes negative,
whatever documents come in; two concurrent issues of the last units: one passes."""

import threading

import pytest
from django.db import connection
from django.db.models import Sum
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.core.errors import GuardFailed
from crm.marketing import services
from crm.marketing.models import (
    Requisition,
    StockAdjustment,
    StockBalance,
    StockItem,
    StockMovement,
    StockReturn,
)
from tests.conftest import client_for, make_company, make_user, uses_postgres
from tests.marketing.helpers import D, issued, item, lines, move, receive, requisition

ITEMS = 4
quantity = st.integers(min_value=1, max_value=30)
document = st.one_of(
    st.tuples(st.just("receipt"), st.integers(0, ITEMS - 1), quantity),
    st.tuples(st.just("adjust"), st.integers(0, ITEMS - 1), st.integers(-40, 40).filter(bool)),
    st.tuples(st.just("issue"), st.integers(0, ITEMS - 1), quantity),
    st.tuples(st.just("return"), st.integers(0, ITEMS - 1), quantity),
)


def assert_ledger_matches(tenant):
    ledger = dict(
        StockMovement.objects.filter(tenant=tenant)
        .values("item_id")
        .annotate(q=Sum("quantity"))
        .values_list("item_id", "q")
    )
    for balance in StockBalance.objects.filter(tenant=tenant):
        assert balance.quantity == ledger.get(balance.item_id, D(0))
        assert balance.quantity >= 0


@pytest.mark.django_db
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(docs=st.lists(document, min_size=150, max_size=200))
def test_balance_equals_the_ledger_after_random_documents(admin, marketing_team, docs):
    """About 1,000 documents over the examples (state carries over between them)."""
    manager = marketing_team.leader
    items = list(StockItem.objects.filter(tenant=admin.tenant).order_by("code"))
    if not items:
        items = [item(admin, f"I{i}", f"物品{i}") for i in range(ITEMS)]
    last_issued = {}
    for kind, index, qty in docs:
        it = items[index]
        try:
            if kind == "receipt":
                receive(admin, [(it, qty)])
            elif kind == "adjust":
                doc = services.adjustment_create(
                    tenant=admin.tenant, actor=admin, reason="盘点", lines=lines((it, qty))
                )
                move(StockAdjustment, doc, "confirm", admin)
            elif kind == "issue":
                last_issued[index] = issued(admin, manager, admin, [(it, qty)])
            elif index in last_issued:
                ret = services.return_create(
                    tenant=admin.tenant,
                    actor=admin,
                    requisition=last_issued[index],
                    lines=lines((it, qty)),
                )
                move(StockReturn, ret, "confirm", admin)
        except GuardFailed:
            pass  # short stock, over-return: refused, nothing written
    assert_ledger_matches(admin.tenant)


@pytest.mark.skipif(
    not uses_postgres(),
    reason="needs PostgreSQL (DATABASE_URL; CI sets it): row locks (SELECT ... FOR UPDATE) "
    "exist on PostgreSQL only; SQLite serialises writes",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_issues_of_the_last_units_one_wins():
    with scopes_disabled():
        admin = make_company()
        keeper = make_user(admin, "库管")
        gift = item(admin, "G1", "保温杯", stock=5)
        reqs = []
        for _ in range(2):
            req = requisition(admin, [(gift, 5)])
            move(Requisition, req, "submit", admin)
            approver = make_user(admin, "管理员")
            reqs.append(move(Requisition, req, "approve", approver))
    barrier = threading.Barrier(2)
    results = []

    def attempt(req):
        client = client_for(keeper)
        try:
            barrier.wait(timeout=10)
            response = client.post(
                f"/api/v1/requisitions/{req.pk}/transitions/issue/?lang=en", {}, format="json"
            )
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(r,)) for r in reqs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(status for status, _body in results) == [200, 400], results
    refused = next(body for status, body in results if status == 400)
    assert refused["code"] == "guard_failed" and "保温杯" in refused["reasons"][0]
    with scopes_disabled():
        assert StockItem.objects.get(pk=gift.pk).quantity_on_hand == D(0)
        statuses = sorted(
            Requisition.objects.filter(tenant=admin.tenant).values_list("status", flat=True)
        )
        assert statuses == ["approved", "issued"]
        assert_ledger_matches(admin.tenant)
