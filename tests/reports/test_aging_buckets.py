"""The receivables-aging report names its buckets in order, labelled in the caller's language.

The dashboard draws its columns from ``buckets`` instead of a hand-copied list.
"""

from __future__ import annotations

import pytest

from crm.reports import selectors

pytestmark = pytest.mark.django_db


def buckets(api, lang: str) -> list[dict]:
    response = api.get(f"/api/v1/reports/receivables-aging/?as_of=2025-06-30&lang={lang}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(selectors.BUCKETS) <= set(data["totals"])
    return data["buckets"]


def test_aging_lists_every_bucket_in_order_with_its_label(api):
    en = buckets(api, "en")
    assert [b["key"] for b in en] == list(selectors.BUCKETS)
    assert {b["key"]: b["label"] for b in en}["days_1_30"] == "1-30 days overdue"
    zh = buckets(api, "zh-hans")
    assert [b["key"] for b in zh] == list(selectors.BUCKETS)
    assert all(b["label"] for b in zh)
