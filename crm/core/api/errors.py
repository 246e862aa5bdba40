"""One exception handler: every refusal is JSON with a code and a translated detail."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from crm.core.errors import Conflict, DomainError, Protected


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        out = []
        for value in detail.values():
            out.extend(_flatten(value))
        return out
    if isinstance(detail, list):
        out = []
        for value in detail:
            out.extend(_flatten(value))
        return out
    return [str(detail)]


def _fields(detail) -> dict:
    if isinstance(detail, dict):
        return {
            key: (_fields(value) if isinstance(value, dict) else _list(value))
            for key, value in detail.items()
        }
    return {"non_field_errors": _list(detail)}


def _list(value) -> list:
    if isinstance(value, list):
        return [v if isinstance(v, dict) else str(v) for v in value]
    return [str(value)]


def domain_response(exc: DomainError) -> Response:
    body = {"code": exc.code, "detail": str(exc.detail)}
    if exc.fields:
        body["fields"] = {k: [str(m) for m in v] for k, v in exc.fields.items()}
    if exc.reasons or exc.code == "guard_failed":
        body["reasons"] = [str(r) for r in exc.reasons]
    if isinstance(exc, Protected):
        body["blockers"] = exc.blockers
    return Response(body, status=exc.status)


def exception_handler(exc, context):
    if isinstance(exc, ConcurrentTransition):
        exc = Conflict()
    elif isinstance(exc, ProtectedError | RestrictedError):
        # A safety net: services turn these into ``Protected`` with the record's name.
        from crm.core.writes import protected_error

        exc = protected_error(exc)
    if isinstance(exc, DomainError):
        return domain_response(exc)
    if isinstance(exc, DjangoValidationError):
        fields = (
            {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"non_field_errors": [str(m) for m in exc.messages]}
        )
        return Response(
            {"code": "invalid", "detail": _("Some fields are invalid."), "fields": fields},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, RequestDataTooBig):
        from crm.core.limits import too_large_detail

        return Response(
            {"code": "too_large", "detail": too_large_detail()},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": _("Some fields are invalid."),
            "fields": _fields(exc.detail),
        }
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        response.data = {
            "code": getattr(detail, "code", None) or exc.default_code,
            "detail": " ".join(_flatten(detail)),
        }
    return response
