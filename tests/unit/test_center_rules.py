"""The Center's pure rules (services/con_intake/domain, shared/housing/center.py): the §14 item 1
checklist by the one rule, the dates of §12 item 2, the register twice a working day (Annex 1 step 2)
on the 2014 and 2026 calendars, unclaimed results after a month and the late recall (§14 item 1), and
the Annex 5 receipt's words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pytest

from services.con_intake.domain.checklist import Item, checklist, missing
from services.con_intake.domain.schedule import (
    next_register_at,
    provider_delivers_on,
    recall_asked_by,
    recall_returned_by,
    register_slots,
    result_ready_on,
    unclaimed_from,
)
from shared.calendar import KAZAKHSTAN
from shared.housing.center import LAW_ARTICLE_KK, Branch, MissingDocument, refusal_text
from shared.housing.documents import CivilEvent

BRANCH = Branch(bin="000000000000", branch="Қарағанды облысы бойынша филиал", department="3", address="Бұқар жырау, 49")


def kinds(items: Sequence[Item]) -> list[str]:
    return [i.kind for i in items]


def test_the_identity_document_is_shown_and_the_rest_are_copies() -> None:
    items = checklist(categories=["employee"])
    assert kinds(items) == ["identity_document", "employment_certificate"]
    assert [i.original for i in items] == [True, False]


def test_a_vulnerable_group_brings_the_income_certificate_but_an_orphan_does_not() -> None:
    assert "income_certificate" in kinds(checklist(categories=["vulnerable"], vulnerable_groups=["large_family"]))
    assert "income_certificate" not in kinds(checklist(categories=["vulnerable"], vulnerable_groups=["orphan"]))


def test_an_old_marriage_needs_its_copy_and_a_registered_one_does_not() -> None:
    old = checklist(categories=[], civil_events=[CivilEvent("marriage", date(2005, 6, 1))])
    new = checklist(categories=[], civil_events=[CivilEvent("marriage", date(2010, 6, 1))])
    assert "marriage_certificate" in kinds(old) and "marriage_certificate" not in kinds(new)


def test_what_was_not_presented_is_missing() -> None:
    items = checklist(categories=["vulnerable"], vulnerable_groups=["large_family"])
    assert kinds(missing(items, ["identity_document"])) == ["income_certificate"]
    assert missing(items, [i.kind for i in items]) == []


def test_the_result_day_is_thirty_days_on_and_a_holiday_moves_it() -> None:
    ordinary = datetime(2026, 3, 2, 10, 0, tzinfo=KAZAKHSTAN)  # + 30 days: Wednesday 1 April
    assert result_ready_on(ordinary) == date(2026, 4, 1)
    assert provider_delivers_on(ordinary) == date(2026, 3, 31)  # the working day before
    into_nauryz = datetime(2026, 2, 20, 10, 0, tzinfo=KAZAKHSTAN)  # + 30: Sunday 22 March, Nauryz to the 25th
    assert result_ready_on(into_nauryz) == date(2026, 3, 26)
    assert provider_delivers_on(into_nauryz) == date(2026, 3, 20)  # Friday, before the holidays


def test_the_result_day_counts_from_the_day_in_kazakhstan() -> None:
    late_evening = datetime(2026, 3, 2, 23, 30, tzinfo=KAZAKHSTAN)  # 18:30 UTC, still 2 March here
    assert result_ready_on(late_evening) == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("day", "slots"),
    [
        (date(2026, 3, 20), 2),  # a Friday
        (date(2026, 3, 23), 0),  # Nauryz
        (date(2026, 3, 24), 0),  # Nauryz carried over from the Saturday
        (date(2014, 5, 7), 0),  # Defender of the Fatherland Day
        (date(2014, 5, 8), 0),  # a day off transferred from Sunday 11 May
        (date(2014, 5, 11), 2),  # the Sunday worked
    ],
)
def test_the_register_goes_twice_a_working_day_and_never_on_a_day_off(day: date, slots: int) -> None:
    found = register_slots(day)
    assert len(found) == slots and all(s.date() == day for s in found)


def test_the_next_register_skips_the_holidays() -> None:
    assert next_register_at(datetime(2026, 3, 20, 11, 0, tzinfo=KAZAKHSTAN)) == datetime(
        2026, 3, 20, 12, 0, tzinfo=KAZAKHSTAN
    )
    assert next_register_at(datetime(2026, 3, 20, 18, 0, tzinfo=KAZAKHSTAN)) == datetime(
        2026, 3, 26, 12, 0, tzinfo=KAZAKHSTAN
    )
    assert next_register_at(datetime(2014, 5, 6, 18, 0, tzinfo=KAZAKHSTAN)) == datetime(
        2014, 5, 11, 12, 0, tzinfo=KAZAKHSTAN
    )


def test_an_unclaimed_result_goes_back_after_a_month() -> None:
    assert unclaimed_from(date(2026, 4, 1)) == date(2026, 5, 1)
    assert unclaimed_from(date(2026, 1, 31)) == date(2026, 2, 28)
    assert unclaimed_from(date(2026, 12, 15)) == date(2027, 1, 15)


def test_a_late_recall_takes_one_working_day_and_one_more() -> None:
    asked = recall_asked_by(date(2026, 3, 20))  # a Friday before Nauryz
    assert asked == date(2026, 3, 26) and recall_returned_by(asked) == date(2026, 3, 27)


def test_the_annex_5_text_names_the_department_the_service_and_every_missing_document() -> None:
    missing_documents = [
        MissingDocument(kind="income_certificate", name="Табысы туралы анықтама"),
        MissingDocument(kind="marriage_certificate", name="Неке туралы куәліктің көшірмесі"),
    ]
    text = refusal_text(BRANCH, missing_documents)
    assert text.startswith(LAW_ARTICLE_KK) and "филиалының №3 бөлімі (Бұқар жырау, 49)" in text
    assert "Табысы туралы анықтама; Неке туралы куәліктің көшірмесі" in text and "2 данада" in text
