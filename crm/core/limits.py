"""Request limits: oversized bodies (413) and login lockout (django-axes, 429).

Both answer in the API's error shape ``{"code", "detail"}`` with a translated
detail, whichever layer notices first (this middleware, the API exception
handler or axes' middleware).
"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def body_limit(request) -> int:
    """The largest body accepted: file uploads (multipart) may be bigger."""
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("multipart/"):
        return settings.FILE_UPLOAD_LIMIT
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large_detail(limit: int | None = None) -> str:
    limit = limit or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _("The request is too large: send at most %(size)s MB.") % {"size": _megabytes(limit)}


def too_large_response(limit: int | None = None) -> JsonResponse:
    return JsonResponse(
        {"code": "too_large", "detail": too_large_detail(limit)},
        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        json_dumps_params={"ensure_ascii": False},
    )


class RequestSizeLimitMiddleware:
    """Refuse a body whose declared length is over the limit, before it is read.

    Django only enforces ``DATA_UPLOAD_MAX_MEMORY_SIZE`` when ``request.body``
    or ``request.POST`` is read; DRF's parsers read the stream directly, so the
    limit is checked here from ``Content-Length`` (a body without one is read
    through a stream limited to zero bytes by the WSGI handler).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = body_limit(request)
        if limit is not None and length > limit:
            return too_large_response(limit)
        return self.get_response(request)


# --- login lockout (django-axes) -------------------------------------------------


def cool_off_minutes() -> int:
    hours = settings.AXES_COOLOFF_TIME
    if hasattr(hours, "total_seconds"):
        return max(1, math.ceil(hours.total_seconds() / 60))
    return max(1, math.ceil(float(hours or 0) * 60))


def lockout_detail() -> str:
    return _(
        "Too many failed sign-in attempts: this account is locked. Try again in "
        "%(minutes)d min or ask your administrator to unlock it."
    ) % {"minutes": cool_off_minutes()}


class LockedOut(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self):
        super().__init__(detail=lockout_detail(), code="locked_out")


def lockout_response(request, original_response=None, credentials=None) -> JsonResponse:
    """``AXES_LOCKOUT_CALLABLE``: the lockout in the API's error shape."""
    return JsonResponse(
        {"code": "locked_out", "detail": lockout_detail()},
        status=settings.AXES_HTTP_RESPONSE_CODE,
        json_dumps_params={"ensure_ascii": False},
    )


# --- document size ----------------------------------------------------------------

#: The most lines (or instalments) one quote or contract may have: a contract
#: with 20,000 lines was accepted and then slowed every page that showed it.
MAX_DOCUMENT_LINES = 500


def too_many_lines() -> str:
    return _("A document has at most %(max)d lines.") % {"max": MAX_DOCUMENT_LINES}
