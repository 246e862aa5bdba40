"""What a mass send costs the database: expanding it takes a number of queries that
does not grow with the audience, and a worker's batch takes one query per delivery
(its mark) beyond a constant few."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.messaging import massing, services
from crm.messaging.models import Delivery, MassSend, MessageTemplate
from tests.messaging.audience import group_with_contacts


def _sending(admin, count: int, url: str = "http://127.0.0.1:9") -> MassSend:
    channel = services.channel_create(
        tenant=admin.tenant,
        actor=admin,
        kind="sms",
        name=f"短信{count}",
        endpoint=url + "/sms",
        secret="s",
        options={"access_key_id": "AK"},
    )
    template = MessageTemplate.objects.create(
        tenant=admin.tenant,
        name=f"t{count}",
        channel_kind="sms",
        body="{{联系人}}您好，{{客户名称}}会员日8折，{{负责人}}。",
        sms_template_code="SMS_1",
        sms_sign_name="商慧",
    )
    group, _contacts = group_with_contacts(admin, count, name=f"组{count}", start=count * 1000)
    send = massing.mass_send_create(
        tenant=admin.tenant,
        actor=admin,
        name=f"群发{count}",
        channel=channel,
        template=template,
        audience="group",
        group_id=group.pk,
    )
    MassSend.objects.filter(pk=send.pk).update(status=MassSend.Status.SENDING)
    return MassSend.objects.select_related("channel", "template", "tenant").get(pk=send.pk)


def _expansion_queries(admin, count: int) -> int:
    send = _sending(admin, count)
    with CaptureQueriesContext(connection) as queries:
        massing._write_deliveries(send)
    assert Delivery.objects.filter(mass_send=send, status="queued").count() == count
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_expanding_a_send_takes_the_same_queries_for_10_or_50_recipients(admin):
    # 50: one INSERT on every backend (SQLite's 999 parameters hold 55 rows of 18 columns;
    # Django splits a larger bulk_create there, PostgreSQL takes a chunk in one).
    assert _expansion_queries(admin, 10) == _expansion_queries(admin, 50)
    body = Delivery.objects.filter(recipient="13900010000").values_list("body", flat=True).get()
    assert body.startswith("联系人10000您好，群发客户10000会员日8折")


@pytest.mark.django_db
def test_a_batch_costs_one_query_per_delivery_beyond_a_constant_few(admin, recorder):
    recorder.default = (200, '{"Code": "OK", "BizId": "B"}')
    counts = {}
    for count in (5, 25):
        send = _sending(admin, count, recorder.url)
        massing._write_deliveries(send)
        ids = list(Delivery.objects.filter(mass_send=send).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
        with CaptureQueriesContext(connection) as queries:
            outcomes = services.deliver_batch(ids)
        assert set(outcomes.values()) == {services.SENT}
        counts[count] = len(queries.captured_queries)
    assert counts[25] - counts[5] == 20
    assert counts[5] <= 5 + 4
    assert len(recorder.requests) == 30
