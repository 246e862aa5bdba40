"""Invitations, password resets by an administrator, and the public link page.

* ``POST /api/v1/users/invite/`` ``{"emails": [...], "roles": [ids], "team": id}``
  (``users.create``): one user per address, each mailed a one-time link;
* ``POST /api/v1/users/{id}/reset-password/`` (``users.edit``): mails the user a
  link to set a new password;
* ``GET /api/v1/invitations/{key}/``: public, what the link is for (or 400 why
  it cannot be used); ``POST /api/v1/invitations/{key}/accept/``
  ``{"password", "full_name"}``: public, sets the password once.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_scopes import scope, scopes_disabled
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core import invitations
from crm.core.api.serializers import TenantPrimaryKeyField
from crm.core.models import Role, Team
from crm.core.throttling import AddressRateThrottle


def base_url(request) -> str:
    return getattr(settings, "PUBLIC_BASE_URL", "") or request.build_absolute_uri("/")


class InviteSerializer(serializers.Serializer):
    emails = serializers.ListField(
        child=serializers.CharField(max_length=254), label=_("e-mail addresses")
    )
    roles = TenantPrimaryKeyField(model=Role, many=True, label=_("roles"), required=False)
    team = TenantPrimaryKeyField(model=Team, label=_("team"), required=False, allow_null=True)


class InvitedUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()


class UserInviteActions:
    """The invitation and reset actions of ``/users/`` (mixed into UserViewSet)."""

    @extend_schema(request=InviteSerializer, responses={201: InvitedUserSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="invite", code_verb="create")
    def invite(self, request):
        """Invite people by e-mail: each gets a user and a link to set a password."""
        serializer = InviteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        users = invitations.invite_users(
            tenant=request.tenant,
            actor=request.user,
            emails=serializer.validated_data["emails"],
            roles=list(serializer.validated_data.get("roles") or []),
            team=serializer.validated_data.get("team"),
            base_url=base_url(request),
        )
        return Response(
            InvitedUserSerializer(users, many=True).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"], url_path="reset-password", code_verb="edit")
    def reset_password(self, request, pk=None):
        """Mail the user a one-time link to set a new password."""
        user = self.get_object()
        invitations.send_reset(
            user, tenant=request.tenant, actor=request.user, base_url=base_url(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationThrottle(AddressRateThrottle):
    scope = "invitation"
    setting = "INVITATION_THROTTLE_RATE"

    def get_rate(self):
        return getattr(settings, self.setting, "120/hour") or None


class _PublicLinkView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [InvitationThrottle]


LinkSerializer = inline_serializer(
    "InvitationLink",
    {
        "kind": serializers.CharField(),
        "username": serializers.CharField(),
        "email": serializers.CharField(),
        "full_name": serializers.CharField(),
        "company": serializers.CharField(),
    },
)


class InvitationView(_PublicLinkView):
    @extend_schema(responses=LinkSerializer)
    def get(self, request, key: str):
        """What a link is for; 400 ``token`` when it is unknown, used or expired."""
        with scopes_disabled():
            link = invitations.find_link(key)
        user = link.user
        return Response(
            {
                "kind": link.kind,
                "username": user.username,
                "email": user.email,
                "full_name": user.full_name,
                "company": user.tenant.name,
            }
        )


class AcceptSerializer(serializers.Serializer):
    password = serializers.CharField(label=_("password"), max_length=128, allow_blank=True)
    full_name = serializers.CharField(
        label=_("full name"), max_length=100, required=False, allow_blank=True
    )


class InvitationAcceptView(_PublicLinkView):
    @extend_schema(
        request=AcceptSerializer,
        responses=inline_serializer("InvitationAccepted", {"username": serializers.CharField()}),
    )
    def post(self, request, key: str):
        """Set the password through the link (once); then sign in with it."""
        serializer = AcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with scopes_disabled():
            link = invitations.find_link(key)
            tenant_id = link.user.tenant_id
        with scope(tenant=tenant_id):
            user = invitations.accept(
                key,
                password=serializer.validated_data["password"],
                full_name=serializer.validated_data.get("full_name"),
            )
        return Response({"username": user.username})
