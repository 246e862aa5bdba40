"""Money arithmetic: Decimal with two places, ROUND_HALF_UP, never floats."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


def money(value) -> Decimal:
    """``value`` as a Decimal rounded half-up to cents (floats are refused)."""
    if isinstance(value, float):
        raise TypeError("money values must not be floats")
    if value is None:
        return ZERO
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(quantity, unit_price, discount_percent=ZERO) -> Decimal:
    """quantity x unit price less the discount, rounded once, half-up, to cents."""
    gross = Decimal(quantity) * Decimal(unit_price)
    net = gross * (HUNDRED - Decimal(discount_percent or 0)) / HUNDRED
    return money(net)


def total(amounts: Iterable) -> Decimal:
    """The sum of already-rounded amounts (exact in Decimal)."""
    return money(sum((Decimal(a) for a in amounts), ZERO))


def weighted(amount, probability_percent: int) -> Decimal:
    return money(Decimal(amount) * Decimal(probability_percent) / HUNDRED)
