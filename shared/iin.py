"""IIN and BIN (ЖСН / БСН): the 12-digit identification numbers of persons and organisations, and
their check digit (the 12th): the weighted sum of the first 11 digits with weights 1..11, mod 11;
if that is 10, again with weights 3,4,5,6,7,8,9,10,11,1,2; a second 10 means the number is invalid
(the rule of the national registers; see ../shared/research/egov-anchors.md)."""

from __future__ import annotations

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
