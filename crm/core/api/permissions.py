"""DRF permission: the action's permission code from the registry, checked once."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

ACTION_VERBS = {
    "list": "view",
    "retrieve": "view",
    "create": "create",
    "update": "edit",
    "partial_update": "edit",
    "destroy": "delete",
    "metadata": "view",
}


def required_code(view) -> str | None:
    """``<module>.<verb>`` for the view's action; ``code`` on an @action overrides."""
    explicit = getattr(view, "code", None)
    if explicit:
        return explicit
    module = getattr(view, "permission_module", None)
    if module is None:
        return None
    verb = getattr(view, "code_verb", None) or ACTION_VERBS.get(view.action or "", "view")
    return f"{module}.{verb}"


class HasTenant(BasePermission):
    message = _("Your account does not belong to a company.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.tenant_id)


class HasCode(BasePermission):
    def has_permission(self, request, view) -> bool:
        if getattr(view, "public_read", False) and view.action in ("list", "retrieve"):
            return True
        code = required_code(view)
        return code is None or request.user.has_code(code)
