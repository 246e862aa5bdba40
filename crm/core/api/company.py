"""``/api/v1/company/``: the company profile; ``/api/v1/company/logo/``: its logo."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core.api.viewsets import TenantScopedMixin
from crm.core.company import company_update
from crm.core.errors import NotFound, PermissionRefused
from crm.core.models import Tenant


def logo_url(tenant) -> str | None:
    if not tenant.logo:
        return None
    # The file's name in the address, so a new logo is not served from a cache.
    return f"/api/v1/company/logo/?v={tenant.logo.name.rsplit('/', 1)[-1]}"


class CompanySerializer(serializers.ModelSerializer):
    logo = serializers.FileField(
        required=False, allow_null=True, write_only=True, help_text="PNG, JPEG, GIF or WebP"
    )
    remove_logo = serializers.BooleanField(required=False, write_only=True)
    logo_url = serializers.SerializerMethodField()

    class Meta:
        model = Tenant
        fields = [
            "name",
            "short_name",
            "logo",
            "remove_logo",
            "logo_url",
            "credit_code",
            "address",
            "phone",
            "time_zone",
            "fiscal_year_start",
            "currency_display",
        ]
        extra_kwargs = {"name": {"label": _("company")}}

    def get_logo_url(self, tenant) -> str | None:
        return logo_url(tenant)


class CompanyView(TenantScopedMixin, APIView):
    """The company profile; every member reads it, ``settings.edit`` changes it."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=CompanySerializer)
    def get(self, request):
        return Response(CompanySerializer(request.tenant).data)

    @extend_schema(request=CompanySerializer, responses=CompanySerializer)
    def patch(self, request):
        if not request.user.has_code("settings.edit"):
            raise PermissionRefused()
        serializer = CompanySerializer(request.tenant, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        logo = data.pop("logo", None)
        remove = data.pop("remove_logo", False)
        tenant = company_update(
            tenant=request.tenant, actor=request.user, logo=logo, remove_logo=remove, **data
        )
        return Response(CompanySerializer(tenant).data)


class CompanyLogoView(TenantScopedMixin, APIView):
    """The company's logo image (for the header and printed documents)."""

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request):
        tenant = request.tenant
        if not tenant.logo:
            raise NotFound()
        content_type = mimetypes.guess_type(tenant.logo.name)[0] or "application/octet-stream"
        response = FileResponse(tenant.logo.open("rb"), content_type=content_type)
        response.headers["Cache-Control"] = "private, max-age=86400"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
