"""Saved list views: own and team-shared visibility, owner-only writes, validation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from crm.core import services
from crm.core.models import SavedView
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/saved-views/"


def _save(client, name="我的客户", collection="customers", **extra):
    body = {"collection": collection, "name": name, "query": {"owner": "me", "page": 1}}
    body.update(extra)
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _names(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return {row["name"]: row for row in response.json()["results"]}


def _field_error(response, field):
    assert response.status_code == 400, (response.status_code, response.content)
    body = response.json()
    assert body["code"] == "invalid", body
    assert field in body["fields"], body
    return body["fields"][field]


@pytest.fixture
def other_team(admin):
    return services.team_create(tenant=admin.tenant, actor=admin, name="销售二部")


def test_a_saved_view_keeps_filters_columns_and_comes_back_for_its_list(rep):
    api = client_for(rep)
    saved = _save(
        api,
        query={"owner": "me", "level": ["A", "B"], "ordering": "-created_at", "vip": True},
        columns=["name", "level"],
    )
    assert saved["mine"] is True and saved["owner"] == rep.pk and saved["shared"] is False
    _save(api, name="我的线索", collection="leads")
    rows = _names(api, collection="customers")
    assert list(rows) == ["我的客户"]
    assert rows["我的客户"]["query"] == {
        "owner": "me",
        "level": ["A", "B"],
        "ordering": "-created_at",
        "vip": True,
    }
    assert rows["我的客户"]["columns"] == ["name", "level"]
    assert set(_names(api)) == {"我的客户", "我的线索"}


def test_shared_views_are_seen_by_the_team_only_and_changed_by_the_owner_only(
    admin, rep, sales_team, other_team
):
    mate = make_user(admin, "销售代表", team=sales_team)
    stranger = make_user(admin, "销售代表", team=other_team)
    shared = _save(client_for(rep), name="本周新增", shared=True)
    private = _save(client_for(rep), name="私人")

    mate_api, stranger_api = client_for(mate), client_for(stranger)
    rows = _names(mate_api, collection="customers")
    assert set(rows) == {"本周新增"} and rows["本周新增"]["mine"] is False
    assert rows["本周新增"]["owner_name"] == rep.display_name
    assert _names(stranger_api) == {}
    assert stranger_api.get(f"{URL}{shared['id']}/").status_code == 404
    assert mate_api.get(f"{URL}{private['id']}/").status_code == 404

    # A team mate sees the shared view but cannot change or delete it.
    response = mate_api.patch(f"{URL}{shared['id']}/", {"name": "改名"}, format="json")
    assert response.status_code == 403, response.content
    assert mate_api.delete(f"{URL}{shared['id']}/").status_code == 403
    assert stranger_api.delete(f"{URL}{private['id']}/").status_code == 404
    with scopes_disabled():
        assert SavedView.objects.get(pk=shared["id"]).name == "本周新增"

    # The owner does.
    owner_api = client_for(rep)
    response = owner_api.patch(f"{URL}{shared['id']}/", {"shared": False}, format="json")
    assert response.status_code == 200, response.content
    assert _names(mate_api) == {}
    assert owner_api.delete(f"{URL}{private['id']}/").status_code == 204
    assert set(_names(owner_api)) == {"本周新增"}


def test_a_user_without_a_team_sees_only_their_own(admin, rep):
    _save(client_for(rep), name="团队的", shared=True)
    loner = make_user(admin, "销售代表")
    assert _names(client_for(loner)) == {}
    _save(client_for(loner), name="自己的", shared=True)
    assert set(_names(client_for(loner))) == {"自己的"}
    assert set(_names(client_for(rep))) == {"团队的"}


def test_another_company_cannot_see_or_touch_a_view(rep, other_admin):
    view = _save(client_for(rep), shared=True)
    them = client_for(other_admin)
    assert _names(them) == {}
    assert them.get(f"{URL}{view['id']}/").status_code == 404
    assert them.patch(f"{URL}{view['id']}/", {"name": "x"}, format="json").status_code == 404
    assert them.delete(f"{URL}{view['id']}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "名" * 61}, "name"),
        ({"collection": ""}, "collection"),
        ({"collection": "Customers?x=1"}, "collection"),
        ({"collection": "c" * 61}, "collection"),
        ({"query": "owner=me"}, "query"),
        ({"query": ["owner"]}, "query"),
        ({"query": {"owner": {"nested": 1}}}, "query"),
        ({"query": {"level": ["A", {"x": 1}]}}, "query"),
        ({"query": {f"k{i}": i for i in range(51)}}, "query"),
        ({"query": {"q": "x" * 501}}, "query"),
        ({"query": {"q": "a\x00b"}}, "query"),
        ({"query": {"a\x00": "b"}}, "query"),
        ({"columns": "name"}, "columns"),
        ({"columns": ["", "name"]}, "columns"),
        ({"columns": [f"c{i}" for i in range(61)]}, "columns"),
        ({"shared": "maybe"}, "shared"),
    ],
)
def test_bad_input_is_refused_naming_the_field(api, body, field):
    payload = {"collection": "customers", "name": "视图", "query": {}, **body}
    _field_error(api.post(URL, payload, format="json"), field)
    with scopes_disabled():
        assert SavedView.objects.count() == 0


def test_a_name_is_unique_per_owner_and_list(api, admin, rep):
    _save(api, name="重点")
    _field_error(api.post(URL, {"collection": "customers", "name": "重点"}, format="json"), "name")
    _save(api, name="重点", collection="leads")  # another list: fine
    _save(client_for(rep), name="重点")  # another user: fine
    second = _save(api, name="其他")
    response = api.patch(f"{URL}{second['id']}/", {"name": "重点"}, format="json")
    _field_error(response, "name")
    response = api.patch(f"{URL}{second['id']}/", {"query": {"a": {"b": 1}}}, format="json")
    _field_error(response, "query")


def test_the_list_takes_the_same_queries_for_few_and_many_views(admin, rep, sales_team):
    mates = [make_user(admin, "销售代表", team=sales_team) for _ in range(3)]
    _save(client_for(mates[0]), name="共享0", shared=True)
    api = client_for(rep)
    _save(api, name="自己0")

    def count() -> int:
        api.get(URL)  # warm caches (token, permissions)
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(URL, {"collection": "customers"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i, mate in enumerate(mates):
        _save(client_for(mate), name=f"共享{i + 1}", shared=True)
        _save(api, name=f"自己{i + 1}")
    many = count()
    assert len(_names(api)) == 8
    assert many == few


def test_the_demo_company_has_a_team_shared_view():
    from crm.core.models import User
    from fixtures import demo

    demo.load()
    rep2 = User.objects.get(username="rep2")
    service = User.objects.get(username="service")
    assert set(_names(client_for(rep2), collection="customers")) == {"华东重点客户"}
    assert _names(client_for(service), collection="customers") == {}
    assert set(_names(client_for(User.objects.get(username="rep1")))) == {
        "华东重点客户",
        "待联系线索",
    }


def test_the_list_is_identical_on_the_fast_and_the_drf_path(rep, admin, sales_team, monkeypatch):
    from crm.core.api import fast_list

    mate = make_user(admin, "销售代表", team=sales_team)
    _save(client_for(mate), name="共享", shared=True, columns=["name"])
    api = client_for(rep)
    _save(api, name="自己", query={"level": [1, 2], "vip": False, "q": "上海"})
    fast = api.get(URL)
    monkeypatch.setattr(fast_list, "ENABLED", False)
    slow = api.get(URL)
    assert fast.status_code == slow.status_code == 200
    assert len(slow.json()["results"]) == 2
    assert fast.json() == slow.json()
