"""The portal's pure rules, read against the Regulation: §12 p.1 (30 calendar days, Kazakhstan's
day), the order of statuses, the duplicate rule, the password policy, and what the registries'
answers make of the household, categories and §14 civil-status copies."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.portal_gateway.domain.deadlines import expected_result_date
from services.portal_gateway.domain.duplicates import blocks_new_application
from services.portal_gateway.domain.passwords import password_problems
from shared.housing import prefill
from shared.housing.documents import CivilEvent, family_events
from shared.housing.statuses import advances, newer_delivery

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
HOME = {"locality": "karaganda", "address": "Мәметова 110-59", "district": "karaganda"}


def test_the_result_is_due_30_calendar_days_after_the_day_of_submission() -> None:
    assert expected_result_date(datetime(2026, 1, 10, 9, 0, tzinfo=UTC)) == date(2026, 2, 9)


def test_the_day_of_submission_is_kazakhstans_not_utcs() -> None:
    late_evening_utc = datetime(2026, 3, 31, 20, 30, tzinfo=UTC)  # 1 April 01:30 in Almaty (UTC+5)
    # 1 April + 30 days is 1 May, Unity Day, then a weekend: the term ends on Monday 4 May
    assert expected_result_date(late_evening_utc) == date(2026, 5, 4)
    assert expected_result_date(datetime(2026, 3, 30, 20, 30, tzinfo=UTC)) == date(2026, 4, 30)


def test_statuses_only_move_forward_and_a_final_one_stays() -> None:
    assert advances("SUBMITTED", "REGISTERED_AT_GATEWAY") and advances("REGISTERED_AT_GATEWAY", "REGISTERED")
    assert not advances("REGISTERED", "REGISTERED_AT_GATEWAY")  # arrived late
    assert not advances("IN_REVIEW", "IN_REVIEW")
    assert not advances("REFUSED_DOCUMENTS", "QUEUED") and not advances("QUEUED", "REFUSED")


def test_the_newest_receipt_gives_the_delivery_state() -> None:
    assert newer_delivery(None, NOW)
    assert newer_delivery(NOW, NOW + timedelta(seconds=1), "NOT_DELIVERED")
    assert not newer_delivery(NOW, NOW - timedelta(seconds=1), "DELIVERED")


def test_a_pending_application_or_a_place_in_the_queue_blocks_another_a_refusal_does_not() -> None:
    assert all(blocks_new_application(s) for s in ("SUBMITTED", "REGISTERED", "IN_REVIEW", "QUEUED"))
    assert not any(blocks_new_application(s) for s in ("REFUSED_AT_GATEWAY", "REFUSED_DOCUMENTS", "REFUSED"))


def test_a_password_has_eight_characters_and_is_not_only_digits() -> None:
    assert password_problems("Qwerty-2026!", iin="900101300017") == []
    assert password_problems("Qw-1", iin="900101300017")
    assert password_problems("12345678901", iin="900101300017")
    assert password_problems("x900101300017x", iin="900101300017")


def person(*family: dict[str, object]) -> dict[str, object]:
    return {"iin": "780402400002", "alive": True, "address": HOME, "family": list(family)}


def test_the_household_is_the_living_family_registered_at_the_applicants_address() -> None:
    applicant = person(
        {"iin": "751120300000", "relation": "spouse", "alive": True},
        {"iin": "050420500005", "relation": "child", "alive": True},
        {"iin": "000101500007", "relation": "child", "alive": True},
        {"iin": "180818600001", "relation": "child", "alive": True},
        {"iin": "480101300001", "relation": "parent", "alive": False},
    )
    relatives = {
        "751120300000": {"iin": "751120300000", "alive": True, "address": HOME, "birth_date": "1975-11-20"},
        "050420500005": {"iin": "050420500005", "alive": True, "address": HOME, "birth_date": "2005-04-20"},
        "000101500007": {"iin": "000101500007", "alive": True, "address": {**HOME, "address": "elsewhere"}},
        "180818600001": {"iin": "180818600001", "alive": True, "address": None, "birth_date": "2018-08-18"},
    }
    members = prefill.household(applicant, relatives, date(2026, 11, 26))
    assert [(m["iin"], m["relation"]) for m in members] == [
        ("751120300000", "spouse"),
        ("050420500005", "child"),
        ("180818600001", "child"),
    ]
    assert prefill.relatives_to_ask(applicant) == (
        ["751120300000", "050420500005", "000101500007", "180818600001"],
        ["480101300001"],
    )


def test_categories_are_the_current_groups_jobs_and_any_emergency_finding() -> None:
    found = prefill.categories(
        {"statuses": [{"group": "large_family", "current": True}, {"group": "orphan", "current": False}]},
        {"jobs": [{"category": "civil_servant", "current": True}]},
        {"findings": [{"finding_no": "A-1"}]},
    )
    assert found == prefill.Categories(
        ["vulnerable", "employee", "emergency_dwelling"], ["large_family"], ["civil_servant"]
    )
    assert prefill.categories({"statuses": []}, {"jobs": []}, {"findings": []}).categories == []


def test_only_the_familys_own_civil_events_ask_for_copies() -> None:
    applicant, spouse, child, mother = "780402400002", "751120300000", "050420500005", "550101400001"
    answers = [
        {
            "events": [
                {
                    "record_no": "M-1",
                    "kind": "marriage",
                    "registered_on": "2003-09-12",
                    "parties": [{"role": "spouse", "iin": applicant}, {"role": "spouse", "iin": spouse}],
                },
                {
                    "record_no": "B-0",
                    "kind": "birth",
                    "registered_on": "1978-04-10",
                    "parties": [{"role": "child", "iin": applicant}, {"role": "mother", "iin": mother}],
                },
                {
                    "record_no": "B-1",
                    "kind": "birth",
                    "registered_on": "2005-04-25",
                    "parties": [{"role": "child", "iin": child}, {"role": "mother", "iin": applicant}],
                },
            ]
        },
        {
            "events": [
                {
                    "record_no": "M-1",
                    "kind": "marriage",
                    "registered_on": "2003-09-12",
                    "parties": [{"role": "spouse", "iin": applicant}, {"role": "spouse", "iin": spouse}],
                }
            ]
        },
        {
            "events": [
                {
                    "record_no": "D-1",
                    "kind": "death",
                    "registered_on": "2006-02-01",
                    "parties": [{"role": "deceased", "iin": mother}],
                }
            ]
        },
    ]
    household = [{"iin": spouse, "relation": "spouse"}, {"iin": child, "relation": "child"}]
    family = [
        {"iin": spouse, "relation": "spouse"},
        {"iin": child, "relation": "child"},
        {"iin": mother, "relation": "parent"},
    ]
    events = family_events(
        applicant=applicant,
        household={m["iin"]: m["relation"] for m in household},
        relatives=family,
        records=[e for answer in answers for e in answer["events"]],
    )
    assert events == [
        CivilEvent("marriage", date(2003, 9, 12)),
        CivilEvent("birth", date(2005, 4, 25)),
        CivilEvent("death", date(2006, 2, 1)),
    ]
