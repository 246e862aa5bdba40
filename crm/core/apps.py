from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "crm.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Signal receivers: sessions tracked at sign-in, failed sign-ins counted per address.
        from crm.core import collation, credentials, throttling  # noqa: F401
        from crm.core.api.fields import install_field_defaults

        install_field_defaults()
        collation.install()  # SQLite: the zh_pinyin collation on each connection

        from crm.core.registries import AppModule, MenuEntry, register_module

        register_module(
            AppModule(
                key="system",
                label=_("System"),
                order=1000,
                locked=True,
                menu=(MenuEntry("/settings", _("settings")),),
            )
        )
