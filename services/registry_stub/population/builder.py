"""The generator's workbench: appends records to the current batch and hands out the numbers that must
be unique across the whole population (IINs, civil record numbers, cadastral numbers, power of attorney
numbers, court case numbers, social document numbers, emergency findings). Households and personas are
built with it; it decides nothing random except names and addresses.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date
from typing import Any

from shared.geo import LOCALITIES

from . import names
from .iin_serials import iin_prefix, next_iin
from .records import (
    Acquisition,
    Basis,
    CivilEvent,
    CivilEventKind,
    CourtDecision,
    Disposal,
    Dwelling,
    Employment,
    EmploymentCategory,
    FamilyLink,
    Ownership,
    Person,
    Persona,
    Population,
    PowerOfAttorney,
    Relation,
    Residence,
    Sex,
    SocialStatus,
    VulnerableGroup,
)

MALE, FEMALE = Sex.MALE, Sex.FEMALE

# Assumption: the 2014 monthly subsistence minimum (прожиточный минимум, ПМ) of 19,966 KZT, and the
# income test for socially vulnerable groups at 3.1 ПМ per family member (the 2014 multiplier is
# unconfirmed). Incomes are generated on both sides of this line.
SUBSISTENCE_MINIMUM_2014 = 19_966
INCOME_LIMIT = round(3.1 * SUBSISTENCE_MINIMUM_2014)  # 61,895 KZT per member per month

Naming = tuple[tuple[tuple[str, str], ...], tuple[str, ...], tuple[str, ...], bool]
"""(surname pairs, male given names, female given names, Kazakh-style patronymics)."""
KAZAKH: Naming = (names.SURNAMES_KK, names.MALE_KK, names.FEMALE_KK, True)
KAZAKH_RU_STYLE: Naming = (names.SURNAMES_KK, names.MALE_KK, names.FEMALE_KK, False)
RUSSIAN: Naming = (names.SURNAMES_RU, names.MALE_RU, names.FEMALE_RU, False)
UZBEK: Naming = (names.SURNAMES_UZ, names.MALE_UZ, names.FEMALE_UZ, False)

# A synthetic cadastral number RR:DDD:NNNNNNN: region, then the locality's index, then a serial.
_CADASTRE_PREFIX = {loc.code: f"{'09' if loc.district else '99'}:{i:03d}:" for i, loc in enumerate(LOCALITIES, start=1)}


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (or earlier); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


_OFFICE = names.CIVIL_OFFICE
_CHILD, _PARENT, _SPOUSE, _BIRTH = Relation.CHILD, Relation.PARENT, Relation.SPOUSE, CivilEventKind.BIRTH


def _place(where: Dwelling | tuple[str, str]) -> tuple[str, str, str | None]:
    if isinstance(where, Dwelling):
        return where.locality, where.address, where.cadastral_no
    return where[0], where[1], None


class Builder:
    """Appends to `batch`; the caller swaps in a fresh Population when it yields one."""

    def __init__(self, today: date, rng: random.Random) -> None:
        self.today = today
        self.rng = rng
        self.batch = Population()
        self._serials: dict[int, list[Any]] = {}  # (birth, sex) → [iin_prefix(…), the next serial]
        self._numbers = dict.fromkeys(("dwelling", "power", "case", "document", "finding"), 0)
        self._events = 0  # the busiest counter, kept apart

    def _next(self, kind: str) -> int:
        self._numbers[kind] += 1
        return self._numbers[kind]

    # --- names -------------------------------------------------------------------------------------

    def naming(self) -> Naming:
        """A family's naming tradition, weighted as in Karaganda: mostly Kazakh, a third Russian."""
        r = self.rng.random()
        return KAZAKH if r < 0.35 else KAZAKH_RU_STYLE if r < 0.68 else RUSSIAN

    def surname(self, naming: Naming) -> tuple[str, str]:
        """A surname of this tradition, as (male form, female form)."""
        pairs = naming[0]
        return pairs[int(self.rng.random() * len(pairs))]

    # --- individuals (ЖТ ММБ) and civil status (АХАЖ) ---------------------------------------------

    def person(
        self,
        sex: Sex,
        birth: date,
        naming: Naming,
        surname: tuple[str, str],
        father: Person | None = None,
        *,
        citizenship: str = "KZ",
        death: date | None = None,
    ) -> Person:
        """A new person with a fresh valid IIN for this birth date and sex; the patronymic comes from
        the father's given name (a name of the naming tradition when the father is unknown)."""
        female = sex is FEMALE
        key = birth.toordinal() * 2 + female  # not (birth, sex): an Enum hashes in Python, slowly
        entry = self._serials.get(key)
        if entry is None:
            entry = self._serials[key] = [iin_prefix(birth, sex), 0]
        iin, entry[1] = next_iin(entry[0], entry[1])
        rng = self.rng.random
        if father is None:
            father_name = naming[1][int(rng() * len(naming[1]))]
        else:
            father_name = father.given_name
        pool = naming[2] if female else naming[1]
        given = pool[int(rng() * len(pool))]
        patronymic = names.patronymic(father_name, female, naming[3])
        p = Person(iin, surname[female], given, patronymic, birth, sex, citizenship, death)
        self.batch.persons.append(p)
        return p

    def event(self, kind: CivilEventKind, on: date, locality: str, parties: tuple[tuple[str, str], ...]) -> None:
        """A civil status record with a unique number, kept by the locality's registry office."""
        self._events += 1
        number = f"AKT-{on.year}-{self._events:08d}"
        self.batch.civil_events.append(CivilEvent(number, kind, on, _OFFICE[locality], parties))

    def marry(self, husband: Person, wife: Person, on: date, locality: str, *, link: bool = True) -> None:
        """A marriage record; spouse links both ways unless the marriage has since ended in divorce."""
        self.event(CivilEventKind.MARRIAGE, on, locality, (("spouse", husband.iin), ("spouse", wife.iin)))
        if link:
            links = self.batch.family.append
            links(FamilyLink(husband.iin, wife.iin, _SPOUSE))
            links(FamilyLink(wife.iin, husband.iin, _SPOUSE))

    def divorce(self, husband: Person, wife: Person, on: date, locality: str) -> None:
        """A divorce record naming both spouses (their marriage was recorded without spouse links)."""
        self.event(CivilEventKind.DIVORCE, on, locality, (("spouse", husband.iin), ("spouse", wife.iin)))

    def born(self, child: Person, mother: Person | None, father: Person | None, locality: str) -> None:
        """The birth record naming the known parents, and child/parent links both ways for each."""
        iin, links = child.iin, self.batch.family.append
        parties: tuple[tuple[str, str], ...] = (("child", iin),)
        for role, parent in (("mother", mother), ("father", father)):
            if parent is not None:
                parties += ((role, parent.iin),)
                links(FamilyLink(parent.iin, iin, _CHILD))
                links(FamilyLink(iin, parent.iin, _PARENT))
        self.event(_BIRTH, child.birth_date, locality, parties)

    def died(self, person: Person, locality: str) -> None:
        """The death record of a person made with a death date."""
        assert person.death_date is not None
        self.event(CivilEventKind.DEATH, person.death_date, locality, (("deceased", person.iin),))

    # --- real estate and addresses ----------------------------------------------------------------

    def address(self, locality: str) -> str:
        """A street address in this locality: a flat in a town, a house in a village."""
        rng = self.rng
        street = names.STREETS[int(rng.random() * len(names.STREETS))]
        house = 1 + int(rng.random() * 120)
        if names.IS_TOWN[locality]:
            return f"{names.ADDRESS_PREFIX[locality]}{street}, {house}-үй, {1 + int(rng.random() * 90)}-пәтер"
        return f"{names.ADDRESS_PREFIX[locality]}{street}, {house}-үй"

    def dwelling(
        self, locality: str, *, state_fund: bool = False, rooms: int = 0, emergency_on: date | None = None
    ) -> Dwelling:
        """A new dwelling with a unique cadastral number; `emergency_on` records the akimat's finding
        that it is in emergency condition (§14)."""
        rooms = rooms or 1 + int(self.rng.random() * 4)
        area = round(rooms * 17.5 + 12 + self.rng.random() * 15, 1)
        finding = f"АҚ-{emergency_on.year}-{self._next('finding'):05d}" if emergency_on else None
        number = f"{_CADASTRE_PREFIX[locality]}{self._next('dwelling'):07d}"
        d = Dwelling(number, locality, self.address(locality), area, rooms, state_fund, finding, emergency_on)
        self.batch.dwellings.append(d)
        return d

    def own(
        self,
        dwelling: Dwelling,
        person: Person,
        share: str,
        on: date,
        by: Acquisition,
        *,
        credit: bool = False,
        disposed_on: date | None = None,
        disposed_by: Disposal | None = None,
        counterparty: str | None = None,
    ) -> None:
        """`person` holds `share` of `dwelling` from `on` (acquired `by`), until a disposal if given."""
        self.batch.ownerships.append(
            Ownership(dwelling.cadastral_no, person.iin, share, on, by, credit, disposed_on, disposed_by, counterparty)
        )

    def reside(
        self,
        person: Person,
        where: Dwelling | tuple[str, str],
        since: date,
        *,
        until: date | None = None,
        basis: Basis = Basis.OWNER,
        host: Person | None = None,
        left: bool = False,
    ) -> None:
        """A registration at a dwelling, or at a (locality code, address) the register has no dwelling
        record for (private rentals, relatives' homes outside the population)."""
        locality, address, cadastral = _place(where)
        self.batch.residences.append(
            Residence(person.iin, locality, address, since, until, cadastral, basis, host.iin if host else None, left)
        )

    def register(
        self,
        members: Iterable[Person],
        where: Dwelling | tuple[str, str],
        since: int,
        basis: Basis,
        host: Person | None,
    ) -> None:
        """Registers each member at `where` from the ordinal day `since` (or their birth, if later),
        by `host`: the fast path of `reside` for households."""
        locality, address, cadastral = _place(where)
        host_iin = host.iin if host else None
        append, day = self.batch.residences.append, date.fromordinal(since)
        for m in members:
            born = m.birth_date
            on = born if born > day else day
            append(Residence(m.iin, locality, address, on, None, cadastral, basis, host_iin, False))

    # --- social status, work, notaries, courts ----------------------------------------------------

    def social(
        self, person: Person, group: VulnerableGroup, since: date, income: int | None, until: date | None = None
    ) -> None:
        """Membership of a socially vulnerable group with a unique document number and, where §14 asks
        for an income certificate, the monthly income per family member."""
        number = f"ӘМ-{since.year}-{self._next('document'):08d}"
        self.batch.social.append(SocialStatus(person.iin, group, since, until, number, income))

    def employ(self, person: Person, category: EmploymentCategory, since: date, choice: int = 0) -> None:
        """Work in a §14 category at one of that category's employers (`choice` picks which)."""
        employers = names.EMPLOYERS[category.value]
        name, bin_, positions = employers[choice % len(employers)]
        position = positions[choice % len(positions)]
        self.batch.employment.append(Employment(person.iin, category, bin_, name, position, since))

    def power(
        self,
        principal: Person,
        attorney: Person,
        issued_on: date,
        valid_until: date,
        *,
        covers_service: bool = True,
        notarised: bool = True,
        revoked_on: date | None = None,
    ) -> None:
        """A power of attorney with a unique number (and a notary when notarised)."""
        serial = self._next("power")
        notary = names.NOTARIES[serial % len(names.NOTARIES)] if notarised else None
        self.batch.powers.append(
            PowerOfAttorney(
                f"{issued_on.year}-{serial:08d}",
                principal.iin,
                attorney.iin,
                issued_on,
                valid_until,
                covers_service,
                notarised,
                notary,
                revoked_on,
            )
        )

    def court(self, applicant: Person, member: Person, decided_on: date) -> None:
        """A court decision, with a unique case number, recognising `member` as the applicant's family."""
        number = self._next("case")
        court = names.COURTS[number % len(names.COURTS)]
        self.batch.court_decisions.append(
            CourtDecision(f"2-{number:07d}/{decided_on:%y}", court, decided_on, applicant.iin, member.iin)
        )

    def persona(self, person: Person, traits: tuple[str, ...], note: str) -> None:
        """Marks `person` as a persona with these trait names."""
        self.batch.personas.append(Persona(person.iin, traits, note))
