from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "crm.customers"
    label = "customers"
    verbose_name = _("Customer resources")

    def ready(self) -> None:
        from crm.customers import conf, permissions  # noqa: F401
        from crm.customers.resources import RESOURCES
        from crm.imports.resources import register

        for resource in RESOURCES:  # what the import/export engine may read and write
            register(resource)

        from crm.core.registries import AppModule, MenuEntry, register_module

        register_module(
            AppModule(
                key="customers",
                label=_("Customers"),
                order=10,
                locked=True,
                routes=("customers/", "contacts/", "customer-groups/"),
                codes=("customers.", "contacts.", "customer_groups."),
                menu=(
                    MenuEntry("/customers", _("customers"), "customers.view"),
                    MenuEntry("/contacts", _("contacts"), "contacts.view"),
                    MenuEntry("/customer-groups", _("customer groups"), "customer_groups.view"),
                ),
            )
        )
        register_module(
            AppModule(
                key="leads",
                label=_("Leads and pool"),
                order=20,
                routes=("leads/", "lead-forms/"),
                codes=("leads.", "transition:lead.", "lead_forms."),
                reminder_models=("customers.Lead",),
                menu=(
                    MenuEntry("/leads", _("leads"), "leads.view"),
                    MenuEntry("/lead-forms", _("lead forms"), "lead_forms.view"),
                ),
            )
        )
