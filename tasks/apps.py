from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "Background tasks"

    def ready(self) -> None:
        from crm.core.registries import register_health_check
        from tasks.health import broker_health

        register_health_check("broker", broker_health)
