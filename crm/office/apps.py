from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    name = "crm.office"
    label = "office"
    verbose_name = _("Office")

    def ready(self) -> None:
        from crm.core import tenant_settings
        from crm.core.registries import register_timeline_source
        from crm.office import permissions  # noqa: F401
        from crm.office.timeline import attachment_entries
        from crm.office.workbench import register_panels
        from workflows import announcement

        announcement.register_process()
        tenant_settings.register("attachment_max_mb", 20, (1, 1024), _("largest attachment, in MB"))
        tenant_settings.register(
            "attachment_quota_mb",
            2048,
            (1, 1024 * 1024),
            _("storage for the company's attachments, in MB"),
        )
        register_timeline_source("attachments", attachment_entries)
        register_panels()

        from crm.core.registries import AppModule, MenuEntry, register_module

        # The workbench and quick create stay with every module set; attachments and
        # announcements switch off together.
        register_module(
            AppModule(
                key="office",
                label=_("Office"),
                order=40,
                routes=("attachments/", "announcements/"),
                codes=("office.", "transition:announcement."),
                panels=("announcements",),
                menu=(MenuEntry("/announcements", _("announcements"), "office.announcement.view"),),
            )
        )
