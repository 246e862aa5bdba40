"""``POST /api/v1/users/import/``: users from a file, previewed then invited (see user_import)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core.api.errors import domain_response
from crm.core.api.invitations import base_url
from crm.core.api.viewsets import TenantScopedMixin
from crm.core.errors import Invalid
from crm.imports import user_import


class UserImportSerializer(serializers.Serializer):
    file = serializers.FileField(label=_("file"))
    dry_run = serializers.BooleanField(label=_("dry run"), default=True)


_VALUES = inline_serializer(
    "UserImportValues",
    {name: serializers.CharField() for name in user_import.COLUMNS},
)
UserImportResult = inline_serializer(
    "UserImportResult",
    {
        "total": serializers.IntegerField(),
        "error_rows": serializers.IntegerField(),
        "rows": inline_serializer(
            "UserImportRow",
            {
                "row": serializers.IntegerField(),
                "values": _VALUES,
                "errors": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField())
                ),
            },
            many=True,
        ),
        "created": inline_serializer(
            "UserImportCreated",
            {
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "email": serializers.CharField(),
            },
            many=True,
        ),
    },
)


class UserImportView(TenantScopedMixin, APIView):
    """Preview (``dry_run``, the default) or import users from an xlsx/CSV file."""

    code = "users.create"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": UserImportSerializer},
        responses={200: UserImportResult, 201: UserImportResult},
    )
    def post(self, request):
        serializer = UserImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > user_import.MAX_BYTES:
            raise Invalid(fields={"file": [_("The file is larger than 5 MB.")]})
        dry_run = serializer.validated_data["dry_run"]
        try:
            answer = user_import.import_users(
                upload.read(),
                filename=upload.name or "",
                tenant=request.tenant,
                actor=request.user,
                base_url=base_url(request),
                dry_run=dry_run,
            )
        except user_import.RowErrors as exc:
            response = domain_response(exc)
            response.data.update(exc.answer)
            return response
        return Response(answer, status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)


def routes() -> list:
    return [path("users/import/", UserImportView.as_view(), name="user-import")]
