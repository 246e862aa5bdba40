"""Per-tenant number sequences moved on in bulk (imports, restores).

``next_number`` (in ``contracts``) hands out the next value one at a time;
a bulk path that brings its own numbers calls ``sequence_advance`` once, so
the next number handed out in the app never repeats one it brought.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction

from crm.sales.models import NumberSequence

#: The form ``contract_create`` numbers contracts with (HT000123), and its pattern.
CONTRACT_NUMBER = re.compile(r"^HT(\d{1,9})$")


def contract_number(value: int) -> str:
    """The number of the contract sequence's ``value`` (HT000123)."""
    return f"HT{value:06d}"


def sequence_advance(*, tenant, key: str, at_least: int) -> None:
    """Move the sequence ``key`` on to ``at_least`` if it is behind (never back)."""
    if at_least <= 0:
        return
    with transaction.atomic():
        NumberSequence.objects.get_or_create(tenant=tenant, key=key)
        NumberSequence.objects.filter(tenant=tenant, key=key, last_value__lt=at_least).update(
            last_value=at_least
        )


def contract_numbers_taken(*, tenant, numbers: Iterable[str]) -> None:
    """Contract numbers of the app's own form brought in bulk move the contract sequence
    past the highest of them."""
    highest = 0
    for number in numbers:
        match = CONTRACT_NUMBER.match(number or "")
        if match:
            highest = max(highest, int(match.group(1)))
    sequence_advance(tenant=tenant, key="contract", at_least=highest)
