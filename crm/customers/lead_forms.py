"""Web-form capture (表单收集): lead forms and what their public page does.

A tenant's ``LeadForm`` is published at ``/f/<public_key>/`` (no login; see
``crm.customers.public_form``). A submission goes through ``submit``:

* a filled honeypot field (hidden from people) is thanked and dropped;
* each client address may submit ``LEAD_FORM_RATE`` times per window (the
  default cache, Redis when ``REDIS_URL`` is set, so every web process counts
  together); past it the page answers 429;
* the form's row is locked, so two submissions of one mobile cannot both pass
  the duplicate check: a lead of the company with the same mobile created in
  the last 24 hours means no new lead (the visitor is thanked all the same);
* the lead is created by ``lead_create`` with the form's source and campaign;
  its owner comes from the assignment rules, else the form's default owner,
  else the form's creator.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.errors import Invalid
from crm.core.validators import halfwidth, normalize_mobile, strip_invisible
from crm.core.writes import audited_create, audited_delete, audited_update, check_same_tenant
from crm.customers.models import Lead, LeadForm

FORM_FIELDS = (
    "name",
    "title",
    "fields",
    "source",
    "campaign",
    "default_owner",
    "thank_you",
    "active",
)
OPTIONAL = [choice for choice, _label in LeadForm.Field.choices]
HONEYPOT = "website"
DUPLICATE_WINDOW = dt.timedelta(days=1)


def _rate() -> tuple[int, int]:
    """(submissions, seconds) per client address: ``LEAD_FORM_RATE`` like "5/600"."""
    raw = str(getattr(settings, "LEAD_FORM_RATE", "5/600"))
    count, _sep, seconds = raw.partition("/")
    return max(1, int(count)), max(1, int(seconds or 600))


# --- the forms (managed in the web app) ----------------------------------------------


def _clean_form(tenant, data: dict[str, Any]) -> None:
    check_same_tenant(
        tenant,
        source=data.get("source"),
        campaign=data.get("campaign"),
        default_owner=data.get("default_owner"),
    )
    if "name" in data:
        data["name"] = strip_invisible(data["name"] or "").strip()
        if not data["name"]:
            raise Invalid(fields={"name": [_("Enter the name.")]})
    if "fields" in data:
        fields = list(data["fields"] or [])
        unknown = [f for f in fields if f not in OPTIONAL]
        if unknown:
            raise Invalid(
                fields={"fields": [_("Unknown field: %(name)s.") % {"name": ", ".join(unknown)}]}
            )
        data["fields"] = [f for f in OPTIONAL if f in fields]


def lead_form_create(*, tenant, actor, **data: Any) -> LeadForm:
    data.setdefault("fields", ["contact_name", "need"])
    _clean_form(tenant, data)
    return audited_create(LeadForm, tenant=tenant, actor=actor, fields=data)


def lead_form_update(form: LeadForm, *, tenant, actor, **data: Any) -> LeadForm:
    _clean_form(tenant, data)
    audited_update(form, tenant=tenant, actor=actor, fields=data, allowed=FORM_FIELDS)
    return form


def lead_form_delete(form: LeadForm, *, tenant, actor) -> None:
    audited_delete(form, tenant=tenant, actor=actor)


# --- a submission -------------------------------------------------------------------


class RateLimited(Exception):
    """Too many submissions from one address."""


def check_rate(address: str) -> None:
    """Count one submission of ``address``; raise ``RateLimited`` past the limit."""
    limit, window = _rate()
    key = f"lead-form:{address}"
    if cache.add(key, 1, timeout=window):
        return
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=window)
        return
    if count > limit:
        raise RateLimited()


def clean_submission(form: LeadForm, raw: dict[str, str]) -> dict[str, Any]:
    """The visitor's input, checked: raises ``Invalid`` naming the fields."""

    def text(name: str, length: int) -> str:
        return strip_invisible(halfwidth(str(raw.get(name) or ""))).strip()[:length]

    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {"company_name": text("company_name", 200)}
    if not values["company_name"]:
        errors["company_name"] = [_("Enter the company name.")]
    mobile = text("mobile", 30)
    if not mobile:
        errors["mobile"] = [_("Enter your mobile number.")]
    else:
        try:
            values["mobile"] = normalize_mobile(mobile)
        except ValidationError as exc:
            errors["mobile"] = list(exc.messages)
    shown = set(form.fields or [])
    if "contact_name" in shown:
        values["contact_name"] = text("contact_name", 100)
    if "email" in shown:
        email = text("email", 254)
        if email:
            try:
                validate_email(email)
                values["email"] = email
            except ValidationError:
                errors["email"] = [_("Enter a valid e-mail address.")]
    if "region" in shown:
        values["region"] = text("region", 100)
    if "need" in shown:
        values["need"] = text("need", 2000)
    if errors:
        raise Invalid(fields=errors)
    return values


def submit(form: LeadForm, raw: dict[str, str]) -> Lead | None:
    """Create the lead of one submission (the caller checked the rate and honeypot).

    Returns None for a duplicate: the same mobile left a lead in the last 24 hours.
    """
    from crm.core.models import User
    from crm.customers.assignment import owner_for_new_lead
    from crm.customers.services import lead_create

    values = clean_submission(form, raw)
    tenant = form.tenant
    with transaction.atomic():
        # One submission of this form at a time: the duplicate check below holds.
        LeadForm.objects.select_for_update().filter(pk=form.pk).first()
        since = timezone.now() - DUPLICATE_WINDOW
        if Lead.objects.filter(
            tenant=tenant, mobile=values["mobile"], created_at__gte=since
        ).exists():
            return None
        chosen = owner_for_new_lead(
            tenant=tenant,
            source=form.source_id,
            region=values.get("region", ""),
            campaign=form.campaign_id,
        )
        owner_id = chosen or form.default_owner_id or form.created_by_id
        owner = User.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
        lead = lead_create(
            tenant=tenant,
            actor=None,
            owner=owner,
            source=form.source,
            campaign=form.campaign,
            **values,
        )
        LeadForm.objects.filter(pk=form.pk).update(submissions=F("submissions") + 1)
    return lead
