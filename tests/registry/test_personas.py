"""Personas (services/registry_stub/population/personas.py, clean_personas.py): present in every
population, in its first batch, and each one's traits borne out by its records as an independent
reading of §15 (traits.py) judges them, relative to `today`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.registry_stub.population.builder import add_years
from services.registry_stub.population.generator import generate
from services.registry_stub.population.names import AKIMAT_BIN
from services.registry_stub.population.records import (
    Acquisition,
    Basis,
    CivilEvent,
    CivilEventKind,
    Disposal,
    Dwelling,
    FamilyLink,
    Ownership,
    Person,
    Population,
    Relation,
    Residence,
    Sex,
)
from services.registry_stub.population.traits import (
    GROUNDS,
    REQUIRED_TRAITS,
    Index,
    derive_traits,
    grounds,
    is_eligible,
    window_start,
    within_five_years,
)
from shared.geo import DISTRICTS

TODAY = date(2026, 11, 1)
CHECKED = set(GROUNDS) | {"eligible"}  # claimed if and only if the records show them


@pytest.fixture(scope="module")
def small() -> list[Population]:
    return list(generate(99, 200, today=TODAY, batch_size=100))


@pytest.fixture(scope="module")
def ix(small: list[Population]) -> Index:
    return Index(small)


def persona(batches: list[Population], trait: str) -> str:
    """The IIN of the first persona with this trait: the one built for it."""
    return next(p.iin for p in batches[0].personas if trait in p.traits)


@pytest.mark.parametrize("trait", REQUIRED_TRAITS)
def test_every_rule_has_its_persona_even_in_a_population_of_200(small: list[Population], trait: str) -> None:
    assert persona(small, trait)


@pytest.mark.parametrize("district", [d.code for d in DISTRICTS])
def test_every_housing_department_has_a_clean_applicant(small: list[Population], district: str) -> None:
    assert any({"eligible", f"district:{district}"} <= set(p.traits) for p in small[0].personas)


def test_personas_are_in_the_first_batch_each_once(small: list[Population]) -> None:
    iins = [p.iin for p in small[0].personas]
    assert len(iins) == len(set(iins)) and set(iins) <= {p.iin for p in small[0].persons}
    assert all(len(p.traits) == len(set(p.traits)) and p.note for p in small[0].personas)


@pytest.mark.parametrize("today", [date(2014, 1, 1), TODAY, date(2040, 12, 31)])
def test_each_personas_traits_are_borne_out_by_its_records(today: date) -> None:
    batches = list(generate(3, 300, today=today))
    ix = Index(batches)
    for p in batches[0].personas:
        derived = derive_traits(ix, p.iin, today)
        assert set(p.traits) <= derived, p.note
        assert set(p.traits) & CHECKED == derived & CHECKED, p.note


def test_applicants_are_adults(small: list[Population], ix: Index) -> None:
    for p in small[0].personas:
        if "minor" not in p.traits:
            assert add_years(ix.persons[p.iin].birth_date, 18) <= TODAY


def test_the_exchange_persona_gave_a_flat_in_exchange_and_got_the_other_one(small: list[Population], ix: Index) -> None:
    """§15.1."""
    iin = persona(small, "ground:exchange")
    [given] = [o for o in ix.owned[iin] if o.disposed_by is Disposal.EXCHANGE]
    assert within_five_years(given.disposed_on, TODAY) and given.counterparty in ix.persons
    [got] = [o for o in ix.owned[iin] if o.acquired_by is Acquisition.EXCHANGE]
    assert got.acquired_on == given.disposed_on and got.dwelling in {o.dwelling for o in ix.owned[given.counterparty]}


def test_the_buyback_of_an_only_dwelling_on_preferential_credit_is_not_alienation(
    small: list[Population], ix: Index
) -> None:
    """§15.2 exception: bought back by the local executive body after a mortgage default."""
    iin = persona(small, "exception:buyback")
    [flat] = ix.owned[iin]
    assert (
        flat.preferential_credit and flat.disposed_by is Disposal.BUYBACK and within_five_years(flat.disposed_on, TODAY)
    )
    assert flat.counterparty == AKIMAT_BIN["karaganda"]
    assert grounds(ix, iin, TODAY) == set()


def test_a_sale_six_years_ago_is_outside_the_five_year_window(small: list[Population], ix: Index) -> None:
    iin = persona(small, "ground:alienation_old")
    [sale] = ix.owned[iin]
    assert sale.disposed_by is Disposal.SALE and sale.disposed_on == add_years(TODAY, -6)
    assert not within_five_years(sale.disposed_on, TODAY) and grounds(ix, iin, TODAY) == set()
    assert is_eligible(ix, iin, TODAY)


def test_the_left_dwelling_persona_left_a_state_flat_while_his_wife_owned_one(
    small: list[Population], ix: Index
) -> None:
    """§15.4 (R15, as corrected): leaving a dwelling while not in need; he was housed by the state fund and
    his then wife owned a flat, so he was not in need on either count."""
    iin = persona(small, "ground:left_dwelling")
    [left] = [r for r in ix.residences[iin] if r.basis is Basis.TENANT_STATE_FUND]
    assert left.left_voluntarily and within_five_years(left.registered_to, TODAY) and left.dwelling
    assert ix.dwellings[left.dwelling].state_fund and not ix.owned[iin]


def test_the_moved_in_persona_registered_someone_who_is_not_family(small: list[Population], ix: Index) -> None:
    """§15.5: persons other than the spouse, minor or work-disabled children, work-disabled parents."""
    iin = persona(small, "ground:moved_in_others")
    [lodger] = ix.hosted[iin]
    assert lodger.basis is Basis.LODGER and within_five_years(lodger.registered_from, TODAY)
    assert lodger.iin not in {f.relative_iin for f in ix.links[iin]}


# --- the checker itself, on records made by hand ---------------------------------------------------

OWNER = Person("800101300004", "Ахметов", "Серік", "Ерланұлы", date(1980, 1, 1), Sex.MALE, "KZ", None)
FLAT = Dwelling("09:001:0000001", "karaganda", "Қарағанды қ., Абай көшесі, 1-үй, 1-пәтер", 50.0, 2, False)


def index(*ownerships: Ownership, dwellings: tuple[Dwelling, ...] = (FLAT,), **more: list[object]) -> Index:
    persons = [OWNER, *more.pop("persons", [])]
    return Index([Population(persons=persons, dwellings=list(dwellings), ownerships=list(ownerships), **more)])  # type: ignore[arg-type]


def sold(on: date, by: Disposal = Disposal.SALE, **kw: object) -> Ownership:
    bought = (FLAT.cadastral_no, OWNER.iin, "1", date(2010, 5, 5), Acquisition.PURCHASE)
    return Ownership(*bought, disposed_on=on, disposed_by=by, **kw)  # type: ignore[arg-type]


def test_the_window_is_the_five_calendar_years_before_today() -> None:
    assert window_start(date(2026, 11, 1)) == date(2021, 11, 1) and window_start(date(2024, 2, 29)) == date(2019, 2, 28)
    assert within_five_years(date(2021, 11, 1), date(2026, 11, 1)) and not within_five_years(
        date(2021, 10, 31), date(2026, 11, 1)
    )


def test_selling_a_dwelling_already_found_in_emergency_is_not_alienation() -> None:
    """§15.2 counts only a dwelling fit to live in (тұру үшiн жарамды)."""
    wreck = replace(FLAT, emergency_finding_no="АҚ-2023-00001", emergency_found_on=date(2023, 1, 1))
    assert grounds(index(sold(date(2024, 1, 1)), dwellings=(wreck,)), OWNER.iin, TODAY) == set()
    assert grounds(index(sold(date(2024, 1, 1))), OWNER.iin, TODAY) == {"ground:alienation"}


def test_a_buyback_by_a_buyer_not_in_the_akimats_directory_is_alienation() -> None:
    """§15.2's exception needs a local executive body as the buyer: a bank's BIN is valid, but no akimat's."""
    bank = sold(date(2024, 1, 1), Disposal.BUYBACK, preferential_credit=True, counterparty="010340010217")
    assert grounds(index(bank), OWNER.iin, TODAY) == {"ground:alienation"}


def left(basis: Basis, on: date = date(2024, 3, 1), *, voluntarily: bool = True) -> Residence:
    return Residence(
        OWNER.iin, "karaganda", "Қарағанды қ., Бейбітшілік көшесі, 3-үй", date(2015, 1, 1), on, None, basis,
        left_voluntarily=voluntarily,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("basis", "owns", "voluntarily", "ground"),
    [
        (Basis.TENANT_PRIVATE, True, True, True),  # any dwelling, left while owning one: not in need
        (Basis.FAMILY_OF_OWNER, True, True, True),
        (Basis.TENANT_STATE_FUND, False, True, True),  # housed by the state fund: not in need
        (Basis.TENANT_PRIVATE, False, True, False),  # a renter owning nothing was in need
        (Basis.TENANT_PRIVATE, True, False, False),  # not left on their own application
    ],
)
def test_leaving_any_dwelling_while_not_in_need_is_a_ground(
    basis: Basis, owns: bool, voluntarily: bool, ground: bool
) -> None:
    """§15.4 (R15, as corrected): the words qualify the need, not the dwelling left."""
    kept = [Ownership(FLAT.cadastral_no, OWNER.iin, "1", date(2010, 5, 5), Acquisition.PURCHASE)] if owns else []
    found = grounds(index(*kept, residences=[left(basis, voluntarily=voluntarily)]), OWNER.iin, TODAY)
    assert found == ({"ground:left_dwelling"} if ground else set())


def test_leaving_while_the_spouse_owned_a_dwelling_is_a_ground_and_outside_the_five_years_is_not() -> None:
    wife = Person("820202400006", "Ахметова", "Айгүл", "Маратқызы", date(1982, 2, 2), Sex.FEMALE, "KZ", None)
    hers = Ownership(FLAT.cadastral_no, wife.iin, "1", date(2012, 1, 1), Acquisition.PURCHASE)
    wedding = CivilEvent(
        "AKT-2013-1", CivilEventKind.MARRIAGE, date(2013, 6, 1), "АХАЖ", (("spouse", OWNER.iin), ("spouse", wife.iin))
    )
    world = {"persons": [wife], "civil_events": [wedding]}
    recent = index(hers, residences=[left(Basis.TENANT_PRIVATE)], **world)  # type: ignore[arg-type]
    assert grounds(recent, OWNER.iin, TODAY) == {"ground:left_dwelling"}
    old = index(hers, residences=[left(Basis.TENANT_PRIVATE, date(2020, 3, 1))], **world)  # type: ignore[arg-type]
    assert grounds(old, OWNER.iin, TODAY) == set()


def test_a_buyback_while_owning_another_dwelling_is_alienation() -> None:
    other = replace(FLAT, cadastral_no="09:001:0000002")
    kept = Ownership(other.cadastral_no, OWNER.iin, "1", date(2015, 1, 1), Acquisition.INHERITANCE)
    buyback = sold(date(2024, 1, 1), Disposal.BUYBACK, preferential_credit=True, counterparty=AKIMAT_BIN["karaganda"])
    assert grounds(index(buyback), OWNER.iin, TODAY) == set()
    assert grounds(index(buyback, kept, dwellings=(FLAT, other)), OWNER.iin, TODAY) == {"ground:alienation"}


@pytest.mark.parametrize(
    ("born", "relation", "ground"),
    [
        (date(2020, 1, 1), Relation.CHILD, False),  # a minor child
        (date(2000, 1, 1), Relation.CHILD, True),  # an adult child able to work
        (date(1950, 1, 1), Relation.PARENT, False),  # a parent past pension age
        (date(2000, 1, 1), None, True),  # no relation at all
    ],
)
def test_moving_in_anyone_but_spouse_minor_or_disabled_children_or_disabled_parents_is_a_ground(
    born: date, relation: Relation | None, ground: bool
) -> None:
    """§15.5."""
    other = Person("000101300005", "Ахметов", "Ерлан", "Серікұлы", born, Sex.MALE, "KZ", None)
    moved = Residence(
        other.iin,
        "karaganda",
        FLAT.address,
        date(2024, 3, 1),
        dwelling=FLAT.cadastral_no,
        basis=Basis.FAMILY_OF_OWNER,
        host_iin=OWNER.iin,
    )
    links = [FamilyLink(OWNER.iin, other.iin, relation)] if relation else []
    found = grounds(index(persons=[other], residences=[moved], family=links), OWNER.iin, TODAY)
    assert found == ({"ground:moved_in_others"} if ground else set())


def test_moving_in_ones_spouse_is_not_a_ground() -> None:
    wife = Person("820202400006", "Ахметова", "Айгүл", "Маратқызы", date(1982, 2, 2), Sex.FEMALE, "KZ", None)
    moved = Residence(
        wife.iin, "karaganda", FLAT.address, date(2024, 3, 1), basis=Basis.FAMILY_OF_OWNER, host_iin=OWNER.iin
    )
    wedding = CivilEvent(
        "AKT-2023-1", CivilEventKind.MARRIAGE, date(2023, 6, 1), "АХАЖ", (("spouse", OWNER.iin), ("spouse", wife.iin))
    )
    assert grounds(index(persons=[wife], residences=[moved], civil_events=[wedding]), OWNER.iin, TODAY) == set()
