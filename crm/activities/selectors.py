"""Reads of the activities module: plan reviewers, visible tasks and events."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from crm.core.scoping import team_and_descendants, visible_owner_q


def _leaders_above(user) -> list[int]:
    """Leaders of the user's team and of the teams above it, nearest first."""
    from crm.core.models import Team

    if user.team_id is None:
        return []
    rows = {
        tid: (parent, leader)
        for tid, parent, leader in Team.objects.filter(tenant_id=user.tenant_id).values_list(
            "id", "parent_id", "leader_id"
        )
    }
    leaders, seen, current = [], set(), user.team_id
    while current is not None and current not in seen:
        seen.add(current)
        parent, leader = rows.get(current, (None, None))
        if leader is not None and leader != user.pk:
            leaders.append(leader)
        current = parent
    return leaders


def plan_reviewers(owner) -> list[int]:
    """Who may review the owner's plan: the leaders of their team and the teams above."""
    return _leaders_above(owner)


def plan_reviewer(owner):
    """The one told of a submitted plan: the nearest leader above the owner."""
    from crm.core.models import User

    leaders = _leaders_above(owner)
    return User.objects.filter(pk=leaders[0]).first() if leaders else None


def plans_to_review(queryset: QuerySet, user) -> QuerySet:
    """Submitted plans the user may review: owned by a member of a team they lead or
    of a team below it, not their own (one query for the tenant's team tree)."""
    from crm.core.models import Team
    from crm.core.scoping import _descendants
    from workflows.plan import PlanStatus

    rows = list(
        Team.objects.filter(tenant_id=user.tenant_id).values_list("id", "parent_id", "leader_id")
    )
    led = {tid for tid, _parent, leader in rows if leader == user.pk}
    if not led:
        return queryset.none()
    teams = _descendants([(tid, parent) for tid, parent, _leader in rows], led)
    return queryset.filter(status=PlanStatus.SUBMITTED, owner__team_id__in=teams).exclude(
        owner=user
    )


def visible_tasks(queryset: QuerySet, user) -> QuerySet:
    """Tasks under the user's data scope by assignee, plus every task they gave."""
    q = visible_owner_q(user, "assignee")
    if q is None:
        return queryset
    return queryset.filter(q | Q(assigner=user))


def visible_events(queryset: QuerySet, user) -> QuerySet:
    """Events under the user's data scope by owner, plus those they are invited to."""
    q = visible_owner_q(user, "owner")
    if q is None:
        return queryset
    invited = queryset.model.invitees.through.objects.filter(
        calendarevent_id=OuterRef("pk"), user_id=user.pk
    )
    return queryset.filter(q | Q(Exists(invited)))


def team_events(queryset: QuerySet, team_id: int) -> QuerySet:
    """Events owned by, or inviting, a member of the team or of a team below it."""
    teams = team_and_descendants(team_id)
    invited = queryset.model.invitees.through.objects.filter(
        calendarevent_id=OuterRef("pk"), user__team_id__in=teams
    )
    return queryset.filter(Q(owner__team_id__in=teams) | Q(Exists(invited)))
