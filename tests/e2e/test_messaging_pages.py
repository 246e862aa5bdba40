"""群发 in the browser, in Chinese: build a mass SMS from a customer group, see the
preview's count, the unsubscribed contact left out and the SMS segments, confirm
(the dialog says how many and that it cannot be recalled), watch the progress
reach completed; the local recording SMS gateway got one message per recipient."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from crm.messaging import services, templating, unsubscribe
from tests.conftest import make_company
from tests.e2e.helpers import choose, login
from tests.messaging.audience import group_with_contacts
from tests.messaging.conftest import recorder  # noqa: F401 - the recording gateway fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_mass_sms_from_a_group_preview_confirm_progress(
    page,
    live_server,
    worker,
    recorder,  # noqa: F811 - the fixture imported above
    shot,
):
    admin = make_company()
    services.channel_create(
        tenant=admin.tenant,
        actor=admin,
        kind="sms",
        name="阿里云短信",
        endpoint=recorder.url + "/sms",
        secret="s",
        options={"access_key_id": "AK"},
    )
    templating.template_create(
        tenant=admin.tenant,
        actor=admin,
        name="会员日通知",
        channel_kind="sms",
        body="{{联系人}}您好，{{客户名称}}会员日全场8折，详询{{负责人}}。" + "欢迎光临" * 10,
        sms_template_code="SMS_1234",
        sms_sign_name="商慧",
    )
    _group, contacts = group_with_contacts(admin, 5, name="华东VIP")
    unsubscribe.suppress(admin.tenant_id, "sms", contacts[2].mobile, "reply")

    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/mass-sends/compose")
    expect(page.get_by_test_id("mass-composer")).to_be_visible()
    page.get_by_test_id("mass-name").fill("十二月会员日")
    choose(page, "mass-channel", "阿里云短信")
    choose(page, "mass-template", "会员日通知")
    choose(page, "mass-group", "华东VIP")
    page.get_by_test_id("mass-preview").click()
    expect(page.get_by_test_id("mass-count")).to_have_text("5")
    expect(page.get_by_test_id("mass-suppressed")).to_have_text("1")
    expect(page.get_by_test_id("mass-recipients")).to_have_text("4")
    # 【商慧】 + the text is over 70 characters: 2 segments (67 a part) each, 8 in all.
    expect(page.get_by_test_id("mass-segments-per")).to_have_text("2")
    expect(page.get_by_test_id("mass-segments")).to_have_text("8")
    expect(page.get_by_test_id("mass-sample")).to_contain_text("【商慧】联系人0您好")
    shot(page, "90-mass-send-preview")

    page.get_by_test_id("mass-send").click()
    box = page.locator(".el-message-box")
    expect(box).to_contain_text("将发送给 4 人")
    expect(box).to_contain_text("无法撤回")
    box.locator(".el-button--primary").click()
    expect(page.get_by_test_id("mass-status")).to_have_text("completed", timeout=30_000)
    expect(page.get_by_test_id("mass-sent")).to_have_text("4")
    expect(page.get_by_test_id("mass-remaining")).to_have_text("0")
    shot(page, "91-mass-send-completed")
    phones = sorted(r.query["PhoneNumbers"][0] for r in recorder.requests)
    assert phones == sorted(c.mobile for i, c in enumerate(contacts) if i != 2)


def test_webhook_delivery_log_and_replay(page, live_server, shot):
    from crm.messaging import webhooks
    from crm.messaging.models import WebhookDelivery

    admin = make_company()
    hook, _secret = webhooks.webhook_create(
        tenant=admin.tenant, actor=admin, url="http://127.0.0.1:9/hook", events=["contract.signed"]
    )
    first = WebhookDelivery.objects.create(
        tenant=admin.tenant,
        webhook=hook,
        event="contract.signed",
        payload={"event": "contract.signed", "data": {"id": 7}},
        status="failed",
        response_code=500,
    )
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/webhook-deliveries/{first.pk}")
    panel = page.get_by_test_id("webhook-replay-panel")
    expect(panel).to_contain_text("contract.signed")
    shot(page, "92-webhook-delivery")
    page.get_by_test_id("webhook-replay").click()
    page.wait_for_url(lambda url: f"/webhook-deliveries/{first.pk}" not in url)
    copies = WebhookDelivery.objects.filter(webhook=hook).exclude(pk=first.pk)
    assert copies.count() == 1 and copies.get().payload["data"] == {"id": 7}
