"""Case numbers (Annex 1 step 3: the specialist registers what came from the Center or the portal).

A case number names the housing department and the year, and counts within them:
``ТҮ-<district>-<year>-<sequence>``, e.g. ``ТҮ-karaganda-2026-000017`` ("ТҮ": тұрғын үй, housing).
The year is the one in Kazakhstan (its civil time, `shared.calendar`) at the moment the regional
gateway registered the application, so an application registered on 31 December at 23:30 local time
belongs to that year's list even though it is already 1 January in nobody's calendar."""

from __future__ import annotations

import re
from datetime import datetime

from shared.calendar import in_kazakhstan

PREFIX = "ТҮ"
SEQUENCE_DIGITS = 6
_PATTERN = re.compile(rf"^{PREFIX}-(?P<district>[a-z0-9-]+)-(?P<year>\d{{4}})-(?P<sequence>\d{{{SEQUENCE_DIGITS},}})$")


def case_year(moment: datetime) -> int:
    """The calendar year in Kazakhstan at ``moment`` (which must carry its time zone: ValueError)."""
    return in_kazakhstan(moment).year


def case_number(district: str, year: int, sequence: int) -> str:
    """The ``sequence``-th case of ``district``'s housing department in ``year`` (from 1)."""
    if sequence < 1:
        raise ValueError("case sequences start at 1")
    return f"{PREFIX}-{district}-{year:04d}-{sequence:0{SEQUENCE_DIGITS}d}"


def parse_case_number(number: str) -> tuple[str, int, int] | None:
    """``(district, year, sequence)`` of a case number, or None when it is not one."""
    found = _PATTERN.match(number)
    if found is None:
        return None
    return found["district"], int(found["year"]), int(found["sequence"])
