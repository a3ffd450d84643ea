"""Time limits the portal announces (§12–§13).

§12 p.1: through the portal the service is rendered within **30 calendar days** from the day the
application is submitted. §10 step 3: the personal cabinet shows that the request was accepted and
the date the result will be ready. Days are counted on Kazakhstan's clock (`shared.calendar`), not
UTC's: an application submitted at 01:30 local time on the 1st (20:30 UTC on the 31st, Kazakhstan
being on UTC+5) is submitted on the 1st.
"""

from __future__ import annotations

from datetime import date, datetime

from shared.calendar import local_day, term_end

PORTAL_TERM_DAYS = 30
"""§12 p.1: 30 calendar days from submission."""


def expected_result_date(submitted_at: datetime) -> date:
    """The day the result is due (§12 p.1): the submission day in Kazakhstan plus 30 calendar days,
    moved to the next working day when that is a day off."""
    return term_end(local_day(submitted_at), calendar_days=PORTAL_TERM_DAYS, channel="portal")
