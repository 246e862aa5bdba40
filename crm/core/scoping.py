"""Data scope (own / team incl. sub-teams / all): applied to querysets in one place."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.db import connection
from django.db.models import Q, QuerySet

from crm.core.models import DataScope, Team


def _descendants(tree: list[tuple[int, int | None]], roots) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for tid, parent in tree:
        children.setdefault(parent, []).append(tid)
    found, stack = set(), [r for r in roots if r is not None]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found


def team_and_descendants(team_id: int | None) -> set[int]:
    """Ids of a team and all teams below it (one query for the tenant's tree)."""
    if team_id is None:
        return set()
    return _descendants(list(Team.objects.values_list("id", "parent_id")), [team_id])


@functools.cache
def _team_rows_sql() -> str:
    meta = Team._meta
    qn = connection.ops.quote_name
    columns = ", ".join(qn(meta.get_field(name).column) for name in ("id", "parent", "leader"))
    tenant = qn(meta.get_field("tenant").column)
    return f"SELECT {columns} FROM {qn(meta.db_table)} WHERE {tenant} = %s"


def _team_rows(tenant_id: int) -> list[tuple[int, int | None, int | None]]:
    """``(id, parent_id, leader_id)`` of a company's teams: a fixed text, built once
    and prepared by the server (asked on every request of a team-scoped user)."""
    with connection.cursor() as cursor:
        cursor.execute(_team_rows_sql(), [tenant_id])
        return [tuple(row) for row in cursor.fetchall()]


def visible_owner_q(user, owner_field: str) -> Q | None:
    """The filter a user's data scope puts on ``owner_field``; None means all rows."""
    scope = user.data_scope
    if scope == DataScope.ALL:
        return None
    if scope == DataScope.TEAM:
        # The user's own team and every team they lead (a leader need not be a member),
        # with their sub-teams: one query for the tenant's tree.
        rows = _team_rows(user.tenant_id)
        roots = {tid for tid, _parent, leader in rows if leader == user.pk} | {user.team_id}
        teams = _descendants([(tid, parent) for tid, parent, _leader in rows], roots)
        if teams:
            return Q(**{f"{owner_field}__team_id__in": teams}) | Q(**{owner_field: user})
    return Q(**{owner_field: user})


def restrict(
    queryset: QuerySet,
    user,
    owner_field: str | None,
    *,
    include_unowned: bool = False,
    beyond: Callable[[], Q | None] | None = None,
) -> QuerySet:
    """Rows of ``queryset`` the user may see under their data scope.

    ``beyond`` is the one exception to the scope, asked only when the scope
    actually narrows the rows: it returns the rows the user may open anyway
    (a viewset's ``beyond_scope``; today only the quotes and contracts waiting
    for the user's approval, ``crm.sales.approvals.awaiting_q``), or None.
    """
    if owner_field is None:
        return queryset
    q = visible_owner_q(user, owner_field)
    if q is None:
        return queryset
    if include_unowned:
        q |= Q(**{f"{owner_field}__isnull": True})
    extra = beyond() if beyond is not None else None
    if extra is not None:
        q |= extra
    return queryset.filter(q)
