from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "crm.imports"
    label = "imports"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from crm.imports import customer_resources, permissions, sales_resources  # noqa: F401
