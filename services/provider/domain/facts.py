"""Condition 3's facts from the state registries' answers (§18; §14: "fetched by the provider for
portal requests"): whom to ask about, and what the answers say of the applicant, the household and
the family's civil-status events. Pure: the asking is registry_facts.py's.

An answer about the person ("no such person", "not a valid IIN") is a fact the decision uses; the
registries not answering at all is an outage, never an answer (registry_facts.py raises it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.provider.domain.condition3 import Facts, PersonFact
from shared.housing.application import ApplicationDocument
from shared.housing.documents import family_events

ANSWERS_ABOUT_THE_PERSON = frozenset({"PERSON_NOT_FOUND", "IIN_INVALID"})
"""The registries' refusals that are answers about the person asked about, not failures to answer."""


@dataclass(frozen=True, slots=True)
class Asked:
    """One query and what came back: the signed answer, or the registry's refusal by its code."""

    query: str
    subject: str
    outcome: str
    asked_at: datetime
    result: dict[str, Any] | None = None
    signed: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True, slots=True)
class Gathered:
    """Condition 3's facts and the answers they were read from (kept with the case)."""

    facts: Facts
    answers: tuple[Asked, ...]


def known_alive(person: Asked) -> bool:
    """The individuals database knows the person asked about, alive."""
    return person.ok and person.result is not None and bool(person.result.get("alive", False))


def household_of(application: ApplicationDocument) -> dict[str, str]:
    """The household the application names (IIN → relation), the applicant left out."""
    return {m.iin: m.relation for m in application.household if m.iin != application.applicant.iin}


def family_of(person: Asked) -> dict[str, dict[str, Any]]:
    """The applicant's family as the individuals database lists it (IIN → its entry)."""
    return {str(r["iin"]): r for r in (person.result or {}).get("family", []) if r.get("iin")}


def others_to_ask(application: ApplicationDocument, person: Asked) -> list[str]:
    """Whom the civil-status registry is asked about besides the applicant: the household members the
    individuals database links to the applicant, and the relatives who died. Nobody else: a household
    that names strangers is refused for them (Condition 3) without asking about each, so one
    application can never make the provider ask about whomever it lists (at most the family, and the
    application's household is capped besides)."""
    family = family_of(person)
    deceased = {iin for iin, r in family.items() if r.get("alive") is False}
    return sorted((set(household_of(application)) & set(family)) | deceased)


def facts_of(application: ApplicationDocument, person: Asked, own: Asked, others: Sequence[Asked] = ()) -> Gathered:
    """The facts from the answers about the applicant (``person``: the individuals database;
    ``own``: the civil-status registry) and about `others_to_ask` (``others``, asked only when the
    applicant is `known_alive`)."""
    applicant_iin = application.applicant.iin
    if not known_alive(person) or person.result is None:
        fact = PersonFact(applicant_iin, found=person.ok, alive=False, valid_iin=person.outcome != "IIN_INVALID")
        return Gathered(Facts(fact), (person, own))
    household = household_of(application)
    by_iin = {a.subject: a for a in others}
    # A household IIN is valid (HouseholdMember checks it): not found is the only way to be unknown;
    # a member nobody asked about is not the applicant's family (`others_to_ask`).
    members = tuple(
        PersonFact(iin, found=by_iin[iin].ok, role="household")
        if iin in by_iin
        else PersonFact(iin, found=False, role="household", linked=False)
        for iin in household
    )
    records = [event for a in (own, *others) if a.ok and a.result for event in a.result.get("events", [])]
    events = family_events(
        applicant=applicant_iin, household=household, relatives=person.result.get("family", []), records=records
    )
    facts = Facts(PersonFact(applicant_iin, found=True, alive=True), members, tuple(events))
    return Gathered(facts, (person, own, *others))
