"""A mass send's saved filter takes the customer list's filters as the list does: a
level, an industry, a source or an owner (choices that are the company's own rows),
and the status (a list, or one value as a one-item list). Saved, the preview and the
expansion pick exactly the customers the list would show for that filter.

These were refused ("Select a valid choice") whatever the value: the filter was
checked without a company, so the choices read no row."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from crm.core.models import DictionaryItem
from crm.customers.models import Contact, Customer
from crm.customers.services import customer_create
from crm.messaging import massing
from crm.messaging.models import Delivery, MassSend
from tests.conftest import client_for, make_company, make_user
from tests.messaging.test_mass_sends import _sms, _template

pytestmark = pytest.mark.django_db


def _item(tenant, kind: str, code: str) -> DictionaryItem:
    with scopes_disabled():
        return DictionaryItem.objects.create(tenant=tenant, kind=kind, code=code, label=code)


def _customer(admin, name: str, mobile: str, **fields) -> Customer:
    customer = customer_create(tenant=admin.tenant, actor=admin, name=name, **fields)
    with scopes_disabled():
        Contact.objects.create(tenant=admin.tenant, customer=customer, name=name, mobile=mobile)
    return customer


def make_world(admin) -> dict:
    """Four customers, one contact each: 甲 (level A, industry IT, source 展会, owned by
    the rep), 乙 (level B, owned by the admin), 丙 (no level, in the public pool) and
    丁 (level A, owned by the admin)."""
    tenant = admin.tenant
    rep = make_user(admin, "销售代表", name="李销售")
    a, b = _item(tenant, "level", "A"), _item(tenant, "level", "B")
    it = _item(tenant, "industry", "IT")
    fair = _item(tenant, "source", "展会")
    _customer(admin, "甲", "13800000001", level=a, industry=it, source=fair, owner=rep)
    _customer(admin, "乙", "13800000002", level=b)
    pooled = _customer(admin, "丙", "13800000003")
    with scopes_disabled():
        Customer.objects.filter(pk=pooled.pk).update(owner=None, status="pooled")
    _customer(admin, "丁", "13800000004", level=a)
    return {"rep": rep, "a": a, "b": b, "it": it, "fair": fair}


@pytest.fixture
def world(admin):
    return make_world(admin)


# The customers' names by the last digit of their contact's mobile.
NAMES = {"1": "甲", "2": "乙", "3": "丙", "4": "丁"}

# (saved filter, the customers it picks: their mobiles' last digits)
CASES = [
    (lambda w: {"level": w["a"].pk}, {"1", "4"}),
    (lambda w: {"level": str(w["b"].pk)}, {"2"}),
    (lambda w: {"industry": w["it"].pk}, {"1"}),
    (lambda w: {"source": w["fair"].pk}, {"1"}),
    (lambda w: {"owner": w["rep"].pk}, {"1"}),
    (lambda w: {"status": ["owned"]}, {"1", "2", "4"}),
    (lambda w: {"status": "pooled"}, {"3"}),
    (lambda w: {"status": ["owned", "pooled"], "level": w["a"].pk}, {"1", "4"}),
    (lambda w: {"level": w["a"].pk, "owner": w["rep"].pk}, {"1"}),
]
CASE_IDS = [
    "level",
    "level-text",
    "industry",
    "source",
    "owner",
    "status",
    "one-status",
    "both",
    "and",
]


def _send(api, admin, saved_filter):
    channel = _sms(admin, "http://127.0.0.1:9")
    template = _template(api).json()
    return api.post(
        "/api/v1/mass-sends/?lang=en",
        {
            "name": "会员日",
            "channel": channel.pk,
            "template": template["id"],
            "audience": "filter",
            "filter": saved_filter,
        },
        format="json",
    )


def _recipients(api, pk) -> set[str]:
    """The numbers the send's expansion writes (the preview's count checked with it)."""
    preview = api.get(f"/api/v1/mass-sends/{pk}/preview/")
    assert preview.status_code == 200, preview.content
    started = api.post(f"/api/v1/mass-sends/{pk}/transitions/start/")
    assert started.status_code == 200, started.content
    massing.expand(pk)
    with scopes_disabled():
        numbers = set(Delivery.objects.filter(mass_send_id=pk).values_list("recipient", flat=True))
    assert preview.json()["count"] == len(numbers)
    return {n[-1] for n in numbers}  # the customers' last digits: 甲 1, 乙 2, 丙 3, 丁 4


@pytest.mark.parametrize(("make_filter", "expected"), CASES, ids=CASE_IDS)
def test_a_saved_filter_sends_to_exactly_the_customers_the_list_shows(
    admin, world, make_filter, expected
):
    api = client_for(admin)
    saved = make_filter(world)
    made = _send(api, admin, saved)
    assert made.status_code == 201, made.content
    assert _recipients(api, made.json()["id"]) == expected
    # The customer list answers the same customers for the same filter.
    query = [(k, v) for k, vs in saved.items() for v in (vs if isinstance(vs, list) else [vs])]
    listed = api.get("/api/v1/customers/", query).json()["results"]
    assert {c["name"] for c in listed} == {NAMES[n] for n in expected}


def test_another_companys_level_or_owner_and_lists_for_one_value_are_refused(admin, world):
    api = client_for(admin)
    other = make_company("别家公司")
    foreign_level = _item(other.tenant, "level", "A")
    for saved, name in [
        ({"level": foreign_level.pk}, "level"),
        ({"owner": other.pk}, "owner"),
        ({"level": world["it"].pk}, "level"),  # an industry is no level
        ({"level": [world["a"].pk, world["b"].pk]}, "level"),
        ({"status": ["owned", "lost"]}, "status"),
        ({"status": [["owned"]]}, "status"),
        ({"kind": {"a": 1}}, "kind"),
    ]:
        refused = _send(api, admin, saved)
        assert refused.status_code == 400, (saved, refused.content)
        (reason,) = refused.json()["fields"]["filter"]
        assert reason.startswith(f"{name}: "), (saved, reason)
    assert not MassSend.objects.exists()


@pytest.mark.django_db
def test_a_send_whose_filter_stopped_reading_is_paused_not_retried(admin):
    """A saved filter that no longer reads once the send has started (a value since
    gone) pauses the send with nothing sent, instead of failing the expansion that the
    scheduler would restart for ever."""
    api = client_for(admin)
    channel = _sms(admin, "http://127.0.0.1:9")
    template = _template(api).json()
    body = {"name": "失效筛选", "channel": channel.pk, "template": template["id"]}
    made = api.post("/api/v1/mass-sends/", {**body, "audience": "filter"}, format="json")
    assert made.status_code == 201, made.content
    MassSend.objects.filter(pk=made.json()["id"]).update(
        status=MassSend.Status.SENDING, filter={"levle": 1}
    )

    assert massing.expand(made.json()["id"]) == 0
    send = MassSend.objects.get(pk=made.json()["id"])
    assert send.status == MassSend.Status.PAUSED
    assert send.expanded_at is None
    assert not Delivery.objects.filter(mass_send=send).exists()
