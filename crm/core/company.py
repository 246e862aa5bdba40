"""The company profile: name, short name, logo, credit code, address, phone, time
zone, fiscal year start and how amounts show their currency.

Kept on ``Tenant``; changed only through ``company_update`` (validated, audited).
The logo goes through Django's storage API (``default_storage``: local files or
an object store) and is served by ``GET /api/v1/company/logo/``.
"""

from __future__ import annotations

from zoneinfo import available_timezones

import filetype
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from crm.core import audit
from crm.core.errors import Invalid
from crm.core.validators import normalize_credit_code, normalize_phone

FIELDS = (
    "name",
    "short_name",
    "credit_code",
    "address",
    "phone",
    "time_zone",
    "fiscal_year_start",
    "currency_display",
)
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


def _messages(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def clean(values: dict) -> tuple[dict, dict[str, list[str]]]:
    """The values to store and per-field reasons for those that cannot be."""
    out: dict = {}
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        try:
            if key == "name":
                value = (value or "").strip()
                if not value:
                    raise ValidationError(gettext("The company needs a name."))
            elif key == "credit_code":
                value = normalize_credit_code(value) if (value or "").strip() else ""
            elif key == "phone":
                value = normalize_phone(value) if (value or "").strip() else ""
            elif key == "time_zone":
                if value not in available_timezones():
                    raise ValidationError(gettext("Unknown time zone."))
            elif isinstance(value, str):
                value = value.strip()
        except ValidationError as error:
            errors[key] = _messages(error)
            continue
        out[key] = value
    return out, errors


def check_logo(upload) -> str:
    """The file extension of an acceptable logo; Invalid otherwise (type by content)."""
    if upload.size > LOGO_MAX_BYTES:
        raise Invalid(fields={"logo": [gettext("A logo may be at most 2 MB.")]})
    head = upload.read(261)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in LOGO_TYPES:
        raise Invalid(fields={"logo": [gettext("A logo must be a PNG, JPEG, GIF or WebP image.")]})
    return LOGO_TYPES[kind.mime]


def company_update(*, tenant, actor, logo=None, remove_logo: bool = False, **values):
    """Change the profile; ``logo`` an uploaded image, ``remove_logo`` drops it. Audited."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise Invalid(fields={key: [gettext("Unknown field.")] for key in sorted(unknown)})
    cleaned, errors = clean(values)
    if errors:
        raise Invalid(fields=errors)
    extension = check_logo(logo) if logo is not None else None
    old_logo = None
    with transaction.atomic():
        tenant = type(tenant).objects.select_for_update().get(pk=tenant.pk)
        changes = {
            key: [getattr(tenant, key), value]
            for key, value in cleaned.items()
            if getattr(tenant, key) != value
        }
        for key, value in cleaned.items():
            setattr(tenant, key, value)
        fields = list(changes)
        if logo is not None or (remove_logo and tenant.logo):
            old_logo = tenant.logo.name or None
            if logo is not None:
                tenant.logo.save(f"{tenant.pk}.{extension}", logo, save=False)
            else:
                tenant.logo = ""
            changes["logo"] = [old_logo, tenant.logo.name or None]
            fields.append("logo")
        if fields:
            tenant.save(update_fields=fields)
            audit.record(tenant=tenant, actor=actor, action="company", obj=tenant, changes=changes)
        if old_logo and old_logo != tenant.logo.name:
            storage, name = tenant.logo.storage, old_logo
            transaction.on_commit(lambda: storage.delete(name))
    return tenant
