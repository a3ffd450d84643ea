"""How an allocation round splits the housing units available across a district's waiting lists, and which
queued family each unit goes to (Law "On housing relations" art. 74; architecture §10). Pure rules, no I/O.

**The split** is a named, pluggable strategy (`STRATEGIES`), each a function of the number of units and the
lists' sizes (how many are queued in each) giving the units per list; no list gets more units than it has
people, and every unit goes to some list while any list has people left.

- ``proportional-2014`` (2014: "flats go to each category in proportion to the number of people in it, WWII
  veterans and orphans first", after the July 2013 amendments [1]): each list's
  share is ``units × size / total``; each gets the whole part of its share, and the units left over go one each
  first to the WWII list and the orphans' list when their shares have a fraction left (in that order, art. 67
  p.1), then to the others by the largest
  remaining fraction, ties by the lists' order. So "first" is read as first in line for what the whole shares
  leave, never more than a list's share plus one (a reading: no source says how a share's fraction was rounded).
- ``quota-2025`` (2025, Otbasy's rule for rental flats: at least 70 % to the socially vulnerable groups,
  including a 20 % quota for orphans, 30 % to the others [2]): the orphans' list gets ``ceil(20 %)`` of
  the units, the socially vulnerable lists (the WWII list among them: art. 68 sub-para 1) the rest of
  ``ceil(70 %)`` in proportion to their sizes, the others (civil servants and employees, emergency dwellings)
  what is left, in proportion; a pool whose lists run out of people passes its units on (orphans → vulnerable →
  the others → back to whoever still has people).

**Within a list** units go strictly by the queue key (`assign`): a unit goes to the first family in the queue
whose size it fits by the norm of provision (`shared.data.housing_norms`), and a family the norm does not fit
keeps its place for the next unit. Positions are computed from the queue keys alone (`positions`): 1, 2, 3 …
in key order, with no gaps.

[1] https://zakon.kz/amp/redaktsiia-zakonkz/4628972-bolee-13-tysjach-kyzylordincev-stojat-v.html
[2] https://018.kz/18118-abaj-oblysynda-zhaldamaly-tryn-jdi-blu-trtibi-tsindirildi.html
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from services.provider.domain.lists import LISTS, WaitingList
from shared.data.housing_norms import NORM

Split = Callable[[int, Mapping[WaitingList, int]], dict[WaitingList, int]]

PRIORITY: tuple[WaitingList, ...] = ("ww2", "orphans")
"""The lists served first (2014: WWII veterans and orphans), in the order of art. 67 p.1."""
VULNERABLE: tuple[WaitingList, ...] = ("ww2", "vulnerable")
"""2025: the socially vulnerable groups' lists besides the orphans' (the WWII veterans are art. 68 sub-para 1)."""
OTHERS: tuple[WaitingList, ...] = ("employees", "emergency")


def _checked(units: int, sizes: Mapping[WaitingList, int]) -> dict[WaitingList, int]:
    if units < 0:
        raise ValueError("the number of units is not negative")
    if any(size < 0 for size in sizes.values()):
        raise ValueError("a list's size is not negative")
    unknown = set(sizes) - set(LISTS)
    if unknown:
        raise ValueError(f"no such lists: {sorted(unknown)}")
    return {name: int(sizes.get(name, 0)) for name in LISTS}


def _apportion(
    units: int, sizes: Mapping[WaitingList, int], *, first: Sequence[WaitingList] = ()
) -> dict[WaitingList, int]:
    """Largest remainder over the lists of ``sizes``, each capped at its size; the leftover units go first to
    ``first`` (in order) among those with a fraction left, then by the largest fraction, ties by the lists'
    order. Units beyond everyone's size are not given."""
    given = dict.fromkeys(sizes, 0)
    people = {name: size for name, size in sizes.items() if size > 0}
    left = min(units, sum(people.values()))
    while left > 0 and people:
        total = sum(people.values())
        shares = {name: Fraction(left * size, total) for name, size in people.items()}
        whole = {name: min(math.floor(share), people[name]) for name, share in shares.items()}
        for name, count in whole.items():
            given[name] += count
        left -= sum(whole.values())
        people = {name: size - whole[name] for name, size in people.items() if size - whole[name] > 0}
        if left <= 0 or not people:
            break
        fraction = {n: shares[n] - math.floor(shares[n]) for n in people}
        order = sorted(
            people,
            key=lambda n: (
                0 if fraction[n] > 0 and n in first else 1,
                first.index(n) if fraction[n] > 0 and n in first else 0,
                -fraction[n],
                LISTS.index(n),
            ),
        )
        for name in order[:left]:
            given[name] += 1
            people[name] -= 1
        left -= min(left, len(order))
        people = {name: size for name, size in people.items() if size > 0}
    return given


def proportional_2014(units: int, sizes: Mapping[WaitingList, int]) -> dict[WaitingList, int]:
    """2014: in proportion to the lists' sizes, the WWII veterans and orphans first for the leftover units."""
    return _apportion(units, _checked(units, sizes), first=PRIORITY)


def quota_2025(units: int, sizes: Mapping[WaitingList, int]) -> dict[WaitingList, int]:
    """2025: ≥ 70 % to the socially vulnerable groups, a 20 % quota of it for orphans; 30 % to the others."""
    lists = _checked(units, sizes)
    orphans_quota = math.ceil(units * Fraction(20, 100))
    vulnerable_quota = math.ceil(units * Fraction(70, 100)) - orphans_quota
    given = dict.fromkeys(LISTS, 0)
    given["orphans"] = min(orphans_quota, lists["orphans"])
    spare = orphans_quota - given["orphans"]
    vulnerable = _apportion(vulnerable_quota + spare, {n: lists[n] for n in VULNERABLE})
    given.update(vulnerable)
    spare = vulnerable_quota + spare - sum(vulnerable.values())
    rest = units - orphans_quota - vulnerable_quota + spare
    others = _apportion(rest, {n: lists[n] for n in OTHERS})
    given.update(others)
    spare = rest - sum(others.values())
    if spare > 0:  # every pool ran out of people: whoever still has some
        remaining = {n: lists[n] - given[n] for n in LISTS}
        for name, extra in _apportion(spare, remaining).items():
            given[name] += extra
    return given


STRATEGIES: dict[str, Split] = {"proportional-2014": proportional_2014, "quota-2025": quota_2025}
"""The split strategies by name (the round records the name it used)."""


# --- within a list ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Queued:
    """A family in a list: its case, its queue key (sortable), and how many it is."""

    case: str
    key: Any
    family_size: int


@dataclass(frozen=True, slots=True)
class Unit:
    """A dwelling available for distribution: its id, rooms and useful area (m²)."""

    id: str
    rooms: int
    area_m2: float


def fits(unit: Unit, family_size: int) -> bool:
    """Whether ``unit`` fits a family of ``family_size`` by the norm of provision (`NORM`): no more than the
    norm's area per person (a one-room flat always, the norm's minimum), and enough rooms for the norm's persons
    per room."""
    if family_size < 1:
        raise ValueError("a family is at least one person")
    roomy_enough = unit.rooms * NORM.persons_per_room >= family_size
    within_area = unit.rooms <= 1 or unit.area_m2 <= NORM.max_m2_per_person * family_size
    return roomy_enough and within_area


def assign(units: Sequence[Unit], queue: Sequence[Queued]) -> dict[str, str]:
    """Each of ``units`` (largest first) to the first family in ``queue`` (by key) it fits, none twice; a unit that
    fits nobody stays unassigned. Unit id → case."""
    waiting = sorted(queue, key=lambda q: q.key)
    given: dict[str, str] = {}
    housed: set[str] = set()
    for unit in sorted(units, key=lambda u: (-u.rooms, -u.area_m2, u.id)):
        for family in waiting:
            if family.case not in housed and fits(unit, family.family_size):
                given[unit.id] = family.case
                housed.add(family.case)
                break
    return given


def positions(keys: Mapping[str, Any]) -> dict[str, int]:
    """The position of each case in its list, from the queue keys: 1, 2, 3 … in key order, no gaps."""
    return {case: place for place, case in enumerate(sorted(keys, key=lambda c: (keys[c], c)), 1)}
