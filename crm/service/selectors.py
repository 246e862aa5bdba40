"""Reads for customer service: the tenant's working calendar, escalation targets, lists."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from crm.core.errors import Invalid
from crm.core.models import Role, User
from crm.service.models import (
    DEFAULT_TIME_ZONE,
    DEFAULT_WORKING_HOURS,
    Complaint,
    CustomerProject,
    Feedback,
    FollowUp,
    ServiceTicket,
    TenantWorkday,
    WorkingHours,
)
from workflows.calendar import WorkingCalendar
from workflows.complaint import ESCALATION_CODE
from workflows.followup import FollowUpKind, FollowUpStatus
from workflows.models import Reminder

_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


# --- the working calendar ------------------------------------------------------


def parse_intervals(text: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """``"09:00-12:00,13:30-18:00"`` -> intervals; Invalid(fields={"intervals"}) if wrong."""
    errors: list[str] = []
    result: list[tuple[dt.time, dt.time]] = []
    parts = [p for p in (text or "").split(",") if p.strip()]
    if not parts:
        errors.append(_("Give at least one interval such as 09:00-12:00."))
    for part in parts:
        match = _INTERVAL.match(part)
        if not match:
            errors.append(_("“%(part)s” is not an interval HH:MM-HH:MM.") % {"part": part.strip()})
            continue
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            errors.append(_("“%(part)s” is not a valid time of day.") % {"part": part.strip()})
            continue
        result.append((dt.time(h1, m1), dt.time(h2, m2)))
    if not errors:
        for i, (start, end) in enumerate(result):
            if not start < end:
                errors.append(
                    _("%(start)s-%(end)s must start before it ends.")
                    % {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
                )
            elif i and start < result[i - 1][1]:
                errors.append(
                    _("%(start)s-%(end)s overlaps or comes before the previous interval.")
                    % {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
                )
    if errors:
        raise Invalid(fields={"intervals": errors})
    return tuple(result)


def parse_time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo((name or "").strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(fields={"time_zone": [_("Unknown time zone, e.g. Asia/Shanghai.")]}) from None


def working_hours_of(tenant) -> WorkingHours:
    """The tenant's row, or an unsaved one holding the defaults."""
    row = WorkingHours.objects.filter(tenant_id=tenant.pk).first()
    return row or WorkingHours(
        tenant=tenant, intervals=DEFAULT_WORKING_HOURS, time_zone=DEFAULT_TIME_ZONE
    )


def calendar_for(tenant) -> WorkingCalendar:
    """The tenant's WorkingCalendar: its hours and time zone, its own days off/on."""
    row = working_hours_of(tenant)
    overrides = dict(
        TenantWorkday.objects.filter(tenant_id=tenant.pk).values_list("date", "is_workday")
    )
    return WorkingCalendar(
        hours=parse_intervals(row.intervals),
        tz=parse_time_zone(row.time_zone),
        overrides=overrides,
    )


# --- people --------------------------------------------------------------------


def team_leader_of(user: User | None) -> User | None:
    """The service lead of a user: their team's leader, or (for a leader) the parent
    team's leader; None at the top of the tree or without a team."""
    if user is None or user.team_id is None:
        return None
    team = user.team
    while team is not None:
        leader = team.leader
        if leader is not None and leader.pk != user.pk and leader.is_active:
            return leader
        team = team.parent
    return None


def escalation_recipients(tenant) -> list[User]:
    """Active users holding ``complaints.escalation`` (the 管理员 role by default)."""
    role_ids = [
        role.pk
        for role in Role.objects.filter(tenant_id=tenant.pk).only("id", "permissions")
        if ESCALATION_CODE in (role.permissions or [])
    ]
    if not role_ids:
        return []
    return list(
        User.objects.filter(
            tenant_id=tenant.pk, is_active=True, is_system=False, roles__in=role_ids
        )
        .distinct()
        .order_by("pk")
    )


# --- process helpers -----------------------------------------------------------


def reminder_already_sent(obj, rule: str, due: dt.datetime) -> bool:
    """Whether ``rule`` already fired for ``obj`` at this due moment."""
    return Reminder.objects.filter(
        tenant_id=obj.tenant_id,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        rule=rule,
        status=Reminder.Status.SENT,
        due_at__gte=due - dt.timedelta(seconds=1),
        due_at__lte=due + dt.timedelta(seconds=1),
    ).exists()


def completed_return_visit(complaint: Complaint) -> FollowUp | None:
    """A return visit of the complaint, done with a score after its latest resolution."""
    qs = FollowUp.objects.filter(
        tenant_id=complaint.tenant_id,
        complaint_id=complaint.pk,
        kind=FollowUpKind.RETURN_VISIT,
        status=FollowUpStatus.DONE,
        satisfaction__isnull=False,
    )
    if complaint.resolved_at is not None:
        qs = qs.filter(done_at__gte=complaint.resolved_at)
    return qs.order_by("-done_at").first()


# --- lists -----------------------------------------------------------------------


def complaints_for_list(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return queryset.select_related("customer", "contact", "owner")


def complaints_for_detail(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return complaints_for_list(queryset).select_related("tenant", "owner__team")


def followups_for_list(queryset: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    return queryset.select_related(
        "owner", "lead", "customer", "complaint__customer", "opportunity", "contract"
    )


def tickets_for_list(queryset: QuerySet[ServiceTicket]) -> QuerySet[ServiceTicket]:
    return queryset.select_related("customer", "owner")


def projects_for_list(queryset: QuerySet[CustomerProject]) -> QuerySet[CustomerProject]:
    return queryset.select_related("customer", "owner")


def feedback_for_list(queryset: QuerySet[Feedback]) -> QuerySet[Feedback]:
    return queryset.select_related("customer", "contact", "handled_by")
