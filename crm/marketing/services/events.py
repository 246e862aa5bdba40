"""Marketing events (with expenses and participants) and advertising placements."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from crm.core import audit
from crm.core.errors import Frozen, Invalid
from crm.core.limits import MAX_DOCUMENT_LINES, too_many_lines
from crm.core.search import build_search_key
from crm.core.writes import (
    audited_create,
    audited_delete,
    audited_save,
    audited_update,
    check_same_tenant,
    lock_row,
    refuse_unknown,
)
from crm.marketing.models import (
    MONEY_MAX,
    AdPlacement,
    EventExpense,
    EventParticipant,
    MarketingEvent,
)
from workflows.marketing_event import MarketingEventStatus

EVENT_FIELDS = (
    "name",
    "type",
    "starts_on",
    "ends_on",
    "place",
    "budget",
    "description",
    "owner",
    "campaign",
)
AD_FIELDS = ("name", "channel", "starts_on", "ends_on", "cost", "note")
CLOSED = (MarketingEventStatus.FINISHED, MarketingEventStatus.CANCELLED)


def _event_key(event: MarketingEvent) -> str:
    return build_search_key(event.name, event.place)


def _check_dates(data: dict, obj=None) -> None:
    starts = data.get("starts_on", getattr(obj, "starts_on", None))
    ends = data.get("ends_on", getattr(obj, "ends_on", None))
    if starts and ends and ends < starts:
        raise Invalid(fields={"ends_on": [_("The end cannot be before the start.")]})


def _check_money(data: dict, name: str) -> None:
    if data.get(name) is not None and data[name] < 0:
        raise Invalid(fields={name: [_("Enter a number that is not negative.")]})


def _clean_expenses(expenses) -> list[dict]:
    expenses = list(expenses)
    if len(expenses) > MAX_DOCUMENT_LINES:
        raise Invalid(fields={"expenses": [too_many_lines()]})
    errors, cleaned = [], []
    for i, row in enumerate(expenses, start=1):
        amount = row.get("amount")
        if not (row.get("description") or "").strip():
            errors.append(_("Expense %(n)d: describe it.") % {"n": i})
        elif amount is None or amount < 0:
            errors.append(_("Expense %(n)d: the amount cannot be negative.") % {"n": i})
        else:
            cleaned.append(
                {
                    "description": row["description"].strip()[:300],
                    "amount": amount,
                    "spent_on": row.get("spent_on"),
                    "position": i,
                }
            )
    if errors:
        raise Invalid(fields={"expenses": errors})
    if sum(row["amount"] for row in cleaned) > MONEY_MAX:
        raise Invalid(
            fields={
                "expenses": [_("The expenses add up to more than %(max)s.") % {"max": MONEY_MAX}]
            }
        )
    return cleaned


def _clean_participants(tenant, participants) -> list[dict]:
    participants = list(participants)
    if len(participants) > MAX_DOCUMENT_LINES:
        raise Invalid(fields={"participants": [too_many_lines()]})
    errors, cleaned = [], []
    seen: dict[tuple[int, int | None], int] = {}
    for i, row in enumerate(participants, start=1):
        customer, contact = row.get("customer"), row.get("contact")
        if customer is None and contact is None:
            errors.append(_("Participant %(n)d: choose a customer or a contact.") % {"n": i})
            continue
        if any(o is not None and o.tenant_id != tenant.pk for o in (customer, contact)):
            errors.append(_("Participant %(n)d: unknown record.") % {"n": i})
            continue
        if customer is None and contact is not None:
            customer = contact.customer
        elif contact is not None and contact.customer_id != customer.pk:
            errors.append(
                _("Participant %(n)d: the contact is not one of the customer's.") % {"n": i}
            )
            continue
        pair = (customer.pk, contact.pk if contact is not None else None)
        if pair in seen:
            errors.append(
                _("Participant %(n)d: listed already as participant %(m)d.")
                % {"n": i, "m": seen[pair]}
            )
            continue
        seen[pair] = i
        cleaned.append(
            {
                "customer": customer,
                "contact": contact,
                "attended": bool(row.get("attended")),
                "note": (row.get("note") or "")[:300],
                "position": i,
            }
        )
    if errors:
        raise Invalid(fields={"participants": errors})
    return cleaned


def _summary(rows, keys) -> list[list[str]]:
    def get(row, name):
        value = row[name] if isinstance(row, dict) else getattr(row, name)
        return getattr(value, "pk", value)

    return [[str(get(r, k)) for k in keys] for r in rows]


_EXPENSE_KEYS = ("description", "amount", "spent_on")
_PARTICIPANT_KEYS = ("customer", "contact", "attended", "note")


def _replace(model, event, tenant, cleaned) -> None:
    model.objects.filter(event=event).delete()
    model.objects.bulk_create(model(tenant=tenant, event=event, **row) for row in cleaned)


def marketing_event_create(
    *, tenant, actor, expenses=(), participants=(), **data: Any
) -> MarketingEvent:
    refuse_unknown(data, EVENT_FIELDS)
    check_same_tenant(tenant, owner=data.get("owner"), campaign=data.get("campaign"))
    _check_dates(data)
    _check_money(data, "budget")
    if not (data.get("name") or "").strip():
        raise Invalid(fields={"name": [_("Enter the name.")]})
    data.setdefault("owner", actor)
    cleaned_e = _clean_expenses(expenses)
    cleaned_p = _clean_participants(tenant, participants)
    with transaction.atomic():
        event = audited_create(
            MarketingEvent,
            tenant=tenant,
            actor=actor,
            fields=data,
            key_fn=_event_key,
            extra_changes={
                "expenses": _summary(cleaned_e, _EXPENSE_KEYS),
                "participants": _summary(cleaned_p, _PARTICIPANT_KEYS),
            },
        )
        _replace(EventExpense, event, tenant, cleaned_e)
        _replace(EventParticipant, event, tenant, cleaned_p)
    return event


def _event_open(event: MarketingEvent) -> None:
    if event.status == MarketingEventStatus.CANCELLED:
        raise Frozen(_("A cancelled event can no longer be changed."))


def marketing_event_update(
    event: MarketingEvent, *, tenant, actor, expenses=None, participants=None, **data: Any
) -> MarketingEvent:
    """Events stay editable after they finish (late invoices, attendance); not cancelled ones."""
    refuse_unknown(data, EVENT_FIELDS)
    check_same_tenant(tenant, owner=data.get("owner"), campaign=data.get("campaign"))
    _check_dates(data, event)
    _check_money(data, "budget")
    _event_open(event)
    with transaction.atomic():
        lock_row(event, check=_event_open)
        changes = audit.apply_changes(event, data)
        for name, rows, model, keys, clean in (
            ("expenses", expenses, EventExpense, _EXPENSE_KEYS, _clean_expenses),
            (
                "participants",
                participants,
                EventParticipant,
                _PARTICIPANT_KEYS,
                lambda r: _clean_participants(tenant, r),
            ),
        ):
            if rows is None:
                continue
            cleaned = clean(rows)
            before = _summary(getattr(event, name).all(), keys)
            after = _summary(cleaned, keys)
            if before != after:
                _replace(model, event, tenant, cleaned)
                changes[name] = [before, after]
        if changes:
            event.search_key = _event_key(event)
            audited_save(
                event, tenant=tenant, actor=actor, changes=changes, extra_fields=["search_key"]
            )
    return event


def marketing_event_delete(event: MarketingEvent, *, tenant, actor) -> None:
    """An event with requisitions or leads is protected (409 naming them)."""
    audited_delete(event, tenant=tenant, actor=actor)


# --- advertising ---------------------------------------------------------------------


def _ad_key(ad: AdPlacement) -> str:
    return build_search_key(ad.name)


def ad_placement_create(*, tenant, actor, **data: Any) -> AdPlacement:
    refuse_unknown(data, AD_FIELDS)
    check_same_tenant(tenant, channel=data.get("channel"))
    _check_dates(data)
    _check_money(data, "cost")
    if not (data.get("name") or "").strip():
        raise Invalid(fields={"name": [_("Enter the name.")]})
    return audited_create(AdPlacement, tenant=tenant, actor=actor, fields=data, key_fn=_ad_key)


def ad_placement_update(ad: AdPlacement, *, tenant, actor, **data: Any) -> AdPlacement:
    refuse_unknown(data, AD_FIELDS)
    check_same_tenant(tenant, channel=data.get("channel"))
    _check_dates(data, ad)
    _check_money(data, "cost")
    audited_update(ad, tenant=tenant, actor=actor, fields=data, key_fn=_ad_key)
    return ad


def ad_placement_delete(ad: AdPlacement, *, tenant, actor) -> None:
    audited_delete(ad, tenant=tenant, actor=actor)
