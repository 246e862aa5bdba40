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

        from crm.core.registries import AppModule, MenuEntry, register_module

        routes = {
            "complaints": ("complaints", _("complaints")),
            "follow-ups": ("followups", _("follow-ups and return visits")),
            "tickets": ("tickets", _("service tickets")),
            "projects": ("projects", _("customer projects")),
            "feedback": ("feedback", _("customer feedback")),
        }
        register_module(
            AppModule(
                key="service",
                label=_("Service"),
                order=50,
                routes=tuple(f"{r}/" for r in routes),
                codes=(
                    "complaints.",
                    "followups.",
                    "tickets.",
                    "projects.",
                    "feedback.",
                    "service.",
                    "transition:complaint.",
                    "transition:followup.",
                    "transition:ticket.",
                    "transition:project.",
                ),
                reminder_models=(
                    "service.Complaint",
                    "service.FollowUp",
                    "service.ServiceTicket",
                    "service.CustomerProject",
                ),
                panels=("follow_ups",),
                menu=tuple(
                    MenuEntry(f"/{r}", label, f"{code}.view") for r, (code, label) in routes.items()
                ),
            )
        )
