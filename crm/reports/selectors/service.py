"""Service reports (read-only): SLA, follow-up completion per owner, satisfaction.

Every report is restricted to the rows the user's data scope shows (owner of
the complaint / follow-up) and to a period of ``received_at`` (complaints),
``due_at`` (follow-ups) or ``done_at`` (return visits). Rates are percentages
as decimal strings with two places (``"87.50"``), ``None`` when nothing counts.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone

from crm.core.scoping import restrict
from crm.service.models import Complaint, ComplaintBreach, FollowUp
from workflows.complaint import BreachKind, Severity
from workflows.followup import FollowUpKind, FollowUpStatus

TWO = Decimal("0.01")


def percent(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(TWO, rounding=ROUND_HALF_UP))


def average(value) -> str | None:
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(TWO, rounding=ROUND_HALF_UP))


def _period(qs: QuerySet, field: str, since: dt.datetime | None, until: dt.datetime | None):
    if since is not None:
        qs = qs.filter(**{f"{field}__gte": since})
    if until is not None:
        qs = qs.filter(**{f"{field}__lt": until})
    return qs


def _owner_name(user_id, names: dict) -> str | None:
    return names.get(user_id)


def _names(user_ids) -> dict:
    from crm.core.models import User

    ids = [i for i in user_ids if i is not None]
    return {u.pk: u.display_name for u in User.objects.filter(pk__in=ids)}


# --- SLA -------------------------------------------------------------------------


def _sla_counts(now: dt.datetime) -> dict:
    """Aggregates for one group of complaints (per severity, or all)."""
    ack_decided = Q(acknowledged_at__isnull=False) | Q(acknowledge_due_at__lte=now)
    res_decided = Q(resolve_due_at__isnull=False) & (
        Q(resolved_at__isnull=False) | Q(resolve_due_at__lte=now)
    )
    return {
        "count": Count("id"),
        "open": Count("id", filter=~Q(status__in=["resolved", "closed"])),
        "breached": Count("id", filter=Q(breached=True)),
        "acknowledge_due": Count("id", filter=ack_decided),
        "acknowledged_on_time": Count(
            "id",
            filter=Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("acknowledge_due_at")),
        ),
        "resolve_due": Count("id", filter=res_decided),
        "resolved_on_time": Count(
            "id",
            filter=Q(
                resolved_at__isnull=False,
                resolve_due_at__isnull=False,
                resolved_at__lte=F("resolve_due_at"),
            ),
        ),
    }


def _with_rates(row: dict) -> dict:
    row["acknowledge_on_time_rate"] = percent(row["acknowledged_on_time"], row["acknowledge_due"])
    row["resolve_on_time_rate"] = percent(row["resolved_on_time"], row["resolve_due"])
    return row


def sla_report(
    *,
    user,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """Complaints per severity with on-time acknowledge/resolve rates; breaches per owner.

    A complaint counts for the acknowledge rate once acknowledged or past its
    deadline (and likewise for the resolve rate), so an open complaint still
    inside its clock does not lower the rate.
    """
    now = now or timezone.now()
    complaints = restrict(Complaint.objects.filter(tenant_id=user.tenant_id), user, "owner")
    complaints = _period(complaints, "received_at", since, until)
    counts = _sla_counts(now)
    by_severity = {
        row["severity"]: row for row in complaints.values("severity").annotate(**counts).order_by()
    }
    empty = dict.fromkeys(counts, 0)
    severities = []
    for severity in reversed(Severity):
        row = {**empty, **by_severity.get(severity.value, {})}
        row.pop("severity", None)
        severities.append(
            {"severity": severity.value, "label": str(severity.label), **_with_rates(row)}
        )
    totals = _with_rates({**empty, **complaints.aggregate(**counts)})

    breaches = ComplaintBreach.objects.filter(complaint__in=complaints.values("pk"))
    per_owner: dict = {}
    for row in breaches.values("owner", "kind").annotate(n=Count("id")).order_by():
        entry = per_owner.setdefault(
            row["owner"], {BreachKind.ACKNOWLEDGE.value: 0, BreachKind.RESOLVE.value: 0}
        )
        entry[row["kind"]] = row["n"]
    escalated = dict(
        breaches.filter(escalated_at__isnull=False)
        .values("owner")
        .annotate(n=Count("id"))
        .values_list("owner", "n")
        .order_by()
    )
    names = _names(per_owner)
    by_owner = sorted(
        (
            {
                "owner": owner,
                "owner_name": _owner_name(owner, names),
                "acknowledge": kinds[BreachKind.ACKNOWLEDGE.value],
                "resolve": kinds[BreachKind.RESOLVE.value],
                "escalated": escalated.get(owner, 0),
                "total": sum(kinds.values()),
            }
            for owner, kinds in per_owner.items()
        ),
        key=lambda r: (-r["total"], r["owner"] or 0),
    )
    return {
        "period": {"from": since, "to": until},
        "severities": severities,
        "totals": totals,
        "breaches_by_owner": by_owner,
    }


# --- follow-ups ----------------------------------------------------------------------


def followup_report(
    *, user, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> dict:
    """Per owner: follow-ups due in the period by state, and the completion rate
    (done / (done + missed); cancelled and still planned ones do not count)."""
    followups = restrict(FollowUp.objects.filter(tenant_id=user.tenant_id), user, "owner")
    followups = _period(followups, "due_at", since, until)
    states = {s.value: Count("id", filter=Q(status=s.value)) for s in FollowUpStatus}
    rows = list(followups.values("owner").annotate(total=Count("id"), **states).order_by())
    names = _names(r["owner"] for r in rows)
    owners = []
    for row in rows:
        owners.append(
            {
                "owner": row["owner"],
                "owner_name": _owner_name(row["owner"], names),
                "total": row["total"],
                **{s.value: row[s.value] for s in FollowUpStatus},
                "completion_rate": percent(row["done"], row["done"] + row["missed"]),
            }
        )
    owners.sort(key=lambda r: (-(r["total"]), r["owner"] or 0))
    totals = followups.aggregate(total=Count("id"), **states)
    totals["completion_rate"] = percent(totals["done"], totals["done"] + totals["missed"])
    return {"period": {"from": since, "to": until}, "owners": owners, "totals": totals}


# --- satisfaction ----------------------------------------------------------------------


def satisfaction_report(
    *, user, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> dict:
    """Average satisfaction (1-5) of the return visits done in the period, overall,
    per owner and as a distribution of scores."""
    visits = restrict(FollowUp.objects.filter(tenant_id=user.tenant_id), user, "owner").filter(
        kind=FollowUpKind.RETURN_VISIT, status=FollowUpStatus.DONE, satisfaction__isnull=False
    )
    visits = _period(visits, "done_at", since, until)
    overall = visits.aggregate(count=Count("id"), average=Avg("satisfaction"))
    rows = list(
        visits.values("owner").annotate(count=Count("id"), average=Avg("satisfaction")).order_by()
    )
    names = _names(r["owner"] for r in rows)
    distribution = dict(
        visits.values("satisfaction").annotate(n=Count("id")).values_list("satisfaction", "n")
    )
    return {
        "period": {"from": since, "to": until},
        "count": overall["count"],
        "average": average(overall["average"]),
        "distribution": {str(score): distribution.get(score, 0) for score in range(1, 6)},
        "owners": sorted(
            (
                {
                    "owner": r["owner"],
                    "owner_name": _owner_name(r["owner"], names),
                    "count": r["count"],
                    "average": average(r["average"]),
                }
                for r in rows
            ),
            key=lambda r: (-r["count"], r["owner"] or 0),
        ),
    }
