"""``POST /api/v1/me/password/``: the signed-in user changes their own password."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scope
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core import credentials, services
from crm.core.api.permissions import HasTenant
from crm.core.errors import Invalid
from crm.core.models import ApiToken


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(
        label=gettext_lazy("current password"), max_length=128, write_only=True
    )
    new_password = serializers.CharField(
        label=gettext_lazy("new password"), max_length=128, write_only=True
    )


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated, HasTenant]

    @extend_schema(request=PasswordChangeSerializer, responses={204: None})
    def post(self, request):
        """Check the current password, validate and set the new one.

        Every other token and session of the user is revoked; the token or
        session making this request stays signed in.
        """
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user
        if not user.check_password(serializer.validated_data["old_password"]):
            raise Invalid(fields={"old_password": [_("The current password is wrong.")]})
        token = request.auth if isinstance(request.auth, ApiToken) else None
        session_key = request.session.session_key if token is None else None
        with scope(tenant=user.tenant_id):
            try:
                services.user_update(
                    user,
                    tenant=user.tenant,
                    actor=user,
                    password=serializer.validated_data["new_password"],
                    keep_token_id=token.pk if token else None,
                    keep_session_key=session_key,
                )
            except Invalid as exc:  # the validators' messages belong to the new password
                fields = dict(exc.fields or {})
                if "password" in fields:
                    fields["new_password"] = fields.pop("password")
                raise Invalid(fields=fields) from None
        if token is None:
            # A new session key (the old row goes); it is tracked like a sign-in.
            update_session_auth_hash(request._request, user)
            credentials.track_session(type(user), request._request, user)
        return Response(status=status.HTTP_204_NO_CONTENT)
