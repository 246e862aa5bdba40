"""Saved list views: a user's named filters, columns and sort of one list.

A view is its owner's; a shared one is visible to the members of the owner's
team too. Only the owner changes or deletes it. ``query`` holds the list's
query parameters as the web app puts them in the URL: a flat object of
strings, numbers, booleans or lists of those.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from crm.core.errors import Invalid, PermissionRefused
from crm.core.models import SavedView
from crm.core.writes import audited_create, audited_delete, audited_update

MAX_QUERY_KEYS = 50
MAX_COLUMNS = 60
MAX_KEY_LENGTH = 60
MAX_VALUE_LENGTH = 500
MAX_LIST_ITEMS = 100
_SCALARS = (str, int, float, bool)


def visible_to(user, queryset=None):
    """The views ``user`` sees: their own plus the shared views of their team's members."""
    queryset = SavedView.objects.all() if queryset is None else queryset
    seen = Q(owner=user)
    if user.team_id:
        seen |= Q(shared=True, owner__team_id=user.team_id)
    return queryset.filter(seen)


def _scalar_ok(value) -> bool:
    if isinstance(value, str):  # PostgreSQL's JSON takes no NUL character
        return len(value) <= MAX_VALUE_LENGTH and "\x00" not in value
    return isinstance(value, _SCALARS)


def clean_query(value: Any) -> dict:
    """The query object, or ``Invalid`` naming ``query`` and the reason."""
    if not isinstance(value, dict):
        raise Invalid(fields={"query": [_("Send an object of query parameters.")]})
    if len(value) > MAX_QUERY_KEYS:
        raise Invalid(fields={"query": [_("At most %(n)d parameters.") % {"n": MAX_QUERY_KEYS}]})
    for key, item in value.items():
        if not key or len(key) > MAX_KEY_LENGTH or "\x00" in key:
            raise Invalid(fields={"query": [_("A parameter name is empty or too long.")]})
        ok = _scalar_ok(item) or (
            isinstance(item, list)
            and len(item) <= MAX_LIST_ITEMS
            and all(_scalar_ok(v) for v in item)
        )
        if not ok:
            raise Invalid(
                fields={
                    "query": [
                        _("%(key)s: a value is a text, a number, a yes/no or a list of those.")
                        % {"key": key}
                    ]
                }
            )
    return value


def clean_columns(value: Any) -> list:
    if not isinstance(value, list) or not all(
        isinstance(c, str) and 0 < len(c) <= MAX_KEY_LENGTH for c in value
    ):
        raise Invalid(fields={"columns": [_("Send a list of column names.")]})
    if len(value) > MAX_COLUMNS:
        raise Invalid(fields={"columns": [_("At most %(n)d columns.") % {"n": MAX_COLUMNS}]})
    return value


def _unique_name(tenant, owner, collection: str, name: str, exclude: int | None = None) -> None:
    clash = SavedView.objects.filter(tenant=tenant, owner=owner, collection=collection, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise Invalid(fields={"name": [_("You have a view with this name for this list.")]})


def _owner_only(view: SavedView, actor) -> None:
    if view.owner_id != actor.pk:
        raise PermissionRefused(_("Only the owner of a view changes or deletes it."))


_FIELDS = ("collection", "name", "query", "columns", "shared")


def saved_view_create(*, tenant, actor, **data: Any) -> SavedView:
    data = {k: v for k, v in data.items() if k in _FIELDS}
    data["query"] = clean_query(data.get("query", {}))
    data["columns"] = clean_columns(data.get("columns", []))
    _unique_name(tenant, actor, data["collection"], data["name"])
    return audited_create(SavedView, tenant=tenant, actor=actor, fields={**data, "owner": actor})


def saved_view_update(view: SavedView, *, tenant, actor, **data: Any) -> SavedView:
    _owner_only(view, actor)
    data.pop("collection", None)  # a view stays with its list
    if "query" in data:
        data["query"] = clean_query(data["query"])
    if "columns" in data:
        data["columns"] = clean_columns(data["columns"])
    if "name" in data:
        _unique_name(tenant, actor, view.collection, data["name"], exclude=view.pk)
    audited_update(view, tenant=tenant, actor=actor, fields=data, allowed=_FIELDS)
    return view


def saved_view_delete(view: SavedView, *, tenant, actor) -> None:
    _owner_only(view, actor)
    audited_delete(view, tenant=tenant, actor=actor)
