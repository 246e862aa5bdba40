"""The coming care occasions: birthdays (solar or lunar), customer anniversaries
and festivals, computed per year from the rules (nothing stored until the tick
handles one). A bounded number of queries whatever the rows: the rules, the
contacts with a birthday, the customers (each with its owner)."""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache

from django.db.models import Q
from django.utils import timezone

from crm.care.lunar import label as lunar_label
from crm.care.lunar import lunar_year_of, to_solar
from crm.care.models import FESTIVAL_DATES, CareRule, ContactLunarBirthday, Occasion
from crm.core.scoping import restrict
from crm.customers.models import Contact, Customer

MAX_DAYS = 366


@lru_cache(maxsize=4096)
def _lunar(year: int, month: int, day: int, leap: bool) -> dt.date:
    return to_solar(year, month, day, leap)


def _solar(year: int, month: int, day: int) -> dt.date:
    """``month``/``day`` in ``year``; 29 February falls on the 28th in common years."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        day = 28
    return dt.date(year, month, day)


def _dates(start: dt.date, end: dt.date, *, lunar: bool, month: int, day: int, leap=False):
    """(solar day, year key) of a yearly date within [start, end]; the key is the
    lunar year of a lunar date, else the solar year."""
    if lunar:
        years = range(lunar_year_of(start), lunar_year_of(end) + 1)
        found = ((_lunar(y, month, day, leap), y) for y in years)
    else:
        found = ((_solar(y, month, day), y) for y in range(start.year, end.year + 1))
    return [(d, y) for d, y in found if start <= d <= end]


def _owner_name(user) -> str:
    return user.display_name if user is not None else ""


def occasions(tenant_id: int, start: dt.date, end: dt.date, *, user=None, rules=None) -> list[dict]:
    """Every care occasion of the active rules from ``start`` to ``end`` (inclusive),
    by date; ``user`` limits them to the customers their data scope shows."""
    if rules is None:
        rules = list(CareRule.objects.filter(tenant_id=tenant_id, active=True).order_by("id"))
    by_kind: dict[str, list[CareRule]] = {}
    for rule in rules:
        by_kind.setdefault(rule.occasion, []).append(rule)
    out: list[dict] = []

    def add(rule, day, year, customer, contact=None, *, lunar=None):
        subject = f"contact:{contact.pk}" if contact is not None else f"customer:{customer.pk}"
        out.append(
            {
                "date": day,
                "year": year,
                "days_before": rule.days_before,
                "rule": rule.pk,
                "rule_name": rule.name,
                "occasion": rule.occasion,
                "occasion_label": str(rule.get_occasion_display()),
                "festival": rule.festival,
                "festival_label": str(rule.get_festival_display()) if rule.festival else "",
                "subject": subject,
                "customer": customer.pk,
                "customer_name": customer.name,
                "contact": contact.pk if contact is not None else None,
                "contact_name": contact.name if contact is not None else "",
                "owner": customer.owner_id,
                "owner_name": _owner_name(customer.owner),
                "calendar": "lunar" if lunar else "solar",
                "lunar_label": lunar or "",
            }
        )

    if Occasion.BIRTHDAY in by_kind:
        contacts = Contact.objects.filter(
            tenant_id=tenant_id, customer__owner__isnull=False
        ).filter(Q(birthday__isnull=False) | Q(lunar_birthday__isnull=False))
        if user is not None:
            contacts = restrict(contacts, user, "customer__owner")
        lunar_rows = {
            row.contact_id: row
            for row in ContactLunarBirthday.objects.filter(
                tenant_id=tenant_id, contact__in=contacts.values("pk")
            )
        }
        for contact in contacts.select_related("customer", "customer__owner").order_by("id"):
            lb = lunar_rows.get(contact.pk)
            if lb is not None:
                found = _dates(start, end, lunar=True, month=lb.month, day=lb.day, leap=lb.leap)
                text = lunar_label(lb.month, lb.day, lb.leap)
            else:
                b = contact.birthday
                found = _dates(start, end, lunar=False, month=b.month, day=b.day)
                text = None
            for day, year in found:
                for rule in by_kind[Occasion.BIRTHDAY]:
                    add(rule, day, year, contact.customer, contact, lunar=text)

    if Occasion.ANNIVERSARY in by_kind or Occasion.FESTIVAL in by_kind:
        customers = Customer.objects.filter(tenant_id=tenant_id, owner__isnull=False)
        if user is not None:
            customers = restrict(customers, user, "owner")
        customers = list(customers.select_related("owner").order_by("id"))
        for rule in by_kind.get(Occasion.ANNIVERSARY, ()):
            for customer in customers:
                since = timezone.localtime(customer.created_at).date()
                for day, year in _dates(start, end, lunar=False, month=since.month, day=since.day):
                    if year > since.year:
                        add(rule, day, year, customer)
        for rule in by_kind.get(Occasion.FESTIVAL, ()):
            is_lunar, month, day_of = FESTIVAL_DATES[rule.festival]
            found = _dates(start, end, lunar=is_lunar, month=month, day=day_of)
            text = lunar_label(month, day_of) if is_lunar else None
            for day, year in found:
                for customer in customers:
                    add(rule, day, year, customer, lunar=text)
    out.sort(key=lambda o: (o["date"], o["rule"], o["subject"]))
    return out
