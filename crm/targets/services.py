"""Writes of sales targets (validated: a user or a team, the period's first day)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from crm.core.errors import Invalid
from crm.core.writes import audited_create, audited_delete, audited_update, check_same_tenant
from crm.targets import periods
from crm.targets.models import PeriodKind, SalesTarget

FIELDS = ("user", "team", "period_kind", "period_start", "measure", "amount")


def _check(tenant, values: dict[str, Any], exclude: int | None = None) -> None:
    errors: dict[str, list[str]] = {}
    user, team = values.get("user"), values.get("team")
    if (user is None) == (team is None):
        message = _("Give either a user or a team.")
        errors["user" if user is None else "team"] = [message]
    kind, start = values.get("period_kind"), values.get("period_start")
    if kind in PeriodKind.values and start is not None and not periods.is_start(kind, start):
        errors["period_start"] = [
            _("Give the first day of the period: %(day)s.")
            % {"day": periods.start_of(kind, start).isoformat()}
        ]
    amount = values.get("amount")
    if amount is not None and amount < 0:
        errors["amount"] = [_("The target cannot be negative.")]
    if errors:
        raise Invalid(fields=errors)
    same = SalesTarget.objects.filter(
        tenant=tenant,
        user=user,
        team=team,
        period_kind=kind,
        period_start=start,
        measure=values.get("measure"),
    )
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        message = _("There is a target for this period and measure already.")
        raise Invalid(fields={"period_start": [message]})


def target_create(*, tenant, actor, **data: Any) -> SalesTarget:
    check_same_tenant(tenant, user=data.get("user"), team=data.get("team"))
    _check(tenant, data)
    return audited_create(SalesTarget, tenant=tenant, actor=actor, fields=data)


def target_update(target: SalesTarget, *, tenant, actor, **data: Any) -> SalesTarget:
    check_same_tenant(tenant, user=data.get("user"), team=data.get("team"))
    current = {name: getattr(target, name) for name in FIELDS}
    _check(tenant, {**current, **data}, exclude=target.pk)
    audited_update(target, tenant=tenant, actor=actor, fields=data, allowed=FIELDS)
    return target


def target_delete(target: SalesTarget, *, tenant, actor) -> None:
    audited_delete(target, tenant=tenant, actor=actor)
