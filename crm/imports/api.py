"""Imports (``/api/v1/imports/``) and the tenant backup (``/api/v1/backup/``).

* ``POST /imports/`` multipart: ``resource``, ``file``, ``dry_run``, ``on_error``
  (abort|skip), optional ``mapping`` (JSON object header -> column name),
  ``ignore_columns`` (JSON array of headers left out on purpose),
  ``encoding``, ``sheet``, ``add_missing_dictionary`` -> 201 the job;
* ``GET /imports/{id}/`` the job: status, progress, totals, errors, preview;
* ``GET /imports/{id}/errors.xlsx`` the failed rows with an error column;
* ``POST /imports/{id}/revert/`` undo a finished import;
* ``GET /imports/resources/`` what can be imported, with columns and aliases;
* ``GET /backup/`` the tenant's zip; ``POST /backup/restore/`` into an empty tenant.
"""

from __future__ import annotations

import io

from django.db.models import Func, IntegerField
from django.http import FileResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from crm.core.api.export import XLSX_CONTENT_TYPE
from crm.core.api.fields import JSONField, RelatedLabelField
from crm.core.api.parsers import JSONParser, loads
from crm.core.api.viewsets import TenantScopedMixin
from crm.core.errors import Invalid
from crm.imports import backup_api, formats, resources, services, user_import_api
from crm.imports.models import ImportFile, ImportJob

ERRORS_SHOWN = 1000


class ImportJobSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    created_by_name = RelatedLabelField(source="created_by.display_name")
    errors = serializers.SerializerMethodField()
    error_count = serializers.SerializerMethodField()
    reverted = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "resource",
            "filename",
            "file_format",
            "status",
            "status_label",
            "progress",
            "dry_run",
            "on_error",
            "totals",
            "errors",
            "error_count",
            "detail",
            "result",
            "options",
            "created_by",
            "created_by_name",
            "created_at",
            "started_at",
            "finished_at",
            "reverted",
            "reverted_at",
        ]
        read_only_fields = fields

    def get_errors(self, job) -> list[dict]:
        return (job.errors or [])[:ERRORS_SHOWN]

    def get_error_count(self, job) -> int:
        return len(job.errors or [])

    def get_reverted(self, job) -> bool:
        return job.reverted_at is not None


class ImportJobListSerializer(ImportJobSerializer):
    """Lists carry the error count, not the errors (up to 10,000 per job: see the detail)."""

    error_count = serializers.IntegerField(source="error_total", read_only=True)

    class Meta(ImportJobSerializer.Meta):
        fields = [f for f in ImportJobSerializer.Meta.fields if f != "errors"]
        read_only_fields = fields


class JSONArrayLength(Func):
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="jsonb_array_length", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="json_array_length", **extra)


class ImportRequestSerializer(serializers.Serializer):
    resource = serializers.ChoiceField(choices=[], label=gettext_lazy("data"))
    file = serializers.FileField(label=gettext_lazy("file"))
    dry_run = serializers.BooleanField(default=False, label=gettext_lazy("preview only"))
    on_error = serializers.ChoiceField(
        choices=ImportJob.OnError.choices, default=ImportJob.OnError.ABORT
    )
    mapping = JSONField(required=False, label=gettext_lazy("column mapping"))
    ignore_columns = JSONField(
        required=False,
        label=gettext_lazy("columns to ignore"),
        help_text=gettext_lazy(
            "The file's headers to leave out on purpose (a JSON array): a real run refuses "
            "columns it would not store unless they are mapped or ignored."
        ),
    )
    encoding = serializers.CharField(required=False, allow_blank=True, default="")
    sheet = serializers.CharField(required=False, allow_blank=True, default="")
    add_missing_dictionary = serializers.BooleanField(default=False)
    apply_assignment_rules = serializers.BooleanField(
        default=True,
        label=gettext_lazy("apply the assignment rules"),
        help_text=gettext_lazy(
            "Leads: new rows without an owner get one by the assignment rules (default); "
            "off, they are owned by the importing user."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [r.name for r in resources.all_resources()]

    def validate_mapping(self, value):
        if isinstance(value, str):
            try:
                value = loads(value)
            except ValueError:
                raise serializers.ValidationError(_("Send the mapping as a JSON object.")) from None
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
        ):
            raise serializers.ValidationError(
                _("Send the mapping as a JSON object: file header -> column name.")
            )
        return {k: v or "" for k, v in value.items()}

    def validate_ignore_columns(self, value):
        if isinstance(value, str):
            try:
                value = loads(value) if value.strip() else []
            except ValueError:
                value = None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise serializers.ValidationError(
                _("Send the columns to ignore as a JSON array of the file's headers.")
            )
        return value


class ImportColumnSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    required = serializers.BooleanField()
    importable = serializers.BooleanField()


class ImportResourceSerializer(serializers.Serializer):
    """The schema of ``GET /imports/resources/`` (``Resource.describe()``)."""

    name = serializers.CharField()
    label = serializers.CharField()
    columns = ImportColumnSerializer(many=True)
    natural_keys = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class ImportJobViewSet(
    TenantScopedMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Import jobs of the tenant (a user with the "own" data scope sees their own)."""

    model = ImportJob
    serializer_class = ImportJobSerializer
    list_serializer_class = ImportJobListSerializer
    permission_module = "imports"
    owner_field = "created_by"
    parser_classes = [MultiPartParser, FormParser, JSONParser]  # JSON: depth-limited
    filterset_fields = ["resource", "status", "dry_run"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        queryset = super().get_queryset().select_related("created_by").defer("errors")
        if self.action == "list":
            # The count in SQL: reading the deferred errors would cost a query per row.
            queryset = queryset.annotate(error_total=JSONArrayLength("errors"))
        return queryset

    def get_object(self):
        # The detail needs the errors (deferred in lists).
        obj = super().get_object()
        obj.refresh_from_db(fields=["errors"])
        return obj

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={201: ImportJobSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Upload a file: a job is created and run by a worker; follow it with GET."""
        form = ImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        upload = data["file"]
        if upload.size > services.upload_limit():
            raise Invalid(fields={"file": [_("The file is too large.")]})
        job = services.import_job_create(
            tenant=request.tenant,
            actor=request.user,
            resource=data["resource"],
            filename=upload.name,
            content=upload.read(),
            dry_run=data["dry_run"],
            on_error=data["on_error"],
            mapping=data.get("mapping"),
            ignore_columns=data.get("ignore_columns"),
            encoding=data["encoding"],
            sheet=data["sheet"],
            add_missing_dictionary=data["add_missing_dictionary"],
            apply_assignment_rules=data["apply_assignment_rules"],
        )
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, *args, **kwargs):
        job = self.get_object()
        services.heal_if_stale(job)  # a dead worker's job goes back to the queue
        return Response(self.get_serializer(job).data)

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="errors.xlsx", code_verb="view")
    def errors_file(self, request, pk=None):
        """The file's rows that failed, as they were, plus an error column.

        Served as the worker stored it: the upload is never parsed here.
        """
        job = self.get_object()
        stored = ImportFile.objects.filter(job=job).values_list("errors_xlsx", flat=True).first()
        if stored is not None:
            content = io.BytesIO(bytes(stored))
        elif job.errors:
            # A job finished before the file was stored; it would have to parse the upload.
            raise NotFound(_("The errors file of this import is not available: import again."))
        else:
            header = (job.result or {}).get("header") or []
            content = formats.xlsx_file([*header, _("errors")], [], title=_("errors"))
        name = job.filename.rsplit(".", 1)[0]
        return FileResponse(
            content,
            as_attachment=True,
            filename=f"{name}-errors.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "ImportRevert",
            {"deleted": serializers.IntegerField(), "restored": serializers.IntegerField()},
        ),
    )
    @action(detail=True, methods=["post"], code="imports.create")
    def revert(self, request, pk=None):
        """Undo the import: created rows are deleted, updated rows get their old values back."""
        job = self.get_object()
        summary = services.import_job_revert(job, tenant=request.tenant, actor=request.user)
        return Response(summary)

    @extend_schema(responses=ImportResourceSerializer(many=True))
    @action(
        detail=False,
        methods=["get"],
        url_path="resources",
        code_verb="view",
        pagination_class=None,  # a plain list, neither paginated nor filtered
        filter_backends=[],
    )
    def resources(self, request):
        """What can be imported: each resource's columns (labels, aliases) and keys."""
        return Response([r.describe() for r in resources.all_resources()])


def register_routes(router) -> list:
    router.register("imports", ImportJobViewSet, basename="import")
    errors_file = ImportJobViewSet.as_view({"get": "errors_file"})
    return [
        # The spelling, without the router's trailing slash.
        path("imports/<int:pk>/errors.xlsx", errors_file, name="import-errors-xlsx"),
        *backup_api.routes(router),
        *user_import_api.routes(),
    ]
