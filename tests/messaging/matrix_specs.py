"""Permission-matrix entries for the messaging endpoints: channels, deliveries,
webhooks, the webhook delivery log, templates, mass sends, the suppression list,
the public unsubscribe and SMS inbound endpoints and the notification preferences (hooked into
``tests/reliability/specs.py`` with one import line).

Nothing is contacted: channels are e-mail (no endpoint), webhooks point at
``http://127.0.0.1:9/`` and the test/replay actions only queue work (202)."""

from __future__ import annotations

from tests.reliability.specs import ACTIONS, PATHS, RESOURCES, ActionSpec, PathSpec


def _delivery(ctx, user) -> int:
    from crm.messaging.models import Delivery

    channel = ctx.create("channel")
    return Delivery.objects.create(
        tenant=ctx.tenant, channel_id=channel, recipient="matrix@example.cn", body="测试"
    ).pk


def _webhook_delivery(ctx, user) -> int:
    from crm.messaging.models import WebhookDelivery

    webhook = ctx.create("webhook")
    return WebhookDelivery.objects.create(
        tenant=ctx.tenant, webhook_id=webhook, event="contract.signed", payload={"id": 1}
    ).pk


RESOURCES.update(
    {
        "channel": {
            "create": lambda ctx: {"kind": "email", "name": ctx.unique("邮件通道")},
            "update": lambda ctx: {"active": False},
        },
        "delivery": {"make": _delivery},
        "webhook": {
            "create": lambda ctx: {
                "url": f"http://127.0.0.1:9/{ctx.unique('hook')}",
                "events": ["contract.signed"],
            },
            "update": lambda ctx: {"events": ["payment.confirmed"]},
        },
        "webhook-delivery": {"make": _webhook_delivery},
        "message-template": {
            "create": lambda ctx: {
                "name": ctx.unique("模板"),
                "channel_kind": "email",
                "subject": "{{客户名称}}",
                "body": "{{联系人}}您好",
            },
            "update": lambda ctx: {"name": ctx.unique("模板")},
        },
        "mass-send": {
            "create": lambda ctx: {
                "name": ctx.unique("群发"),
                "channel": ctx.create("channel"),
                "template": ctx.create("message-template"),
                "audience": "filter",
                "filter": {},
            },
            "update": lambda ctx: {"name": ctx.unique("群发")},
        },
        "suppression": {
            "create": lambda ctx: {
                "channel_kind": "sms",
                # A valid mobile number (11 digits), new each time.
                "address": f"139{int(ctx.unique('')):08d}",
            },
        },
    }
)

ACTIONS.update(
    {
        # Both only queue work (sent by a worker after commit): 202.
        ("channel", "test"): ActionSpec(body={"recipient": "matrix@example.cn"}, status=202),
        ("webhook-delivery", "replay"): ActionSpec(body={}, status=202),
        ("mass-send", "transitions"): ActionSpec(
            kwargs={"name": "cancel"}, body={}, extra_codes=("transition:mass_send.cancel",)
        ),
    }
)

# Public: the signed unsubscribe link and the SMS provider's inbound callback.
PATHS["unsubscribe"] = {
    "get": PathSpec(anonymous=True, tenant_scoped=False),
    "post": PathSpec(anonymous=True, tenant_scoped=False),
}
PATHS["sms-inbound"] = {"post": PathSpec(anonymous=True, tenant_scoped=False)}

PATHS["me-notification-preferences"] = {
    "get": PathSpec(),
    "put": PathSpec(body=lambda ctx: {"reminder": ["in_app", "email"]}),
}
PATHS["notification-preferences-default"] = {
    "get": PathSpec(code="messaging.channel.edit"),
    "put": PathSpec(code="messaging.channel.edit", body=lambda ctx: {"mention": ["in_app"]}),
}
