"""``/api/v1/me/avatar/``: the signed-in user's avatar (GET the image, POST a new one, DELETE)."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse
from django.utils.translation import gettext as _
from django_scopes import scope
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core.api import serializers as s
from crm.core.api.permissions import HasTenant
from crm.core.errors import Invalid, NotFound
from crm.core.profile import avatar_set


class AvatarView(APIView):
    permission_classes = [IsAuthenticated, HasTenant]
    parser_classes = [MultiPartParser]

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request):
        avatar = request.user.avatar
        if not avatar:
            raise NotFound()
        content_type = mimetypes.guess_type(avatar.name)[0] or "application/octet-stream"
        response = FileResponse(avatar.open("rb"), content_type=content_type)
        response.headers["Cache-Control"] = "private, max-age=86400"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "AvatarRequest", {"avatar": serializers.FileField()}
            )
        },
        responses=s.MeSerializer,
    )
    def post(self, request):
        with scope(tenant=request.user.tenant_id):
            avatar_set(request.user, check_upload(request.FILES.get("avatar")))
            return Response(s.MeSerializer(request.user).data)

    @extend_schema(responses={204: None})
    def delete(self, request):
        with scope(tenant=request.user.tenant_id):
            if request.user.avatar:
                avatar_set(request.user, None)
        return Response(status=status.HTTP_204_NO_CONTENT)


def check_upload(upload):
    if upload is None:
        raise Invalid(fields={"avatar": [_("Choose an image.")]})
    return upload
