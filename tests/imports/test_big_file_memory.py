"""What a big import keeps in memory (issue 19): the upload in pieces, bounded caches."""

from __future__ import annotations

import pytest

from crm.core.search import build_search_key
from crm.customers.models import Customer
from crm.imports import pinyin, services
from crm.imports.models import ImportFile
from tests.imports.helpers import csv_bytes, run

pytestmark = pytest.mark.django_db

HEADER = ["客户编号", "客户名称", "电话"]


def test_the_upload_is_stored_and_read_in_pieces_byte_for_byte(api, tenant, monkeypatch):
    # 7 bytes: pieces end inside GB18030's two- and four-byte characters.
    monkeypatch.setattr(services, "READ_PIECE", 7)
    data = [HEADER] + [
        [f"P{i:03d}", f"深圳华信𠀀科技有限公司{i}", f"0755-8{i:07d}"] for i in range(40)
    ]
    content = csv_bytes(data, encoding="gb18030")
    job = run(api, content)
    assert job["status"] == "succeeded", job
    assert job["totals"]["new"] == 40
    assert bytes(ImportFile.objects.get(job_id=job["id"]).content) == content
    assert services.read_upload(job["id"]) == content
    names = dict(Customer.objects.filter(tenant=tenant).values_list("code", "name"))
    assert names["P007"] == "深圳华信𠀀科技有限公司7"
    assert len(names) == 40


def test_the_pinyin_suffix_cache_stays_bounded_and_keys_stay_the_same(monkeypatch):
    monkeypatch.setattr(pinyin, "_CUT_CACHE_LIMIT", 50)
    monkeypatch.setattr(pinyin, "_cut_cache", {})
    most = 0
    for i in range(300):
        name = f"重庆远天丰{'华信宏达'[i % 4]}科技有限公司{i}"
        assert pinyin.search_key(name, phones=("023-61234567",)) == build_search_key(
            name, phones=("023-61234567",)
        )
        most = max(most, len(pinyin._cut_cache))
    # The limit, plus the suffixes of the one name that crossed it.
    assert most <= 50 + 20
