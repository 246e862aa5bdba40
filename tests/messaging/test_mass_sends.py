"""Templates (placeholders checked on save, preview), mass sends (preview with count,
suppressed and SMS segments; states through the engine; sent by a real worker to a
local recording SMS gateway), unsubscribe (signed link, List-Unsubscribe, TD reply)."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from crm.messaging import services, templating, unsubscribe
from crm.messaging.models import Delivery, MassSend, Suppression
from tasks.messaging import tick
from tests.conftest import client_for
from tests.messaging.audience import group_with_contacts

SMS_BODY = "{{联系人}}您好，{{客户名称}}的会员日8折，详询{{负责人}}。"


def _sms(admin, url, **options):
    return services.channel_create(
        tenant=admin.tenant,
        actor=admin,
        kind="sms",
        name="阿里云短信",
        endpoint=url + "/sms",
        secret="sms-secret",
        options={"access_key_id": "AK1", **options},
    )


def _template(api, **extra):
    body = {
        "name": "会员日",
        "channel_kind": "sms",
        "body": SMS_BODY,
        "sms_template_code": "SMS_1234",
        "sms_sign_name": "商慧",
        **extra,
    }
    return api.post("/api/v1/message-templates/", body, format="json")


@pytest.mark.django_db
def test_template_placeholders_checked_on_save_and_previewed_for_a_record(admin):
    api = client_for(admin)
    bad = _template(api, body="{{客户名称}}您好 {{优惠码}}")
    assert bad.status_code == 400 and "{{优惠码}}" in json.dumps(bad.json(), ensure_ascii=False)
    assert "body" in bad.json()["fields"]
    no_code = _template(api, sms_template_code="")
    assert no_code.status_code == 400 and "sms_template_code" in no_code.json()["fields"]
    made = _template(api)
    assert made.status_code == 201, made.content
    assert made.json()["placeholders"] == ["联系人", "客户名称", "负责人"]
    _group, contacts = group_with_contacts(admin, 1)
    preview = api.get(
        f"/api/v1/message-templates/{made.json()['id']}/preview/",
        {"model": "contact", "id": contacts[0].pk},
    ).json()
    assert preview["body"].startswith("联系人0您好，群发客户0的会员日8折")
    assert preview["text"].startswith("【商慧】") and preview["segments"] == 1
    url = f"/api/v1/message-templates/{made.json()['id']}/preview/"
    missing = api.get(url, {"model": "contact", "id": 999999})
    assert missing.status_code == 400 and "id" in missing.json()["fields"]


def test_sms_segments_rule():
    assert templating.sms_segments("短" * 70) == 1
    assert templating.sms_segments("短" * 71) == 2  # 67 a part once split
    assert templating.sms_segments("短" * 134) == 2
    assert templating.sms_segments("短" * 135) == 3
    assert templating.sms_segments("a" * 160) == 1 and templating.sms_segments("a" * 161) == 2


@pytest.mark.django_db(transaction=True)
def test_mass_sms_to_a_group_skips_the_unsubscribed_and_completes(admin, worker, recorder):
    api = client_for(admin)
    channel = _sms(admin, recorder.url)
    template = _template(api).json()
    group, contacts = group_with_contacts(admin, 30)
    # One contact replied TD through the provider's callback (signed with the channel secret).
    body = json.dumps([{"phone_number": contacts[3].mobile, "content": "TD"}]).encode()
    bad = api.generic(
        "POST",
        f"/api/v1/sms/inbound/{channel.pk}/",
        body,
        content_type="application/json",
        HTTP_X_SIGNATURE="0" * 64,
    )
    assert bad.status_code == 403
    good = api.generic(
        "POST",
        f"/api/v1/sms/inbound/{channel.pk}/",
        body,
        content_type="application/json",
        HTTP_X_SIGNATURE=unsubscribe.inbound_signature("sms-secret", body),
    )
    assert good.status_code == 200 and good.json()["suppressed"] == 1
    assert Suppression.objects.filter(
        address=unsubscribe.address_key("sms", contacts[3].mobile), reason="reply"
    ).exists()

    made = api.post(
        "/api/v1/mass-sends/",
        {
            "name": "会员日群发",
            "channel": channel.pk,
            "template": template["id"],
            "audience": "group",
            "group_id": group.pk,
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    preview = api.get(f"/api/v1/mass-sends/{pk}/preview/").json()
    assert (preview["count"], preview["suppressed"], preview["recipients"]) == (30, 1, 29)
    assert preview["segments_per_message"] == 1 and preview["segments"] == 29

    started = api.post(f"/api/v1/mass-sends/{pk}/transitions/start/", {}, format="json")
    assert started.status_code == 200, started.content
    worker.drain()
    for _ in range(5):  # the scheduler's passes hand the rest over and complete it
        tick()
        worker.drain()
    send = api.get(f"/api/v1/mass-sends/{pk}/").json()
    assert send["status"] == "completed"
    assert send["progress"] == {
        "total": 30,
        "sent": 29,
        "failed": 0,
        "suppressed": 1,
        "remaining": 0,
    }
    phones = [r.query["PhoneNumbers"][0] for r in recorder.requests]
    assert sorted(phones) == sorted(c.mobile for c in contacts if c != contacts[3])
    first = recorder.requests[0].query
    assert first["TemplateCode"] == ["SMS_1234"] and first["SignName"] == ["商慧"]
    assert "OutId" in first and "Signature" in first
    # A second start is refused by the engine (completed): nobody gets it twice.
    again = api.post(f"/api/v1/mass-sends/{pk}/transitions/start/", {}, format="json")
    assert again.status_code == 409
    export = api.get("/api/v1/deliveries/export/", {"mass_send": pk, "file_format": "csv"})
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert contacts[0].mobile in text and "sms-secret" not in text


@pytest.mark.django_db
def test_states_pause_resume_cancel_through_the_engine(admin):
    api = client_for(admin)
    channel = _sms(admin, "http://127.0.0.1:9")
    template = _template(api).json()
    group, _contacts = group_with_contacts(admin, 3)
    pk = api.post(
        "/api/v1/mass-sends/",
        {
            "name": "x",
            "channel": channel.pk,
            "template": template["id"],
            "audience": "group",
            "group_id": group.pk,
        },
        format="json",
    ).json()["id"]

    def step(name, **body):
        return api.post(f"/api/v1/mass-sends/{pk}/transitions/{name}/", body, format="json")

    assert step("pause").status_code == 409  # draft cannot pause
    assert step("schedule", scheduled_at="2030-01-01T08:00:00+08:00").status_code == 200
    assert MassSend.objects.get(pk=pk).status == "scheduled"
    assert step("cancel").status_code == 200
    assert step("start").status_code == 409  # cancelled is final
    empty = api.post(
        "/api/v1/mass-sends/",
        {"name": "y", "channel": channel.pk, "template": template["id"], "audience": "group"},
        format="json",
    )
    assert empty.status_code == 400 and "group_id" in empty.json()["fields"]


@pytest.mark.django_db(transaction=True)
def test_marketing_email_carries_a_signed_unsubscribe_link_honoured_by_the_next_send(admin, worker):
    api = client_for(admin)
    channel = services.channel_create(tenant=admin.tenant, actor=admin, kind="email", name="邮件")
    template = api.post(
        "/api/v1/message-templates/",
        {"name": "月报", "channel_kind": "email", "subject": "{{客户名称}}月报", "body": "您好"},
        format="json",
    ).json()
    group, contacts = group_with_contacts(admin, 2)

    def send_once():
        pk = api.post(
            "/api/v1/mass-sends/",
            {
                "name": "月报",
                "channel": channel.pk,
                "template": template["id"],
                "audience": "group",
                "group_id": group.pk,
            },
            format="json",
        ).json()["id"]
        assert api.post(f"/api/v1/mass-sends/{pk}/transitions/start/").status_code == 200
        worker.drain()
        tick()
        worker.drain()
        return pk

    mail.outbox.clear()
    send_once()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.email for c in contacts)
    message = next(m for m in mail.outbox if m.to == [contacts[0].email])
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = header.strip("<>")
    assert link in message.body
    path = link.split("://", 1)[1].split("/", 1)[1]
    tampered = "/" + path.replace("/unsubscribe/", "/unsubscribe/x")
    assert api.get(tampered).status_code == 400
    assert api.post("/" + path).status_code == 200  # the one-click POST, no login needed
    assert Suppression.objects.filter(address=contacts[0].email, reason="link").exists()

    mail.outbox.clear()
    pk = send_once()
    assert [m.to for m in mail.outbox] == [[contacts[1].email]]
    assert Delivery.objects.get(mass_send_id=pk, recipient=contacts[0].email).status == (
        "suppressed"
    )


@pytest.mark.django_db
def test_campaign_and_saved_filter_audiences_preview(admin):
    from crm.marketing.models import Campaign

    api = client_for(admin)
    channel = _sms(admin, "http://127.0.0.1:9")
    template = _template(api).json()
    group, _contacts = group_with_contacts(admin, 4, name="战役目标")
    group_with_contacts(admin, 2, name="其他", start=100)
    campaign = Campaign.objects.create(tenant=admin.tenant, name="双十二", target_group=group)

    def preview(**audience):
        made = api.post(
            "/api/v1/mass-sends/",
            {"name": "x", "channel": channel.pk, "template": template["id"], **audience},
            format="json",
        )
        assert made.status_code == 201, made.content
        return api.get(f"/api/v1/mass-sends/{made.json()['id']}/preview/").json()

    assert preview(audience="campaign", campaign_id=campaign.pk)["count"] == 4
    assert preview(audience="filter", filter={"group": group.pk})["count"] == 4
    assert preview(audience="filter", filter={})["count"] == 6
    bad = api.post(
        "/api/v1/mass-sends/",
        {"name": "x", "channel": channel.pk, "template": template["id"], "audience": "campaign"},
        format="json",
    )
    assert bad.status_code == 400 and "campaign_id" in bad.json()["fields"]
