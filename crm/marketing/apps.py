from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "crm.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        from crm.core import tenant_settings
        from crm.core.registries import register_signup_seed
        from crm.marketing import permissions  # noqa: F401
        from crm.marketing.services import marketing_seed
        from workflows import marketing_event, requisition, stock

        requisition.register_process()
        stock.register_processes()
        marketing_event.register_process()
        tenant_settings.register(
            "requisition_approval_wait_hours",
            8,
            (1, 24 * 30),
            _("working hours a requisition may wait for approval before a reminder"),
        )
        register_signup_seed("marketing", marketing_seed)
