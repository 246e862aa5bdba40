"""Core endpoints: sign-up, tokens, session login, me, users, roles, teams,
dictionary, permission codes, tenant settings."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_logged_in
from django.db.models import Prefetch
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils.translation import gettext as _
from django_scopes import scope
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core import credentials, services, tenant_settings
from crm.core.api import serializers as s
from crm.core.api.invitations import UserInviteActions
from crm.core.api.permissions import HasTenant
from crm.core.api.viewsets import RecordViewSet, TenantScopedMixin
from crm.core.errors import Invalid
from crm.core.models import DictionaryItem, Role, Team, User
from crm.core.modules import code_hidden, code_module, disabled_keys
from crm.core.permissions import registry
from crm.core.registries import get_module, modules
from crm.core.tenant_settings import DEFAULTS
from crm.core.throttling import AddressLockedOut, SignupThrottle, signup_throttled


class SignupView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    # The only public write: SIGNUP_THROTTLE_RATE per client address.
    throttle_classes = [SignupThrottle]

    def throttled(self, request, wait):
        raise signup_throttled(wait)

    @extend_schema(request=s.SignupSerializer, responses={201: s.TokenSerializer})
    def post(self, request):
        """Register a company: creates the tenant, its admin user and default data."""
        serializer = s.SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.tenant_signup(**serializer.validated_data)
        _token, key = credentials.issue_token(user=user, client=credentials.client_of(request))
        return Response({"token": key}, status=status.HTTP_201_CREATED)


def _authenticate(request, data) -> User:
    serializer = s.TokenRequestSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    # ``request`` lets django-axes count failures and refuse locked-out attempts.
    user = authenticate(request, **serializer.validated_data)
    if getattr(request, "axes_locked_out", False):
        from crm.core.limits import LockedOut

        raise LockedOut()
    if getattr(request, "address_locked_out", False):
        raise AddressLockedOut()
    if user is None or not user.is_active:
        raise Invalid(
            _("The username or password is wrong."),
            fields={"password": [_("The username or password is wrong.")]},
        )
    return user


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=s.TokenRequestSerializer, responses=s.TokenSerializer)
    def post(self, request):
        """Exchange a username and password for an API token."""
        user = _authenticate(request._request, request.data)
        # A token sign-in is a sign-in: last_login, and django-axes resets the failures.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        _token, key = credentials.issue_token(user=user, client=credentials.client_of(request))
        return Response({"token": key})


def _enforce_csrf(request) -> None:
    """A session login needs the CSRF token from ``GET /auth/login/`` (no login CSRF).

    DRF checks CSRF only for requests already authenticated by a session, and
    its views are exempt from Django's middleware check.
    """
    check = CsrfViewMiddleware(lambda _request: None)
    check.process_request(request)
    if check.process_view(request, None, (), {}) is not None:
        raise PermissionDenied(
            _("The security token (CSRF) is missing or stale: reload the page and sign in again."),
            code="csrf_failed",
        )


class SessionLoginView(APIView):
    """Session login for the web UI: GET sets the CSRF cookie, POST needs its token."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: None})
    def get(self, request):
        get_token(request)
        return Response({"authenticated": request.user.is_authenticated})

    @extend_schema(request=s.TokenRequestSerializer, responses=s.MeSerializer)
    def post(self, request):
        _enforce_csrf(request._request)
        user = _authenticate(request._request, request.data)
        login(request._request, user)
        with scope(tenant=user.tenant_id):  # the serializer reads the user's roles
            return Response(s.MeSerializer(user).data)


class SessionLogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated, HasTenant]

    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        with scope(tenant=request.user.tenant_id):
            return Response(s.MeSerializer(request.user).data)

    @extend_schema(request=s.MeSerializer, responses=s.MeSerializer)
    def patch(self, request):
        """Personal settings: name, e-mail, mobile, language, rows per page, e-mail signature."""
        serializer = s.MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {
            k: v
            for k, v in serializer.validated_data.items()
            if k in ("full_name", "email", "language", "mobile", "page_size", "email_signature")
        }
        with scope(tenant=request.user.tenant_id):
            services.user_update(
                request.user, tenant=request.user.tenant, actor=request.user, **data
            )
            return Response(s.MeSerializer(request.user).data)


class UserViewSet(UserInviteActions, RecordViewSet):
    model = User
    serializer_class = s.UserSerializer
    permission_module = "users"
    owner_field = None
    filterset_fields = ["team", "is_active"]
    ordering_fields = ["username", "full_name", "id"]
    ordering = ["id"]
    create_service = staticmethod(services.user_create)
    update_service = staticmethod(services.user_update)
    delete_service = staticmethod(services.user_deactivate)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(is_system=False)
            .select_related("team")
            .prefetch_related(Prefetch("roles", queryset=Role.objects.only("id")))
        )


class RoleViewSet(RecordViewSet):
    model = Role
    serializer_class = s.RoleSerializer
    permission_module = "roles"
    ordering = ["id"]
    create_service = staticmethod(services.role_create)
    update_service = staticmethod(services.role_update)
    delete_service = staticmethod(services.role_delete)

    @extend_schema(responses=s.PermissionCodeSerializer(many=True))
    @action(detail=False, methods=["get"], code_verb="view", pagination_class=None)
    def codes(self, request):
        """Every permission code a role may hold."""
        off = disabled_keys(request.tenant)  # a switched-off module's codes are hidden
        system = get_module("system")
        rows = []
        for p in registry.items():
            if code_hidden(p.code, off):
                continue
            owner = code_module(p.code) or system
            rows.append(
                {
                    "code": p.code,
                    "label": str(p.label),
                    "module": p.module,
                    "module_label": registry.group_label(p.module),
                    "transition": p.code.startswith("transition:"),
                    "app_module": owner.key if owner else "system",
                    "app_module_label": str(owner.label) if owner else "system",
                }
            )
        return Response(rows)


class TeamViewSet(RecordViewSet):
    model = Team
    serializer_class = s.TeamSerializer
    permission_module = "teams"
    filterset_fields = ["parent", "leader"]
    ordering = ["id"]
    create_service = staticmethod(services.team_create)
    update_service = staticmethod(services.team_update)
    delete_service = staticmethod(services.team_delete)

    def get_queryset(self):
        return super().get_queryset().select_related("leader")


class DictionaryViewSet(RecordViewSet):
    model = DictionaryItem
    serializer_class = s.DictionaryItemSerializer
    permission_module = "dictionary"
    filterset_fields = ["kind", "active"]
    ordering = ["kind", "order", "id"]
    create_service = staticmethod(services.dictionary_create)
    update_service = staticmethod(services.dictionary_update)
    delete_service = staticmethod(services.dictionary_delete)
    # Everyone in the company reads picklists; editing needs the code.
    public_read = True

    @extend_schema(
        request=s.DictionaryReorderSerializer, responses=s.DictionaryItemSerializer(many=True)
    )
    @action(detail=False, methods=["post"], code_verb="edit", pagination_class=None)
    def reorder(self, request):
        """Put every value of one kind in the order given (``{"kind", "ids"}``)."""
        body = s.DictionaryReorderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items = services.dictionary_reorder(
            tenant=request.tenant, actor=request.user, **body.validated_data
        )
        return Response(s.DictionaryItemSerializer(items, many=True).data)


class TenantSettingFieldsView(TenantScopedMixin, APIView):
    """Every setting of the company's modules that are on, described for the
    settings page: its module, label, unit and limits, with its value."""

    permission_module = None

    @extend_schema(responses=s.SettingFieldSerializer(many=True))
    def get(self, request):
        tenant = request.tenant
        off = disabled_keys(tenant)
        order = {m.key: (i, m) for i, m in enumerate(modules())}
        rows = []
        for key in DEFAULTS:
            module_key = tenant_settings.MODULES.get(key, "system")
            if module_key in off:
                continue
            module = order.get(module_key, (len(order), None))[1]
            rows.append(
                {
                    "key": key,
                    "label": str(tenant_settings.LABELS[key]),
                    "module": module_key,
                    "module_label": str(module.label) if module else module_key,
                    "unit": tenant_settings.UNITS.get(key, ""),
                    "min": tenant_settings.LIMITS[key][0],
                    "max": tenant_settings.LIMITS[key][1],
                    "default": DEFAULTS[key],
                    "value": tenant.setting(key),
                }
            )
        rows.sort(
            key=lambda r: order.get(r["module"], (len(order),))[0]
        )  # stable: keeps registration order
        return Response(rows)


class TenantSettingsView(TenantScopedMixin, APIView):
    """The company's settings (SLA hours, pool rules, claim cap)."""

    permission_module = None

    @extend_schema(responses=s.TenantSettingsSerializer)
    def get(self, request):
        tenant = request.tenant
        return Response({key: tenant.setting(key) for key in s.TenantSettingsSerializer().fields})

    @extend_schema(request=s.TenantSettingsSerializer, responses=s.TenantSettingsSerializer)
    def patch(self, request):
        if not request.user.has_code("settings.edit"):
            from crm.core.errors import PermissionRefused

            raise PermissionRefused()
        serializer = s.TenantSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        tenant = services.tenant_settings_update(
            tenant=request.tenant, actor=request.user, **serializer.validated_data
        )
        return Response({key: tenant.setting(key) for key in s.TenantSettingsSerializer().fields})
