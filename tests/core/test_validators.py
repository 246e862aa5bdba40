"""Validators: credit codes (GB 32100-2015 checksum), mobile and phone numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from crm.core.validators import (
    halfwidth,
    national_digits,
    normalize_credit_code,
    normalize_mobile,
    normalize_phone,
)

# Written here from the standard, independently of the code under test.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def reference_check_char(first17: str) -> str:
    weights = [pow(3, i, 31) for i in range(17)]  # 3^i mod 31: 1, 3, 9, 27, 19, 26, ...
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, weights, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


VALID = "91350100M000100Y43"


def test_the_known_code_is_valid_by_the_reference_algorithm():
    assert reference_check_char(VALID[:17]) == VALID[17] == "3"
    assert normalize_credit_code(VALID) == VALID


@pytest.mark.parametrize(
    "raw",
    [" 91350100m000100y43 ", "９１３５０１００Ｍ０００１００Ｙ４３", "913501 00M000 100Y43"],
)
def test_credit_code_is_normalised(raw):
    assert normalize_credit_code(raw) == VALID


@pytest.mark.parametrize("last", [c for c in ALPHABET if c != "3"])
def test_every_wrong_check_character_is_refused(last):
    with pytest.raises(ValidationError) as exc:
        normalize_credit_code(VALID[:17] + last)
    assert exc.value.code == "credit_code_checksum"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("91350100M000100Y4", "credit_code_length"),
        ("91350100M000100Y433", "credit_code_length"),
        ("", "credit_code_length"),
        ("91350100I000100Y43", "credit_code_chars"),  # I, O, S, V, Z are not used
        ("91350100O000100Y43", "credit_code_chars"),
        ("9135010-M000100Y43", "credit_code_chars"),
    ],
)
def test_malformed_credit_codes(raw, code):
    with pytest.raises(ValidationError) as exc:
        normalize_credit_code(raw)
    assert exc.value.code == code


def test_generated_codes_round_trip():
    for body in ("91110000MA01ABCD1", "12100000400000624", "31330000MD0198765"):
        code = body + reference_check_char(body)
        assert normalize_credit_code(code) == code


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "008613812345678",
        "0086 138-1234-5678",
        "１３８１２３４５６７８",
        "＋８６　１３８１２３４５６７８",
        "(+86) 13812345678",
    ],
)
def test_mobile_normalisation(raw):
    assert normalize_mobile(raw) == "+8613812345678"


@pytest.mark.parametrize(
    "raw",
    ["12345678901", "1381234567", "138123456789", "abc", "010-12345678", "+1 415 555 0100", ""],
)
def test_invalid_mobiles(raw):
    with pytest.raises(ValidationError) as exc:
        normalize_mobile(raw)
    assert exc.value.code == "mobile_invalid"


def test_phone_keeps_landlines_and_normalises_mobiles():
    assert normalize_phone("010-12345678") == "010-12345678"
    assert normalize_phone("（021）６２３４５６７８") == "(021)62345678"
    assert normalize_phone("138 1234 5678") == "+8613812345678"
    for bad in ("12345", "call me", "1234567890123456"):
        with pytest.raises(ValidationError):
            normalize_phone(bad)


def test_helpers():
    assert halfwidth("ＡＢＣ１２３") == "ABC123"
    assert national_digits("+8613812345678") == "13812345678"
