"""Asking the state registries what Condition 3 needs (§18; §14: "fetched by the provider for portal
requests"), over the sync channel under the consent the signed application carries. What the
answers mean is domain/facts.py's.

An answer about the person ("no such person", "not a valid IIN") is a fact the decision uses; the
registries not answering (timeout, unavailable, an answer that fails its checks) is our outage, never
the citizen's fault: it is raised, so the bus redelivers the application later."""

from __future__ import annotations

import asyncio

from services.provider.domain.facts import (
    ANSWERS_ABOUT_THE_PERSON,
    Asked,
    Gathered,
    consent_reference,
    facts_of,
    known_alive,
    others_to_ask,
)
from shared.calendar import utcnow
from shared.errors import AppError
from shared.housing.application import ApplicationDocument
from shared.registries import RegistryClient


async def ask(registries: RegistryClient, query: str, iin: str, *, application_id: str, user_id: str | None) -> Asked:
    """One query about ``iin``: the answer, or the registry's refusal when it is an answer about the
    person; any other `AppError` (the registries not answering) is raised."""
    asked_at = utcnow()
    try:
        answer = await registries.ask(
            query, {"iin": iin}, consent=consent_reference(application_id), user_id=user_id, issue=application_id
        )
    except AppError as exc:
        if exc.code in ANSWERS_ABOUT_THE_PERSON:
            return Asked(query, iin, exc.code, asked_at)
        raise
    return Asked(query, iin, "ok", asked_at, answer.result, answer.signed)


async def gather_facts(
    registries: RegistryClient, application: ApplicationDocument, *, user_id: str | None
) -> Gathered:
    """Ask the individuals database about the applicant, then the civil-status registry about the
    applicant, the household and the relatives who died; raise `AppError` when the registries do not
    answer (UPSTREAM_TIMEOUT, SERVICE_UNAVAILABLE, UPSTREAM_ERROR, …)."""
    application_id, applicant_iin = application.id, application.applicant.iin
    person, own = await asyncio.gather(
        ask(registries, "person", applicant_iin, application_id=application_id, user_id=user_id),
        ask(registries, "civil-status", applicant_iin, application_id=application_id, user_id=user_id),
    )
    if not known_alive(person):
        return facts_of(application, person, own)
    others = await asyncio.gather(
        *(
            ask(registries, "civil-status", iin, application_id=application_id, user_id=user_id)
            for iin in others_to_ask(application, person)
        )
    )
    return facts_of(application, person, own, others)
