"""Writes of customer care: rules, lunar birthdays and the daily tick that turns
due occasions into care follow-ups (kind ``care``) of the customer's owner."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from crm.care.models import (
    CareOccurrence,
    CareRule,
    ContactLunarBirthday,
    Occasion,
)
from crm.core.errors import Invalid
from crm.core.writes import audited_create, audited_delete, audited_update, check_same_tenant
from crm.messaging import templating

log = logging.getLogger(__name__)

RULE_FIELDS = ("name", "occasion", "festival", "days_before", "active", "greeting")
BIRTHDAY_FIELDS = ("contact", "month", "day", "leap")
#: A greeting's placeholders: ``{name}`` (the contact's name, filled in by ``_greet``);
#: any other ``{...}`` and a lone brace are refused on save (templating's check).
GREETING_PLACEHOLDERS = frozenset({"name"})
GREETING_PATTERN = re.compile(r"\{([^{}]*)\}|[{}]")


def _doubled(greeting: str) -> list[str]:
    """Placeholders written in double (or more) braces, as message templates write
    theirs (``{{name}}``, ``{{客户名称}}``): a greeting's take single braces."""
    return [
        m.group(0)
        for m in templating.BRACES.finditer(greeting)
        if templating._balanced(m) and len(m.group(1)) > 1
    ]


def _check_rule(values: dict[str, Any]) -> None:
    greeting = str(values.get("greeting") or "")
    doubled = list(dict.fromkeys(_doubled(greeting)))
    if doubled:
        # Named as written, with how a greeting writes its placeholder, rather than
        # as the lone braces left around a {name} ("Unknown placeholder: {, }").
        for part in doubled:
            greeting = greeting.replace(part, " ")
        values = {**values, "greeting": greeting}
    errors = templating.placeholder_errors(
        values, ("greeting",), known=GREETING_PLACEHOLDERS, pattern=GREETING_PATTERN, shown="{%s}"
    )
    if doubled:
        errors.setdefault("greeting", []).insert(
            0,
            _(
                "Placeholders in double braces (%(parts)s) are not a care greeting's: "
                "write %(example)s, in single braces, for the contact's name."
            )
            % {
                "parts": templating.listed(templating._clip(p) for p in doubled),
                "example": "{name}",
            },
        )
    if errors:
        raise Invalid(fields=errors)
    occasion, festival = values.get("occasion"), values.get("festival") or ""
    if occasion == Occasion.FESTIVAL and not festival:
        raise Invalid(fields={"festival": [_("Choose the festival of a festival rule.")]})
    if occasion != Occasion.FESTIVAL and festival:
        raise Invalid(fields={"festival": [_("Only a festival rule names a festival.")]})
    days = values.get("days_before")
    if days is not None and not 0 <= days <= 60:
        raise Invalid(fields={"days_before": [_("Give 0 to 60 days.")]})


def care_rule_create(*, tenant, actor, **data: Any) -> CareRule:
    data.setdefault("festival", "")
    _check_rule(data)
    return audited_create(CareRule, tenant=tenant, actor=actor, fields=data)


def care_rule_update(rule: CareRule, *, tenant, actor, **data: Any) -> CareRule:
    current = {name: getattr(rule, name) for name in ("occasion", "festival", "days_before")}
    merged = {**current, **data}
    if "occasion" in data and data["occasion"] != Occasion.FESTIVAL and "festival" not in data:
        merged["festival"] = data["festival"] = ""
    _check_rule(merged)
    audited_update(rule, tenant=tenant, actor=actor, fields=data, allowed=RULE_FIELDS)
    return rule


def care_rule_delete(rule: CareRule, *, tenant, actor) -> None:
    audited_delete(rule, tenant=tenant, actor=actor)


def _check_birthday(values: dict[str, Any]) -> None:
    errors = {}
    month, day = values.get("month"), values.get("day")
    if month is not None and not 1 <= month <= 12:
        errors["month"] = [_("A lunar month is 1 to 12.")]
    if day is not None and not 1 <= day <= 30:
        errors["day"] = [_("A lunar day is 1 to 30.")]
    if errors:
        raise Invalid(fields=errors)


def lunar_birthday_create(*, tenant, actor, **data: Any) -> ContactLunarBirthday:
    check_same_tenant(tenant, contact=data.get("contact"))
    _check_birthday(data)
    contact = data.get("contact")
    if ContactLunarBirthday.objects.filter(tenant=tenant, contact=contact).exists():
        raise Invalid(fields={"contact": [_("This contact has a lunar birthday already.")]})
    return audited_create(ContactLunarBirthday, tenant=tenant, actor=actor, fields=data)


def lunar_birthday_update(row: ContactLunarBirthday, *, tenant, actor, **data: Any):
    contact = data.get("contact")
    if contact is not None and contact != row.contact:
        check_same_tenant(tenant, contact=contact)
        taken = ContactLunarBirthday.objects.filter(tenant=tenant, contact=contact)
        if taken.exclude(pk=row.pk).exists():
            raise Invalid(fields={"contact": [_("This contact has a lunar birthday already.")]})
    _check_birthday(data)
    audited_update(row, tenant=tenant, actor=actor, fields=data, allowed=BIRTHDAY_FIELDS)
    return row


def lunar_birthday_delete(row: ContactLunarBirthday, *, tenant, actor) -> None:
    audited_delete(row, tenant=tenant, actor=actor)


# --- the daily tick -----------------------------------------------------------------


def _subject(occ: dict) -> str:
    who = occ["contact_name"] or occ["customer_name"]
    what = occ["festival_label"] or occ["occasion_label"]
    when = occ["date"].isoformat() + (f" (农历{occ['lunar_label']})" if occ["lunar_label"] else "")
    return f"{_('Care')}: {who} · {what} · {when}"[:200]


def _due_at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _greet(tenant, rule: CareRule, occ: dict, contact_mobiles: dict[int, str]) -> bool:
    """Queue the rule's greeting to the contact's mobile on the day, when the company
    has an active SMS channel (crm.messaging). False when nothing was queued."""
    from crm.messaging.models import Channel, ChannelKind
    from crm.messaging.services import delivery_queue

    mobile = contact_mobiles.get(occ["contact"] or 0, "")
    if not rule.greeting or not mobile:
        return False
    channel = (
        Channel.objects.filter(tenant_id=tenant.pk, kind=ChannelKind.SMS, active=True)
        .order_by("-id")
        .first()
    )
    if channel is None:
        return False
    send_at = max(_due_at(occ["date"], 9), timezone.now())
    delivery_queue(
        channel=channel,
        recipient=mobile,
        title=rule.name,
        body=rule.greeting.replace("{name}", occ["contact_name"]),
        send_at=send_at,
    )
    return True


def care_tick_tenant(tenant, *, today: dt.date | None = None) -> int:
    """Create the care follow-ups due today for one company (each occasion
    ``days_before`` ahead of it, not after it passed); returns how many were made.

    Idempotent: an occurrence row (unique per rule, subject and year) is inserted
    first in the same transaction as the follow-up, so a second tick, a redelivered
    message or a second scheduler finds it and does nothing.
    """
    from crm.care.selectors import occasions
    from crm.customers.models import Contact
    from crm.service.services import followup_create
    from workflows.followup import FollowUpKind

    today = today or timezone.localdate()
    with scope(tenant=tenant):
        rules = list(CareRule.objects.filter(tenant_id=tenant.pk, active=True).order_by("id"))
        if not rules:
            return 0
        horizon = today + dt.timedelta(days=max(r.days_before for r in rules))
        due = [
            o
            for o in occasions(tenant.pk, today, horizon, rules=rules)
            if o["date"] - dt.timedelta(days=o["days_before"]) <= today
        ]
        if not due:
            return 0
        done = set(
            CareOccurrence.objects.filter(
                tenant_id=tenant.pk, rule__in=rules, year__in={o["year"] for o in due}
            ).values_list("rule_id", "subject", "year")
        )
        due = [o for o in due if (o["rule"], o["subject"], o["year"]) not in done]
        rules_by_id = {r.pk: r for r in rules}
        mobiles = dict(
            Contact.objects.filter(
                tenant_id=tenant.pk, pk__in={o["contact"] for o in due if o["contact"]}
            ).values_list("pk", "mobile")
        )
        hour = tenant.setting("care_due_hour")
        made = 0
        for occ in due:
            rule = rules_by_id[occ["rule"]]
            try:
                with transaction.atomic():
                    row = CareOccurrence.objects.create(
                        tenant=tenant,
                        rule=rule,
                        subject=occ["subject"],
                        year=occ["year"],
                        date=occ["date"],
                        customer_id=occ["customer"],
                        contact_id=occ["contact"],
                        owner_id=occ["owner"],
                    )
                    followup = followup_create(
                        tenant=tenant,
                        actor=None,
                        kind=FollowUpKind.CARE,
                        subject=_subject(occ),
                        customer=row.customer,
                        owner=row.owner,
                        due_at=_due_at(occ["date"], hour),
                    )
                    row.followup = followup
                    row.greeting_queued = _greet(tenant, rule, occ, mobiles)
                    row.save(update_fields=["followup", "greeting_queued"])
            except IntegrityError:  # another tick made it meanwhile
                continue
            made += 1
    return made


def care_tick(*, today: dt.date | None = None) -> int:
    """``care_tick_tenant`` for every company with an active care rule."""
    from django_scopes import scopes_disabled

    from crm.core.models import Tenant

    with scopes_disabled():
        ids = list(
            CareRule.objects.filter(active=True).values_list("tenant_id", flat=True).distinct()
        )
        tenants = list(Tenant.objects.filter(pk__in=ids))
    made = 0
    for tenant in tenants:
        try:
            made += care_tick_tenant(tenant, today=today)
        except Exception:  # one company's bad data must not stop the others
            log.exception("care tick failed for tenant %s", tenant.pk)
    return made
