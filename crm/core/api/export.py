"""``GET /<collection>/export/?file_format=xlsx|csv``: a list's filtered rows as a file.

Add ``ExportMixin`` to a ``TenantViewSet``: the export runs the viewset's own
``filter_queryset(get_queryset())``, so the tenant, the user's data scope, the
list's filters, search and ordering all apply. Columns come from the model's
import resource when it has one (so an export re-imports cleanly), else from
the list serializer. CSV streams row by row (UTF-8 with a BOM for Excel);
xlsx is written to a temporary file and streamed from there. Text that starts
like a formula is neutralised.

Core owns the HTTP side only: the columns of a resource and the file writers
belong to the import/export engine, which registers them as the
``Exporter`` (``crm.core.registries``); without one, exports answer 404.
"""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound

from crm.core.errors import Invalid, PermissionRefused
from crm.core.registries import exporter
from crm.db_router import replica_db

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000


def _serializer_spec(view):
    serializer = view.get_serializer()
    names = [name for name, f in serializer.fields.items() if not f.write_only]
    header = [str(serializer.fields[n].label or n) for n in names]

    def row(obj):
        data = serializer.to_representation(obj)
        out = []
        for name in names:
            value = data.get(name)
            if isinstance(value, list | dict):
                value = str(value)
            out.append("" if value is None else value)
        return out

    return header, row


def export_spec(view, columns=None):
    """(translated header, obj -> row) for the viewset's model."""
    spec = columns(view.model) if columns is not None else None
    return spec if spec is not None else _serializer_spec(view)


class ExportMixin:
    @extend_schema(
        parameters=[
            OpenApiParameter("file_format", str, enum=["xlsx", "csv"], required=False),
            OpenApiParameter(
                "ids",
                str,
                required=False,
                description="Comma-separated ids: only these rows (a list's selection).",
            ),
        ],
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.BINARY,
        },
    )
    @action(detail=False, methods=["get"], url_path="export", code_verb="view")
    def export(self, request):
        """The list's rows (same filters, search and ordering) as an xlsx or CSV file."""
        files = exporter()
        if files is None:
            raise NotFound()
        if not request.user.has_code(files.code):
            raise PermissionRefused()
        file_format = request.query_params.get("file_format", "xlsx")
        if file_format not in ("xlsx", "csv"):
            raise Invalid(fields={"file_format": [_("Choose xlsx or csv.")]})
        # A file of rows tolerates a replica's lag (crm/db_router.py).
        queryset = self.filter_queryset(self.get_queryset()).using(replica_db())
        if "ids" in request.query_params:
            queryset = queryset.filter(pk__in=_selected_ids(request.query_params["ids"]))
        header, row = export_spec(self, files.columns)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        basename = f"{self.basename or self.model._meta.model_name}-{stamp}"

        if file_format == "xlsx":
            rows = (row(obj) for obj in queryset.iterator(chunk_size=CHUNK))
            title = str(self.model._meta.verbose_name_plural)
            return FileResponse(
                files.xlsx_file(header, rows, title),
                as_attachment=True,
                filename=f"{basename}.xlsx",
                content_type=XLSX_CONTENT_TYPE,
            )

        tenant_id = request.user.tenant_id
        language = translation.get_language()

        def lines():
            # Streaming happens after the view returned: re-enter its scope and language.
            with scope(tenant=tenant_id), translation.override(language):
                rows = (_csv_values(row(obj)) for obj in queryset.iterator(chunk_size=CHUNK))
                yield from files.csv_stream(header, rows)

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{basename}.csv"'
        return response


MAX_SELECTED = 1000


def _selected_ids(raw: str) -> list[int]:
    """The ids of ``?ids=1,2,3``: whole numbers, at most MAX_SELECTED, else 400."""
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not parts or not all(p.isdigit() and len(p) < 19 for p in parts):
        raise Invalid(fields={"ids": [_("Send record ids separated by commas.")]})
    if len(parts) > MAX_SELECTED:
        raise Invalid(
            fields={"ids": [_("Export at most %(n)d selected records.") % {"n": MAX_SELECTED}]}
        )
    return [int(p) for p in parts]


def _csv_values(values: list) -> list:
    out = []
    for value in values:
        if isinstance(value, dt.datetime):
            value = value.isoformat(sep=" ")
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out.append(value)
    return out
