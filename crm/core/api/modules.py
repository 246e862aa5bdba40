"""``/api/v1/modules/`` (which modules the company uses) and ``/api/v1/menu/``."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core import modules
from crm.core.api.viewsets import TenantScopedMixin
from crm.core.errors import PermissionRefused


class ModuleSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    enabled = serializers.BooleanField()
    locked = serializers.BooleanField(help_text="Always on: cannot be switched off.")
    paths = serializers.ListField(
        child=serializers.CharField(), help_text="The web app's pages of the module."
    )


class MenuEntrySerializer(serializers.Serializer):
    path = serializers.CharField()
    label = serializers.CharField()


class MenuGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    entries = MenuEntrySerializer(many=True)


class ModulesView(TenantScopedMixin, APIView):
    """The company's modules; an admin (``settings.edit``) switches them with
    ``PATCH {"marketing": false}``. A switched-off module's API answers 404
    ``module_disabled``; its data stays."""

    @extend_schema(responses=ModuleSerializer(many=True))
    def get(self, request):
        return Response(modules.module_list(request.tenant))

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT},
        responses=ModuleSerializer(many=True),
        description='Module key -> on (true) or off (false), e.g. {"marketing": false}.',
    )
    def patch(self, request):
        if not request.user.has_code("settings.edit"):
            raise PermissionRefused()
        values = request.data if isinstance(request.data, dict) else {}
        return Response(
            modules.set_modules(tenant=request.tenant, actor=request.user, values=dict(values))
        )


class MenuView(TenantScopedMixin, APIView):
    """The signed-in user's menu: the enabled modules' entries their codes allow."""

    @extend_schema(responses=MenuGroupSerializer(many=True))
    def get(self, request):
        return Response(modules.menu(request.user))
