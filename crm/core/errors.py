"""Domain errors raised by services and the workflow engine.

The API's exception handler turns each into a JSON body with a machine
``code``, a translated ``detail`` and, where they apply, ``fields`` or
``reasons``. Services never return HTTP responses themselves.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "error"
    status = 400
    default_detail: str | Promise = _("The request could not be completed.")

    def __init__(
        self,
        detail: str | Promise | None = None,
        *,
        fields: dict[str, list[str]] | None = None,
        reasons: list[str] | None = None,
    ) -> None:
        self.detail = detail or self.default_detail
        self.fields = fields or {}
        self.reasons = reasons or []
        super().__init__(str(self.detail))


class Invalid(DomainError):
    """Bad input: per-field messages."""

    code = "invalid"
    default_detail = _("Some fields are invalid.")


class GuardFailed(DomainError):
    code = "guard_failed"
    default_detail = _("This step is not allowed yet.")


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409
    default_detail = _("This step is not possible from the record's current state.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_detail = _("The record was changed by someone else. Reload it and try again.")


class NotFound(DomainError):
    """The record is not there (any more): another request deleted it meanwhile."""

    code = "not_found"
    status = 404
    default_detail = _("Not found.")


class Protected(DomainError):
    """A delete refused because other records refer to the row.

    ``blockers`` names them: ``[{"model": verbose name, "count": n}, ...]``.
    """

    code = "protected"
    status = 409
    default_detail = _("This record is in use and cannot be deleted.")

    def __init__(
        self, detail: str | Promise | None = None, *, blockers: list[dict] | None = None
    ) -> None:
        super().__init__(detail)
        self.blockers = blockers or []


class PermissionRefused(DomainError):
    code = "permission_denied"
    status = 403
    default_detail = _("You do not have permission to do this.")


class Frozen(DomainError):
    """A confirmed document refuses edits and deletes."""

    code = "frozen"
    status = 409
    default_detail = _("This record is confirmed and can no longer be changed.")
