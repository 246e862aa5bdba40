"""The receivables-aging report names its buckets in order, labelled in the caller's language.

The dashboard draws its columns from ``buckets`` instead of a hand-copied list.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from crm.reports import selectors
from crm.reports.api import AGING_BUCKETS

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
    with translation.override("en"):
        assert [b["label"] for b in en] == [str(label) for _key, label in AGING_BUCKETS]
    zh = buckets(api, "zh-hans")
    assert [b["key"] for b in zh] == list(selectors.BUCKETS)
    with translation.override("zh-hans"):
        assert [b["label"] for b in zh] == [str(label) for _key, label in AGING_BUCKETS]
    assert all(b["label"] for b in zh)
