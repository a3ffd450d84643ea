"""IIN and BIN (ЖСН / БСН): the 12-digit identification numbers of persons and organisations, and
their check digit (the 12th): the weighted sum of the first 11 digits with weights 1..11, mod 11;
if that is 10, again with weights 3,4,5,6,7,8,9,10,11,1,2; a second 10 means the number is invalid
(the rule of the national registers, as published validators implement it)."""

from __future__ import annotations

from datetime import date

_FIRST = tuple(range(1, 12))
_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def check_digit(first_eleven: str) -> int | None:
    """The 12th digit for these 11 digits, or None when no check digit exists for them."""
    digits = [int(c) for c in first_eleven]
    for weights in (_FIRST, _SECOND):
        value = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if value != 10:
            return value
    return None


def has_valid_check_digit(number: str) -> bool:
    """True for 12 ASCII digits whose last digit is the check digit of the first eleven."""
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        return False
    return check_digit(number[:11]) == int(number[11])


# The 7th digit of an IIN: century of birth and sex (odd = male).
_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}
# The 5th and 6th digits of a BIN: the entity's type and attribute.
_BIN_TYPES = {"4": "resident legal entity", "5": "non-resident legal entity", "6": "individual entrepreneur"}
_BIN_ATTRIBUTES = {"0": "head office", "1": "branch", "2": "representative office", "3": "peasant farm"}


def iin_birth_date(iin: str) -> date | None:
    """The birth date an IIN encodes (YYMMDD and the century digit), or None if it encodes none."""
    if len(iin) != 12 or not iin.isascii() or not iin.isdigit() or iin[6] not in _CENTURY:
        return None
    try:
        return date(_CENTURY[iin[6]] + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        return None


def iin_sex(iin: str) -> str | None:
    """'M' or 'F' from the century/sex digit."""
    return None if iin_birth_date(iin) is None else ("M" if int(iin[6]) % 2 else "F")


def is_valid_iin(iin: str) -> bool:
    """12 digits, a real birth date with the century/sex digit 1–6, and the check digit."""
    return iin_birth_date(iin) is not None and has_valid_check_digit(iin)


def is_valid_bin(number: str) -> bool:
    """12 digits: registration year and month, type (4/5/6), attribute (0–3), serial, check digit."""
    if not has_valid_check_digit(number):
        return False
    return 1 <= int(number[2:4]) <= 12 and number[4] in _BIN_TYPES and number[5] in _BIN_ATTRIBUTES


def make_iin(birth: date, sex: str, serial: int) -> str | None:
    """The IIN for this birth date, sex ('M'/'F') and 4-digit serial, or None when those 11 digits
    have no check digit (the registry then takes the next serial)."""
    century = {1800: 1, 1900: 3, 2000: 5}[birth.year // 100 * 100] + (0 if sex == "M" else 1)
    first = f"{birth:%y%m%d}{century}{serial:04d}"
    digit = check_digit(first)
    return None if digit is None else first + str(digit)
