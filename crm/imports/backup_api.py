"""The company's backup, for holders of ``imports.backup``; every use is audited.

* ``GET /backup/``: the zip at once (API clients, small companies);
* ``GET|POST /backup/jobs/``: the background backups (paginated) / start one;
  ``GET /backup/jobs/{id}/``: its status and progress, and when done a
  ``download_url`` whose signature expires (``BACKUP_LINK_MAX_AGE``);
  ``GET /backup/jobs/{id}/download/?signature=``: the zip;
* ``POST /backup/restore/`` multipart ``file``: into this company when it is
  still empty, or with ``target=new`` (and ``company``, ``username``,
  ``password``, ``email``) into a new company with its own administrator.
"""

from __future__ import annotations

import tempfile

from django.http import FileResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core import audit
from crm.core.api.viewsets import TenantScopedMixin
from crm.core.errors import Invalid
from crm.imports import backup, backup_jobs
from crm.imports.models import BackupJob

CODE = "imports.backup"


class BackupView(TenantScopedMixin, APIView):
    """``GET``: the tenant's full backup (zip of JSON files), for tenant admins."""

    code = CODE

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request):
        out = tempfile.TemporaryFile()
        backup.write_backup(request.tenant, out)
        out.seek(0)
        audit.record(
            tenant=request.tenant,
            actor=request.user,
            action="backup_download",
            obj=request.tenant,
            changes={},
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return FileResponse(
            out,
            as_attachment=True,
            filename=f"backup-{request.tenant.pk}-{stamp}.zip",
            content_type="application/zip",
        )


class BackupJobSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(
        help_text="The zip's address while its signature is valid (succeeded jobs only)."
    )
    link_expires_in = serializers.SerializerMethodField(help_text="Seconds the link is valid.")
    created_by = serializers.CharField(source="created_by.display_name", default=None)

    class Meta:
        model = BackupJob
        fields = [
            "id",
            "status",
            "progress",
            "size",
            "rows",
            "detail",
            "created_by",
            "created_at",
            "finished_at",
            "download_url",
            "link_expires_in",
        ]
        read_only_fields = fields

    def get_download_url(self, job) -> str | None:
        if job.status != BackupJob.Status.SUCCEEDED or not job.file:
            return None
        url = reverse("backup-job-download", kwargs={"pk": job.pk})
        return f"{url}?signature={backup_jobs.download_signature(job)}"

    def get_link_expires_in(self, job) -> int | None:
        return backup_jobs.link_max_age() if job.status == BackupJob.Status.SUCCEEDED else None


class BackupJobViewSet(
    TenantScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The company's background backups, newest first; POST starts one."""

    model = BackupJob
    serializer_class = BackupJobSerializer
    code = CODE
    filter_backends: list = []

    def get_queryset(self):
        return super().get_queryset().select_related("created_by").order_by("-created_at")

    @extend_schema(request=None, responses={202: BackupJobSerializer})
    def create(self, request):
        """Start a backup in the background (or give the one still running)."""
        running = BackupJob.objects.filter(
            tenant=request.tenant,
            status__in=[BackupJob.Status.PENDING, BackupJob.Status.RUNNING],
        ).first()
        job = running or backup_jobs.backup_job_create(tenant=request.tenant, actor=request.user)
        return Response(BackupJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[OpenApiParameter("signature", str, required=True)],
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def download(self, request, pk=None):
        """The backup's zip, while the link's signature is valid (audited)."""
        job = self.get_object()
        backup_jobs.check_signature(job, request.query_params.get("signature", ""))
        backup_jobs.record_download(job, actor=request.user)
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.file.name.rsplit("/", 1)[-1],
            content_type="application/zip",
        )


class RestoreSerializer(serializers.Serializer):
    file = serializers.FileField(label=gettext_lazy("backup file"), required=False)
    target = serializers.ChoiceField(
        choices=[("this", "this"), ("new", "new")], default="this", label=gettext_lazy("target")
    )
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    username = serializers.CharField(max_length=150, required=False, allow_blank=True)
    password = serializers.CharField(max_length=128, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


class RestoreView(TenantScopedMixin, APIView):
    """``POST`` multipart ``file``: restore a backup into this (empty) company or a new one."""

    code = CODE
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": RestoreSerializer},
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request):
        serializer = RestoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = request.FILES.get("file")
        if upload is None:
            raise Invalid(fields={"file": [_("Choose a backup file.")]})
        if data["target"] == "this":
            summary = backup.restore_backup(upload, tenant=request.tenant, actor=request.user)
            return Response(summary, status=status.HTTP_200_OK)
        missing = {
            name: [_("This field is required.")]
            for name in ("company", "username", "password", "email")
            if not data.get(name)
        }
        if missing:
            raise Invalid(fields=missing)
        summary = backup_jobs.restore_into_new_company(
            upload,
            tenant=request.tenant,
            actor=request.user,
            company=data["company"],
            username=data["username"],
            password=data["password"],
            email=data["email"],
        )
        return Response(summary, status=status.HTTP_201_CREATED)


def routes(router) -> list:
    router.register("backup/jobs", BackupJobViewSet, basename="backup-job")
    return [
        path("backup/", BackupView.as_view(), name="backup"),
        path("backup/restore/", RestoreView.as_view(), name="backup-restore"),
    ]
