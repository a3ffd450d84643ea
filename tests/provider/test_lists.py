"""The 2014 waiting lists (services/provider/domain/lists.py): which list an applicant joins, in the
order of art. 67 p.1 when several fit, none for a need the lists do not name; the queue key's order; and
at intake, the groups the placement rests on — the registries' (R11) or a document's (R12) — and the
JSON the case keeps."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.provider.domain.lists import QueueKey, lists_fitting, place, place_application, to_ask
from services.provider.domain.lists import to_json as lists_json
from shared.eds.document import Author
from shared.housing.application import Address, Applicant, ApplicationDocument, Consents, HouseholdMember
from tests.support.provider import attachment


@pytest.mark.parametrize(
    ("categories", "groups", "joins", "fits"),
    [
        (["vulnerable"], ["ww2_veteran"], "ww2", ("ww2",)),
        (["vulnerable"], ["orphan"], "orphans", ("orphans",)),
        (["vulnerable"], ["large_family"], "vulnerable", ("vulnerable",)),
        (["employee"], [], "employees", ("employees",)),
        (["emergency_dwelling"], [], "emergency", ("emergency",)),
        (["vulnerable", "employee"], ["ww2_equated", "pensioner"], "ww2", ("ww2", "vulnerable", "employees")),
        (["employee", "emergency_dwelling"], [], "employees", ("employees", "emergency")),
        (["substandard_dwelling"], [], None, ()),
        (["cosmonaut"], [], None, ()),
    ],
)
def test_an_applicant_joins_the_first_list_of_art_67_that_fits(
    categories: list[str], groups: list[str], joins: str | None, fits: tuple[str, ...]
) -> None:
    placement = place(categories, groups)
    assert (placement.waiting_list, placement.fits) == (joins, fits)
    assert lists_fitting(categories, groups) == fits


def test_the_queue_key_orders_by_the_signed_registration_then_its_number_then_the_id() -> None:
    t = datetime(2014, 5, 5, 9, 0, tzinfo=UTC)
    later = datetime(2014, 5, 5, 9, 1, tzinfo=UTC)
    keys = [
        QueueKey(later, "KRG-20140505-000001", "a"),
        QueueKey(t, "KRG-20140505-000003", "b"),
        QueueKey(t, "KRG-20140505-000002", "z"),
        QueueKey(t, "KRG-20140505-000002", "c"),
    ]
    assert [(k.registration_number, k.application_id) for k in sorted(keys)] == [
        ("KRG-20140505-000002", "c"),
        ("KRG-20140505-000002", "z"),
        ("KRG-20140505-000003", "b"),
        ("KRG-20140505-000001", "a"),
    ]


# --- at intake: the groups the registries show (R11), or a document proves (R12) -------------------------

APPLICANT, WIFE = "900517300019", "920304400010"
ON = date(2026, 11, 1)


def applying(
    categories: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
    *,
    employment: tuple[str, ...] = (),
    attach: tuple[str, ...] = (),
    wife: bool = False,
) -> ApplicationDocument:
    address = Address(locality="karaganda", district="karaganda", address="Бұқар жырау 1")
    return ApplicationDocument(
        author=Author(iin=APPLICANT),
        channel="portal",
        district="karaganda",
        applicant=Applicant(iin=APPLICANT, surname="ТЕСТОВ", given_name="ТЕСТ", address=address),
        categories=list(categories),
        vulnerable_groups=list(groups),
        employment_categories=list(employment),
        household=[HouseholdMember(iin=WIFE, relation="spouse")] if wife else [],
        consents=Consents(communal_fund_check=True, legally_protected_information=True),
        attachments=[attachment(kind, APPLICANT) for kind in attach],
    )


def statuses(*rows: tuple[str, str, str | None, int | None]) -> dict[str, Any]:
    """A social-status answer: (group, since, until, income per member) rows."""
    keys = ("group", "since", "until", "monthly_income_per_member")
    return {"statuses": [dict(zip(keys, row, strict=True)) for row in rows]}


def test_an_orphan_the_registry_knows_joins_the_orphans_list_whatever_the_form_declared() -> None:
    social = {APPLICANT: statuses(("orphan", "2010-01-01", None, None))}
    placement = place_application(applying(("employee",), employment=("budget_employee",)), social, as_of=ON)
    assert (placement.waiting_list, placement.fits, placement.groups) == (
        "orphans",
        ("orphans", "employees"),
        ("orphan",),
    )
    assert placement.unconfirmed == () and placement.limits == ()


def test_a_declared_group_the_registry_does_not_show_places_nobody_and_is_recorded() -> None:
    placement = place_application(applying(("vulnerable",), ("large_family",)), {APPLICANT: statuses()}, as_of=ON)
    assert (placement.waiting_list, placement.fits, placement.unconfirmed) == (None, (), ("large_family",))
    assert any("large_family" in note for note in placement.limits)
    assert any("for the commission" in note for note in placement.limits)


def test_a_status_ended_or_not_begun_on_the_application_day_does_not_count() -> None:
    social = {
        APPLICANT: statuses(
            ("pensioner", "2027-01-01", None, 40_000), ("single_parent", "2015-01-01", "2026-10-31", 30_000)
        )
    }
    placement = place_application(applying(("vulnerable",), ("pensioner",)), social, as_of=ON)
    assert placement.fits == () and placement.unconfirmed == ("pensioner",)
    current = {APPLICANT: statuses(("single_parent", "2015-01-01", "2026-11-01", 30_000))}  # the last day counts
    assert place_application(applying(), current, as_of=ON).waiting_list == "vulnerable"


def test_a_group_proven_by_its_document_counts_when_the_document_is_attached() -> None:
    """R12: kandases, victims of emergencies and families of those who died on duty attach the document."""
    declared = applying(("vulnerable",), ("kandas",), attach=("vulnerable_group_document",))
    assert place_application(declared, {}, as_of=ON).groups == ("kandas",)
    unproven = applying(("vulnerable",), ("kandas",))
    assert place_application(unproven, {}, as_of=ON).unconfirmed == ("kandas",)


def test_the_familys_group_held_by_a_household_member_places_the_applicant() -> None:
    social = {WIFE: statuses(("large_family", "2020-01-01", None, 25_000), ("pensioner", "2020-01-01", None, 25_000))}
    placement = place_application(applying(wife=True), social, as_of=ON)
    assert (placement.waiting_list, placement.groups) == ("vulnerable", ("large_family",))  # not her pension
    assert any("income test" in note and "25000 KZT" in note for note in placement.limits)
    assert place_application(applying(), social, as_of=ON).fits == ()  # she is not in the household


def test_the_placement_as_the_case_keeps_it() -> None:
    social = {APPLICANT: statuses(("ww2_veteran", "1990-01-01", None, 50_000))}
    kept = lists_json(place_application(applying(("vulnerable",), ("ww2_veteran", "disabled_1_2")), social, as_of=ON))
    assert json.loads(json.dumps(kept)) == kept
    assert kept == {"waiting_list": "ww2", "fits": ["ww2"], "groups": ["ww2_veteran"], "unconfirmed": ["disabled_1_2"]}
    assert lists_json(place_application(applying(), {}, as_of=ON))["waiting_list"] is None


def test_the_placement_reads_the_applicants_social_status() -> None:
    assert to_ask(applying()) == [("social-status", APPLICANT)]
