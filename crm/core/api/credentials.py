"""Personal settings: the signed-in user's API tokens and browser sessions.

``GET /api/v1/me/tokens/`` and ``DELETE /api/v1/me/tokens/{id}/``;
``GET /api/v1/me/sessions/`` and ``DELETE /api/v1/me/sessions/{id}/``.
A key is shown once, when it is issued; the list shows its first characters.
Another user's token or session answers 404.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from crm.core import credentials
from crm.core.api.permissions import HasTenant
from crm.core.models import ApiToken, UserSession


class ApiTokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(label=_("this token"))

    class Meta:
        model = ApiToken
        fields = ["id", "prefix", "client", "created_at", "last_used_at", "expires_at", "current"]
        read_only_fields = fields

    def get_current(self, token) -> bool:
        request = self.context.get("request")
        auth = getattr(request, "auth", None)
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class UserSessionSerializer(serializers.ModelSerializer):
    expires_at = serializers.DateTimeField(source="session.expire_date", read_only=True)
    current = serializers.SerializerMethodField(label=_("this session"))

    class Meta:
        model = UserSession
        fields = ["id", "client", "ip_address", "created_at", "expires_at", "current"]
        read_only_fields = fields

    def get_current(self, user_session) -> bool:
        request = self.context.get("request")
        session = getattr(request, "session", None)
        return session is not None and session.session_key == user_session.session_id


class _PersonalViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, HasTenant]
    filter_backends: list = []


class ApiTokenViewSet(_PersonalViewSet):
    """The API tokens of the signed-in user that have not expired, newest first."""

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()  # for the schema; rows come from get_queryset

    def get_queryset(self):
        return credentials.user_tokens(self.request.user)

    def perform_destroy(self, instance):
        """Revoke the token at once (the current one too: that signs this client out)."""
        credentials.revoke_token(instance, actor=self.request.user)


class UserSessionViewSet(_PersonalViewSet):
    """The signed-in browser sessions of the user, newest first."""

    serializer_class = UserSessionSerializer
    queryset = UserSession.objects.none()

    def get_queryset(self):
        return credentials.user_sessions(self.request.user)

    def perform_destroy(self, instance):
        """End the session: that browser is signed out at its next request."""
        credentials.revoke_session(instance, actor=self.request.user)
