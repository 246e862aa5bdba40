from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "crm.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        from crm.core import tenant_settings
        from crm.core.registries import register_signup_seed
        from crm.marketing import permissions
        from crm.marketing.services import marketing_seed
        from workflows import campaign, marketing_event, requisition, stock

        campaign.register_process()
        requisition.register_process()
        stock.register_processes()
        marketing_event.register_process()
        tenant_settings.register(
            "requisition_approval_wait_hours",
            8,
            (1, 24 * 30),
            _("working hours a requisition may wait for approval before a reminder"),
        )
        # Companies older than the stock module get its categories and the 库管 role
        # when they are first offered its codes (core's sync_permissions).
        register_signup_seed("marketing", marketing_seed, new_with="marketing.stock_item.")

        from crm.imports.resources import register
        from crm.marketing.resources import RESOURCES

        for resource in RESOURCES:  # what the import/export engine may read and write
            register(resource)

        from crm.core.registries import AppModule, MenuEntry, register_module

        routes = {
            "stock-items": "marketing.stock_item",
            "stock-movements": "marketing.stock_movement",
            "stock-receipts": "marketing.stock_receipt",
            "stock-adjustments": "marketing.stock_adjustment",
            "requisitions": "marketing.requisition",
            "stock-returns": "marketing.stock_return",
            "marketing-events": "marketing.event",
            "ad-placements": "marketing.ad_placement",
            "campaigns": "marketing.campaign",
            "campaign-members": "marketing.campaign",
        }
        register_module(
            AppModule(
                key="marketing",
                label=_("Marketing"),
                order=60,
                # Its reports too (longer than the reports module's "reports/").
                routes=(*(f"{r}/" for r in routes), "reports/marketing/"),
                codes=(
                    "marketing.",
                    "transition:requisition.",
                    "transition:stock_receipt.",
                    "transition:stock_adjustment.",
                    "transition:stock_return.",
                    "transition:marketing_event.",
                    "transition:campaign.",
                ),
                reminder_models=(
                    "marketing.Requisition",
                    "marketing.StockReceipt",
                    "marketing.StockAdjustment",
                    "marketing.StockReturn",
                    "marketing.MarketingEvent",
                    "marketing.Campaign",
                ),
                menu=(
                    *tuple(
                        MenuEntry(
                            f"/{r}",
                            permissions.MODULES.get(m, _("view stock movements")),
                            f"{m}.view",
                        )
                        for r, m in routes.items()
                        if r != "campaign-members"
                    ),
                    MenuEntry("/dashboard/marketing", _("marketing reports"), permissions.REPORTS),
                ),
            )
        )
