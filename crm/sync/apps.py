from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_triggers(sender, using="default", **kwargs) -> None:
    from crm.sync.triggers import install

    install(using)


class SyncConfig(AppConfig):
    name = "crm.sync"
    label = "sync"
    verbose_name = _("Offline sync")

    def ready(self) -> None:
        from crm.core import tenant_settings

        tenant_settings.register(
            "sync_key_days",
            30,
            (1, 365),
            _("days a pushed offline operation is remembered (no duplicates when resent)"),
            module="system",
        )
        # After every migrate (of any app): the triggers follow the current tables.
        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="sync_triggers")
