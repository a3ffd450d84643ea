"""Condition 3 of the portal flow (§18, Annex 6): the provider checks the application
against §14 before registering it (Annex 1 step 3); Process 7 refuses when the documents are not in
order, naming what is missing.

Two checks, on facts the registries gave (registry_facts.py fetches them, domain/facts.py reads them;
nothing here does I/O):

1. the applicant exists in the individuals database and is alive, and every household member the
   application names is the applicant's family there and known to the civil-status registry — else
   PERSON_NOT_FOUND (IIN_INVALID for an IIN the registries refuse to look up);
2. every copy §14 requires is attached (shared.housing.documents.missing_documents) — else
   DOCS_INCOMPLETE with the list.

Which civil-status events are the family's (§14: certificates of marriage/divorce, of death of
family members, of birth of children) — `family_events`:
- a marriage or divorce to which the applicant or a household member is a spouse;
- a birth of a household child, or of a child whose mother or father is the applicant or the spouse
  in the household (never the applicant's own birth);
- a death of a relative the individuals database lists for the applicant, or of a household member.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.provider.domain.workflow import CaseStatus
from shared.housing.application import ApplicationDocument
from shared.housing.documents import CivilEvent, missing_documents


@dataclass(frozen=True, slots=True)
class PersonFact:
    """What the registries said about one person: known or not, alive or not."""

    iin: str
    found: bool
    alive: bool = True
    role: str = "applicant"  # or "household"
    valid_iin: bool = True
    linked: bool = True
    """For a household member: the individuals database lists them in the applicant's family."""


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything Condition 3 decides on."""

    applicant: PersonFact
    household: tuple[PersonFact, ...] = ()
    civil_events: tuple[CivilEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """How step 3 ends: the case's first status and, for a refusal, why (StatusChange.reason)."""

    status: CaseStatus
    reason: dict[str, Any] | None = field(default=None)

    @property
    def refused(self) -> bool:
        return self.status != "REGISTERED"


def decide(application: ApplicationDocument, facts: Facts) -> Decision:
    """Condition 3: REGISTERED, or REFUSED_DOCUMENTS with the catalogue code and what is wrong."""
    applicant = facts.applicant
    if not applicant.found or not applicant.alive:
        return _person_not_found(applicant)
    for member in facts.household:
        if not member.linked:
            why = "not the applicant's family in the individuals database"
            return Decision(
                "REFUSED_DOCUMENTS", {"code": "PERSON_NOT_FOUND", "iin": member.iin, "who": member.role, "why": why}
            )
        if not member.found:
            return _person_not_found(member)
    missing = missing_documents(application, facts.civil_events)
    if missing:
        return Decision(
            "REFUSED_DOCUMENTS",
            {
                "code": "DOCS_INCOMPLETE",
                "paragraph": "§14",
                "missing": [{"kind": r.kind, "reason": r.reason, "paragraph": r.paragraph} for r in missing],
            },
        )
    return Decision("REGISTERED")


def _person_not_found(person: PersonFact) -> Decision:
    if not person.valid_iin:
        return Decision("REFUSED_DOCUMENTS", {"code": "IIN_INVALID", "iin": person.iin, "who": person.role})
    why = "deceased" if person.found else "not in the registry"
    return Decision(
        "REFUSED_DOCUMENTS", {"code": "PERSON_NOT_FOUND", "iin": person.iin, "who": person.role, "why": why}
    )
