"""Registration of an incoming e-document at the regional gateway (§18 Process 6, §19 Process 7): a
number unique in the region, ``<prefix>-<YYYYMMDD>-<NNNNNN>``, counted per day of Kazakhstan time
(`shared.calendar`), and the registration time."""

from __future__ import annotations

import re
from datetime import datetime

from shared.calendar import local_day

NUMBER_PATTERN = re.compile(r"^[A-Z]{2,8}-\d{8}-\d{6,}$")


def registration_day(at: datetime) -> str:
    """The day (``YYYYMMDD``, Kazakhstan time) a registration at ``at`` (timezone-aware) counts in."""
    return local_day(at).strftime("%Y%m%d")


def registration_number(prefix: str, day: str, sequence: int) -> str:
    """``KRG-20261126-000042``: the ``sequence``-th registration of ``day`` (from 1; six digits, more if needed)."""
    if sequence < 1:
        raise ValueError("registration sequences start at 1")
    return f"{prefix}-{day}-{sequence:06d}"
