"""Kazakhstan's working-day calendar (shared.calendar over shared.data.kz_calendar): the 2014 and 2026
tables, the carry-over rule against every published carry-over, working-day arithmetic, §12's term on
the portal and at the Center, Annex 1's step limits (`due`), and years outside the data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from shared.calendar import (
    KAZAKHSTAN,
    add_calendar_days,
    add_working_days,
    carry_overs,
    center_delivery_day,
    day_off_reason,
    due,
    is_working_day,
    known_years,
    next_working_day,
    term_end,
    working_days_between,
)
from shared.data.kz_calendar import LIST_2014, LIST_2022, YEARS, HolidayList, Kind, list_in_force


def days_off(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end`` (inclusive) that is not a working day."""
    return [start + timedelta(k) for k in range((end - start).days + 1) if not is_working_day(start + timedelta(k))]


# --- The data --------------------------------------------------------------------------------------------


def test_every_row_has_a_kind_and_a_source_and_every_year_compiles() -> None:
    for year in YEARS.values():
        for row in year.all_rows():
            assert isinstance(row.kind, Kind) and row.source.strip() and row.name.strip(), row
            assert (row.carries is not None) == (row.kind is Kind.CARRY_OVER), row
        carry_overs(year.year)  # validates the rows (transfers on the right kind of day)
    assert known_years() == (2014, 2024, 2025, 2026, 2027)


@pytest.mark.parametrize("year", [year for year, entry in YEARS.items() if entry.transfers_known])
def test_the_rule_reproduces_every_published_carry_over(year: int) -> None:
    published = {row.day: row.carries for row in YEARS[year].rows if row.kind is Kind.CARRY_OVER}
    assert published, f"{year}: no published carry-overs to check against"
    assert dict(carry_overs(year)) == published


def test_2027_is_derived_and_says_what_is_not_settled() -> None:
    entry = YEARS[2027]
    assert not entry.transfers_known and "estimate" in entry.provisional
    assert [row for row in entry.rows if row.kind is Kind.RELIGIOUS and row.estimate]
    # 2 January (Saturday) → Monday 4 January; 21 March (Sunday) → Wednesday 24 March (22–23 are Nauryz);
    # 1 May (Saturday) → 3 May; 9 May (Sunday) → 10 May.
    assert dict(carry_overs(2027)) == {
        date(2027, 1, 4): date(2027, 1, 2),
        date(2027, 3, 24): date(2027, 3, 21),
        date(2027, 5, 3): date(2027, 5, 1),
        date(2027, 5, 10): date(2027, 5, 9),
    }


def test_the_2022_amendment_changed_the_list() -> None:
    def days(listed: HolidayList) -> set[tuple[int, int]]:
        return {(d.month, d.day) for d in listed.days}

    assert days(LIST_2014) - days(LIST_2022) == {(12, 1), (12, 17)}
    assert days(LIST_2022) - days(LIST_2014) == {(10, 25)}
    assert list_in_force(2019) is LIST_2014 and list_in_force(2023) is LIST_2022


# --- 2014 ------------------------------------------------------------------------------------------------


def test_2014_new_year_with_the_transfer_of_28_december_2013() -> None:
    assert days_off(date(2013, 12, 28), date(2014, 1, 8)) == [
        date(2013, 12, 29),
        date(2014, 1, 1),
        date(2014, 1, 2),
        date(2014, 1, 3),  # Friday, transferred
        date(2014, 1, 4),
        date(2014, 1, 5),
        date(2014, 1, 7),  # Christmas, a Tuesday
    ]
    assert is_working_day(date(2013, 12, 28))  # the Saturday worked for 3 January
    assert "transfer" in (day_off_reason(date(2014, 1, 3)) or "")


def test_2014_nauryz_friday_to_sunday_carries_two_days() -> None:
    assert days_off(date(2014, 3, 20), date(2014, 3, 26)) == [date(2014, 3, d) for d in range(21, 26)]
    assert "carry-over of Nauryz" in (day_off_reason(date(2014, 3, 25)) or "")
    assert (
        day_off_reason(date(2014, 3, 10))
        == "carry-over of International Women's Day (Халықаралық әйелдер күні) (2014-03-08)"
    )


def test_2014_may_holidays_and_the_sundays_worked() -> None:
    assert days_off(date(2014, 4, 30), date(2014, 5, 12)) == [
        date(2014, 5, 1),
        date(2014, 5, 2),  # transferred from Sunday 4 May
        date(2014, 5, 3),
        date(2014, 5, 7),
        date(2014, 5, 8),  # transferred from Sunday 11 May
        date(2014, 5, 9),
        date(2014, 5, 10),
    ]
    for sunday in (date(2014, 5, 4), date(2014, 5, 11)):
        assert sunday.weekday() == 6 and is_working_day(sunday) and day_off_reason(sunday) is None


def test_2014_kurban_ait_on_a_saturday_is_not_carried_over() -> None:
    assert "Kurban ait" in (day_off_reason(date(2014, 10, 4)) or "")
    assert is_working_day(date(2014, 10, 6))
    assert date(2014, 10, 6) not in carry_overs(2014)


def test_2014_december_first_president_and_independence() -> None:
    assert days_off(date(2014, 11, 29), date(2014, 12, 18)) == [
        date(2014, 11, 29),
        date(2014, 11, 30),
        date(2014, 12, 1),
        date(2014, 12, 6),
        date(2014, 12, 7),
        date(2014, 12, 13),
        date(2014, 12, 14),
        date(2014, 12, 16),
        date(2014, 12, 17),
    ]


# --- 2026 ------------------------------------------------------------------------------------------------


def test_2026_no_january_transfer_and_christmas_a_wednesday() -> None:
    assert days_off(date(2026, 1, 1), date(2026, 1, 9)) == [
        date(2026, 1, 1),
        date(2026, 1, 2),
        date(2026, 1, 3),
        date(2026, 1, 4),
        date(2026, 1, 7),
    ]


def test_2026_nauryz_saturday_to_monday_carries_to_tuesday_and_wednesday() -> None:
    assert days_off(date(2026, 3, 20), date(2026, 3, 27)) == [date(2026, 3, d) for d in range(21, 26)]
    assert carry_overs(2026)[date(2026, 3, 24)] == date(2026, 3, 21)
    assert day_off_reason(date(2026, 3, 23)) == "Nauryz meyramy (Наурыз мейрамы)"


def test_2026_may_victory_day_on_a_saturday_and_kurban_ait() -> None:
    assert days_off(date(2026, 4, 30), date(2026, 5, 12)) == [
        date(2026, 5, 1),
        date(2026, 5, 2),
        date(2026, 5, 3),
        date(2026, 5, 7),
        date(2026, 5, 9),
        date(2026, 5, 10),
        date(2026, 5, 11),  # carry-over of 9 May
    ]
    assert "Kurban ait" in (day_off_reason(date(2026, 5, 27)) or "")


def test_2026_autumn_carry_overs_and_independence_one_day() -> None:
    assert not is_working_day(date(2026, 8, 31)) and not is_working_day(date(2026, 10, 26))
    assert days_off(date(2026, 12, 14), date(2026, 12, 18)) == [date(2026, 12, 16)]
    assert is_working_day(date(2026, 12, 1))  # First President's Day is gone since 2022


def test_kurban_ait_on_a_sunday_gives_no_day_off_and_a_transfer_makes_a_sunday_worked() -> None:
    assert not is_working_day(date(2024, 6, 16)) and is_working_day(date(2024, 6, 17))
    assert is_working_day(date(2025, 1, 5)) and not is_working_day(date(2025, 1, 3))


# --- Arithmetic ------------------------------------------------------------------------------------------


def test_working_days_across_the_nauryz_stretch() -> None:
    # Thursday 19 March 2026; 20 March is worked, 21–25 are off.
    start = date(2026, 3, 19)
    assert [add_working_days(start, n) for n in range(4)] == [
        start,
        date(2026, 3, 20),
        date(2026, 3, 26),
        date(2026, 3, 27),
    ]
    assert add_working_days(date(2026, 3, 26), -1) == date(2026, 3, 20)
    assert working_days_between(start, date(2026, 3, 27)) == 3
    assert working_days_between(date(2026, 3, 27), start) == -3
    assert next_working_day(date(2026, 3, 21)) == date(2026, 3, 26)
    assert next_working_day(date(2026, 3, 20)) == date(2026, 3, 20)
    assert add_calendar_days(start, 7) == date(2026, 3, 26) and add_calendar_days(start, -19) == date(2026, 2, 28)


def test_add_working_days_and_working_days_between_agree() -> None:
    start = date(2014, 4, 25)
    for n in range(0, 40):
        end = add_working_days(start, n)
        assert working_days_between(start, end) == n
        assert n == 0 or is_working_day(end)


# --- §12 terms -------------------------------------------------------------------------------------------


def test_the_term_is_thirty_calendar_days_on_both_channels() -> None:
    submitted = date(2026, 4, 1)  # + 30 = Friday 1 May (Unity Day) → Monday 4 May
    assert term_end(submitted, channel="portal") == date(2026, 5, 4)
    assert term_end(submitted, channel="center") == date(2026, 5, 4)
    assert term_end(date(2026, 4, 6), channel="portal") == date(2026, 5, 6)  # a Wednesday, worked


def test_a_term_ending_on_a_weekend_or_a_holiday_stretch_ends_on_the_next_working_day() -> None:
    assert term_end(date(2014, 2, 19), channel="center") == date(2014, 3, 26)  # 21 March 2014 → 26 March
    assert term_end(date(2026, 1, 3), channel="portal") == date(2026, 2, 2)  # + 30 is Monday 2 February
    assert term_end(date(2026, 1, 1), channel="portal") == date(2026, 2, 2)  # Saturday 31 January → Monday
    assert term_end(date(2026, 3, 1), calendar_days=5, channel="portal") == date(2026, 3, 6)


def test_the_center_gets_the_result_one_working_day_before_the_term_ends() -> None:
    end = term_end(date(2014, 2, 19), channel="center")
    assert center_delivery_day(end) == date(2014, 3, 20)  # before the Nauryz stretch
    assert center_delivery_day(date(2026, 5, 4)) == date(2026, 4, 30)  # Monday → Thursday (1 May off)


def test_term_end_refuses_an_unknown_channel() -> None:
    with pytest.raises(ValueError, match="channel"):
        term_end(date(2026, 4, 1), channel="mail")  # type: ignore[arg-type]


# --- Annex 1 step limits ---------------------------------------------------------------------------------


def test_due_is_the_end_of_the_due_day_in_kazakhstan_returned_in_utc() -> None:
    # Friday 20 March 2026, 16:00 in Karaganda (UTC+5); "1 working day" → Thursday 26 March.
    start = datetime(2026, 3, 20, 16, 0, tzinfo=KAZAKHSTAN)
    end = due(start, 1, "working")
    assert end.tzinfo is UTC and end == datetime(2026, 3, 26, 18, 59, 59, 999999, tzinfo=UTC)
    assert end.astimezone(KAZAKHSTAN).date() == date(2026, 3, 26)
    assert due(start, 5, "working") == datetime(2026, 4, 1, 18, 59, 59, 999999, tzinfo=UTC)
    # "7 calendar days" → Friday 27 March; "5 calendar days" → Wednesday 25 March, off → 26 March.
    assert due(start, 7, "calendar") == datetime(2026, 3, 27, 18, 59, 59, 999999, tzinfo=UTC)
    assert due(start, 5, "calendar") == datetime(2026, 3, 26, 18, 59, 59, 999999, tzinfo=UTC)


def test_due_takes_the_day_in_kazakhstan_not_in_utc_and_its_offset_that_year() -> None:
    # 19:30 UTC on Monday 5 May 2014 is already Tuesday 6 May in Kazakhstan (UTC+6 then).
    start = datetime(2014, 5, 5, 19, 30, tzinfo=UTC)
    # 7 May holiday, 8 May transferred off, 9 May holiday, 10 May Saturday; Sunday 11 May was worked.
    assert due(start, 1, "working") == datetime(2014, 5, 11, 17, 59, 59, 999999, tzinfo=UTC)
    with pytest.raises(ValueError):
        due(datetime(2026, 3, 2, 9, 0), 1, "working")  # naive: refused, not guessed
    with pytest.raises(ValueError):
        due(start, -1, "calendar")


# --- Outside the data ------------------------------------------------------------------------------------


def test_a_year_outside_the_data_follows_the_rule_with_the_list_in_force() -> None:
    assert 2019 not in known_years()
    assert not is_working_day(date(2019, 3, 22)) and not is_working_day(date(2019, 3, 25))  # 23 Mar Saturday
    assert not is_working_day(date(2019, 12, 2))  # 1 December, a Sunday, under the 2014 list
    assert not is_working_day(date(2023, 10, 25)) and is_working_day(date(2023, 12, 1))
    # A term from December 2014 runs into 2015, which the data does not hold: 1–2 January still count.
    assert term_end(date(2014, 12, 2), channel="portal") == date(2015, 1, 5)
