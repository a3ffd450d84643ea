"""Read-only HTTP mirrors of the registry queries, for testers, and the personas catalogue. A mirror
answers what the sync channel answers (the same desk: logged, signed), but only in test mode
(``NCA_TEST_MODE=1``), and with any non-empty consent string: an HTTP caller is no authenticated requester,
so no signed consent could be judged against it. Outside test mode every mirror answers FORBIDDEN; the sync
channel, which checks the signed consent against the authenticated requester and the subject
(`shared.consent`), is the one way systems ask. Their OpenAPI text says so."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlmodel import col, select

from services.registry_stub.api.deps import Db, Desk
from services.registry_stub.api.schemas import PersonaPowerOfAttorney, PersonaView, RegistryAnswerView
from services.registry_stub.models import PowerOfAttorneyRow
from services.registry_stub.registries import catalogue
from services.registry_stub.registries.desk import RegistryDesk
from shared.eds.signing import payload_of

router = APIRouter(prefix="/api/v1", tags=["state registries"])

ConsentParam = Annotated[
    str | None,
    Query(
        max_length=200,
        description="TEST MODE ONLY: any non-empty text standing for the §14 consent (a query without one is "
        "refused, CONSENT_REQUIRED); it is not checked. The sync channel checks consent: there a query carries a "
        "signed consent (the signed application, or the requesting system's registry/consent@1 attestation), "
        "checked against the authenticated requester and the person asked about.",
    ),
]
ApplicationParam = Annotated[str | None, Query(max_length=64, description="The application the query is for, if any")]
MIRROR_NOTE = (
    "**Test mode only** (`NCA_TEST_MODE=1`): open to testers with any `consent` text, which is not checked; "
    "outside test mode this mirror answers FORBIDDEN. The sync channel checks consent (a signed consent, against "
    "the authenticated requester and the person asked about: CONSENT_INVALID, CONSENT_EXPIRED, "
    "CONSENT_NOT_APPLICABLE)."
)


def _test_mode(request: Request) -> bool:
    """Whether the registries run in test mode (RegistryStubSettings ``nca_test_mode``): the mirrors are open."""
    return bool(getattr(request.app.state.runtime.settings, "nca_test_mode", False))


TestMode = Annotated[bool, Depends(_test_mode)]
# Checked by its check digit (IIN_INVALID), so only bounded here: a wrong number always gets that code.
IinPath = Annotated[str, Path(max_length=32, description="the person's IIN (12 digits)")]


async def _mirror(
    request: Request,
    desk: RegistryDesk,
    query: str,
    subject: dict[str, str],
    consent: str | None,
    application: str | None,
    test_mode: bool,
) -> RegistryAnswerView:
    # Over HTTP the request is the URL: its hash stands in for the envelope's.
    hash_ = hashlib.sha512(str(request.url).encode()).hexdigest()
    requester = f"http:{request.client.host if request.client else 'unknown'}"
    signed = await desk.answer(
        query, subject, consent=consent, requester=requester, hash_=hash_, application=application, tester=test_mode
    )
    return RegistryAnswerView(answer=payload_of(signed), signed=signed)


def _iin_mirror(query: str, path: str, summary: str) -> None:
    @router.get(
        path,
        response_model=RegistryAnswerView,
        summary=summary,
        description=f"Mirror of the sync query `{query}`. {MIRROR_NOTE} IIN_INVALID for a malformed IIN, "
        "CONSENT_REQUIRED without `consent`, PERSON_NOT_FOUND for an IIN the registry does not know.",
        name=f"registry_{query}",
    )
    async def mirror(
        request: Request,
        desk: Desk,
        test_mode: TestMode,
        iin: IinPath,
        consent: ConsentParam = None,
        application: ApplicationParam = None,
    ) -> RegistryAnswerView:
        return await _mirror(request, desk, query, {"iin": iin}, consent, application, test_mode)


_iin_mirror("person", "/persons/{iin}", "Individuals (ЖТ ММБ): identity, address, family")
_iin_mirror("civil-status", "/persons/{iin}/civil-status", "Civil status (АХАЖ): marriages, divorces, births, deaths")
_iin_mirror("real-estate", "/persons/{iin}/real-estate", "Real estate: dwellings owned or once owned anywhere in KZ")
_iin_mirror("addresses", "/persons/{iin}/addresses", "Addresses: current registration and history")
_iin_mirror("social-status", "/persons/{iin}/social-status", "Social status: socially vulnerable groups (art. 68)")
_iin_mirror("employment", "/persons/{iin}/employment", "Employment in state bodies, budget organisations, …")
_iin_mirror("emergency-dwellings", "/persons/{iin}/emergency-dwellings", "Emergency-dwelling findings of the akimat")
_iin_mirror("court-decisions", "/persons/{iin}/court-decisions", "Court decisions recognising family members")
_iin_mirror("mobile-phone", "/persons/{iin}/mobile-phone", "Mobile citizens (БМГ): the mobile number on record")


@router.get(
    "/powers-of-attorney/{number}",
    response_model=RegistryAnswerView,
    summary="Notary (БНАЖ): a power of attorney",
    description=f"Mirror of the sync query `power-of-attorney`. {MIRROR_NOTE} POA_NOT_FOUND, POA_EXPIRED or "
    "POA_REVOKED when it cannot be relied on; CONSENT_REQUIRED without `consent`.",
)
async def power_of_attorney(
    request: Request,
    desk: Desk,
    test_mode: TestMode,
    number: Annotated[str, Path(max_length=64, description="the power of attorney's number")],
    consent: ConsentParam = None,
    application: ApplicationParam = None,
) -> RegistryAnswerView:
    return await _mirror(request, desk, "power-of-attorney", {"number": number}, consent, application, test_mode)


@router.get(
    "/personas",
    response_model=list[PersonaView],
    tags=["personas"],
    summary="Synthetic people chosen to exercise the rules, with their traits",
    description="For testers and demos. `trait` filters (e.g. `ground:alienation`, `exception:buyback`, "
    "`vulnerable:large_family`, `employee:military`, `poa:expired`, `eligible`); without it, every persona. Each "
    "with the powers of attorney it gave (number and attorney), so that a tester can apply as its representative.",
)
async def personas(
    db: Db,
    trait: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[PersonaView]:
    async with db.sessions() as session:
        found = await catalogue.personas(session, trait=trait, limit=limit)
        given = await session.exec(
            select(PowerOfAttorneyRow)
            .where(col(PowerOfAttorneyRow.principal_iin).in_([p.iin for p in found]))
            .order_by(col(PowerOfAttorneyRow.number))
        )
        powers: dict[str, list[PersonaPowerOfAttorney]] = {}
        for row in given.all():
            powers.setdefault(row.principal_iin, []).append(
                PersonaPowerOfAttorney(number=row.number, attorney_iin=row.attorney_iin)
            )
    return [
        PersonaView(iin=p.iin, name=p.name, traits=p.traits, note=p.note, powers_of_attorney=powers.get(p.iin, []))
        for p in found
    ]
