"""One way to write an amount in a message, a reason or a history line: ``¥12,345.60``.

Chinese and English readers both write yuan with the ``¥`` sign, comma thousands
separators and two decimals, so the form is the same in zh-hans and en. Core owns
it so that every layer (guards in ``workflows``, services, the history) uses it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def money_text(value) -> str:
    """``¥12,345.60`` (``-¥5.00`` for a negative amount); None reads as ``¥0.00``."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(value if value is not None else 0).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"
