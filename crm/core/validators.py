"""Validation and normalisation shared by the API, services and imports."""

from __future__ import annotations

import datetime as dt
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def halfwidth(value: str) -> str:
    """Full-width digits, letters and symbols to their ASCII forms (NFKC)."""
    return unicodedata.normalize("NFKC", value)


_CREDIT_CODE_VALUES = {ch: i for i, ch in enumerate(CREDIT_CODE_CHARS)}


def credit_code_check_char(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("a credit code's check character needs its first 17 characters")
    values = _CREDIT_CODE_VALUES
    total = 0
    for ch, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True):
        total += values[ch] * weight
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    """Validate a unified social credit code (GB 32100-2015) and return it upper-case.

    Raises ValidationError naming the problem (length, characters, checksum).
    """
    code = halfwidth(value or "").strip().upper().replace(" ", "")
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="credit_code_length",
            params={"n": len(code)},
        )
    bad = sorted(set(code) - _CREDIT_CODE_VALUES.keys())
    if bad:
        raise ValidationError(
            _("A unified social credit code cannot contain %(chars)s."),
            code="credit_code_chars",
            params={"chars": "".join(bad)},
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong."),
            code="credit_code_checksum",
        )
    return code


def normalize_mobile(value: str) -> str:
    """A mainland China mobile number in E.164 (+8613812345678).

    Accepts full-width digits, spaces, dashes and the +86/0086 prefixes.
    """
    raw = halfwidth(value or "").strip()
    for ch in " -()\u3000":
        raw = raw.replace(ch, "")
    if raw.startswith("0086"):
        raw = "+86" + raw[4:]
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="mobile_invalid", params={"value": value}
        ) from None
    if (
        number.country_code != 86  # mainland China only (the docstring's promise)
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number)
        not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
    ):
        raise ValidationError(
            _("“%(value)s” is not a valid mobile number."),
            code="mobile_invalid",
            params={"value": value},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phone(value: str) -> str:
    """A landline or mobile number, lightly normalised (digits, +, -)."""
    raw = halfwidth(value or "").strip()
    allowed = set("0123456789+-() ")
    if any(ch not in allowed for ch in raw):
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="phone_invalid", params={"value": value}
        )
    digits = sum(ch.isdigit() for ch in raw)
    if digits < 7 or digits > 15:
        raise ValidationError(
            _("A phone number has 7 to 15 digits."), code="phone_invalid", params={"value": value}
        )
    # A mobile number is stored like every other mobile (E.164), so duplicate
    # checks (lead conversion) and searches match it however it was typed.
    try:
        return normalize_mobile(raw)
    except ValidationError:
        return raw


def national_digits(e164: str) -> str:
    """``+8613812345678`` -> ``13812345678`` (what people type when searching)."""
    return e164[3:] if e164.startswith("+86") else e164.lstrip("+")


# --- invisible characters --------------------------------------------------------

#: Zero-width and bidirectional-control characters: invisible on screen, yet they
#: make "北京\u200b科技" a different name from "北京科技" (a duplicate that slips
#: past the check) and can reorder what a reader sees (bidi overrides).
INVISIBLE_CHARACTERS = frozenset(
    [chr(c) for c in range(0x200B, 0x2010)]  # ZWSP, ZWNJ, ZWJ, LRM, RLM
    + [chr(c) for c in range(0x202A, 0x202F)]  # LRE, RLE, PDF, LRO, RLO
    + [chr(c) for c in range(0x2060, 0x2065)]  # word joiner, invisible operators
    + [chr(c) for c in range(0x2066, 0x206A)]  # LRI, RLI, FSI, PDI
    + ["\ufeff"]  # byte-order mark / zero-width no-break space
)
_STRIP_INVISIBLE = {ord(ch): None for ch in INVISIBLE_CHARACTERS}


def strip_invisible(value: str) -> str:
    """``value`` without zero-width and bidi-control characters.

    The one cleaning step for names, used by the API serializers, the import
    cleaners and the search key, so duplicate checks compare what people see.
    """
    if not value:
        return value
    return value.translate(_STRIP_INVISIBLE)


# --- dates in a sane range --------------------------------------------------------

#: Dates and times accepted from people and files: wide enough for any real
#: business date (founding years, long contracts), narrow enough that adding
#: days or SLA hours never overflows Python's or the database's calendar.
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2200, 12, 31)


def date_range_message() -> str:
    return _("Enter a date between %(min)s and %(max)s.") % {
        "min": DATE_MIN.isoformat(),
        "max": DATE_MAX.isoformat(),
    }


def date_in_range(value: dt.date | dt.datetime | None) -> bool:
    if value is None:
        return True
    day = value.date() if isinstance(value, dt.datetime) else value
    return DATE_MIN <= day <= DATE_MAX


def check_date_range(value: dt.date | dt.datetime | None) -> None:
    """Raise ValidationError when ``value`` lies outside DATE_MIN..DATE_MAX."""
    if not date_in_range(value):
        raise ValidationError(date_range_message(), code="date_out_of_range")


# --- text ------------------------------------------------------------------------

#: The longest free text (remarks, notes, descriptions) the API and imports accept.
TEXT_MAX_LENGTH = 10_000
