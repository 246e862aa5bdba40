"""Channels: secrets at rest and in the API, each kind's wire format and signature
(checked by a local recording server), retries with backoff, sending once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from crm.core.models import AuditEntry
from crm.messaging import crypto, services
from crm.messaging.models import Channel, Delivery
from tests.conftest import client_for, uses_postgres

SECRET = "SEC-robot-secret-0123456789"


def _channel(admin, kind, url, secret=SECRET, **options):
    return services.channel_create(
        tenant=admin.tenant,
        actor=admin,
        kind=kind,
        name=kind,
        endpoint=url,
        secret=secret,
        options=options,
    )


def _queued(channel, recipient="", body="客户回访提醒"):
    return Delivery.objects.create(
        tenant=channel.tenant, channel=channel, recipient=recipient, body=body, title="提醒"
    )


@pytest.mark.django_db
def test_secret_is_encrypted_at_rest_and_never_in_api_or_audit(admin, recorder):
    api = client_for(admin)
    answer = api.post(
        "/api/v1/channels/",
        {
            "kind": "dingtalk",
            "name": "销售群",
            "endpoint": recorder.url + "/robot/send",
            "secret": SECRET,
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["has_secret"] is True
    assert SECRET not in answer.content.decode()
    channel = Channel.objects.get(pk=answer.json()["id"])
    assert SECRET not in channel.secret_encrypted
    assert crypto.decrypt(channel.secret_encrypted) == SECRET
    for path in (
        "/api/v1/channels/",
        f"/api/v1/channels/{channel.pk}/",
        f"/api/v1/channels/{channel.pk}/history/",
    ):
        body = api.get(path).content.decode()
        assert SECRET not in body and channel.secret_encrypted not in body
    changes = json.dumps(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert SECRET not in changes and channel.secret_encrypted not in changes
    # A new secret replaces the old one; leaving it out keeps it.
    api.patch(f"/api/v1/channels/{channel.pk}/", {"name": "销售二群"}, format="json")
    channel.refresh_from_db()
    assert crypto.decrypt(channel.secret_encrypted) == SECRET
    api.patch(f"/api/v1/channels/{channel.pk}/", {"secret": "NEW"}, format="json")
    channel.refresh_from_db()
    assert crypto.decrypt(channel.secret_encrypted) == "NEW"


@pytest.mark.django_db
def test_robot_without_endpoint_refused_and_other_tenant_404(admin, other_admin):
    api = client_for(admin)
    answer = api.post("/api/v1/channels/", {"kind": "wecom", "name": "x"}, format="json")
    assert answer.status_code == 400
    assert "endpoint" in answer.json()["fields"]
    theirs = _channel(other_admin, "email", "")
    assert api.get(f"/api/v1/channels/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/v1/channels/{theirs.pk}/test/", {}, format="json").status_code == 404


@pytest.mark.django_db
def test_dingtalk_signs_timestamp_and_secret_in_the_url(admin, recorder):
    channel = _channel(admin, "dingtalk", recorder.url + "/robot/send?access_token=TOKEN")
    delivery = _queued(channel, recipient="13800000000")
    assert services.deliver(delivery.pk) == services.SENT
    (req,) = recorder.requests
    assert req.path == "/robot/send"
    assert req.query["access_token"] == ["TOKEN"]
    ts = req.query["timestamp"][0]
    assert abs(int(ts) - time.time() * 1000) < 60_000
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert req.query["sign"] == [expected]
    assert req.json() == {
        "msgtype": "text",
        "text": {"content": "提醒\n客户回访提醒"},
        "at": {"atMobiles": ["13800000000"]},
    }
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


@pytest.mark.django_db
def test_feishu_signs_in_the_body_with_timestamp_and_secret_as_key(admin, recorder):
    recorder.default = (200, '{"code": 0, "msg": "success"}')
    channel = _channel(admin, "feishu", recorder.url + "/open-apis/bot/v2/hook/abc")
    assert services.deliver(_queued(channel).pk) == services.SENT
    (req,) = recorder.requests
    body = req.json()
    ts = body["timestamp"]
    key = f"{ts}\n{SECRET}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["msg_type"] == "text" and body["content"]["text"] == "提醒\n客户回访提醒"


@pytest.mark.django_db
def test_wecom_puts_the_robot_key_in_the_url(admin, recorder):
    channel = _channel(admin, "wecom", recorder.url + "/cgi-bin/webhook/send", secret="KEY-1")
    assert services.deliver(_queued(channel).pk) == services.SENT
    (req,) = recorder.requests
    assert req.path == "/cgi-bin/webhook/send" and req.query["key"] == ["KEY-1"]
    assert req.json()["msgtype"] == "text"
    assert req.json()["text"]["content"] == "提醒\n客户回访提醒"


@pytest.mark.django_db
def test_sms_request_is_signed_aliyun_style(admin, recorder):
    recorder.default = (200, '{"Code": "OK", "BizId": "BIZ-42"}')
    channel = _channel(
        admin,
        "sms",
        recorder.url + "/",
        secret="ALI-SECRET",
        access_key_id="LTAI-ID",
        sign_name="商汇",
        template_code="SMS_1",
    )
    delivery = _queued(channel, recipient="13900000000", body="您的验证码 1234")
    assert services.deliver(delivery.pk) == services.SENT
    (req,) = recorder.requests
    params = {k: v[0] for k, v in req.query.items()}
    signature = params.pop("Signature")

    def pct(value):
        return urllib.parse.quote(value, safe="~")

    canonical = "&".join(f"{pct(k)}={pct(v)}" for k, v in sorted(params.items()))
    to_sign = f"POST&{pct('/')}&{pct(canonical)}"
    digest = hmac.new(b"ALI-SECRET&", to_sign.encode(), hashlib.sha1).digest()
    assert signature == base64.b64encode(digest).decode()
    assert params["PhoneNumbers"] == "13900000000"
    assert params["AccessKeyId"] == "LTAI-ID" and params["SignName"] == "商汇"
    assert json.loads(params["TemplateParam"]) == {"content": "您的验证码 1234"}
    delivery.refresh_from_db()
    assert delivery.provider_id == "BIZ-42"
    assert "ALI-SECRET" not in req.body.decode() and "ALI-SECRET" not in json.dumps(params)


@pytest.mark.django_db
def test_transient_failures_retry_with_exponential_backoff_then_send(admin, recorder):
    recorder.answers = [(500, "busy"), (502, "bad gateway")]
    channel = _channel(admin, "wecom", recorder.url + "/send", secret="K")
    delivery = _queued(channel)
    waits = []
    for _ in range(2):
        before = timezone.now()
        assert services.deliver(delivery.pk) == services.RETRY
        delivery.refresh_from_db()
        assert delivery.status == "queued" and "HTTP 5" in delivery.error
        waits.append((delivery.next_attempt_at - before).total_seconds())
        # An early duplicate message sends nothing.
        assert services.deliver(delivery.pk) == services.RETRY
        Delivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )
    assert waits[0] == pytest.approx(services.BASE_BACKOFF_SECONDS, abs=2)
    assert waits[1] == pytest.approx(2 * services.BASE_BACKOFF_SECONDS, abs=2)
    assert services.deliver(delivery.pk) == services.SENT
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 3, "")
    assert len(recorder.requests) == 3


@pytest.mark.django_db
def test_permanent_error_and_too_many_attempts_fail(admin, recorder, monkeypatch):
    recorder.default = (400, '{"errmsg": "bad key"}')
    channel = _channel(admin, "wecom", recorder.url + "/send", secret="K")
    delivery = _queued(channel)
    assert services.deliver(delivery.pk) == services.FAILED
    recorder.default = (503, "down")
    monkeypatch.setattr(services, "MAX_ATTEMPTS", 2)
    other = _queued(channel)
    assert services.deliver(other.pk) == services.RETRY
    Delivery.objects.filter(pk=other.pk).update(next_attempt_at=None)
    assert services.deliver(other.pk) == services.FAILED
    other.refresh_from_db()
    assert (other.status, other.attempts, other.next_attempt_at) == ("failed", 2, None)
    assert services.deliver(other.pk) == services.DONE_ALREADY


@pytest.mark.django_db
def test_a_sent_delivery_is_never_sent_again(admin, recorder):
    channel = _channel(admin, "wecom", recorder.url + "/send", secret="K")
    delivery = _queued(channel)
    assert services.deliver(delivery.pk) == services.SENT
    assert services.deliver(delivery.pk) == services.DONE_ALREADY
    assert len(recorder.requests) == 1


@pytest.mark.skipif(
    not uses_postgres(), reason="needs PostgreSQL (DATABASE_URL): SQLite has no row locks to race"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_redelivery_sends_once(admin, recorder):
    channel = _channel(admin, "wecom", recorder.url + "/send", secret="K")
    delivery = _queued(channel)
    outcomes = []

    def run():
        try:
            outcomes.append(services.deliver(delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["done-already"] * 3 + ["sent"]
    assert len(recorder.requests) == 1


def test_send_test_message_action_through_the_worker(worker, recorder):
    from tests.conftest import make_company

    admin = make_company()
    channel = _channel(admin, "dingtalk", recorder.url + "/robot/send")
    answer = client_for(admin).post(f"/api/v1/channels/{channel.pk}/test/", {}, format="json")
    assert answer.status_code == 202, answer.content
    # Redelivered (the same message twice): one request.
    from tasks.messaging import send_delivery

    send_delivery.send(answer.json()["id"])
    worker.drain()
    assert len(recorder.requests) == 1
    assert Delivery.objects.get(pk=answer.json()["id"]).status == "sent"
