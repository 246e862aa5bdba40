"""Factories of the messaging models for the endpoint walkers (tenant isolation,
foreign keys in bodies): ``tests/core/factories.py`` imports this module."""

from __future__ import annotations


def _register_walker_factories() -> None:
    from crm.messaging import services, webhooks
    from crm.messaging.models import Channel, Delivery, Webhook, WebhookDelivery
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


_register_walker_factories()
