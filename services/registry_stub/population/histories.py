"""What happens to people besides where they live: dwellings bought and sold (some elsewhere in
Kazakhstan), work in a §14 category, age pensions and disabilities with their income, and powers of
attorney. Used by households.py; every record refers to the household's own people. Days are ordinals
(`date.toordinal()`) until a record needs a date.
"""

from __future__ import annotations

from bisect import bisect
from datetime import date
from itertools import accumulate

from .builder import INCOME_LIMIT, MALE, Builder
from .records import Acquisition, Basis, Disposal, Dwelling, EmploymentCategory, Person, VulnerableGroup

YEAR = 365.2425


def days(years: float) -> int:
    """A span of years in days."""
    return int(years * YEAR)


Y3, Y18, Y20, Y21, Y61, Y63 = days(3), days(18), days(20), days(21), days(61), days(63)
_Y2000, _Y2006 = date(2000, 1, 1).toordinal(), date(2006, 1, 1).toordinal()

# Plausible weights: the localities' populations around 2014, in thousands (an assumption; the
# districts' villages are folded into their centres).
_WEIGHTS = {
    "karaganda": 490,
    "temirtau": 180,
    "zhezkazgan": 90,
    "balkhash": 75,
    "satpayev": 70,
    "shakhtinsk": 55,
    "saran": 50,
    "karazhal": 18,
    "priozersk": 12,
    "abay-town": 50,
    "botakara": 60,
    "karkaraly-town": 40,
    "aksu-ayuly": 40,
    "atasu": 30,
    "osakarovka-village": 30,
    "kiyevka": 25,
    "aktogay-village": 17,
    "ulytau-village": 12,
}
_CODES = tuple(_WEIGHTS)
_CUMULATIVE = tuple(accumulate(_WEIGHTS.values()))
_ELSEWHERE = ("astana", "almaty", "shymkent", "pavlodar")
_CATEGORIES = (
    *[EmploymentCategory.BUDGET_EMPLOYEE] * 12,
    *[EmploymentCategory.CIVIL_SERVANT] * 4,
    *[EmploymentCategory.MILITARY] * 2,
    EmploymentCategory.SPECIAL_STATE_BODY,
    EmploymentCategory.ELECTED_OFFICIAL,
)


def locality(b: Builder) -> str:
    """A Karaganda region locality, weighted by population (most people live in Karaganda city)."""
    return _CODES[bisect(_CUMULATIVE, b.rng.random() * _CUMULATIVE[-1])]


def income(b: Builder) -> int:
    """A monthly income per family member in KZT: 60 % below the income limit, 40 % above it."""
    r = b.rng.random()
    if r < 0.6:
        return 100 * int((15_000 + r / 0.6 * (INCOME_LIMIT - 16_000)) / 100)
    return 100 * int((INCOME_LIMIT + 1_000 + (r - 0.6) / 0.4 * 150_000) / 100)


def acquisition(b: Builder, on: int) -> Acquisition:
    """How a dwelling came to its owner on day `on`: flats were privatised in the 1990s."""
    r = b.rng.random()
    if on < _Y2000 and r < 0.6:
        return Acquisition.PRIVATISATION
    if r < 0.08:
        return Acquisition.INHERITANCE
    if r < 0.12:
        return Acquisition.GIFT
    return Acquisition.CONSTRUCTION if r < 0.16 else Acquisition.PURCHASE


def buy(b: Builder, home: Dwelling, owners: tuple[Person, ...], since: int) -> None:
    """The owners acquire `home` on `since` (halves for two) and register there; sometimes the first
    had sold an earlier dwelling (in the region or elsewhere in Kazakhstan) the same day."""
    on = date.fromordinal(since)
    by = acquisition(b, since)
    credit = by is Acquisition.PURCHASE and since > _Y2006 and b.rng.random() < 0.08
    share = "1" if len(owners) == 1 else "1/2"
    for owner in owners:
        b.own(home, owner, share, on, by, credit=credit)
    b.register(owners, home, since, Basis.OWNER, None)
    if b.rng.random() < 0.15:
        sold(b, owners[0], since - int((1 + b.rng.random() * 12) * YEAR), since)


def sold(b: Builder, person: Person, bought_on: int, sold_on: int) -> None:
    """An earlier dwelling of `person`, owned from `bought_on` and sold on `sold_on` to a buyer the
    register does not name (nothing when the person was under 18 then)."""
    if bought_on <= person.birth_date.toordinal() + Y18 or bought_on >= sold_on:
        return
    place = _ELSEWHERE[int(b.rng.random() * 4)] if b.rng.random() < 0.2 else locality(b)
    earlier = b.dwelling(place)
    bought, disposed = date.fromordinal(bought_on), date.fromordinal(sold_on)
    b.own(earlier, person, "1", bought, Acquisition.PURCHASE, disposed_on=disposed, disposed_by=Disposal.SALE)


def adult(b: Builder, p: Person) -> None:
    """Work in a §14 category, an age pension, or a disability, as an adult of this age might have;
    about a fifth of the disabilities have lapsed."""
    rng, today = b.rng, b.today.toordinal()
    born = p.birth_date.toordinal()
    r = rng.random()
    if today - born >= (Y63 if p.sex is MALE else Y61):
        if r < 0.9:
            b.social(p, VulnerableGroup.PENSIONER, date.fromordinal(min(today - 1, born + Y61)), income(b))
        if p.birth_date.year <= 1927 and r < 0.05:  # few WW2 veterans were still alive
            b.social(p, VulnerableGroup.WW2_VETERAN, date(1995, 5, 9), income(b))
    elif r < 0.24:
        if today - born >= Y21:
            category = _CATEGORIES[int(r / 0.24 * len(_CATEGORIES))]
            since = today - int(rng.random() * min(today - born - Y21, Y20))
            b.employ(p, category, date.fromordinal(since), int(rng.random() * 7))
    elif r > 0.98:
        since = today - int(rng.random() * (today - born - Y18))
        group = VulnerableGroup.DISABLED_1_2 if r > 0.985 else VulnerableGroup.CHRONIC_DISEASE
        lapsed = date.fromordinal(today - 1 - int(rng.random() * (today - since))) if rng.random() < 0.2 else None
        b.social(p, group, date.fromordinal(since), income(b), lapsed)


def power(b: Builder, principal: Person, attorney: Person) -> None:
    """A power of attorney: most notarised, covering the service and valid; some expired or revoked."""
    rng, today = b.rng, b.today.toordinal()
    issued = today - 30 - int(rng.random() * Y3)
    until = issued + days(1 + int(rng.random() * 3))
    r = rng.random()
    revoked = date.fromordinal(issued + int((today - issued) * rng.random())) if r > 0.9 else None
    b.power(
        principal,
        attorney,
        date.fromordinal(issued),
        date.fromordinal(until),
        covers_service=r < 0.95,
        notarised=r < 0.97 or r > 0.99,
        revoked_on=revoked,
    )
