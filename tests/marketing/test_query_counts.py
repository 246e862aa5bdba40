"""Marketing lists: the number of queries does not grow with the page size."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.core.models import DictionaryItem
from crm.customers.models import Lead
from crm.marketing import services
from crm.marketing.models import Requisition, StockAdjustment, StockReturn
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
    for it in items[:5]:  # a count found one more of each
        count = services.adjustment_create(
            tenant=tenant, actor=keeper, reason="盘点", lines=[{"item": it, "quantity": D(1)}]
        )
        move(StockAdjustment, count, "confirm", keeper)
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
    "stock-adjustments",
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


EXPORTED = [c for c in COLLECTIONS if "/" not in c]


def _export(client, collection, query="") -> tuple[int, int]:
    """(rows in the CSV export without its header, queries it took)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/{collection}/export/?file_format=csv{query}")
        assert response.status_code == 200, (collection, response.content[:300])
        text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    return len(rows) - 1, len(ctx.captured_queries)


def test_every_marketing_list_exports_its_rows_in_constant_queries(
    populated, marketer, manager, keeper
):
    """Stock items, movements, receipts, adjustments, requisitions, returns, events and
    placements: the export holds the list's rows (same filters) and its queries do not
    grow with them."""
    admin = populated
    client = client_for(admin)
    before = {}
    for collection in EXPORTED:
        rows, queries = _export(client, collection)
        assert rows == client.get(f"/api/v1/{collection}/?page_size=1").json()["count"]
        before[collection] = queries
    # Filtered: the export follows the list's filters.
    issued_only = client.get("/api/v1/requisitions/?status=issued&page_size=1").json()["count"]
    drafts = services.requisition_create(
        tenant=admin.tenant, actor=marketer, purpose="草稿", lines=[]
    )
    assert drafts.status == "draft"
    assert _export(client, "requisitions", "&status=issued")[0] == issued_only
    # More of everything, then the same number of queries.
    tenant = admin.tenant
    more = [item(admin, f"N{i}", f"新礼品{i}", stock=50) for i in range(6)]
    for it in more:
        event = services.marketing_event_create(
            tenant=tenant,
            actor=marketer,
            name=f"新活动{it.code}",
            expenses=[{"description": "场地", "amount": D(10)}],
        )
        req = issued(marketer, manager, keeper, [(it, 3)], marketing_event=event)
        ret = services.return_create(
            tenant=tenant, actor=marketer, requisition=req, lines=[{"item": it, "quantity": D(1)}]
        )
        move(StockReturn, ret, "confirm", keeper)
        count = services.adjustment_create(
            tenant=tenant, actor=keeper, reason="盘点", lines=[{"item": it, "quantity": D(-1)}]
        )
        move(StockAdjustment, count, "confirm", keeper)
        services.ad_placement_create(tenant=tenant, actor=marketer, name=f"新广告{it.code}")
    after = {c: _export(client, c)[1] for c in EXPORTED}
    print(f"\nEXPORT QUERIES {after}")
    assert after == before
