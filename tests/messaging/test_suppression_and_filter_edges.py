"""Edges of the suppression list and the mass-send audience filter, as a client sends
them: an address typed as people write it must still stop the send, and a filter name
the customer list does not know must not widen the audience to every customer."""

from __future__ import annotations

import json

import pytest

from crm.messaging import unsubscribe
from crm.messaging.models import MassSend, Suppression
from tests.conftest import client_for
from tests.messaging.test_mass_sends import _sms, _template


def _customer_with_contact(api, name: str, mobile: str, email: str = "") -> dict:
    customer = api.post("/api/v1/customers/", {"name": name, "kind": "company"}, format="json")
    assert customer.status_code == 201, customer.content
    contact = api.post(
        "/api/v1/contacts/",
        {"customer": customer.json()["id"], "name": "张三", "mobile": mobile, "email": email},
        format="json",
    )
    assert contact.status_code == 201, contact.content
    return contact.json()


def _send(api, channel, template, **audience):
    return api.post(
        "/api/v1/mass-sends/",
        {"name": "会员日", "channel": channel.pk, "template": template["id"], **audience},
        format="json",
    )


@pytest.mark.django_db
def test_a_suppressed_number_typed_as_people_write_it_stops_the_send(admin):
    api = client_for(admin)
    channel = _sms(admin, "http://127.0.0.1:9")
    template = _template(api).json()
    contact = _customer_with_contact(api, "上海云图科技有限公司", "138 0013 8000")
    _customer_with_contact(api, "北京星河有限公司", "13900139000")
    assert contact["mobile"] == "+8613800138000"  # contacts keep E.164

    added = api.post(
        "/api/v1/suppressions/",
        {"channel_kind": "sms", "address": "138-0013-8000"},
        format="json",
    )
    assert added.status_code == 201, added.content
    assert added.json()["address"] == "+8613800138000"
    again = api.post(
        "/api/v1/suppressions/", {"channel_kind": "sms", "address": "13800138000"}, format="json"
    )
    assert again.status_code == 400 and "address" in again.json()["fields"]

    made = _send(api, channel, template, audience="filter", filter={})
    assert made.status_code == 201, made.content
    preview = api.get(f"/api/v1/mass-sends/{made.json()['id']}/preview/").json()
    assert (preview["count"], preview["suppressed"], preview["recipients"]) == (2, 1, 1)


@pytest.mark.django_db
def test_a_td_reply_from_the_provider_suppresses_the_contacts_number(admin):
    api = client_for(admin)
    channel = _sms(admin, "http://127.0.0.1:9")
    _customer_with_contact(api, "上海云图科技有限公司", "13800138000")
    body = json.dumps([{"phone_number": "13800138000", "content": "TD"}]).encode()
    answer = api.generic(
        "POST",
        f"/api/v1/sms/inbound/{channel.pk}/",
        body,
        content_type="application/json",
        HTTP_X_SIGNATURE=unsubscribe.inbound_signature("sms-secret", body),
    )
    assert answer.status_code == 200 and answer.json()["suppressed"] == 1
    assert list(Suppression.objects.values_list("address", flat=True)) == ["+8613800138000"]


@pytest.mark.django_db
def test_suppression_addresses_are_checked_and_named(admin):
    api = client_for(admin)
    for kind, address in [("sms", "abc"), ("sms", "12345"), ("email", "not-an-email"), ("sms", "")]:
        bad = api.post(
            "/api/v1/suppressions/", {"channel_kind": kind, "address": address}, format="json"
        )
        assert bad.status_code == 400, (kind, address, bad.content)
        assert list(bad.json()["fields"]) == ["address"]
    email = api.post(
        "/api/v1/suppressions/",
        {"channel_kind": "email", "address": " Foo@Example.CN "},
        format="json",
    )
    assert email.status_code == 201 and email.json()["address"] == "foo@example.cn"
    assert Suppression.objects.count() == 1


@pytest.mark.django_db
def test_a_mixed_case_email_on_the_list_is_skipped(admin):
    api = client_for(admin)
    from crm.messaging import services

    channel = services.channel_create(tenant=admin.tenant, actor=admin, kind="email", name="邮件")
    template = api.post(
        "/api/v1/message-templates/",
        {"name": "月刊", "channel_kind": "email", "subject": "月刊", "body": "{{联系人}}您好"},
        format="json",
    ).json()
    _customer_with_contact(api, "上海云图科技有限公司", "13800138000", "Zhang.San@Example.CN")
    Suppression.objects.create(
        tenant=admin.tenant, channel_kind="email", address="zhang.san@example.cn"
    )
    made = _send(api, channel, template, audience="filter", filter={})
    assert made.status_code == 201, made.content
    preview = api.get(f"/api/v1/mass-sends/{made.json()['id']}/preview/").json()
    assert (preview["count"], preview["suppressed"]) == (1, 1)


@pytest.mark.django_db
def test_a_filter_the_customer_list_does_not_know_is_refused_and_nothing_written(admin):
    api = client_for(admin)
    channel = _sms(admin, "http://127.0.0.1:9")
    template = _template(api).json()
    _customer_with_contact(api, "上海云图科技有限公司", "13800138000")

    typo = _send(api, channel, template, audience="filter", filter={"levle": 1})
    assert typo.status_code == 400, typo.content
    assert "levle" in typo.json()["fields"]["filter"][0]
    bad_value = _send(api, channel, template, audience="filter", filter={"level": "abc"})
    assert bad_value.status_code == 400, bad_value.content
    reason = bad_value.json()["fields"]["filter"][0]
    assert reason.startswith("level: ") and "<" not in reason  # plain text, names the filter
    assert MassSend.objects.count() == 0

    good = _send(api, channel, template, audience="filter", filter={"search": "云图"})
    assert good.status_code == 201, good.content
    edited = api.patch(
        f"/api/v1/mass-sends/{good.json()['id']}/", {"filter": {"owner": "x"}}, format="json"
    )
    assert edited.status_code == 400 and "filter" in edited.json()["fields"]
    assert MassSend.objects.get().filter == {"search": "云图"}
