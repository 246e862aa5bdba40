from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "crm.care"
    label = "care"
    verbose_name = _("Customer care")

    def ready(self) -> None:
        from crm.care import permissions  # noqa: F401
        from crm.core import tenant_settings
        from crm.core.registries import AppModule, MenuEntry, register_module

        tenant_settings.register(
            "care_due_hour", 9, (0, 23), _("hour of the day a care follow-up is due")
        )
        register_module(
            AppModule(
                key="care",
                label=_("Customer care"),
                order=25,
                routes=("care-rules/", "contact-birthdays/", "care/"),
                codes=("care.",),
                menu=(
                    MenuEntry("/care-rules/calendar", _("care calendar"), "care.calendar"),
                    MenuEntry("/care-rules", _("care rules"), "care.rule.view"),
                    MenuEntry("/contact-birthdays", _("lunar birthdays"), "care.birthday.view"),
                ),
            )
        )
