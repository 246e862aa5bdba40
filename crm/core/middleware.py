"""Middleware: the user's language, and the admin run unscoped (superusers only)."""

from __future__ import annotations

from django.utils import translation
from django_scopes import scopes_disabled


class UserLanguageMiddleware:
    """Activate the language from ``?lang=``, the Accept-Language header, or zh-hans.

    An authenticated user's saved language wins; that is applied after
    authentication by ``AuthenticatedLanguage`` in the API base classes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.GET.get("lang") or translation.get_language_from_request(request)
        translation.activate(language if language in ("zh-hans", "en") else "zh-hans")
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class AdminScopeMiddleware:
    """The Django admin is the operators' tool (superusers): it runs across tenants."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/"):
            with scopes_disabled():
                return self.get_response(request)
        return self.get_response(request)
