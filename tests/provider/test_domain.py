"""The provider's pure rules: case numbers (Annex 1 step 3), which status may follow which (§10,
Annex 1), Condition 3 (§18; §14) and its facts from the registries' answers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.provider.domain.condition3 import Facts, PersonFact, decide
from services.provider.domain.facts import Asked, facts_of, known_alive, others_to_ask
from services.provider.domain.numbering import case_number, case_year, parse_case_number
from services.provider.domain.workflow import (
    CASE_STATUSES,
    TransitionNotAllowed,
    can_follow,
    check_transition,
    is_final,
)
from shared.eds.document import Author
from shared.housing.application import Address, Applicant, ApplicationDocument, Attachment, Consents, HouseholdMember
from shared.housing.documents import CivilEvent, family_events
from shared.housing.messages import BusinessStatus

APPLICANT, SPOUSE, CHILD, GRANDMA = "900517300019", "920304400010", "050420500015", "500101400011"
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

# --- case numbers ------------------------------------------------------------------------------


def test_a_case_number_names_the_district_the_year_and_the_sequence() -> None:
    assert case_number("karaganda", 2026, 17) == "ТҮ-karaganda-2026-000017"
    assert parse_case_number("ТҮ-bukhar-zhyrau-2026-000017") == ("bukhar-zhyrau", 2026, 17)
    assert parse_case_number("KRG-20261126-000042") is None


def test_the_case_year_is_the_year_in_kazakhstan() -> None:
    assert case_year(datetime(2026, 12, 31, 19, 30, tzinfo=UTC)) == 2027  # 00:30 on 1 January, UTC+5
    assert case_year(datetime(2026, 12, 31, 18, 59, tzinfo=UTC)) == 2026
    assert case_year(datetime(2023, 12, 31, 18, 30, tzinfo=UTC)) == 2024  # Karaganda kept UTC+6 until March 2024
    with pytest.raises(ValueError):
        case_year(datetime(2026, 12, 31))


def test_sequences_start_at_one() -> None:
    with pytest.raises(ValueError):
        case_number("karaganda", 2026, 0)


# --- the workflow ------------------------------------------------------------------------------


def test_a_case_opens_registered_or_refused_for_its_documents() -> None:
    """Annex 1 step 3 ends with the documents to the head, or Process 7."""
    assert can_follow(None, "REGISTERED") and can_follow(None, "REFUSED_DOCUMENTS")
    assert not can_follow(None, "QUEUED") and not can_follow(None, "IN_REVIEW")


def test_the_result_comes_only_after_the_review() -> None:
    assert can_follow("REGISTERED", "IN_REVIEW")
    assert can_follow("IN_REVIEW", "QUEUED") and can_follow("IN_REVIEW", "REFUSED")
    with pytest.raises(TransitionNotAllowed):
        check_transition("REGISTERED", "QUEUED")


@pytest.mark.parametrize("status", ["REFUSED_DOCUMENTS", "QUEUED", "REFUSED"])
def test_a_refusal_or_a_result_closes_the_case(status: str) -> None:
    assert is_final(status)
    assert not any(can_follow(status, other) for other in CASE_STATUSES)


def test_case_statuses_are_business_statuses_the_citizen_sees() -> None:
    assert set(CASE_STATUSES) <= set(BusinessStatus.__args__)  # type: ignore[attr-defined]


# --- Condition 3 -------------------------------------------------------------------------------


def application(
    *, attach: tuple[str, ...] = (), household: tuple[tuple[str, str], ...] = (), **fields: Any
) -> ApplicationDocument:
    address = Address(locality="karaganda", district="karaganda", address="Бұқар жырау 1")
    return ApplicationDocument(
        author=Author(iin=APPLICANT),
        channel="portal",
        district="karaganda",
        applicant=Applicant(iin=APPLICANT, surname="ТЕСТОВ", given_name="ТЕСТ", address=address),
        household=[HouseholdMember(iin=iin, relation=relation) for iin, relation in household],
        consents=Consents(communal_fund_check=True, legally_protected_information=True),
        attachments=[
            Attachment(kind=k, name=f"{k}.pdf", media_type="application/pdf", size=1, sha256="0" * 64) for k in attach
        ],
        **fields,
    )


def facts(*events: CivilEvent, found: bool = True, alive: bool = True, members: tuple[PersonFact, ...] = ()) -> Facts:
    return Facts(PersonFact(APPLICANT, found=found, alive=alive), members, events)


def test_registers_an_application_with_every_copy_section_14_asks_for() -> None:
    decision = decide(application(attach=("marriage_certificate",)), facts(CivilEvent("marriage", date(2003, 9, 12))))
    assert decision.status == "REGISTERED" and decision.reason is None and not decision.refused


def test_refuses_when_a_marriage_before_2008_has_no_copy() -> None:
    """§14: marriages registered before 1 June 2008 are not in the registry; Process 7 names the copy."""
    decision = decide(application(), facts(CivilEvent("marriage", date(2003, 9, 12))))
    assert decision.status == "REFUSED_DOCUMENTS"
    assert decision.reason is not None and decision.reason["code"] == "DOCS_INCOMPLETE"
    assert [m["kind"] for m in decision.reason["missing"]] == ["marriage_certificate"]
    assert decision.reason["missing"][0]["paragraph"] == "§14"


def test_refuses_a_serviceman_without_the_certificate_from_his_unit() -> None:
    decision = decide(application(categories=["employee"], employment_categories=["military"]), facts())
    assert decision.reason is not None
    assert [m["kind"] for m in decision.reason["missing"]] == ["employment_certificate"]


@pytest.mark.parametrize(("found", "alive", "why"), [(False, False, "not in the registry"), (True, False, "deceased")])
def test_refuses_an_applicant_the_individuals_database_does_not_know_alive(found: bool, alive: bool, why: str) -> None:
    decision = decide(application(), facts(found=found, alive=alive))
    assert decision.status == "REFUSED_DOCUMENTS"
    assert decision.reason == {"code": "PERSON_NOT_FOUND", "iin": APPLICANT, "who": "applicant", "why": why}


def test_refuses_an_iin_the_registries_would_not_look_up() -> None:
    decision = decide(application(), Facts(PersonFact(APPLICANT, found=False, alive=False, valid_iin=False)))
    assert decision.reason == {"code": "IIN_INVALID", "iin": APPLICANT, "who": "applicant"}


def test_refuses_a_household_member_the_registry_does_not_know() -> None:
    member = PersonFact(CHILD, found=False, role="household")
    decision = decide(application(household=((CHILD, "child"),)), facts(members=(member,)))
    assert decision.reason is not None and (decision.reason["code"], decision.reason["iin"]) == (
        "PERSON_NOT_FOUND",
        CHILD,
    )


def record(number: str, kind: str, on: str, *parties: tuple[str, str]) -> dict[str, Any]:
    return {
        "record_no": number,
        "kind": kind,
        "registered_on": on,
        "parties": [{"role": r, "iin": i} for r, i in parties],
    }


def test_the_familys_events_are_its_marriages_its_childrens_births_and_its_deaths() -> None:
    """§14: certificates of marriage/divorce, of birth of children, of death of family members."""
    records = [
        record("M1", "marriage", "2003-09-12", ("spouse", APPLICANT), ("spouse", SPOUSE)),
        record("B0", "birth", "1990-05-17", ("child", APPLICANT), ("mother", GRANDMA)),  # the applicant's own
        record("B1", "birth", "2005-04-20", ("child", CHILD), ("mother", SPOUSE), ("father", APPLICANT)),
        record("B2", "birth", "1985-01-01", ("child", SPOUSE)),  # the spouse's own birth
        record("D1", "death", "2005-03-10", ("deceased", GRANDMA)),
        record("D2", "death", "2001-01-01", ("deceased", "770101300018")),  # a stranger
        record("M1", "marriage", "2003-09-12", ("spouse", APPLICANT), ("spouse", SPOUSE)),  # asked twice
    ]
    events = family_events(
        applicant=APPLICANT,
        household={SPOUSE: "spouse", CHILD: "child"},
        relatives=[{"iin": GRANDMA, "relation": "parent", "alive": False}],
        records=records,
    )
    assert events == [
        CivilEvent("marriage", date(2003, 9, 12)),
        CivilEvent("death", date(2005, 3, 10)),
        CivilEvent("birth", date(2005, 4, 20)),
    ]


# --- Condition 3's facts from the registries' answers -------------------------------------------


def asked(query: str, iin: str, result: dict[str, Any] | None = None, outcome: str = "ok") -> Asked:
    return Asked(query, iin, outcome, T0, result)


def test_an_applicant_the_registries_do_not_know_is_the_only_fact() -> None:
    unknown = asked("person", APPLICANT, outcome="PERSON_NOT_FOUND")
    gathered = facts_of(application(), unknown, asked("civil-status", APPLICANT, outcome="PERSON_NOT_FOUND"))
    assert not known_alive(unknown)
    assert gathered.facts == Facts(PersonFact(APPLICANT, found=False, alive=False))
    refused = facts_of(application(), asked("person", APPLICANT, outcome="IIN_INVALID"), unknown)
    assert refused.facts.applicant.valid_iin is False and len(refused.answers) == 2


def test_the_household_of_the_family_and_the_dead_relatives_are_asked_about_and_read_back() -> None:
    family = [
        {"iin": GRANDMA, "relation": "parent", "alive": False},
        {"iin": SPOUSE, "relation": "spouse", "alive": True},
        {"iin": CHILD, "relation": "child", "alive": True},
    ]
    person = asked("person", APPLICANT, {"alive": True, "family": family})
    stranger = "870101300019"
    app = application(household=((SPOUSE, "spouse"), (CHILD, "child"), (stranger, "other")))
    assert known_alive(person) and others_to_ask(app, person) == sorted({SPOUSE, CHILD, GRANDMA})
    marriage = record("M1", "marriage", "2003-09-12", ("spouse", APPLICANT), ("spouse", SPOUSE))
    others = [
        asked("civil-status", CHILD, outcome="PERSON_NOT_FOUND"),
        asked("civil-status", GRANDMA, {"events": [record("D1", "death", "2005-03-10", ("deceased", GRANDMA))]}),
        asked("civil-status", SPOUSE, {"events": [marriage]}),
    ]
    gathered = facts_of(app, person, asked("civil-status", APPLICANT, {"events": [marriage]}), others)
    assert gathered.facts.household == (
        PersonFact(SPOUSE, found=True, role="household"),
        PersonFact(CHILD, found=False, role="household"),
        PersonFact(stranger, found=False, role="household", linked=False),
    )
    assert gathered.facts.civil_events == (
        CivilEvent("marriage", date(2003, 9, 12)),
        CivilEvent("death", date(2005, 3, 10)),
    )
    assert len(gathered.answers) == 5


def test_refuses_a_household_member_who_is_not_the_applicants_family() -> None:
    member = PersonFact(CHILD, found=False, role="household", linked=False)
    decision = decide(application(household=((CHILD, "child"),)), facts(members=(member,)))
    assert decision.reason is not None
    assert (decision.reason["code"], decision.reason["iin"]) == ("PERSON_NOT_FOUND", CHILD)
    assert decision.reason["why"] == "not the applicant's family in the individuals database"
