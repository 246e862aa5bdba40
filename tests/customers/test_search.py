"""Fuzzy search (name, pinyin, initials, phone digits) over a stored, indexed key."""

from __future__ import annotations

import pytest

from crm.core.search import build_search_key, normalize_query
from crm.customers.models import Customer
from crm.customers.services import contact_create, customer_create, customer_update
from tests.customers.leads import new_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(admin):
    make = lambda name, phone="": customer_create(  # noqa: E731
        tenant=admin.tenant, actor=admin, name=name, phone=phone
    )
    return {
        "bj": make("北京科技有限公司", "+8613812345678"),
        "cq": make("重庆长安机械制造有限公司", "023-63881234"),
        "sh": make("上海云图信息技术有限公司"),
    }


def names(api, collection, query) -> set[str]:
    response = api.get(f"/api/v1/{collection}/", {"search": query})
    assert response.status_code == 200, response.content
    key = "company_name" if collection == "leads" else "name"
    return {row[key] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bjkj", {"北京科技有限公司"}),
        ("BJKJ", {"北京科技有限公司"}),
        ("ｂｊｋｊ", {"北京科技有限公司"}),
        ("beijing", {"北京科技有限公司"}),
        ("beijingkeji", {"北京科技有限公司"}),
        ("bei jing", {"北京科技有限公司"}),
        ("科技", {"北京科技有限公司"}),
        ("12345678", {"北京科技有限公司"}),
        ("13812345678", {"北京科技有限公司"}),
        ("cq", {"重庆长安机械制造有限公司"}),
        ("cqca", {"重庆长安机械制造有限公司"}),
        ("chongqing", {"重庆长安机械制造有限公司"}),
        ("63881234", {"重庆长安机械制造有限公司"}),
        ("yxgs", {"北京科技有限公司", "重庆长安机械制造有限公司", "上海云图信息技术有限公司"}),
        ("nowhere", set()),
    ],
)
def test_customer_search(api, customers, query, expected):
    assert names(api, "customers", query) == expected


def test_empty_search_lists_everything(api, customers):
    assert len(names(api, "customers", "  ")) == 3


def test_search_key_follows_updates(api, admin, customers):
    customer_update(customers["sh"], tenant=admin.tenant, actor=admin, name="杭州青禾贸易")
    assert names(api, "customers", "hzqh") == {"杭州青禾贸易"}
    assert names(api, "customers", "shyt") == set()


def test_lead_search_by_company_contact_and_mobile(api, admin):
    new_lead(admin, company_name="北京科技", contact_name="王小明", mobile="+8613900001111")
    new_lead(admin, company_name="广州南方教育", contact_name="李雷", mobile="")
    assert names(api, "leads", "bjkj") == {"北京科技"}
    assert names(api, "leads", "wxm") == {"北京科技"}
    assert names(api, "leads", "wangxiaoming") == {"北京科技"}
    assert names(api, "leads", "13900001111") == {"北京科技"}
    assert names(api, "leads", "gznf") == {"广州南方教育"}


def test_contact_search(api, admin, customers):
    contact_create(
        tenant=admin.tenant,
        actor=admin,
        customer=customers["bj"],
        name="张伟",
        mobile="+8613700002222",
    )
    assert names(api, "contacts", "zw") == {"张伟"}
    assert names(api, "contacts", "zhangwei") == {"张伟"}
    assert names(api, "contacts", "13700002222") == {"张伟"}


def test_search_is_a_database_filter_on_the_stored_key(api, customers):
    """The query is a LIKE on search_key, not Python filtering."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        api.get("/api/v1/customers/", {"search": "bjkj"})
    assert any("search_key" in q["sql"] for q in ctx.captured_queries)
    assert Customer._meta.get_field("search_key").get_internal_type() == "TextField"


def test_key_building():
    key = build_search_key("重庆长安", "张三", phones=("+8613812345678", "010-1234"))
    parts = key.split("|")
    assert parts[:3] == ["重庆长安", "chongqingchangan", "cqca"]
    assert "zs" in parts and "zhangsan" in parts
    assert "13812345678" in parts and "0101234" in parts
    assert normalize_query(" ＢＪ ｋｊ ") == "bjkj"
