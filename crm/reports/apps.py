from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "crm.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from crm.reports import permissions  # noqa: F401
