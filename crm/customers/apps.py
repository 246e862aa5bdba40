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
