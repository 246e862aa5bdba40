"""Suppression rows kept before the list had one spelling get it now.

Since e9b79cf an address is stored and looked up by ``unsubscribe.address_key``: a
mobile in E.164 (``138 0013 8000`` -> ``+8613800138000``), an e-mail in lower case.
Rows written earlier still carry the spelling they were typed with; the checks
normalize them when reading, but the list shows them as typed and a new entry of the
same number is not seen as a duplicate of the old one. This rewrites each row to its
key; rows that become the same address of the same company and channel kind (the
unique constraint would refuse them) are merged: the oldest is kept (its reason and
date), the others are deleted first.

The normalization is copied from ``crm.core.validators.normalize_mobile`` and
``unsubscribe.address_key`` as they are now, so this migration gives the same result
whatever those become later.
"""

import unicodedata

import phonenumbers
from django.db import migrations
from django_scopes import scopes_disabled

SMS, EMAIL = "sms", "email"


def _mobile(value: str) -> str | None:
    """``normalize_mobile``: a mainland China mobile in E.164, else None."""
    raw = unicodedata.normalize("NFKC", value or "").strip()
    for ch in " -()\u3000":
        raw = raw.replace(ch, "")
    if raw.startswith("0086"):
        raw = "+86" + raw[4:]
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        return None
    if (
        number.country_code != 86
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number)
        not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def address_key(kind: str, address: str) -> str:
    """``unsubscribe.address_key``: the one spelling of an address on the list."""
    value = (address or "").strip()
    if kind == SMS:
        return _mobile(value) or value
    if kind == EMAIL:
        return value.lower()
    return value


def normalize(apps, schema_editor):
    Suppression = apps.get_model("messaging", "Suppression")
    rows = Suppression._base_manager.order_by("created_at", "pk").values_list(
        "pk", "tenant_id", "channel_kind", "address"
    )
    kept: dict[tuple, int] = {}
    renamed: dict[int, str] = {}
    merged: list[int] = []
    with scopes_disabled():
        for pk, tenant_id, kind, address in rows.iterator(chunk_size=2000):
            key = address_key(kind, address)
            group = (tenant_id, kind, key)
            if group in kept:
                merged.append(pk)  # a younger spelling of a kept address
                continue
            kept[group] = pk
            if key != address:
                renamed[pk] = key
        # Deleted first: a kept row's new address may be a merged row's present one.
        for start in range(0, len(merged), 1000):
            Suppression._base_manager.filter(pk__in=merged[start : start + 1000]).delete()
        changed = [Suppression(pk=pk, address=key) for pk, key in renamed.items()]
        Suppression._base_manager.bulk_update(changed, ["address"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0005_delivery_index_upkeep"),
    ]

    operations = [
        migrations.RunPython(normalize, migrations.RunPython.noop, elidable=True),
    ]
