"""The ordinary population, one household at a time: married couples with children (sometimes with
the husband's widowed mother), single parents (divorced or never married), elderly couples and
widow(er)s, and single adults. Each household lives at one address in a Karaganda region locality;
about 40 % own their dwelling, the rest rent privately, live with relatives or rent from the state fund.

Every record a household makes refers only to its own persons and dwellings, so a batch is closed
under references. Days are ordinals (`date.toordinal()`) until a record needs a date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .builder import FEMALE, MALE, RUSSIAN, UZBEK, Builder, Naming
from .histories import Y3, Y18, Y20, Y21, YEAR, adult, buy, days, income, locality, power, sold
from .records import Basis, Dwelling, Person, VulnerableGroup

Home = Dwelling | tuple[str, str]
"""A dwelling of the register, or (locality code, address) of one it has no record for."""

Y5, Y8, Y10, Y12, Y25, Y29, Y40, Y42, Y44, Y55, Y92 = (days(n) for n in (5, 8, 10, 12, 25, 29, 40, 42, 44, 55, 92))
_CHILDREN = (0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 5)  # how many a couple has, 20 draws


def add_household(b: Builder, limit: int) -> None:
    """Adds one household of at least one and at most `limit` persons to the current batch."""
    r = b.rng.random()
    if limit >= 2 and r < 0.48:
        _couple(b, limit)
    elif limit >= 2 and r < 0.58:
        _single_parent(b, limit)
    elif limit >= 2 and r < 0.72:
        _elderly(b)
    else:
        _single(b)


def _couple(b: Builder, limit: int) -> None:
    rng, today = b.rng, b.today.toordinal()
    naming, surname = _naming(b)
    wife_born = today - int((20 + rng.random() * 52) * YEAR)
    husband_born = min(wife_born - int((rng.random() * 8 - 2) * YEAR), today - Y20)
    married = max(wife_born, husband_born) + Y18 + 180
    married += int(rng.random() * max(1, min(Y12, today - 60 - married)))
    place = locality(b)
    husband = b.person(MALE, date.fromordinal(husband_born), naming, surname)
    wife_surname = surname if rng.random() < 0.7 else b.surname(naming)  # many women keep their own
    wife = b.person(FEMALE, date.fromordinal(wife_born), naming, wife_surname)
    b.marry(husband, wife, date.fromordinal(married), place)
    room, mother = limit - 2, None
    mother_born = husband_born - int((20 + rng.random() * 15) * YEAR)
    if room and rng.random() < 0.08 and today - mother_born < Y92:  # his widowed mother lives with them
        mother = b.person(FEMALE, date.fromordinal(mother_born), naming, surname)
        b.born(husband, mother, None, place)
        room -= 1
    count = min(room, _CHILDREN[int(rng.random() * 20)])
    children = _children(b, naming, surname, wife, husband, married + 300, wife_born + Y44, count, place)
    since = married + int(rng.random() * (today - married))  # moved into their present home
    if since - married > 365 and rng.random() < 0.3:  # and rented elsewhere before
        before = locality(b)
        earlier = (before, b.address(before))
        for p in (husband, wife):
            b.reside(
                p,
                earlier,
                date.fromordinal(married),
                until=date.fromordinal(since),
                basis=Basis.TENANT_PRIVATE,
                left=True,
            )
    r = rng.random()
    if mother is not None and r < 0.5:  # in his mother's flat
        home = b.dwelling(place)
        buy(b, home, (mother,), min(since - 1, max(mother_born + Y25, today - Y40)))
        _register(b, (husband, wife, *children), home, since, Basis.FAMILY_OF_OWNER, mother)
    else:
        family = (husband, wife, *children) if mother is None else (husband, wife, *children, mother)
        if r < 0.42:
            home = b.dwelling(place)
            owners = (husband, wife) if rng.random() < 0.6 else (husband,) if rng.random() < 0.7 else (wife,)
            _bought(b, home, owners, family, since)
        else:
            _rent(b, family, place, since, r)
    adult(b, husband)
    adult(b, wife)
    if mother is not None:
        adult(b, mother)
    minors = sum(1 for c in children if c.birth_date.toordinal() > today - Y18)
    if minors >= 4:  # Law art. 68 9): four or more minor children
        b.social(wife, VulnerableGroup.LARGE_FAMILY, children[3].birth_date, income(b))
    elif minors and rng.random() < 0.012:  # no income test for them (§14)
        b.social(wife, VulnerableGroup.FAMILY_WITH_DISABLED_CHILDREN, children[-1].birth_date, None)
    if naming[3] and rng.random() < 0.03:
        b.social(husband, VulnerableGroup.KANDAS, date.fromordinal(max(married, today - Y8)), income(b))
    if rng.random() < 0.01:
        power(b, wife, husband)


def _single_parent(b: Builder, limit: int) -> None:
    rng, today = b.rng, b.today.toordinal()
    naming, surname = _naming(b)
    place = locality(b)
    mother_born = today - int((22 + rng.random() * 30) * YEAR)
    if limit >= 3 and rng.random() < 0.6:  # divorced; the father lives elsewhere
        father_born = min(mother_born - int((rng.random() * 6 - 1) * YEAR), today - Y21)
        married = min(max(mother_born, father_born) + int((19 + rng.random() * 6) * YEAR), today - 400)
        father = b.person(MALE, date.fromordinal(father_born), naming, surname)
        mother_surname = surname if rng.random() < 0.5 else b.surname(naming)
        mother = b.person(FEMALE, date.fromordinal(mother_born), naming, mother_surname)
        b.marry(father, mother, date.fromordinal(married), place, link=False)
        count = min(limit - 2, 1 + int(rng.random() * 3))
        children = _children(b, naming, surname, mother, father, married + 300, today - 200, count, place)
        last = children[-1].birth_date.toordinal() if children else married
        divorced = min(last + int((0.5 + rng.random() * 4) * YEAR), today - 30)
        b.divorce(father, mother, date.fromordinal(divorced), place)
        _rent(b, (father,), locality(b), divorced, 0.9)
        adult(b, father)
    else:  # never married; the father is unknown
        mother = b.person(FEMALE, date.fromordinal(mother_born), naming, surname)
        first = mother_born + int((18 + rng.random() * 8) * YEAR)
        count = min(limit - 1, 1 + int(rng.random() * 3))
        children = _children(b, naming, surname, mother, None, first, mother_born + Y42, count, place)
    since = (children[0].birth_date.toordinal() if children else today - 400) + int(rng.random() * 2000)
    since = min(since, today - 30)
    household = [mother, *children]
    if len(household) < limit and rng.random() < 0.04:  # a cohabitant, recognised by a court as family
        partner = b.person(
            MALE, date.fromordinal(mother_born - int(rng.random() * 6 * YEAR)), naming, b.surname(naming)
        )
        household.append(partner)
        b.court(mother, partner, date.fromordinal(since + int(rng.random() * (today - since))))
        adult(b, partner)
    r = rng.random()
    if r < 0.25:
        home = b.dwelling(place)
        _bought(b, home, (mother,), household, since)
    else:
        _rent(b, household, place, since, 0.42 + r * 0.58)
    adult(b, mother)
    if children and today - children[-1].birth_date.toordinal() < Y18 and rng.random() < 0.7:
        b.social(mother, VulnerableGroup.SINGLE_PARENT, date.fromordinal(since), income(b))


def _elderly(b: Builder) -> None:
    rng, today = b.rng, b.today.toordinal()
    naming, surname = _naming(b)
    place = locality(b)
    wife_born = today - int((62 + rng.random() * 28) * YEAR)
    husband_born = wife_born - int(rng.random() * 5 * YEAR)
    married = max(wife_born, husband_born) + int((19 + rng.random() * 6) * YEAR)
    deaths: list[date | None] = [None, None]
    if rng.random() < 0.45:  # widowed
        who = 0 if rng.random() < 0.75 else 1
        low = max(married + Y5, (husband_born, wife_born)[who] + Y55)
        if low < today - 30:
            deaths[who] = date.fromordinal(low + int(rng.random() * (today - 30 - low)))
    husband = b.person(MALE, date.fromordinal(husband_born), naming, surname, death=deaths[0])
    wife = b.person(FEMALE, date.fromordinal(wife_born), naming, surname, death=deaths[1])
    b.marry(husband, wife, date.fromordinal(married), place)
    end = min((d.toordinal() for d in deaths if d), default=today)
    since = married + int(rng.random() * (end - married))  # they moved in together, before any death
    alive = tuple(p for p in (husband, wife) if p.death_date is None)
    r = rng.random()
    home: Home
    if r < 0.7:  # the dead own nothing: the survivor holds the whole dwelling
        home = b.dwelling(place, rooms=1 + int(rng.random() * 3))
        owners = alive if len(alive) == 1 or rng.random() < 0.5 else (husband,)
        _bought(b, home, owners, alive, since)
    else:
        home = _rent(b, alive, place, since, 0.42 + (r - 0.7) / 0.3 * 0.58)
    for p in (husband, wife):
        if p.death_date is None:
            adult(b, p)
        else:  # the dead keep their registration, closed on the day of death
            b.reside(p, home, date.fromordinal(since), until=p.death_date, basis=Basis.FAMILY_OF_OWNER)
            b.died(p, place)
    if len(alive) == 2 and rng.random() < 0.04:
        power(b, wife, husband)


def _single(b: Builder) -> None:
    rng, today = b.rng, b.today.toordinal()
    naming, surname = _naming(b)
    citizenship = "KZ"
    if rng.random() < 0.012:  # a few foreigners with a residence permit
        naming, citizenship = (UZBEK, "UZ") if rng.random() < 0.6 else (RUSSIAN, "RU")
        surname = b.surname(naming)
    place = locality(b)
    born = today - int((18.2 + rng.random() * 42) * YEAR)
    death = None
    if rng.random() < 0.01:
        death = date.fromordinal(today - 30 - int(rng.random() * min(Y10, today - 30 - born - Y18)))
    sex = MALE if rng.random() < 0.5 else FEMALE
    person = b.person(sex, date.fromordinal(born), naming, surname, citizenship=citizenship, death=death)
    since = born + Y18 + int(rng.random() * (today - born - Y18))
    if death is not None:
        home = (place, b.address(place))
        b.reside(
            person, home, date.fromordinal(min(since, death.toordinal() - 1)), until=death, basis=Basis.TENANT_PRIVATE
        )
        b.died(person, place)
        return
    r = rng.random()
    if r < 0.22:
        buy(b, b.dwelling(place, rooms=1 + int(rng.random() * 2)), (person,), since)
    else:
        _rent(b, (person,), place, since, r)
    if rng.random() < 0.04:  # sold a dwelling some time in the last 15 years
        sold(b, person, since - int(rng.random() * 12 * YEAR), today - int(rng.random() * 15 * YEAR))
    if today - born < Y29 and rng.random() < 0.02:  # no income test for orphans (§14)
        b.social(person, VulnerableGroup.ORPHAN, date.fromordinal(born + int((3 + rng.random() * 10) * YEAR)), None)
    adult(b, person)


def _naming(b: Builder) -> tuple[Naming, tuple[str, str]]:
    naming = b.naming()
    return naming, b.surname(naming)


def _children(
    b: Builder,
    naming: Naming,
    surname: tuple[str, str],
    mother: Person,
    father: Person | None,
    first: int,
    last: int,
    count: int,
    place: str,
) -> list[Person]:
    """Up to `count` children born between the ordinals `first` and `last` (and not after today),
    each with a birth record naming the known parents."""
    rng = b.rng
    born = first + int(rng.random() * Y3)
    last = min(last, b.today.toordinal() - 1)
    children: list[Person] = []
    while len(children) < count and born <= last:
        child = b.person(MALE if rng.random() < 0.51 else FEMALE, date.fromordinal(born), naming, surname, father)
        b.born(child, mother, father, place)
        children.append(child)
        born += 330 + int(rng.random() * Y5)
    return children


def _bought(b: Builder, home: Dwelling, owners: tuple[Person, ...], household: Sequence[Person], since: int) -> None:
    """The owners (one or two of the household) buy `home` on `since` and register there; the rest of
    the household registers there too, by the first owner, as the owner's family."""
    buy(b, home, owners, since)
    others = [p for p in household if p is not owners[0] and p is not owners[-1]]
    _register(b, others, home, since, Basis.FAMILY_OF_OWNER, owners[0])


def _register(b: Builder, members: Sequence[Person], home: Home, since: int, basis: Basis, host: Person | None) -> None:
    """Registers each member at `home` from `since` (or their birth, if later), by `host`."""
    if members:
        b.register(members, home, since, basis, host)


def _rent(b: Builder, members: Sequence[Person], place: str, since: int, r: float) -> Home:
    """The household does not own its home: `r` in [0.42, 1) picks the state fund (≈ 5 %), relatives
    the register does not name (≈ 17 %) or a private landlord. The first member is the tenant and
    registers the others. Returns the home."""
    head = members[0]
    home: Home
    host: Person | None
    if r < 0.45:
        home = b.dwelling(place, state_fund=True)
        basis, host = Basis.TENANT_STATE_FUND, head
    else:
        home = (place, b.address(place))
        basis, host = (Basis.FAMILY_OF_OWNER, None) if r < 0.55 else (Basis.TENANT_PRIVATE, head)
    b.register((head,), home, since, basis, None)
    _register(b, members[1:], home, since, basis, host)
    return home
