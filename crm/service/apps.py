from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "crm.service"
    label = "service"
    verbose_name = _("Customer service")

    def ready(self) -> None:
        # Codes, default grants and tenant settings; then the four processes.
        from crm.service import permissions  # noqa: F401
        from workflows import complaint, followup, project, ticket

        for process in (complaint, followup, ticket, project):
            process.register_process()
