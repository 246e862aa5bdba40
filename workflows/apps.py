from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        # Register every process (transitions, guards, reminder rules, codes).
        from crm.core.registries import register_history_source
        from workflows import customer, lead
        from workflows.history import transition_entries

        lead.register_process()
        customer.register_process()
        register_history_source("transitions", transition_entries)
