"""Asking the state registries what Condition 3 needs (§18; §14: "fetched by the provider for portal
requests") and, once it has passed, what the §15 grounds and the waiting list read (`gather_assessment`:
domain/grounds.py `to_ask`, domain/lists.py `to_ask`), over the sync channel under the consent the
signed application carries: every query sends the signed application itself, as it was delivered (the
applicant's signature over its Annex 3 ``consents``, the gateway's stamp beside it), which the registries
check (`shared.consent`: addressed to the provider, about the applicant, the household it lists and the
family the registry links). What the answers mean is domain/facts.py's (and grounds.py's, lists.py's).

An answer about the person ("no such person", "not a valid IIN") is a fact the decision uses; the
registries not answering (timeout, unavailable, an answer that fails its checks) is our outage, never
the citizen's fault: it is raised, so the bus redelivers the application later.

The fan-out is bounded: whom to ask is the applicant and their family as the individuals database
lists it (domain/facts.py; for §15 also the household the application names, which Condition 3 has found
to be that family), at most `CONCURRENT_QUERIES` of one application's queries are in flight at once,
nothing is asked twice for one application (an answer Condition 3 had is not asked again for §15), and
the answers already gathered are remembered (`AnswerMemory`) so that a redelivery after an outage
half-way asks only what is still missing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from services.provider.domain import grounds, lists
from services.provider.domain.facts import (
    ANSWERS_ABOUT_THE_PERSON,
    Asked,
    Gathered,
    facts_of,
    known_alive,
    others_to_ask,
)
from shared.cache import BoundedCache
from shared.calendar import utcnow
from shared.errors import AppError
from shared.housing.application import ApplicationDocument
from shared.registries import RegistryClient

CONCURRENT_QUERIES = 4
"""One application's registry queries in flight at once: the registries serve every citizen."""


class AnswerMemory:
    """The registries' answers an application was given, kept in this process for ``ttl_s`` (and at
    most ``max_entries`` of them): a redelivery does not ask again what was answered. Answers are
    signed and dated; the case keeps the ones it was decided on."""

    def __init__(self, *, ttl_s: float = 900.0, max_entries: int = 10_000) -> None:
        self.ttl_s = ttl_s
        self._answers: BoundedCache[tuple[str, str, str], Asked] = BoundedCache(max_entries)

    def recall(self, application_id: str, query: str, iin: str) -> Asked | None:
        return self._answers.get((application_id, query, iin))

    def keep(self, application_id: str, asked: Asked) -> None:
        self._answers.put((application_id, asked.query, asked.subject), asked, self.ttl_s)


async def ask(
    registries: RegistryClient,
    query: str,
    iin: str,
    *,
    application_id: str,
    consent: dict[str, Any],
    user_id: str | None,
) -> Asked:
    """One query about ``iin`` under ``consent`` (the signed application): the answer, or the registry's
    refusal when it is an answer about the person; any other `AppError` (the registries not answering, or
    refusing the consent) is raised."""
    asked_at = utcnow()
    try:
        answer = await registries.ask(query, {"iin": iin}, consent=consent, user_id=user_id, issue=application_id)
    except AppError as exc:
        if exc.code in ANSWERS_ABOUT_THE_PERSON:
            return Asked(query, iin, exc.code, asked_at)
        raise
    return Asked(query, iin, "ok", asked_at, answer.result, answer.signed)


async def gather_facts(
    registries: RegistryClient,
    application: ApplicationDocument,
    *,
    consent: dict[str, Any],
    user_id: str | None,
    memory: AnswerMemory | None = None,
) -> Gathered:
    """Ask the individuals database about the applicant, then the civil-status registry about the
    applicant, the household members of the applicant's family and the relatives who died, each under
    ``consent``: the signed application as delivered (`cases.Intake.signed`); raise `AppError` when the
    registries do not answer (UPSTREAM_TIMEOUT, SERVICE_UNAVAILABLE, …)."""
    applicant_iin = application.applicant.iin
    asked = _Asker(registries, application.id, consent=consent, user_id=user_id, memory=memory)
    person, own = await asyncio.gather(asked("person", applicant_iin), asked("civil-status", applicant_iin))
    if not known_alive(person):
        return facts_of(application, person, own)
    others = await asyncio.gather(*(asked("civil-status", iin) for iin in others_to_ask(application, person)))
    return facts_of(application, person, own, others)


async def gather_assessment(
    registries: RegistryClient,
    application: ApplicationDocument,
    known: Sequence[Asked],
    *,
    consent: dict[str, Any],
    user_id: str | None,
    memory: AnswerMemory | None = None,
) -> tuple[Asked, ...]:
    """For an application Condition 3 registered (its applicant known alive: ``known`` holds the
    individuals database's answer about them), ask what §15 (`grounds.to_ask`) and the waiting list
    (`lists.to_ask`) read and ``known`` lacks, as `gather_facts` asks; the answers ``known`` then the new
    ones, each (query, subject) once. Raise `AppError` when the registries do not answer."""
    applicant_iin = application.applicant.iin
    person = next(a for a in known if a.query == "person" and a.subject == applicant_iin)
    have = {(a.query, a.subject) for a in known}
    wanted = grounds.to_ask(application, person.result or {}) + lists.to_ask(application)
    missing = [pair for pair in dict.fromkeys(wanted) if pair not in have]
    asked = _Asker(registries, application.id, consent=consent, user_id=user_id, memory=memory)
    more = await asyncio.gather(*(asked(query, iin) for query, iin in missing))
    return (*known, *more)


class _Asker:
    """One application's queries: each remembered in ``memory``, at most `CONCURRENT_QUERIES` in flight."""

    def __init__(
        self,
        registries: RegistryClient,
        application_id: str,
        *,
        consent: dict[str, Any],
        user_id: str | None,
        memory: AnswerMemory | None,
    ) -> None:
        self.registries, self.application_id = registries, application_id
        self.consent, self.user_id = consent, user_id
        self.memory = memory or AnswerMemory()
        self.in_flight = asyncio.Semaphore(CONCURRENT_QUERIES)

    async def __call__(self, query: str, iin: str) -> Asked:
        known = self.memory.recall(self.application_id, query, iin)
        if known is not None:
            return known
        async with self.in_flight:
            answer = await ask(
                self.registries,
                query,
                iin,
                application_id=self.application_id,
                consent=self.consent,
                user_id=self.user_id,
            )
        self.memory.keep(self.application_id, answer)
        return answer
