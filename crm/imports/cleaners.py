"""Cell cleaners: one raw cell (text, or a number/date from xlsx) -> a model value.

Each cleaner raises ``django.core.exceptions.ValidationError`` with a
translated message; the importer turns it into a row error. Phone, mobile and
credit-code rules are the API's own (``crm.core.validators``); e-mail is
Django's ``validate_email`` like the API's ``EmailField``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from crm.core.validators import (
    check_date_range,
    halfwidth,
    normalize_credit_code,
    normalize_mobile,
    normalize_phone,
    strip_invisible,
)

EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug)
_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_SERIAL = re.compile(r"^\d{1,7}(\.0+)?$")


def text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # xlsx stores codes typed as numbers as floats
    # Invisible characters go, like in the API: names compare as people see them.
    return strip_invisible(str(raw)).strip()


def mobile(raw) -> str:
    return normalize_mobile(text(raw))


_LANDLINE = re.compile(r"^0\d{2,3}-\d{7,8}$")


def phone(raw) -> str:
    """``normalize_phone``, with a shortcut for the common landline form 0755-12345678.

    ``normalize_phone`` tries the value as a mobile first (phonenumbers, ~25 µs);
    an area-code landline can only be a mobile when its digits after the trunk
    0 are 11 starting with 1, so only then is the full validator needed.
    ``tests/imports`` checks the shortcut gives ``normalize_phone``'s answers.
    """
    value = text(raw)
    if _LANDLINE.match(value):
        national = value.replace("-", "")[1:]
        if not (len(national) == 11 and national[0] == "1"):
            return value
    return normalize_phone(value)


def credit_code(raw) -> str:
    return normalize_credit_code(text(raw))


def email(raw) -> str:
    value = halfwidth(text(raw))
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid e-mail address."),
            code="email_invalid",
            params={"value": value},
        ) from None
    return value


_DATES: dict[str, dt.date] = {}


def date(raw) -> dt.date:
    """2023-05-06, 2023/5/6, 2023年5月6日, an Excel serial (45052), or an xlsx date cell;
    between 1900 and 2200 like every date the API accepts."""
    if isinstance(raw, str):
        found = _DATES.get(raw)
        if found is None:
            found = _date(raw)
            if len(_DATES) > 100_000:
                _DATES.clear()
            _DATES[raw] = found
    else:
        found = _date(raw)
    check_date_range(found)
    return found


def _date(raw) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float):
        return _serial(raw, raw)
    value = halfwidth(str(raw)).strip()
    value = _TIME_TAIL.sub("", value)
    for form in _DATE_FORMS:
        match = form.match(value)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                break
    else:
        if _SERIAL.match(value):
            return _serial(float(value), raw)
    raise ValidationError(
        _("“%(value)s” is not a date; write it like 2023-05-06, 2023/5/6 or 2023年5月6日."),
        code="date_invalid",
        params={"value": raw},
    )


def _serial(number: float, raw) -> dt.date:
    if 1 <= number < 2958466:  # up to 9999-12-31
        return EXCEL_EPOCH + dt.timedelta(days=int(number))
    raise ValidationError(
        _("“%(value)s” is not a date; write it like 2023-05-06, 2023/5/6 or 2023年5月6日."),
        code="date_invalid",
        params={"value": raw},
    )


def decimal(raw, places: int = 2) -> Decimal:
    """Amounts like 1,234.5, ¥1234.50, １２３４ -> Decimal with 2 places (ROUND_HALF_UP)."""
    if isinstance(raw, int | float | Decimal):
        value = Decimal(str(raw))
    else:
        cleaned = halfwidth(str(raw)).strip().replace(",", "").replace(" ", "")
        cleaned = cleaned.lstrip("¥￥$").removesuffix("元")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise ValidationError(
                _("“%(value)s” is not a number."), code="decimal_invalid", params={"value": raw}
            ) from None
    if not value.is_finite():
        raise ValidationError(
            _("“%(value)s” is not a number."), code="decimal_invalid", params={"value": raw}
        )
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


MONEY_LIMIT = Decimal(10) ** 12  # DecimalField(max_digits=14, decimal_places=2)


def amount(raw) -> Decimal:
    """A money amount (``decimal``) that is not negative and fits the amount fields."""
    value = decimal(raw)
    if value < 0:
        raise ValidationError(
            _("“%(value)s”: the amount cannot be negative."),
            code="amount_negative",
            params={"value": raw},
        )
    if value >= MONEY_LIMIT:
        raise ValidationError(
            _("“%(value)s” is too large (at most 12 digits before the decimal point)."),
            code="amount_too_large",
            params={"value": raw},
        )
    return value


def positive_amount(raw) -> Decimal:
    """``amount``, and greater than zero (installments)."""
    value = amount(raw)
    if value == 0:
        raise ValidationError(
            _("The amount must be greater than zero."), code="amount_zero", params={"value": raw}
        )
    return value


_ORDINAL = re.compile(r"^第?(\d{1,4})期?$")


def positive_int(raw) -> int:
    """A count or sequence number: 3, 3.0 (xlsx), ３, 第3期."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    match = _ORDINAL.match(halfwidth(str(raw)).strip())
    if match and int(match.group(1)) > 0:
        return int(match.group(1))
    raise ValidationError(
        _("“%(value)s” is not a whole number greater than zero."),
        code="positive_int_invalid",
        params={"value": raw},
    )


_TRUE = {"1", "true", "yes", "y", "是", "有效", "启用", "在用", "在售", "正常", "√", "active"}
_FALSE = {"0", "false", "no", "n", "否", "无效", "停用", "禁用", "停售", "×", "inactive"}


def boolean(raw) -> bool:
    """Yes/no in the forms old systems write: 是/否, 启用/停用, true/false, 1/0, Y/N."""
    if isinstance(raw, bool):
        return raw
    value = halfwidth(text(raw)).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValidationError(
        _("“%(value)s” is not yes or no (write 是 or 否)."),
        code="boolean_invalid",
        params={"value": raw},
    )


def max_length(value: str, limit: int) -> str:
    if len(value) > limit:
        raise ValidationError(
            _("At most %(limit)d characters (this has %(n)d)."),
            code="max_length",
            params={"limit": limit, "n": len(value)},
        )
    return value


def render_error(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)
