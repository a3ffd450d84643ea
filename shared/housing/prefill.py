"""What the registries' answers say about an applicant (§14: what the state systems hold is fetched, not
asked for): the portal's pre-filled form (an empty body {} is pre-filled with everything the registries
know) and the Center's intake (the operator's checklist and the application the operator signs) read
them alike. Pure functions over the registries' result JSON
(services/registry_stub/registries/queries.py gives their shapes).

- Household (Annex 3: "the family members permanently living with me"): the living spouse, children,
  parents and court-recognised family members whose registered address is the applicant's; a minor
  child with no registered address of their own is taken to live with the applicant.
- Categories (Law art. 67 p.1, §14): "vulnerable" with the current socially vulnerable groups,
  "employee" with the current employment categories, "emergency_dwelling" when the local executive
  body has found a dwelling the applicant owns or lives in to be in emergency condition.
- Civil-status events §14 asks copies of (before 1 June 2008 / 13 August 2007): marriages and
  divorces of the applicant or the household spouse, births of the applicant's or the household's
  children, and deaths of family members. The applicant's own birth, or a parent's marriage, is not
  one of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

RELATIONS = ("spouse", "child", "parent", "other")
ADULT_AGE = 18

Result = Mapping[str, Any]


@dataclass(frozen=True)
class Categories:
    categories: list[str]
    vulnerable_groups: list[str]
    employment_categories: list[str]


def _age_on(birth: str | None, today: date) -> int | None:
    if not birth:
        return None
    born = date.fromisoformat(birth)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _same_home(a: Result | None, b: Result | None) -> bool:
    return bool(a and b and a.get("locality") == b.get("locality") and a.get("address") == b.get("address"))


def relatives_to_ask(person: Result) -> tuple[list[str], list[str]]:
    """From the individuals registry's answer: the living relatives whose addresses decide the
    household, and the dead ones whose death records §14 may ask copies of."""
    family = [f for f in person.get("family", []) if f.get("relation") in RELATIONS]
    alive = [f["iin"] for f in family if f.get("alive") is not False]
    dead = [f["iin"] for f in family if f.get("alive") is False]
    return alive, dead


def household(person: Result, relatives: Mapping[str, Result], today: date) -> list[dict[str, Any]]:
    """The household members (HouseholdMember JSON) from the applicant's and the relatives' answers."""
    members = []
    for link in person.get("family", []):
        relative = relatives.get(link.get("iin", ""))
        if link.get("relation") not in RELATIONS or relative is None or not relative.get("alive", False):
            continue
        age = _age_on(relative.get("birth_date"), today)
        minor_without_home = link["relation"] == "child" and relative.get("address") is None and (age or 0) < ADULT_AGE
        if _same_home(person.get("address"), relative.get("address")) or minor_without_home:
            member = {
                "iin": relative["iin"],
                "relation": link["relation"],
                "surname": relative.get("surname"),
                "given_name": relative.get("given_name"),
                "birth_date": relative.get("birth_date"),
            }
            members.append({k: v for k, v in member.items() if v is not None})
    return members


def categories(social: Result, employment: Result, emergency: Result) -> Categories:
    """The categories the registries bear out today (current statuses and jobs, any finding)."""
    groups = list(dict.fromkeys(s["group"] for s in social.get("statuses", []) if s.get("current")))
    jobs = list(dict.fromkeys(j["category"] for j in employment.get("jobs", []) if j.get("current")))
    found = [
        c
        for c, present in (
            ("vulnerable", groups),
            ("employee", jobs),
            ("emergency_dwelling", emergency.get("findings")),
        )
        if present
    ]
    return Categories(found, groups, jobs)
