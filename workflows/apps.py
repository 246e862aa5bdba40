from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        # Register every process (transitions, guards, reminder rules, codes).
        from workflows import lead

        lead.register_process()
