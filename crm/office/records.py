"""Whether the requesting user may see a record, decided by the record's own viewset
(its permission code and data scope), as the record's card decides it."""

from __future__ import annotations

from rest_framework.exceptions import NotFound, PermissionDenied


def visible_record(
    request, collection: str, pk, *, raise_403: bool = True, check_code: bool = True
):
    """The record ``pk`` of ``collection`` as the user sees it on its card, or
    ``NotFound`` (not in their company or scope) / ``PermissionDenied`` (no code)."""
    from crm.core.api.collection_view import collection_view
    from crm.core.api.permissions import required_code

    view = collection_view(request, collection)
    code = required_code(view)
    if check_code and code and not request.user.has_code(code):
        if raise_403:
            raise PermissionDenied()
        raise NotFound()
    record = view.get_queryset().filter(pk=pk).first()
    if record is None:
        raise NotFound()
    return record


def action_code(request, collection: str, action: str) -> str | None:
    """The permission code ``action`` needs on ``collection`` (as its viewset says)."""
    from crm.core.api.collection_view import collection_view
    from crm.core.api.permissions import required_code

    return required_code(collection_view(request, collection, action))
