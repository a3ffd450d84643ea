"""Time limits the portal announces (SPEC §4; Regulation §12).

§12 p.1: through the portal the service is rendered within **30 calendar days** from the day the
application is submitted. SPEC §3 step 3: the personal cabinet shows that the request was accepted
and the date the result will be ready. Days are counted in Kazakhstan's civil time (Asia/Almaty),
not UTC: an application submitted at 02:00 local time on the 1st (20:00 UTC on the 31st) is
submitted on the 1st.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

KAZAKHSTAN = ZoneInfo("Asia/Almaty")
PORTAL_TERM = timedelta(days=30)
"""§12 p.1: 30 calendar days from submission."""


def local_day(moment: datetime) -> date:
    """The calendar day ``moment`` (timezone-aware) falls on in Kazakhstan."""
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware moment is required")
    return moment.astimezone(KAZAKHSTAN).date()


def expected_result_date(submitted_at: datetime) -> date:
    """The day the result is due (§12 p.1): the submission day in Kazakhstan plus 30 calendar days."""
    return local_day(submitted_at) + PORTAL_TERM
