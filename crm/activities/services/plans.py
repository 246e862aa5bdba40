"""Work plans: create and change a draft with its items; the daily "no plan yet" check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from crm.activities.models import LINK_FIELDS, PlanItem, PlanNudge, WorkPlan
from crm.activities.services.links import check_links
from crm.core.errors import Frozen, Invalid
from crm.core.writes import audited_create, audited_delete, audited_update
from workflows import reminders
from workflows.plan import PlanKind, PlanStatus

ITEM_FIELDS = ("text", "done", *LINK_FIELDS)


def ensure_draft(plan: WorkPlan) -> None:
    """Only a draft plan is edited or deleted (a submitted one waits for its review)."""
    if plan.status != PlanStatus.DRAFT:
        raise Frozen(_("Only a draft plan can be changed."))


def _period(kind: str, period: dt.date) -> dt.date:
    """A weekly plan is filed under its week's Monday."""
    if kind == PlanKind.WEEKLY:
        return period - dt.timedelta(days=period.weekday())
    return period


def _check_items(tenant, items: list[dict[str, Any]]) -> None:
    errors = {}
    for i, item in enumerate(items):
        try:
            check_links(tenant, item)
        except Invalid as exc:
            errors[f"items[{i}]"] = [m for messages in exc.fields.values() for m in messages][:1]
    if errors:
        raise Invalid(fields=errors)


def _write_items(plan: WorkPlan, items: list[dict[str, Any]]) -> None:
    plan.items.all().delete()
    PlanItem.objects.bulk_create(
        PlanItem(
            tenant_id=plan.tenant_id,
            plan=plan,
            position=i,
            **{k: v for k, v in item.items() if k in ITEM_FIELDS},
        )
        for i, item in enumerate(items)
    )


def _items_audit(items) -> list[str]:
    return [item["text"] for item in items]


def plan_create(*, tenant, actor, kind: str, period: dt.date, items=(), **data: Any) -> WorkPlan:
    items = list(items or [])
    _check_items(tenant, items)
    owner = data.pop("owner", None) or actor
    period = _period(kind, period)
    if WorkPlan.objects.filter(tenant=tenant, owner=owner, kind=kind, period=period).exists():
        raise Invalid(fields={"period": [_("You already have a plan for this period.")]})
    try:
        with transaction.atomic():
            plan = audited_create(
                WorkPlan,
                tenant=tenant,
                actor=actor,
                fields={"kind": kind, "period": period, "owner": owner},
                extra_changes={"items": _items_audit(items)},
            )
            _write_items(plan, items)
    except IntegrityError:  # a parallel request created the same plan
        raise Invalid(fields={"period": [_("You already have a plan for this period.")]}) from None
    return plan


def plan_update(plan: WorkPlan, *, tenant, actor, items=None, **data: Any) -> WorkPlan:
    """Change a draft plan: its items (replaced), or its kind and period (still one
    plan per owner, kind and period)."""
    if "kind" in data or "period" in data:
        kind = data.get("kind", plan.kind)
        data["period"] = _period(kind, data.get("period", plan.period))
        taken = (
            WorkPlan.objects.filter(tenant=tenant, owner_id=plan.owner_id, kind=kind)
            .filter(period=data["period"])
            .exclude(pk=plan.pk)
        )
        if taken.exists():
            raise Invalid(fields={"period": [_("You already have a plan for this period.")]})
    extra = {}
    if items is not None:
        items = list(items)
        _check_items(tenant, items)
        extra["items"] = _items_audit(items)
    with transaction.atomic():
        audited_update(
            plan,
            tenant=tenant,
            actor=actor,
            fields=data,
            allowed=("kind", "period"),
            check=ensure_draft,
            extra_changes=extra,
        )
        if items is not None:
            _write_items(plan, items)
    return plan


def plan_delete(plan: WorkPlan, *, tenant, actor) -> None:
    audited_delete(
        plan, tenant=tenant, actor=actor, check=ensure_draft, before_delete=reminders.cancel
    )


# --- the daily check ------------------------------------------------------------------


def plan_writers(tenant) -> list:
    """Active users of the tenant who write plans (may create one)."""
    from crm.core.models import User

    users = list(User.objects.filter(tenant=tenant, is_active=True).prefetch_related("roles"))
    for user in users:
        user.__dict__["_role_rows"] = list(user.roles.all())  # one query for all, not one each
    return [u for u in users if not u.is_system and u.has_code("activities.plan.create")]


def remind_missing_plans(now: dt.datetime | None = None) -> int:
    """Tell each plan writer without a submitted daily plan for today, on a workday
    past the tenant's ``plan_submit_hour``. Once per user and day, however often it
    runs (a ``PlanNudge`` row per user and day; a parallel run loses the insert).
    Returns the number of people told."""
    from crm.activities.services import notify
    from crm.core.models import Tenant
    from crm.service.selectors import calendar_for

    now = now or timezone.now()
    told = 0
    for tenant in Tenant.objects.all():
        calendar = calendar_for(tenant)
        local = now.astimezone(calendar.tz)
        if local.hour < tenant.setting("plan_submit_hour") or not calendar.is_workday(local.date()):
            continue
        today = local.date()
        done = set(
            WorkPlan.objects.filter(
                tenant=tenant,
                kind=PlanKind.DAILY,
                period=today,
                status__in=[PlanStatus.SUBMITTED, PlanStatus.REVIEWED],
            ).values_list("owner_id", flat=True)
        )
        nudged = set(
            PlanNudge.objects.filter(tenant=tenant, day=today).values_list("user_id", flat=True)
        )
        for user in plan_writers(tenant):
            if user.pk in done or user.pk in nudged:
                continue
            try:
                with transaction.atomic():
                    PlanNudge.objects.create(tenant=tenant, user=user, day=today)
                    with override(user.language):
                        notify(
                            tenant_id=tenant.pk,
                            recipient_id=user.pk,
                            title=_("Submit your daily plan for %(day)s") % {"day": today},
                            body=_("No daily plan of yours has been submitted today."),
                            link="/plans",
                        )
            except IntegrityError:  # another check told them meanwhile
                continue
            told += 1
    return told
