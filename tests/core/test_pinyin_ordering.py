"""Issue 20 item 8: ``?ordering=name`` orders Chinese names by pinyin, not code point.

By code point 上海 (U+4E0A) sorts before 北京 (U+5317); by pinyin the order is
北京 < 广州 < 上海 < 深圳. Checked on the configured database (PostgreSQL's
ICU collation, or SQLite's Python collation) for the four name-ordered lists,
at the same query count as the default ordering.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.core.collation import pinyin_sort_key

pytestmark = pytest.mark.django_db

CITIES = ["上海", "深圳", "北京", "广州"]
PINYIN_ORDER = ["北京", "广州", "上海", "深圳"]


def _fill(api) -> dict[str, str]:
    """Four rows named after the cities in each list; the name field per collection."""
    customer_ids = []
    for city in CITIES:
        response = api.post("/api/v1/customers/", {"name": city}, format="json")
        assert response.status_code == 201, response.content
        customer_ids.append(response.json()["id"])
    for city, customer in zip(CITIES, customer_ids, strict=True):
        for url, body in (
            ("/api/v1/contacts/", {"name": city, "customer": customer}),
            ("/api/v1/leads/", {"company_name": city}),
            ("/api/v1/opportunities/", {"name": city, "customer": customer, "amount": "1.00"}),
        ):
            response = api.post(url, body, format="json")
            assert response.status_code == 201, (url, response.content)
    return {
        "customers": "name",
        "contacts": "name",
        "leads": "company_name",
        "opportunities": "name",
    }


def test_name_ordering_is_by_pinyin_both_ways_at_the_same_query_count(api):
    for collection, field in _fill(api).items():
        url = f"/api/v1/{collection}/?ordering="
        with CaptureQueriesContext(connection) as plain:
            assert api.get(url + "id").status_code == 200
        with CaptureQueriesContext(connection) as by_name:
            ascending = api.get(url + field)
        assert ascending.status_code == 200
        assert [r[field] for r in ascending.json()["results"]] == PINYIN_ORDER, collection
        descending = api.get(url + "-" + field).json()["results"]
        assert [r[field] for r in descending] == PINYIN_ORDER[::-1], collection
        assert len(by_name) == len(plain), collection


def test_sqlite_sort_key_orders_by_pinyin():
    """The embedded mode's collation function (used by SQLite) agrees with ICU."""
    assert sorted(CITIES, key=pinyin_sort_key) == PINYIN_ORDER
