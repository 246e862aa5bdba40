"""Money arithmetic: Decimal with two places, ROUND_HALF_UP, never floats."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from crm.core.money_format import money_text as core_money_text

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


def money_text(value) -> str:
    """``¥12,345.60``: an amount as people read it in a message or a document."""
    return core_money_text(money(value))


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_GROUP_UNITS = ("", "万", "亿", "万亿")


def _capitals_of_group(group: int) -> str:
    """0 < group < 10000 in capitals, inner zeros as one 零, trailing zeros dropped."""
    out, zero = "", False
    for place, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        digit = group // place % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + unit
    return out


def _capitals_of_integer(n: int) -> str:
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out, zero = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            zero = zero or bool(out)
            continue
        if out and (zero or group < 1000):
            out += "零"
        out += _capitals_of_group(group) + _GROUP_UNITS[index]
        zero = False
    return out


def amount_in_capitals(value) -> str:
    """The amount in Chinese capitals (大写金额) as written on invoices and contracts.

    ``12345.60`` -> 壹万贰仟叁佰肆拾伍元陆角整; ``1005.02`` -> 壹仟零伍元零贰分;
    ``0`` -> 零元整. Zeros inside the figure are read as one 零, trailing ones
    not at all; 整 ends an amount without fen. Negative amounts and amounts of
    10^16 or more are refused (ValueError).
    """
    amount = money(value)
    if amount < 0:
        raise ValueError("a negative amount has no capitals; write the reversal as such")
    cents = int(amount * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if yuan >= 10**16:
        raise ValueError("amount too large")
    head = _capitals_of_integer(yuan)
    if head:
        head += "元"
    if jiao == 0 and fen == 0:
        return (head or "零元") + "整"
    tail = ""
    if jiao:
        tail += _DIGITS[jiao] + "角"
    if fen:
        if head and not jiao:
            tail += "零"
        tail += _DIGITS[fen] + "分"
    else:
        tail += "整"
    return head + tail
