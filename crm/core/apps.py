from django.apps import AppConfig
from django.core.exceptions import FieldDoesNotExist
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_permissions(sender, using=DEFAULT_DB_ALIAS, apps=None, verbosity=1, **kwargs) -> None:
    """Offer every company the permission codes this release added (``services.sync_permissions``).

    Here, after ``migrate``, because ``migrate`` is the one step every upgrade
    runs: the Procfile's ``release`` phase, ``manage.py serve`` (the embedded
    default) at each start, and a bare-metal deploy's documented steps. A
    release can add codes with no migration of its own; ``post_migrate`` fires
    even when there is nothing to migrate. Not in ``serve`` alone (the Procfile
    deployment never runs it) nor in a web or worker start (several processes
    would race at each start). Codes are registered by the apps' ``ready()``, all
    done before ``migrate`` runs. Skipped when the database is not at (or past)
    the migration that adds the bookkeeping (``migrate core 0008`` backwards).
    """
    if using != DEFAULT_DB_ALIAS:  # the services write through the default connection
        return
    if apps is not None:
        try:
            apps.get_model("core", "Tenant")._meta.get_field("permissions_offered")
            apps.get_model("core", "Role")._meta.get_field("preset")
        except (LookupError, FieldDoesNotExist):
            return
    from crm.core.services import sync_permissions

    granted = sync_permissions()
    if verbosity >= 1 and granted:
        roles = sum(len(r) for r in granted.values())
        print(f"  Permission codes granted to {roles} default roles in {len(granted)} companies.")


class CoreConfig(AppConfig):
    name = "crm.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Signal receivers: sessions tracked at sign-in, failed sign-ins counted per address.
        from crm.core import collation, credentials, throttling  # noqa: F401
        from crm.core.api.fields import install_field_defaults

        install_field_defaults()
        # After every migrate: new permission codes reach existing companies' roles.
        post_migrate.connect(_sync_permissions, sender=self, dispatch_uid="core_sync_permissions")
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
