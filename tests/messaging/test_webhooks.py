"""Outbound webhooks: secret shown once, events emitted after commit from the engine,
signature verifiable with the README recipe, retries, auto-disable, replay."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from crm.activities.models import Notification
from crm.messaging import webhooks
from crm.messaging.models import Webhook, WebhookDelivery
from tests.conftest import client_for, make_company, make_user
from tests.sales import factories as f


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """The integrator's check, as README.md documents it."""
    expected = hmac.new(
        secret.encode(), headers["x-shanghui-timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, headers["x-shanghui-signature"])


def _create(admin, url, events=("contract.signed",)):
    answer = client_for(admin).post(
        "/api/v1/webhooks/", {"url": url, "events": list(events)}, format="json"
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


@pytest.mark.django_db
def test_secret_shown_once_and_unknown_event_refused(admin, recorder):
    api = client_for(admin)
    created = _create(admin, recorder.url + "/hook")
    assert created["secret"].startswith("whsec_")
    hook = Webhook.objects.get(pk=created["id"])
    assert created["secret"] not in hook.secret_encrypted
    for path in ("/api/v1/webhooks/", f"/api/v1/webhooks/{hook.pk}/"):
        body = api.get(path).content.decode()
        assert created["secret"] not in body and "secret" not in json.loads(body).__repr__()
    answer = api.post(
        "/api/v1/webhooks/", {"url": recorder.url, "events": ["lead.exploded"]}, format="json"
    )
    assert answer.status_code == 400 and "events" in answer.json()["fields"]


def test_contract_signed_reaches_the_integrator_signed(worker, recorder):
    admin = make_company()
    created = _create(admin, recorder.url + "/hook", events=["contract.signed", "lead.converted"])
    contract = f.active_contract(admin, make_user(admin, "管理员"))
    worker.drain()
    (req,) = recorder.requests
    assert req.headers["x-shanghui-event"] == "contract.signed"
    assert verify(created["secret"], req.headers, req.body)
    assert not verify("whsec_wrong", req.headers, req.body)
    payload = req.json()
    assert payload["event"] == "contract.signed"
    assert payload["data"]["id"] == contract.pk and payload["data"]["status"] == "active"
    row = WebhookDelivery.objects.get()
    assert payload["id"] == str(row.uid)
    assert (row.status, row.response_code, row.attempts) == ("sent", 200, 1)


@pytest.mark.django_db(transaction=True)
def test_nothing_is_emitted_when_the_transaction_rolls_back(recorder):
    admin = make_company()
    _create(admin, recorder.url + "/hook")
    approver = make_user(admin, "管理员")  # a submission nobody can approve is refused
    contract = f.contract(admin)
    contract = f.move(f.move(contract, "submit", admin), "approve", approver)
    with pytest.raises(RuntimeError), transaction.atomic():
        f.move(contract, "sign", admin)
        raise RuntimeError("rolled back")
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db
def test_failures_retry_on_schedule_then_auto_disable_with_notice(admin, recorder, monkeypatch):
    recorder.default = (500, "down")
    created = _create(admin, recorder.url + "/hook")
    monkeypatch.setattr(webhooks, "DISABLE_AFTER", 3)
    (pk,) = webhooks.emit("contract.signed", tenant_id=admin.tenant_id, data={"id": 1})
    before = timezone.now()
    assert webhooks.deliver(pk) == "retry"
    row = WebhookDelivery.objects.get(pk=pk)
    assert row.response_code == 500 and row.attempts == 1
    assert (row.next_attempt_at - before).total_seconds() == pytest.approx(60, abs=2)
    assert webhooks.deliver(pk) == "retry"  # early duplicate: nothing sent
    assert len(recorder.requests) == 1
    WebhookDelivery.objects.filter(pk=pk).update(next_attempt_at=timezone.now())
    assert webhooks.deliver(pk) == "retry"
    row.refresh_from_db()
    assert row.next_attempt_at - timezone.now() > timedelta(seconds=290)
    WebhookDelivery.objects.filter(pk=pk).update(next_attempt_at=timezone.now())
    webhooks.deliver(pk)
    hook = Webhook.objects.get(pk=created["id"])
    assert hook.active is False and hook.disabled_at is not None
    assert Notification.objects.filter(recipient=admin, link="/webhooks").count() == 1
    assert sum(webhooks.RETRY_SCHEDULE) >= 23 * 3600  # retried for about a day
    # A disabled webhook gets no new events; switched on again, its count starts over.
    assert webhooks.emit("contract.signed", tenant_id=admin.tenant_id, data={}) == []
    answer = client_for(admin).patch(
        f"/api/v1/webhooks/{hook.pk}/", {"active": True}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["consecutive_failures"] == 0


@pytest.mark.django_db
def test_replay_sends_the_same_event_again(admin, recorder):
    created = _create(admin, recorder.url + "/hook")
    (pk,) = webhooks.emit("contract.signed", tenant_id=admin.tenant_id, data={"id": 7})
    assert webhooks.deliver(pk) == "sent"
    answer = client_for(admin).post(f"/api/v1/webhook-deliveries/{pk}/replay/")
    assert answer.status_code == 202, answer.content
    assert webhooks.deliver(answer.json()["id"]) == "sent"
    first, second = recorder.requests
    assert first.json()["id"] == second.json()["id"]  # the same event id: dedupe on it
    assert all(verify(created["secret"], r.headers, r.body) for r in (first, second))
    log = client_for(admin).get("/api/v1/webhook-deliveries/").json()
    assert log["count"] == 2 and {r["response_code"] for r in log["results"]} == {200}


@pytest.mark.django_db
def test_other_tenants_webhooks_are_not_theirs(admin, other_admin, recorder):
    theirs = _create(other_admin, recorder.url + "/x")
    assert client_for(admin).get(f"/api/v1/webhooks/{theirs['id']}/").status_code == 404
    assert webhooks.emit("contract.signed", tenant_id=admin.tenant_id, data={}) == []


def test_complaint_breach_is_an_event(worker, recorder):
    import datetime as dt

    from crm.service.services import complaint_breach_record
    from tests.service.factories import make_complaint

    admin = make_company()
    created = _create(admin, recorder.url + "/hook", events=["complaint.breached"])
    complaint = make_complaint(admin)
    due = timezone.now() - dt.timedelta(hours=1)
    complaint_breach_record(complaint=complaint, kind="acknowledge", due_at=due)
    complaint_breach_record(complaint=complaint, kind="acknowledge", due_at=due)  # once
    worker.drain()
    (req,) = recorder.requests
    assert req.headers["x-shanghui-event"] == "complaint.breached"
    assert verify(created["secret"], req.headers, req.body)
    assert req.json()["data"]["id"] == complaint.pk and req.json()["data"]["breached"] is True
