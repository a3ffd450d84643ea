"""The synthetic population (services/registry_stub/population/generator.py): deterministic, exactly
the size asked for, in batches closed under references, with valid unique IINs, consistent families,
one current address in the Karaganda region for everyone alive, and plausible registries."""

from __future__ import annotations

import hashlib
import os
import pickle
import random
import subprocess
import sys
from collections import defaultdict
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from services.registry_stub.population import names
from services.registry_stub.population.generator import generate, persona_count
from services.registry_stub.population.iin_serials import iin_prefix, next_iin
from services.registry_stub.population.records import CivilEventKind, Population, Relation, Sex, VulnerableGroup
from services.registry_stub.population.traits import Index
from shared.geo import LOCALITY_BY_CODE, district_of
from shared.iin import iin_birth_date, iin_sex, is_valid_bin, is_valid_iin, make_iin

SEED, PEOPLE, TODAY = 17032014, 4000, date(2026, 11, 1)


@pytest.fixture(scope="module")
def batches() -> list[Population]:
    return list(generate(SEED, PEOPLE, today=TODAY, batch_size=1000))


@pytest.fixture(scope="module")
def ix(batches: list[Population]) -> Index:
    return Index(batches)


def every(batches: list[Population], kind: str) -> list[Any]:
    return [record for batch in batches for record in getattr(batch, kind)]


def test_the_same_seed_gives_the_same_population_byte_for_byte() -> None:
    first = list(generate(5, 1500, today=TODAY, batch_size=400))
    again = list(generate(5, 1500, today=TODAY, batch_size=400))
    assert first == again and pickle.dumps(first) == pickle.dumps(again)


def test_the_population_does_not_depend_on_string_hashing() -> None:
    """Nothing depends on hash() of a str or on set order: two interpreters with different
    PYTHONHASHSEED make the same bytes."""
    code = (
        "import hashlib, pickle; from datetime import date; "
        "from services.registry_stub.population.generator import generate; "
        "print(hashlib.sha256(pickle.dumps(list(generate(5, 400, today=date(2026, 11, 1))))).hexdigest())"
    )
    root, env = Path(__file__).parents[2], os.environ
    run = [
        subprocess.run(
            [sys.executable, "-c", code],
            env={**env, "PYTHONHASHSEED": seed},
            cwd=root,
            check=True,
            capture_output=True,
            text=True,
        )
        for seed in ("1", "2")
    ]
    digests = {r.stdout for r in run}
    here = hashlib.sha256(pickle.dumps(list(generate(5, 400, today=TODAY)))).hexdigest()
    assert digests == {here + "\n"}


def test_another_seed_gives_another_population() -> None:
    one, other = (list(generate(seed, 500, today=TODAY)) for seed in (5, 6))
    assert {p.iin for p in every(one, "persons")} != {p.iin for p in every(other, "persons")}


def test_a_larger_population_begins_with_the_smaller_ones_batches() -> None:
    small = list(generate(5, 1000, today=TODAY, batch_size=200))
    large = list(generate(5, 3000, today=TODAY, batch_size=200))
    assert small[:-1] == large[: len(small) - 1]


def test_the_global_random_generator_is_left_alone() -> None:
    random.seed(1)
    state = random.getstate()
    list(generate(5, 300, today=TODAY))
    assert random.getstate() == state


@pytest.mark.parametrize("people", [persona_count(TODAY), 200, 1001, PEOPLE])
def test_the_population_has_exactly_the_persons_asked_for(people: int) -> None:
    assert sum(len(b.persons) for b in generate(1, people, today=TODAY, batch_size=300)) == people


def test_fewer_people_than_the_personas_need_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        generate(1, persona_count(TODAY) - 1, today=TODAY)


def test_batches_hold_about_batch_size_persons_and_the_first_holds_the_personas(batches: list[Population]) -> None:
    assert all(1000 <= len(b.persons) < 1010 for b in batches[:-1]) and 0 < len(batches[-1].persons) < 1010
    assert batches[0].personas and not any(b.personas for b in batches[1:])


def test_a_batch_refers_only_to_its_own_persons_and_dwellings(batches: list[Population]) -> None:
    """Households are never split: a loader with foreign keys can store each batch as it comes."""
    for b in batches:
        iins, cadastre = {p.iin for p in b.persons}, {d.cadastral_no for d in b.dwellings}
        referred = (
            [iin for f in b.family for iin in (f.iin, f.relative_iin)]
            + [iin for e in b.civil_events for _, iin in e.parties]
            + [o.iin for o in b.ownerships]
            + [r.iin for r in b.residences]
            + [r.host_iin for r in b.residences if r.host_iin]
            + [s.iin for s in b.social]
            + [j.iin for j in b.employment]
            + [p.iin for p in b.personas]
            + [iin for a in b.powers for iin in (a.principal_iin, a.attorney_iin)]
            + [iin for c in b.court_decisions for iin in (c.iin, c.family_member_iin)]
        )
        assert set(referred) <= iins
        assert {o.dwelling for o in b.ownerships} | {r.dwelling for r in b.residences if r.dwelling} <= cadastre
        assert all(o.counterparty in iins or is_valid_bin(o.counterparty) for o in b.ownerships if o.counterparty)


def test_every_iin_is_valid_and_encodes_birth_date_and_sex(batches: list[Population]) -> None:
    for p in every(batches, "persons"):
        assert is_valid_iin(p.iin) and iin_birth_date(p.iin) == p.birth_date and iin_sex(p.iin) == p.sex.value


def test_iins_are_unique_across_the_population(batches: list[Population]) -> None:
    iins = [p.iin for p in every(batches, "persons")]
    assert len(iins) == len(set(iins)) == PEOPLE


def test_fast_iin_serials_give_what_make_iin_gives() -> None:
    rng = random.Random(3)
    for _ in range(5000):
        birth, sex = date(1900, 1, 1) + timedelta(days=rng.randrange(73000)), rng.choice(list(Sex))
        serial = start = rng.randrange(9000)
        while (expected := make_iin(birth, sex, serial)) is None:  # ~1 serial in 11 has no check digit
            serial += 1
        assert next_iin(iin_prefix(birth, sex), start) == (expected, serial + 1)


def test_family_links_go_both_ways(batches: list[Population]) -> None:
    links = {(f.iin, f.relative_iin, f.relation) for f in every(batches, "family")}
    mirror = {Relation.SPOUSE: Relation.SPOUSE, Relation.CHILD: Relation.PARENT, Relation.PARENT: Relation.CHILD}
    assert all((b, a, mirror[r]) in links for a, b, r in links)


def test_spouses_are_married_by_a_record_naming_both_and_not_divorced(ix: Index) -> None:
    for iin, links in ix.links.items():
        for spouse in (f.relative_iin for f in links if f.relation is Relation.SPOUSE):
            shared = [e for e in ix.events[iin] if ("spouse", spouse) in e.parties and ("spouse", iin) in e.parties]
            assert [e.kind for e in shared] == [CivilEventKind.MARRIAGE]


def test_a_childs_birth_record_names_the_parents_it_is_linked_to(ix: Index) -> None:
    for iin, links in ix.links.items():
        parents = {f.relative_iin for f in links if f.relation is Relation.PARENT}
        births = [e for e in ix.events[iin] if e.kind is CivilEventKind.BIRTH and ("child", iin) in e.parties]
        if parents:
            [birth] = births
            assert {i for role, i in birth.parties if role in ("mother", "father")} == parents
            assert birth.registered_on == ix.persons[iin].birth_date


def test_children_are_born_after_their_parents_grew_up_and_after_the_parents_married(
    batches: list[Population], ix: Index
) -> None:
    for e in every(batches, "civil_events"):
        if e.kind is not CivilEventKind.BIRTH:
            continue
        parents = {role: ix.persons[i] for role, i in e.parties if role in ("mother", "father")}
        assert all(p.birth_date + timedelta(days=16 * 365) < e.registered_on for p in parents.values())
        if len(parents) == 2:
            mother, father = parents["mother"].iin, parents["father"].iin
            weddings = [
                m.registered_on
                for m in ix.events[mother]
                if m.kind is CivilEventKind.MARRIAGE and ("spouse", father) in m.parties
            ]
            assert weddings and weddings[0] < e.registered_on


def test_a_patronymic_comes_from_the_known_fathers_given_name(ix: Index) -> None:
    for child in ix.persons.values():
        father = next(
            (
                ix.persons[f.relative_iin]
                for f in ix.links[child.iin]
                if f.relation is Relation.PARENT and ix.persons[f.relative_iin].sex is Sex.MALE
            ),
            None,
        )
        if father is not None:
            female = child.sex is Sex.FEMALE
            assert child.patronymic in {names.patronymic(father.given_name, female, style) for style in (True, False)}


def test_a_surname_has_the_form_of_the_persons_sex(ix: Index) -> None:
    pairs = names.SURNAMES_KK + names.SURNAMES_RU + names.SURNAMES_UZ
    forms = {Sex.MALE: {m for m, _ in pairs}, Sex.FEMALE: {f for _, f in pairs}}
    assert all(p.surname in forms[p.sex] for p in ix.persons.values())


def test_everyone_alive_has_exactly_one_current_residence_in_the_karaganda_region(ix: Index) -> None:
    for p in ix.persons.values():
        current = [r for r in ix.residences[p.iin] if r.registered_to is None]
        if p.death_date is None:
            assert len(current) == 1 and district_of(current[0].locality) is not None
        else:
            assert not current


def test_the_dead_have_a_death_record_and_their_last_residence_closed_on_the_day_of_death(ix: Index) -> None:
    dead = [p for p in ix.persons.values() if p.death_date]
    assert dead
    for p in dead:
        assert [e.registered_on for e in ix.events[p.iin] if e.kind is CivilEventKind.DEATH] == [p.death_date]
        assert max(r.registered_to or date.max for r in ix.residences[p.iin]) == p.death_date


def test_whoever_is_registered_by_a_host_lives_at_the_hosts_address(ix: Index) -> None:
    for host, hosted in ix.hosted.items():
        homes = {(r.locality, r.address) for r in ix.residences[host]}
        assert all((r.locality, r.address) in homes for r in hosted if r.registered_to is None)


def test_nothing_is_dated_after_today_and_periods_end_after_they_begin(batches: list[Population]) -> None:
    for p in every(batches, "persons"):
        assert p.birth_date < (p.death_date or TODAY) <= TODAY
    assert all(e.registered_on <= TODAY for e in every(batches, "civil_events"))
    for o in every(batches, "ownerships"):
        assert o.acquired_on < (o.disposed_on or date.max) and (o.disposed_on or o.acquired_on) <= TODAY
        assert (o.disposed_on is None) == (o.disposed_by is None)
    for r in every(batches, "residences"):
        assert r.registered_from < (r.registered_to or date.max) and (r.registered_to or r.registered_from) <= TODAY
    for s in every(batches, "social") + every(batches, "employment"):
        assert s.since <= TODAY and (s.until is None or s.since <= s.until)


@pytest.mark.parametrize(
    ("kind", "number"),
    [
        ("civil_events", "record_no"),
        ("dwellings", "cadastral_no"),
        ("powers", "number"),
        ("court_decisions", "case_no"),
        ("social", "document_no"),
        ("dwellings", "emergency_finding_no"),
    ],
)
def test_record_numbers_are_unique(batches: list[Population], kind: str, number: str) -> None:
    values = [getattr(r, number) for r in every(batches, kind) if getattr(r, number) is not None]
    assert values and len(values) == len(set(values))


def test_shares_of_a_dwelling_never_add_up_to_more_than_the_whole(batches: list[Population]) -> None:
    held = defaultdict(list)
    for o in every(batches, "ownerships"):
        held[o.dwelling].append(o)
    for rows in held.values():
        for day in {o.acquired_on for o in rows}:
            active = [o for o in rows if o.acquired_on <= day < (o.disposed_on or date.max)]
            assert sum(Fraction(o.share) for o in active) <= 1


def test_about_forty_percent_of_households_own_their_home(ix: Index) -> None:
    homes: dict[tuple[str, str], bool] = defaultdict(bool)
    for iin, rows in ix.residences.items():
        for r in rows:
            if r.registered_to is None:
                owned = any(o.dwelling == r.dwelling and o.disposed_on is None for o in ix.owned[iin])
                homes[(r.locality, r.address)] |= owned
    assert 0.33 <= sum(homes.values()) / len(homes) <= 0.47


def test_most_live_in_karaganda_city_some_rent_from_the_state_fund_some_own_elsewhere(
    batches: list[Population],
) -> None:
    current = [r for r in every(batches, "residences") if r.registered_to is None]
    assert sum(r.locality == "karaganda" for r in current) / len(current) > 0.3
    assert {LOCALITY_BY_CODE[r.locality].district for r in current} >= {
        d for d in (loc.district for loc in LOCALITY_BY_CODE.values()) if d
    }
    assert any(d.state_fund for d in every(batches, "dwellings"))
    assert any(district_of(d.locality) is None for d in every(batches, "dwellings"))


def test_nearly_everyone_is_a_citizen_and_a_few_are_foreigners(batches: list[Population]) -> None:
    persons = every(batches, "persons")
    foreign = [p for p in persons if p.citizenship != "KZ"]
    assert foreign and len(foreign) / len(persons) < 0.02 and {p.citizenship for p in foreign} <= {"UZ", "RU"}


def test_income_is_given_exactly_where_section_14_asks_for_an_income_certificate(batches: list[Population]) -> None:
    """§14: all socially vulnerable groups except orphans and families with disabled children."""
    exempt = {VulnerableGroup.ORPHAN, VulnerableGroup.FAMILY_WITH_DISABLED_CHILDREN}
    for s in every(batches, "social"):
        assert (s.monthly_income_per_member is None) == (s.group in exempt)


def test_incomes_fall_on_both_sides_of_the_limit(batches: list[Population]) -> None:
    from services.registry_stub.population.builder import INCOME_LIMIT

    incomes = [s.monthly_income_per_member for s in every(batches, "social") if s.monthly_income_per_member]
    assert min(incomes) < INCOME_LIMIT < max(incomes) and all(10_000 < i < 300_000 for i in incomes)


def test_employers_have_valid_bins_and_names(batches: list[Population]) -> None:
    jobs = every(batches, "employment")
    assert jobs and all(is_valid_bin(j.employer_bin) and j.employer_name and j.position for j in jobs)
    assert all(is_valid_bin(b) for b in names.AKIMAT_BIN.values())


def test_the_akimats_directory_is_one_valid_bin_per_district_made_by_its_rule() -> None:
    """shared/data/akimats.py, which the population and the provider both read: the rule its docstring
    gives (``make_bin("9907", 100 + 7·i)``, DISTRICTS order) reproduces every BIN, written out."""
    from shared.data.akimats import AKIMAT_BINS, AKIMATS
    from shared.geo import DISTRICTS

    assert [a.district for a in AKIMATS] == [d.code for d in DISTRICTS] and len(AKIMAT_BINS) == len(DISTRICTS)
    assert [a.bin for a in AKIMATS] == [names.make_bin("9907", 100 + 7 * i) for i in range(len(DISTRICTS))]
    assert all(
        is_valid_bin(a.bin) and a.name_kk == f"{d.name_kk} әкімдігі" for a, d in zip(AKIMATS, DISTRICTS, strict=True)
    )
    assert names.AKIMAT_BIN == {a.district: a.bin for a in AKIMATS}


def test_a_power_of_attorney_joins_two_different_people(batches: list[Population]) -> None:
    powers = every(batches, "powers")
    assert powers and all(a.principal_iin != a.attorney_iin and a.issued_on < a.valid_until for a in powers)
    assert all((a.notary is None) == (not a.notarised) for a in powers)
