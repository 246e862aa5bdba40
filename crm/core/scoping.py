"""Data scope (own / team incl. sub-teams / all): applied to querysets in one place."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from crm.core.models import DataScope, Team


def team_and_descendants(team_id: int | None) -> set[int]:
    """Ids of a team and all teams below it (one query for the tenant's tree)."""
    if team_id is None:
        return set()
    children: dict[int | None, list[int]] = {}
    for tid, parent in Team.objects.values_list("id", "parent_id"):
        children.setdefault(parent, []).append(tid)
    found, stack = set(), [team_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found


def visible_owner_q(user, owner_field: str) -> Q | None:
    """The filter a user's data scope puts on ``owner_field``; None means all rows."""
    scope = user.data_scope
    if scope == DataScope.ALL:
        return None
    if scope == DataScope.TEAM and user.team_id:
        teams = team_and_descendants(user.team_id)
        led = set(Team.objects.filter(leader=user).values_list("id", flat=True))
        for tid in led:
            teams |= team_and_descendants(tid)
        return Q(**{f"{owner_field}__team_id__in": teams}) | Q(**{owner_field: user})
    return Q(**{owner_field: user})


def restrict(
    queryset: QuerySet, user, owner_field: str | None, *, include_unowned: bool = False
) -> QuerySet:
    """Rows of ``queryset`` the user may see under their data scope."""
    if owner_field is None:
        return queryset
    q = visible_owner_q(user, owner_field)
    if q is None:
        return queryset
    if include_unowned:
        q |= Q(**{f"{owner_field}__isnull": True})
    return queryset.filter(q)
