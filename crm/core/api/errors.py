"""One exception handler: every refusal is JSON with a code and a translated detail."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError, UniqueConstraint
from django.http import Http404
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from crm.core.errors import Conflict, DomainError, Invalid, Protected


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
        return {key: _field(value) for key, value in detail.items()}
    return {"non_field_errors": _list(detail)}


def _field(value):
    if isinstance(value, dict):
        if set(value) == {"non_field_errors"}:  # a list field's own error (too many lines)
            return _list(value["non_field_errors"])
        return _fields(value)
    return _list(value)


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


def _unique_constraints() -> dict[str, list[str]]:
    """Every unique constraint of our models by name: the fields it covers."""
    found: dict[str, list[str]] = {}
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, UniqueConstraint) and constraint.fields:
                found[constraint.name] = [f for f in constraint.fields if f != "tenant"]
    return found


def _unique_columns(table: str, columns: list[str]) -> list[str]:
    """The fields behind a table's columns (SQLite names columns, not the constraint)."""
    for model in apps.get_models():
        if model._meta.db_table == table:
            by_column = {f.column: f.name for f in model._meta.concrete_fields}
            return [by_column[c] for c in columns if by_column.get(c, "tenant") != "tenant"]
    return []


def _violated_fields(cause) -> list[str] | None:
    """The fields of the unique constraint ``cause`` (the driver's error) violates;
    None when it is no unique violation."""
    if getattr(cause, "sqlstate", None) == "23505":  # PostgreSQL unique_violation
        name = getattr(getattr(cause, "diag", None), "constraint_name", None)
        return _unique_constraints().get(name or "", [])
    # SQLite: "UNIQUE constraint failed: core_team.tenant_id, core_team.name", or
    # "UNIQUE constraint failed: index 'name'" for a constraint created as an index.
    if getattr(cause, "sqlite_errorname", None) not in (
        "SQLITE_CONSTRAINT_UNIQUE",
        "SQLITE_CONSTRAINT_PRIMARYKEY",
    ):
        return None
    failed = str(cause).partition("UNIQUE constraint failed: ")[2]
    if failed.startswith("index "):
        return _unique_constraints().get(failed[len("index ") :].strip("'\""), [])
    pairs = [column.strip().partition(".") for column in failed.split(",")]
    if not pairs or any(not dot for _table, dot, _column in pairs):
        return []
    return _unique_columns(pairs[0][0], [column for _table, _dot, column in pairs])


def unique_violation(exc: IntegrityError) -> Invalid | None:
    """A unique constraint hit by a write (two requests racing past the service's
    check): 400 naming the constraint's fields instead of a 500, on PostgreSQL and
    on SQLite."""
    fields = _violated_fields(exc.__cause__)
    if fields is None:
        return None
    message = _("A record with this value already exists.")
    return Invalid(fields={field: [message] for field in fields or ["non_field_errors"]})


def exception_handler(exc, context):
    if isinstance(exc, ConcurrentTransition):
        exc = Conflict()
    elif isinstance(exc, IntegrityError) and (invalid := unique_violation(exc)) is not None:
        exc = invalid
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
