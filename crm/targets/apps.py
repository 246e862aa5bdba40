from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "crm.targets"
    label = "targets"
    verbose_name = _("Sales targets")

    def ready(self) -> None:
        from crm.core.registries import (
            AppModule,
            MenuEntry,
            register_module,
            register_workbench_panel,
        )
        from crm.targets import permissions  # noqa: F401
        from crm.targets.panel import targets_panel

        register_workbench_panel("targets", targets_panel)
        register_module(
            AppModule(
                key="targets",
                label=_("Sales targets"),
                order=45,
                routes=("targets/", "reports/targets/"),
                codes=("targets.",),
                panels=("targets",),
                menu=(
                    MenuEntry("/targets/report", _("target attainment"), "targets.report"),
                    MenuEntry("/targets", _("sales targets"), "targets.view"),
                ),
            )
        )
