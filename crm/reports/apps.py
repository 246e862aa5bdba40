from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "crm.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from crm.core.registries import AppModule, MenuEntry, register_module
        from crm.reports import permissions, usage  # noqa: F401

        register_module(
            AppModule(
                key="reports",
                label=_("Reports"),
                order=90,
                routes=("reports/",),
                codes=("reports.", "service.reports"),
                panels=("figures",),
                menu=(MenuEntry("/dashboard", _("Reports")),),
            )
        )
