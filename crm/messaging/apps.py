from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "crm.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from crm.core import tenant_settings
        from crm.core.registries import AppModule, MenuEntry, register_module
        from crm.messaging import permissions, webhooks
        from workflows import events, mass_send

        mass_send.register_process()

        events.register_listener("messaging.webhooks", webhooks.on_transition)
        tenant_settings.register(
            "messaging_quiet_start_hour",
            21,
            (0, 23),
            _("quiet hours start (hour, no SMS or robots)"),
        )
        tenant_settings.register(
            "messaging_quiet_end_hour", 8, (0, 23), _("quiet hours end (hour)")
        )
        tenant_settings.register(
            "messaging_escalations_bypass_quiet",
            0,
            (0, 1),
            _("escalations reach people during quiet hours (1 = yes)"),
        )
        events.register_event_listener("messaging.webhooks", webhooks.on_event)
        routes = {
            "channels": "messaging.channel",
            "webhooks": "messaging.webhook",
            "message-templates": "messaging.template",
            "mass-sends": "messaging.mass_send",
            "suppressions": "messaging.suppression",
        }
        register_module(
            AppModule(
                key="messaging",
                label=_("Messaging"),
                order=80,
                routes=(
                    *(f"{r}/" for r in routes),
                    "deliveries/",
                    "webhook-deliveries/",
                    # Not "unsubscribe/" nor "sms/inbound/": public, and an
                    # unsubscribe must work even while messaging is switched off.
                ),
                codes=("messaging.", "transition:mass_send."),
                menu=tuple(
                    MenuEntry(f"/{r}", permissions.MODULES[m], f"{m}.view")
                    for r, m in routes.items()
                ),
            )
        )
