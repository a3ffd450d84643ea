"""IINs for new persons, fast: the first serial from a given one whose IIN has a check digit, per
birth date and sex. The check digit is shared.iin.check_digit split in two: the weighted sums of the
7-digit prefix (YYMMDD and the century/sex digit) are taken once per birth date and sex, those of the
4-digit serial come from tables. A test holds every result equal to shared.iin.make_iin; this is only
faster (the generator makes a million of them).
"""

from __future__ import annotations

from datetime import date

from .records import Sex

_SERIAL_SUMS = tuple(
    (
        sum(int(c) * w for c, w in zip(f"{n:04d}", (8, 9, 10, 11), strict=True)),
        sum(int(c) * w for c, w in zip(f"{n:04d}", (10, 11, 1, 2), strict=True)),
    )
    for n in range(10_000)
)
_SERIAL_TEXT = tuple(f"{n:04d}" for n in range(10_000))
_DIGITS = "0123456789"
_CENTURY = {18: 1, 19: 3, 20: 5}


def _pair_sums(weights: tuple[int, int]) -> tuple[int, ...]:
    return tuple((n // 10) * weights[0] + (n % 10) * weights[1] for n in range(100))


# Weighted sums of a two-digit field (YY, MM or DD) at its place, under each weighting.
_YY, _MM, _DD = _pair_sums((1, 2)), _pair_sums((3, 4)), _pair_sums((5, 6))
_YY2, _MM2, _DD2 = _pair_sums((3, 4)), _pair_sums((5, 6)), _pair_sums((7, 8))


def iin_prefix(birth: date, sex: Sex) -> tuple[str, int, int]:
    """The first 7 digits of an IIN (YYMMDD and the century/sex digit), with their weighted sums
    under the check digit's two weightings."""
    yy, mm, dd = birth.year % 100, birth.month, birth.day
    century = _CENTURY[birth.year // 100] + (sex == Sex.FEMALE)
    return (
        f"{yy:02d}{mm:02d}{dd:02d}{century}",
        _YY[yy] + _MM[mm] + _DD[dd] + 7 * century,
        _YY2[yy] + _MM2[mm] + _DD2[dd] + 9 * century,
    )


def next_iin(prefix: tuple[str, int, int], serial: int) -> tuple[str, int]:
    """The IIN with the first serial from `serial` on that has a check digit, and the serial after it
    (~1 serial in 11 has none: the registry takes the next one). Equal to shared.iin.make_iin."""
    head, first, second = prefix
    while True:
        if serial > 9999:
            raise OverflowError(f"no IIN serials left for the birth date and sex {head}")
        tail = _SERIAL_SUMS[serial]
        check = (first + tail[0]) % 11
        if check == 10:
            check = (second + tail[1]) % 11
        if check != 10:
            return head + _SERIAL_TEXT[serial] + _DIGITS[check], serial + 1
        serial += 1
