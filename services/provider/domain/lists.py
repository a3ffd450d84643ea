"""Which waiting list a registered applicant joins, and their place's key (architecture §10; Law "On
housing relations" art. 67 p.1 and art. 74, as in force in 2014). Pure rules, no I/O.

The 2014 lists, one queue each per district: WWII invalids and participants (art. 67 p.1 sub-para 1);
orphans and children without parental care (1-1); the socially vulnerable groups of art. 68 (2);
civil servants, budget employees, the military and elected officials (3); those whose only dwelling is
in emergency condition (4). An applicant who fits several joins the first in that order — the order of
art. 67 p.1, which is also the order in which the 2013 amendments served them (WWII veterans and
orphans first) — and the case records the others they fit, for the commission. One who fits none (a
need by substandard housing alone, or the cosmonauts' category, which the 2014 lists do not name) joins
no list: that is put to the commission.

The queue key is the moment the complete application was filed (art. 74 p.1: "from the moment the
application was filed with all required documents"), taken as its registration at the regional
gateway — the time the gateway's stamp signs, which nobody can move — and ties are broken by the
registration number (the gateway numbers in order of arrival), then by the application's id. No source
gives a tie-break; this one is deterministic and reproducible from signed data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

WaitingList = Literal["ww2", "orphans", "vulnerable", "employees", "emergency"]
LISTS: tuple[WaitingList, ...] = ("ww2", "orphans", "vulnerable", "employees", "emergency")
"""The 2014 lists, in the order of art. 67 p.1 (the precedence when several fit)."""
TITLES: dict[WaitingList, str] = {
    "ww2": "Ұлы Отан соғысының мүгедектері мен қатысушылары",
    "orphans": "Жетім балалар және ата-анасының қамқорлығынсыз қалған балалар",
    "vulnerable": "Халықтың әлеуметтік осал топтары",
    "employees": "Мемлекеттік қызметшілер, бюджеттік ұйымдардың қызметкерлері, әскери қызметшілер",
    "emergency": "Жалғыз тұрғын үйі апатты деп танылған азаматтар",
}
WW2_GROUPS = frozenset({"ww2_veteran", "ww2_equated"})
ORPHAN_GROUPS = frozenset({"orphan"})


@dataclass(frozen=True, slots=True)
class Placement:
    """The list an applicant joins (None: none fits, a question for the commission) and every list
    they fit."""

    waiting_list: WaitingList | None
    fits: tuple[WaitingList, ...]


def lists_fitting(categories: Iterable[str], vulnerable_groups: Iterable[str]) -> tuple[WaitingList, ...]:
    """Every 2014 list the applicant's categories and vulnerable groups fit, in `LISTS` order."""
    categories, groups = set(categories), set(vulnerable_groups)
    fitting: set[WaitingList] = set()
    if groups & WW2_GROUPS:
        fitting.add("ww2")
    if groups & ORPHAN_GROUPS:
        fitting.add("orphans")
    if "vulnerable" in categories and groups - WW2_GROUPS - ORPHAN_GROUPS:
        fitting.add("vulnerable")
    if "employee" in categories:
        fitting.add("employees")
    if "emergency_dwelling" in categories:
        fitting.add("emergency")
    return tuple(name for name in LISTS if name in fitting)


def place(categories: Iterable[str], vulnerable_groups: Iterable[str]) -> Placement:
    """The list the applicant joins: the first that fits, in the order of art. 67 p.1."""
    fits = lists_fitting(categories, vulnerable_groups)
    return Placement(fits[0] if fits else None, fits)


@dataclass(frozen=True, slots=True, order=True)
class QueueKey:
    """A place's key in its list: the registration's signed time, then its number, then the
    application's id (see the module's docstring). Smaller comes first."""

    registered_at: datetime
    registration_number: str
    application_id: str
