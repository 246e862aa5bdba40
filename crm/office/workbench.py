"""The workbench (日常办公), ``GET /api/v1/workbench/``: what today holds for me.

Panels are registered per app (``crm.core.registries.register_workbench_panel``)
so a module switched off drops its panels. Each panel reads through the collection
viewsets' querysets (permission code and data scope as in the lists) and runs a
fixed number of queries whatever the rows; each gives a ``link`` to the filtered
list in the web app.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core.api.viewsets import TenantScopedMixin
from crm.core.modules import disabled_keys, panel_hidden
from crm.core.registries import register_workbench_panel, workbench_panels
from crm.office.overview import collection_queryset

ROWS = 10


def _today() -> tuple[dt.datetime, dt.datetime]:
    now = timezone.localtime()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


def _month_start() -> dt.datetime:
    return timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


_MOMENT = serializers.DateTimeField()


def _moment(value: dt.datetime | None) -> str | None:
    """A moment as every other endpoint gives it: DRF's field, in the active time zone
    (``2026-12-07T09:00:00+08:00``, not the database's UTC ``...Z``)."""
    return None if value is None else _MOMENT.to_representation(value)


def _listed(qs, limit: int = ROWS) -> tuple[list, int]:
    rows = list(qs[:limit])
    return rows, qs.count()


def events_panel(request) -> dict | None:
    qs = collection_queryset(request, "events")
    if qs is None:
        return None
    user = request.user
    start, end = _today()
    # Single events of today; recurring series are expanded by the calendar itself.
    qs = (
        qs.filter(Q(owner=user) | Q(invitees=user), start__lt=end)
        .filter(Q(end__gte=start) | Q(end__isnull=True, start__gte=start))
        .exclude(status="cancelled")
        .distinct()
        .order_by("start", "id")
    )
    rows, count = _listed(qs)
    return {
        "count": count,
        "results": [
            {
                "id": e.pk,
                "title": e.title,
                "start": _moment(e.start),
                "end": _moment(e.end),
                "location": e.location,
            }
            for e in rows
        ],
        "link": f"/events/calendar?view=day&date={start.date().isoformat()}",
    }


def tasks_panel(request) -> dict | None:
    qs = collection_queryset(request, "tasks")
    if qs is None:
        return None
    now = timezone.now()
    mine = qs.filter(assignee=request.user, status__in=["open", "in_progress"]).order_by(
        "due_at", "id"
    )
    rows, count = _listed(mine)
    overdue = mine.filter(due_at__lt=now).count()
    return {
        "count": count,
        "overdue": overdue,
        "results": [
            {
                "id": t.pk,
                "title": t.title,
                "due_at": _moment(t.due_at),
                "priority": t.priority,
                "status": t.status,
                "overdue": bool(t.due_at and t.due_at < now),
            }
            for t in rows
        ],
        "link": "/tasks?mine=1&status=open&status=in_progress",
        "overdue_link": "/tasks?mine=1&overdue=true",
    }


def followups_panel(request) -> dict | None:
    qs = collection_queryset(request, "follow-ups")
    if qs is None:
        return None
    _start, end = _today()
    due = qs.filter(owner=request.user, status="planned", due_at__lt=end).order_by("due_at", "id")
    rows, count = _listed(due)
    return {
        "count": count,
        "results": [{"id": f.pk, "title": str(f), "due_at": _moment(f.due_at)} for f in rows],
        "link": f"/follow-ups?owner={request.user.pk}&status=planned",
    }


def approvals_panel(request) -> dict | None:
    """Quotes submitted and contracts pending approval waiting for the user's approval
    (``crm.sales.approvals``: whatever their data scope), and
    the submitted plans of the teams they lead (their review)."""
    user = request.user
    out: dict = {"count": 0, "results": [], "links": {}}
    found = False
    for collection, state, code in (
        ("quotes", "submitted", "transition:quote.approve"),
        ("contracts", "pending_approval", "transition:contract.approve"),
    ):
        if not user.has_code(code):
            continue
        qs = collection_queryset(request, collection)
        if qs is None:
            continue
        found = True
        # What waits for this user (the leader chain first, else the holders of the
        # permission): the sales app's selector, the same as ``?awaiting_me=true``.
        from crm.sales.approvals import awaiting_ids

        ids = awaiting_ids(user, qs.model)
        waiting = qs.filter(status=state, pk__in=ids).order_by("updated_at", "id")
        rows, count = _listed(waiting)
        out["count"] += count
        out["results"] += [
            {"kind": collection[:-1], "id": r.pk, "title": str(r), "status": state} for r in rows
        ]
        out["links"][collection] = f"/{collection}/awaiting"
    # Daily and weekly plans of the teams I lead, submitted and waiting for my review.
    plans = collection_queryset(request, "plans")
    if plans is not None and user.has_code("transition:plan.review"):
        from crm.activities.selectors import plans_to_review

        waiting = (
            plans_to_review(plans, user).select_related("owner").order_by("submitted_at", "id")
        )
        rows, count = _listed(waiting)
        if count:
            found = True
            out["count"] += count
            out["results"] += [
                {
                    "kind": "plan",
                    "id": p.pk,
                    "title": f"{p.owner.display_name} · {p}",
                    "status": p.status,
                }
                for p in rows
            ]
            out["links"]["plans"] = "/plans/to-review"
    return out if found else None


def notifications_panel(request) -> dict:
    from crm.activities.models import Notification

    mine = Notification.objects.filter(recipient=request.user)
    unread = mine.filter(read_at__isnull=True)
    latest = list(unread.order_by("-created_at", "-id")[:5])
    return {
        "count": unread.count(),
        "results": [
            {"id": n.pk, "title": n.title, "link": n.link, "created_at": _moment(n.created_at)}
            for n in latest
        ],
        "link": "/notifications?read_at__isnull=true",
    }


def announcements_panel(request) -> dict | None:
    from crm.office.models import Announcement
    from crm.office.services.announcements import visible_announcements

    if not request.user.has_code("office.announcement.view"):
        return None
    qs = visible_announcements(
        Announcement.objects.filter(tenant_id=request.user.tenant_id, status="published"),
        request.user,
    ).filter(pinned=True)
    rows = list(qs.order_by("-published_at", "-id")[:5])
    return {
        "count": len(rows),
        "results": [
            {"id": a.pk, "title": a.title, "published_at": _moment(a.published_at)} for a in rows
        ],
        "link": "/announcements?pinned=true",
    }


def figures_panel(request) -> dict:
    """My own work this month: new leads, won amount, collected."""
    user = request.user
    since = _month_start()
    out: dict = {"since": since.date()}
    leads = collection_queryset(request, "leads")
    if leads is not None:
        out["new_leads"] = {
            "value": leads.filter(owner=user, created_at__gte=since).count(),
            "link": f"/leads?owner={user.pk}&created_at_after={since.date().isoformat()}",
        }
    opps = collection_queryset(request, "opportunities")
    if opps is not None:
        won = opps.filter(owner=user, status="won", updated_at__gte=since).aggregate(
            total=Sum("amount")
        )["total"]
        out["won_amount"] = {
            "value": str(won or Decimal("0.00")),
            "link": f"/opportunities?owner={user.pk}&status=won",
        }
    payments = collection_queryset(request, "payments")
    if payments is not None:
        # A reversed payment and its reversal both count (they cancel out): the
        # reversal alone would make the month's collection negative.
        got = payments.filter(
            contract__owner=user, status__in=["confirmed", "reversed"], confirmed_at__gte=since
        ).aggregate(total=Sum("amount"))["total"]
        out["collected"] = {
            "value": str(got or Decimal("0.00")),
            "link": f"/payments?status=confirmed&paid_at_after={since.date().isoformat()}",
        }
    return out


def register_panels() -> None:
    register_workbench_panel("events", events_panel)
    register_workbench_panel("tasks", tasks_panel)
    register_workbench_panel("follow_ups", followups_panel)
    register_workbench_panel("approvals", approvals_panel)
    register_workbench_panel("notifications", notifications_panel)
    register_workbench_panel("announcements", announcements_panel)
    register_workbench_panel("figures", figures_panel)


@extend_schema(responses=OpenApiTypes.OBJECT)
class WorkbenchView(TenantScopedMixin, APIView):
    """Every panel the user may see, in one answer (a panel they may not see is left out)."""

    def get(self, request):
        panels = {}
        off = disabled_keys(request.tenant)  # a switched-off module's panels are gone
        for name, panel in workbench_panels():
            if panel_hidden(name, off):
                continue
            data = panel(request)
            if data is not None:
                panels[name] = data
        return Response({"date": timezone.localdate(), "panels": panels})
