"""Sign-ins, for the usage statistics (``GET /api/v1/reports/usage/``).

One row per sign-in (web session or API token), written by a ``user_logged_in``
receiver (``crm.reports.usage``). Sessions and tokens themselves are deleted
when they end, so they cannot tell how often people signed in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.core.models import TenantModel


class SignIn(TenantModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    method = models.CharField(_("method"), max_length=10)  # "session" or "token"
    created_at = models.DateTimeField(_("signed in at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        indexes = [models.Index(fields=["tenant", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
