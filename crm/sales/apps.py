from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "crm.sales"
    label = "sales"
    verbose_name = _("Sales opportunities")

    def ready(self) -> None:
        from crm.core.registries import register_signup_seed
        from crm.sales import conf, freeze, permissions  # noqa: F401
        from crm.sales.models import ApprovalBand
        from crm.sales.services import approval_bands_seed
        from workflows import contract, lead, opportunity, payment, quote

        opportunity.register_process()
        quote.register_process()
        contract.register_process()
        payment.register_process()
        register_signup_seed("sales.approval_bands", approval_bands_seed, models=[ApprovalBand])

        from crm.imports.resources import register
        from crm.sales.resources import RESOURCES

        for resource in RESOURCES:  # what the import/export engine may read and write
            register(resource)

        # Converting a lead also opens an opportunity, in the same transaction
        # (after create_customer_from_lead has set ``lead.customer``).
        from crm.sales.services import opportunity_for_converted_lead

        steps = lead.STEPS["convert"].in_transaction
        if opportunity_for_converted_lead not in steps:
            steps.append(opportunity_for_converted_lead)

        from crm.core.registries import AppModule, MenuEntry, register_module

        routes = {
            "products": "sales.product",
            "opportunities": "sales.opportunity",
            "requirements": "sales.requirement",
            "solutions": "sales.solution",
            "quotes": "sales.quote",
            "contracts": "sales.contract",
            "payments": "sales.payment",
            "approval-bands": "sales.approval_band",
        }
        register_module(
            AppModule(
                key="sales",
                label=_("Sales"),
                order=40,
                routes=tuple(f"{r}/" for r in routes),
                codes=(
                    "sales.",
                    "transition:opportunity.",
                    "transition:quote.",
                    "transition:contract.",
                    "transition:installment.",
                    "transition:payment.",
                ),
                reminder_models=(
                    "sales.Opportunity",
                    "sales.Quote",
                    "sales.Contract",
                    "sales.Installment",
                    "sales.Payment",
                ),
                panels=("approvals",),
                menu=tuple(
                    MenuEntry(f"/{r}", permissions.MODULES[m], f"{m}.view")
                    for r, m in routes.items()
                    if r != "approval-bands"
                ),
            )
        )
