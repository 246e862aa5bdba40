"""Target attainment, computed from the records in a fixed number of queries:

* ``won_amount``: opportunities won (``closed_on``) in the period, by owner;
* ``collected``: confirmed payments (``paid_at``) in the period by the contract's
  owner, reversals included with their negative amounts (a reversed payment and
  its reversal net out; a reversal counts in the period it was made);
* ``new_customers``: customers created in the period, by owner.

A team's actual is the sum of its members' (users whose team is the team or one
of its sub-teams), whether or not they have targets of their own.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from crm.core.models import DataScope, Team, User
from crm.core.scoping import _descendants
from crm.targets import periods
from crm.targets.models import Measure, PeriodKind, SalesTarget

ZERO = Decimal("0.00")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def actuals(tenant_id: int, measure: str, start: dt.date, end: dt.date, users=None) -> dict:
    """``{owner id: actual}`` of one measure in [start, end] (one grouped query);
    ``users`` limits it to those owner ids."""
    from crm.customers.models import Customer
    from crm.sales.models import Opportunity, Payment
    from workflows.opportunity import OpportunityStatus
    from workflows.payment import COUNTED_STATES

    if measure == Measure.WON_AMOUNT:
        qs = Opportunity.objects.filter(
            tenant_id=tenant_id, status=OpportunityStatus.WON, closed_on__range=(start, end)
        )
        owner, value = "owner_id", Sum("amount")
    elif measure == Measure.COLLECTED:
        qs = Payment.objects.filter(
            tenant_id=tenant_id, status__in=COUNTED_STATES, paid_at__range=(start, end)
        )
        owner, value = "contract__owner_id", Sum("amount")
    else:
        qs = Customer.objects.filter(
            tenant_id=tenant_id,
            created_at__gte=_day_start(start),
            created_at__lt=_day_start(end + dt.timedelta(days=1)),
        )
        owner, value = "owner_id", Count("id")
    if users is not None:
        qs = qs.filter(**{f"{owner}__in": list(users)})
    rows = qs.order_by().values(owner).annotate(v=value).values_list(owner, "v")
    return {pk: v for pk, v in rows if pk is not None}


def _as_value(measure: str, value) -> Decimal | int:
    if measure == Measure.NEW_CUSTOMERS:
        return int(value or 0)
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _rate(actual, target) -> Decimal | None:
    if not target:
        return None
    return (Decimal(actual) * 100 / Decimal(target)).quantize(Decimal("0.01"))


def _visible_teams(user, tree: list[tuple[int, int | None, int | None]]) -> set[int] | None:
    """Team ids whose targets ``user`` sees; None: every team."""
    scope = user.data_scope
    if scope == DataScope.ALL:
        return None
    if scope == DataScope.TEAM:
        roots = {tid for tid, _p, leader in tree if leader == user.pk} | {user.team_id}
        return _descendants([(tid, parent) for tid, parent, _l in tree], roots)
    return {user.team_id} if user.team_id else set()


def attainment(user, kind: str, start: dt.date) -> dict:
    """Targets of the period with their actuals and attainment (%), per person and
    per team (rolled up from the members); the user's data scope applies."""
    end = periods.end_of(kind, start)
    tenant_id = user.tenant_id
    targets = list(
        SalesTarget.objects.filter(tenant_id=tenant_id, period_kind=kind, period_start=start)
        .select_related("user", "team")
        .order_by("team_id", "user_id", "measure")
    )
    tree = list(
        Team.objects.filter(tenant_id=tenant_id).values_list("id", "parent_id", "leader_id")
    )
    seen_teams = _visible_teams(user, tree)
    seen_users: set[int] | None = None
    if user.data_scope == DataScope.TEAM:
        seen_users = {user.pk} | set(
            User.objects.filter(tenant_id=tenant_id, team_id__in=seen_teams).values_list(
                "id", flat=True
            )
        )
    elif user.data_scope != DataScope.ALL:
        seen_users = {user.pk}
    people = [t for t in targets if t.user_id and (seen_users is None or t.user_id in seen_users)]
    teams = [t for t in targets if t.team_id and (seen_teams is None or t.team_id in seen_teams)]
    members: dict[int, set[int]] = {}
    if teams:
        pairs = [(tid, parent) for tid, parent, _l in tree]
        team_of = dict(
            User.objects.filter(
                tenant_id=tenant_id, team__isnull=False, is_active=True
            ).values_list("id", "team_id")
        )
        for target in teams:
            below = _descendants(pairs, [target.team_id])
            members[target.team_id] = {uid for uid, tid in team_of.items() if tid in below}
    figures = {m: actuals(tenant_id, m, start, end) for m in {t.measure for t in people + teams}}
    labels = dict(Measure.choices)
    person_rows = []
    for t in people:
        actual = _as_value(t.measure, figures[t.measure].get(t.user_id))
        person_rows.append(
            {
                "id": t.pk,
                "user": t.user_id,
                "user_name": t.user.display_name,
                "team": t.user.team_id,
                "measure": t.measure,
                "measure_label": str(labels[t.measure]),
                "target": _as_value(t.measure, t.amount),
                "actual": actual,
                "attainment": _rate(actual, t.amount),
            }
        )
    member_targets: dict[tuple[int, str], Decimal] = {}
    for t in targets:
        if t.user_id:
            member_targets[(t.user_id, t.measure)] = t.amount
    team_rows = []
    for t in teams:
        ids = members[t.team_id]
        got = figures[t.measure]
        actual = _as_value(t.measure, sum((got.get(uid) or 0 for uid in ids), 0))
        team_rows.append(
            {
                "id": t.pk,
                "team": t.team_id,
                "team_name": t.team.name,
                "measure": t.measure,
                "measure_label": str(labels[t.measure]),
                "target": _as_value(t.measure, t.amount),
                "members": sorted(ids),
                "members_target": _as_value(
                    t.measure, sum((member_targets.get((u, t.measure), 0) for u in ids), 0)
                ),
                "actual": actual,
                "attainment": _rate(actual, t.amount),
            }
        )
    return {
        "period": periods.name_of(kind, start),
        "period_kind": kind,
        "start": start,
        "end": end,
        "previous": periods.name_of(kind, periods.previous(kind, start)),
        "people": person_rows,
        "teams": team_rows,
    }


def my_progress(user, today: dt.date | None = None) -> list[dict]:
    """The user's own targets of the current month, quarter and year with their
    actuals (for the workbench gauge): one query for the targets, one per measure
    and period kind that has a target (at most nine)."""
    today = today or timezone.localdate()
    starts = {kind: periods.start_of(kind, today) for kind in PeriodKind.values}
    targets = [
        t
        for t in SalesTarget.objects.filter(
            tenant_id=user.tenant_id, user=user, period_start__in=set(starts.values())
        ).order_by("period_kind", "measure")
        if starts[t.period_kind] == t.period_start
    ]
    labels = dict(Measure.choices)
    out = []
    for t in targets:
        end = periods.end_of(t.period_kind, t.period_start)
        got = actuals(user.tenant_id, t.measure, t.period_start, end, users=[user.pk])
        actual = _as_value(t.measure, got.get(user.pk))
        out.append(
            {
                "id": t.pk,
                "period": periods.name_of(t.period_kind, t.period_start),
                "period_kind": t.period_kind,
                "measure": t.measure,
                "measure_label": str(labels[t.measure]),
                "target": _as_value(t.measure, t.amount),
                "actual": actual,
                "attainment": _rate(actual, t.amount),
            }
        )
    return out
