"""Token authentication on our own tokens (crm.core.models.ApiToken).

``Authorization: Token <key>``, as with DRF's TokenAuthentication, but a user
may hold several keys, only their digest is stored, each expires, and the
lookup loads the user and their company in the same query (every tenant
request needs ``user.tenant``).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication as BaseTokenAuthentication

from crm.core import credentials


class TokenAuthentication(BaseTokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = credentials.find_token(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(
                _("This token has expired: sign in again to get a new one."),
                code="token_expired",
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        credentials.touch_token(token)
        return (token.user, token)
