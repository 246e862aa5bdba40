"""Factories of the messaging models for the endpoint walkers (tenant isolation,
foreign keys in bodies): ``tests/core/factories.py`` imports this module."""

from __future__ import annotations


def _register_walker_factories() -> None:
    from crm.messaging import massing, services, templating, webhooks
    from crm.messaging.models import (
        Channel,
        Delivery,
        MassSend,
        MessageTemplate,
        Suppression,
        Webhook,
        WebhookDelivery,
    )
    from tests.core.factories import factory, n

    def channel_payload(admin):
        return {"kind": "email", "name": f"邮件{n()}"}

    @factory(Channel, payload=channel_payload)
    def make_channel(admin):
        return services.channel_create(
            tenant=admin.tenant, actor=admin, kind="email", name=f"邮件{n()}"
        )

    @factory(Delivery)
    def make_delivery(admin):
        channel = make_channel(admin)
        return Delivery.objects.create(
            tenant=admin.tenant, channel=channel, recipient="a@example.com", body="测试"
        )

    def webhook_payload(admin):
        return {"url": "http://127.0.0.1:9/hook", "events": ["contract.signed"]}

    @factory(Webhook, payload=webhook_payload)
    def make_webhook(admin):
        hook, _secret = webhooks.webhook_create(
            tenant=admin.tenant,
            actor=admin,
            url=f"http://127.0.0.1:9/hook{n()}",
            events=["contract.signed"],
        )
        return hook

    @factory(WebhookDelivery)
    def make_webhook_delivery(admin):
        hook = make_webhook(admin)
        return WebhookDelivery.objects.create(
            tenant=admin.tenant, webhook=hook, event="contract.signed", payload={"id": 1}
        )

    def template_payload(admin):
        return {
            "name": f"模板{n()}",
            "channel_kind": "email",
            "subject": "{{客户名称}}",
            "body": "{{联系人}}您好",
        }

    @factory(MessageTemplate, payload=template_payload)
    def make_template(admin):
        return templating.template_create(
            tenant=admin.tenant, actor=admin, **template_payload(admin)
        )

    def mass_send_payload(admin):
        return {
            "name": f"群发{n()}",
            "channel": make_channel(admin).pk,
            "template": make_template(admin).pk,
            "audience": "filter",
            "filter": {},
        }

    @factory(MassSend, payload=mass_send_payload)
    def make_mass_send(admin):
        return massing.mass_send_create(
            tenant=admin.tenant,
            actor=admin,
            name=f"群发{n()}",
            channel=make_channel(admin),
            template=make_template(admin),
            audience="filter",
            filter={},
        )

    def suppression_payload(admin):
        return {"channel_kind": "sms", "address": f"1390000{n():04d}"}

    @factory(Suppression, payload=suppression_payload)
    def make_suppression(admin):
        return services.suppression_create(
            tenant=admin.tenant, actor=admin, **suppression_payload(admin)
        )


_register_walker_factories()
