"""Marketing lists: the number of queries does not grow with the page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.core.models import DictionaryItem
from crm.customers.models import Lead
from crm.marketing import services
from crm.marketing.models import Requisition, StockReturn
from tests.conftest import client_for
from tests.marketing.helpers import D, issued, item, move, receive

pytestmark = pytest.mark.django_db
ROWS = 30


@pytest.fixture
def populated(admin, marketer, manager, keeper):
    tenant = admin.tenant
    channel = DictionaryItem.objects.filter(tenant=tenant, kind="ad_channel").first()
    items = [item(admin, f"G{i:03}", f"礼品{i}", stock=100) for i in range(ROWS)]
    for i, it in enumerate(items):
        event = services.marketing_event_create(
            tenant=tenant,
            actor=marketer,
            name=f"活动{i}",
            expenses=[{"description": "场地", "amount": D(100)}],
        )
        req = issued(marketer, manager, keeper, [(it, 2), (items[i - 1], 1)], marketing_event=event)
        ret = services.return_create(
            tenant=tenant, actor=marketer, requisition=req, lines=[{"item": it, "quantity": D(1)}]
        )
        move(StockReturn, ret, "confirm", keeper)
        ad = services.ad_placement_create(
            tenant=tenant, actor=marketer, name=f"广告{i}", channel=channel, cost=D(50)
        )
        Lead.objects.create(tenant=tenant, company_name=f"线索{i}", ad_placement=ad)
    receive(admin, [(it, 1) for it in items[:5]])
    assert Requisition.objects.filter(tenant=tenant).count() == ROWS
    return admin


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


COLLECTIONS = [
    "stock-items",
    "stock-movements",
    "stock-receipts",
    "requisitions",
    "stock-returns",
    "marketing-events",
    "ad-placements",
    "marketing-events/roi",
]


def test_list_queries_do_not_grow_with_the_page_size(populated, marketer, keeper):
    measured = {}
    for who, user in (("admin", populated), ("keeper", keeper), ("marketer", marketer)):
        client = client_for(user)
        for collection in COLLECTIONS:
            if client.get(f"/api/v1/{collection}/?page_size=1").status_code == 403:
                continue
            small = count(client, f"/api/v1/{collection}/?page_size=2")
            large = count(client, f"/api/v1/{collection}/?page_size=25")
            page = client.get(f"/api/v1/{collection}/?page_size=25").json()
            assert len(page["results"]) >= 5, (who, collection)
            measured[(who, collection)] = (small, large)
            print(f"\nQUERIES {who} GET /api/v1/{collection}/: 2 -> {small}, 25 -> {large}")
    assert all(small == large for small, large in measured.values()), measured
    # The ROI report adds one query per figure (expenses, goods, returns, leads, opportunities).
    assert all(
        large <= (10 if "roi" in collection else 8)
        for (_who, collection), (_small, large) in measured.items()
    ), measured
    assert ("marketer", "requisitions") in measured and ("keeper", "stock-receipts") in measured
