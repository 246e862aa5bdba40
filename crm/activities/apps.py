from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "crm.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from crm.activities import permissions  # noqa: F401
        from crm.activities.timeline import register_sources
        from crm.core import tenant_settings
        from workflows import event, plan, task

        task.register_process()
        event.register_process()
        plan.register_process()
        tenant_settings.register(
            "task_reminder_minutes",
            60,
            (0, 60 * 24 * 7),
            _("minutes before a task is due when its assignee is reminded"),
        )
        tenant_settings.register(
            "plan_submit_hour",
            10,
            (0, 23),
            _("hour of a workday by which a daily plan should be submitted"),
        )
        register_sources()

        from crm.core.registries import AppModule, MenuEntry, register_module

        register_module(
            AppModule(
                key="activities",
                label=_("Activities"),
                order=30,
                routes=("activities/", "tasks/", "events/", "plans/"),
                codes=(
                    "activities.",
                    "transition:task.",
                    "transition:event.",
                    "transition:plan.",
                ),
                reminder_models=(
                    "activities.Task",
                    "activities.CalendarEvent",
                    "activities.WorkPlan",
                ),
                panels=("events", "tasks"),
                menu=(
                    MenuEntry("/activities", _("activity records"), "activities.view"),
                    MenuEntry("/tasks", _("tasks"), "activities.task.view"),
                    MenuEntry("/events", _("calendar events"), "activities.event.view"),
                    MenuEntry("/plans", _("work plans"), "activities.plan.view"),
                ),
            )
        )
