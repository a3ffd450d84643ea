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

Which groups the placement rests on (`place_application`, at intake, Annex 1 step 3; R11, R12). The
application declares its categories and groups; the registries are the source of the social status (R11:
"on the portal the social status comes from the registries", and the Center takes it from them too,
§14.1), so:
- a group counts when the social-status registry shows it current on the application day — for the
  applicant, or, for a group of the family (`FAMILY_GROUPS`: a large family, a family with disabled
  children, the family of one who died on duty), for a household member the application names — whether
  or not the application declared it: the provider fetches, it does not ask (§14 readings). So a WWII
  veteran or an orphan the registry knows joins their list even when the form named another category;
- a group proven by a document (`shared.housing.documents.GROUPS_PROVING_BY_DOCUMENT`, R12: kandases,
  victims of emergencies, families of those who died on duty) counts when the application declares it and
  attaches that document, as Condition 3 requires on the portal;
- a declared group neither shows is ``unconfirmed``: it places nobody; the case records it for the
  commission;
- the categories ``employee`` (with the certificate from the place of work Condition 3 required),
  ``emergency_dwelling`` (with its finding) and the others are the application's; a socially vulnerable
  group that counts brings the category ``vulnerable`` with it.
The income test of the socially vulnerable list (§14.1: the income per family member) is not applied
here: the model names no threshold (the synthetic registries assume one); `Placement.limits` says so,
with the income the registry gives, for the commission.

The queue key is the moment the complete application was filed (art. 74 p.1: "from the moment the
application was filed with all required documents"), taken as its registration at the regional
gateway — the time the gateway's stamp signs, which nobody can move — and ties are broken by the
registration number (the gateway numbers in order of arrival), then by the application's id. No source
gives a tie-break; this one is deterministic and reproducible from signed data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from shared.housing.application import ApplicationDocument
from shared.housing.documents import GROUPS_PROVING_BY_DOCUMENT

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
FAMILY_GROUPS = frozenset({"large_family", "family_with_disabled_children", "duty_death_family"})
"""Groups that are the family's: a household member's status places the applicant too."""


@dataclass(frozen=True, slots=True)
class Placement:
    """The list an applicant joins (None: none fits, a question for the commission) and every list
    they fit; at intake also the groups it rests on, the declared groups nothing confirmed, and what
    the commission is left to check (``limits``)."""

    waiting_list: WaitingList | None
    fits: tuple[WaitingList, ...]
    groups: tuple[str, ...] = ()
    unconfirmed: tuple[str, ...] = ()
    limits: tuple[str, ...] = ()


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


def to_ask(application: ApplicationDocument) -> list[tuple[str, str]]:
    """The (query, IIN) pairs the placement reads: the applicant's social status (the household's, for
    `FAMILY_GROUPS`, is among what §15 asks: grounds.to_ask)."""
    return [("social-status", application.applicant.iin)]


def _current(status: Mapping[str, Any], day: date) -> bool:
    since, until = status.get("since"), status.get("until")
    return (
        isinstance(since, str)
        and date.fromisoformat(since) <= day
        and (not until or (isinstance(until, str) and date.fromisoformat(until) >= day))
    )


def place_application(
    application: ApplicationDocument, social: Mapping[str, Mapping[str, Any]], *, as_of: date
) -> Placement:
    """The placement of a registered application on the day ``as_of``, from its declaration and the
    social-status answers ``social`` (IIN → the registry's result; see the module's rules)."""
    applicant = application.applicant.iin
    household = {m.iin for m in application.household} - {applicant}
    shown: dict[str, Mapping[str, Any]] = {}
    for who in (applicant, *sorted(household)):
        for status in (social.get(who) or {}).get("statuses", []):
            group = str(status.get("group"))
            if _current(status, as_of) and (who == applicant or group in FAMILY_GROUPS):
                shown.setdefault(group, status)
    declared = list(dict.fromkeys(application.vulnerable_groups))
    documented = any(a.kind == "vulnerable_group_document" for a in application.attachments)
    by_document = [g for g in declared if g in GROUPS_PROVING_BY_DOCUMENT and documented and g not in shown]
    groups = sorted(shown) + by_document
    unconfirmed = tuple(g for g in declared if g not in groups)
    categories = set(application.categories) - {"vulnerable"}
    if set(groups) - WW2_GROUPS - ORPHAN_GROUPS:
        categories.add("vulnerable")
    fits = lists_fitting(categories, groups)
    limits: list[str] = []
    if unconfirmed:
        limits.append(
            f"declared socially vulnerable groups the registries do not show and no document proves: "
            f"{', '.join(unconfirmed)}: they place the applicant on no list"
        )
    if "vulnerable" in fits:
        incomes = sorted(
            f"{g} {s['monthly_income_per_member']} KZT" for g, s in shown.items() if s.get("monthly_income_per_member")
        )
        income = f" (the registry's income per family member a month: {', '.join(incomes)})" if incomes else ""
        limits.append(f"the socially vulnerable list's income test (§14.1) is the commission's{income}")
    if not fits:
        limits.append("no 2014 list fits the application's categories: the list is for the commission")
    return Placement(fits[0] if fits else None, fits, tuple(groups), unconfirmed, tuple(limits))


def to_json(placement: Placement) -> dict[str, Any]:
    """The placement as the case keeps it: the list joined (null: none fits), every list that fits, the
    groups it rests on and the declared groups nothing confirmed (its ``limits`` go to the assessment's)."""
    return {
        "waiting_list": placement.waiting_list,
        "fits": list(placement.fits),
        "groups": list(placement.groups),
        "unconfirmed": list(placement.unconfirmed),
    }


@dataclass(frozen=True, slots=True, order=True)
class QueueKey:
    """A place's key in its list: the registration's signed time, then its number, then the
    application's id (see the module's docstring). Smaller comes first."""

    registered_at: datetime
    registration_number: str
    application_id: str
