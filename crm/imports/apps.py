from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "crm.imports"
    label = "imports"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from crm.core.registries import Exporter, register_exporter

        # The resources register themselves from their apps (crm/<app>/resources.py).
        from crm.imports import permissions  # noqa: F401
        from crm.imports.formats import csv_stream, xlsx_file

        register_exporter(
            "imports",
            Exporter(
                columns=export_columns,
                xlsx_file=xlsx_file,
                csv_stream=csv_stream,
                code="imports.export",
            ),
        )

        from crm.core.registries import AppModule, MenuEntry, register_module

        register_module(
            AppModule(
                key="imports",
                label=_("Imports"),
                order=80,
                routes=("imports/",),
                codes=("imports.view", "imports.create"),
                menu=(MenuEntry("/imports", _("view import jobs"), "imports.view"),),
            )
        )


def export_columns(model):
    """(header, obj -> row) from the model's import resource, so an export re-imports."""
    from crm.imports.resources import for_model

    resource = for_model(model)
    return None if resource is None else (resource.export_header(), resource.export_row)
