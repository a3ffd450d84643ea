"""What Condition 3 needs from the state registries (SPEC §8; Regulation §14: "fetched by the provider
for portal requests"), asked over the sync channel under the consent the signed application carries.

An answer about the person ("no such person", "not a valid IIN") is a fact the decision uses; the
registries not answering (timeout, unavailable, an answer that fails its checks) is our outage, never
the citizen's fault: it is raised, so the bus redelivers the application later."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.provider.domain.condition3 import Facts, PersonFact
from shared.bus.envelope import utcnow
from shared.errors import AppError
from shared.housing.application import ApplicationDocument
from shared.housing.documents import family_events
from shared.registries import RegistryClient

ANSWERS_ABOUT_THE_PERSON = frozenset({"PERSON_NOT_FOUND", "IIN_INVALID"})


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
    facts: Facts
    answers: tuple[Asked, ...]


def consent_reference(application_id: str) -> str:
    """The §14 consent is in the signed application itself (Annex 3, ``consents``)."""
    return f"application:{application_id}"


async def gather_facts(client: RegistryClient, application: ApplicationDocument, *, user_id: str | None) -> Gathered:
    """Ask the individuals database about the applicant, then the civil-status registry about the
    applicant, the household and the relatives who died; raise `AppError` when the registries do not
    answer (UPSTREAM_TIMEOUT, SERVICE_UNAVAILABLE, UPSTREAM_ERROR, …)."""

    async def ask(query: str, iin: str) -> Asked:
        asked_at = utcnow()
        try:
            answer = await client.ask(
                query, {"iin": iin}, consent=consent_reference(application.id), user_id=user_id, issue=application.id
            )
        except AppError as exc:
            if exc.code in ANSWERS_ABOUT_THE_PERSON:
                return Asked(query, iin, exc.code, asked_at)
            raise
        return Asked(query, iin, "ok", asked_at, answer.result, answer.signed)

    applicant_iin = application.applicant.iin
    person, own = await asyncio.gather(ask("person", applicant_iin), ask("civil-status", applicant_iin))
    if not person.ok or person.result is None or not person.result.get("alive", False):
        fact = PersonFact(applicant_iin, found=person.ok, alive=False, valid_iin=person.outcome != "IIN_INVALID")
        return Gathered(Facts(fact), (person, own))

    household = {m.iin: m.relation for m in application.household if m.iin != applicant_iin}
    deceased = {str(r["iin"]) for r in person.result.get("family", []) if r.get("alive") is False}
    others = await asyncio.gather(*(ask("civil-status", iin) for iin in sorted(set(household) | deceased)))
    by_iin = {a.subject: a for a in others}
    # A household IIN is valid (HouseholdMember checks it): not found is the only way to be unknown.
    members = tuple(PersonFact(iin, found=by_iin[iin].ok, role="household") for iin in household)
    records = [event for a in (own, *others) if a.ok and a.result for event in a.result.get("events", [])]
    events = family_events(
        applicant=applicant_iin, household=household, relatives=person.result.get("family", []), records=records
    )
    facts = Facts(PersonFact(applicant_iin, found=True, alive=True), members, tuple(events))
    return Gathered(facts, (person, own, *others))
