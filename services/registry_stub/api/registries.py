"""Read-only HTTP mirrors of the registry queries, for testers, and the personas catalogue. A mirror
answers exactly what the sync channel answers (the same desk: consent required, logged, signed)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import col, select

from services.registry_stub.registries.desk import RegistryDesk
from services.registry_stub.registries.models import PersonaTraitRow, PersonRow
from shared.eds.signing import payload_of
from shared.service import ServiceRuntime

router = APIRouter(prefix="/api/v1", tags=["state registries"])

ConsentParam = Annotated[
    str | None,
    Query(
        description="Reference of the applicant's §14 written consent to use legally protected information "
        "(or of the signed application carrying it). Required: a query without one is refused (CONSENT_REQUIRED)."
    ),
]
ApplicationParam = Annotated[str | None, Query(description="The application the query is for, if any")]
IinPath = Annotated[str, Path(description="the person's IIN (12 digits)")]


def get_desk(request: Request) -> RegistryDesk:
    return request.app.state.registry_desk  # type: ignore[no-any-return]


Desk = Annotated[RegistryDesk, Depends(get_desk)]


class RegistryAnswerView(BaseModel):
    answer: dict[str, Any] = Field(description="the answer document: registry, query, subject, request_hash, result")
    signed: dict[str, Any] = Field(description="the same, as the e-document the registry signed (JWS JSON)")


async def _mirror(request: Request, desk: RegistryDesk, query: str, subject: dict[str, str], consent: str | None,
                  application: str | None) -> RegistryAnswerView:  # fmt: skip
    # Over HTTP the request is the URL: its hash stands in for the envelope's.
    hash_ = hashlib.sha512(str(request.url).encode()).hexdigest()
    requester = f"http:{request.client.host if request.client else 'unknown'}"
    signed = await desk.answer(
        query, subject, consent=consent, requester=requester, hash_=hash_, application=application
    )
    return RegistryAnswerView(answer=payload_of(signed), signed=signed)


def _iin_mirror(query: str, path: str, summary: str) -> None:
    @router.get(
        path,
        response_model=RegistryAnswerView,
        summary=summary,
        description=f"Mirror of the sync query `{query}`. IIN_INVALID for a malformed IIN, CONSENT_REQUIRED "
        "without `consent`, PERSON_NOT_FOUND for an IIN the registry does not know.",
        name=f"registry_{query}",
    )
    async def mirror(request: Request, desk: Desk, iin: IinPath, consent: ConsentParam = None,
                     application: ApplicationParam = None) -> RegistryAnswerView:  # fmt: skip
        return await _mirror(request, desk, query, {"iin": iin}, consent, application)


_iin_mirror("person", "/persons/{iin}", "Individuals (ЖТ ММБ): identity, address, family")
_iin_mirror("civil-status", "/persons/{iin}/civil-status", "Civil status (АХАЖ): marriages, divorces, births, deaths")
_iin_mirror("real-estate", "/persons/{iin}/real-estate", "Real estate: dwellings owned or once owned anywhere in KZ")
_iin_mirror("addresses", "/persons/{iin}/addresses", "Addresses: current registration and history")
_iin_mirror("social-status", "/persons/{iin}/social-status", "Social status: socially vulnerable groups (art. 68)")
_iin_mirror("employment", "/persons/{iin}/employment", "Employment in state bodies, budget organisations, …")
_iin_mirror("emergency-dwellings", "/persons/{iin}/emergency-dwellings", "Emergency-dwelling findings of the akimat")
_iin_mirror("court-decisions", "/persons/{iin}/court-decisions", "Court decisions recognising family members")


@router.get(
    "/powers-of-attorney/{number}",
    response_model=RegistryAnswerView,
    summary="Notary (БНАЖ): a power of attorney",
    description="Mirror of the sync query `power-of-attorney`: POA_NOT_FOUND, POA_EXPIRED or POA_REVOKED when "
    "it cannot be relied on; CONSENT_REQUIRED without `consent`.",
)
async def power_of_attorney(request: Request, desk: Desk, number: str, consent: ConsentParam = None,
                            application: ApplicationParam = None) -> RegistryAnswerView:  # fmt: skip
    return await _mirror(request, desk, "power-of-attorney", {"number": number}, consent, application)


class PersonaView(BaseModel):
    iin: str
    name: str
    traits: list[str] = Field(description="the rules this person exercises, e.g. ground:exchange, poa:expired")
    note: str


@router.get(
    "/personas",
    response_model=list[PersonaView],
    tags=["personas"],
    summary="Synthetic people chosen to exercise the rules, with their traits",
    description="For testers and demos. `trait` filters (e.g. `ground:alienation`, `exception:buyback`, "
    "`vulnerable:large_family`, `employee:military`, `poa:expired`, `eligible`); without it, every persona.",
)
async def personas(
    request: Request, trait: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[PersonaView]:
    runtime: ServiceRuntime = request.app.state.runtime
    async with runtime.db.sessions() as session:
        query = select(PersonaTraitRow.iin).distinct().order_by(PersonaTraitRow.iin).limit(limit)
        if trait:
            query = query.where(PersonaTraitRow.trait == trait)
        iins = list((await session.exec(query)).all())
        traits = (await session.exec(select(PersonaTraitRow).where(col(PersonaTraitRow.iin).in_(iins)))).all()
        people = {p.iin: p for p in (await session.exec(select(PersonRow).where(col(PersonRow.iin).in_(iins)))).all()}
    by_iin: dict[str, list[PersonaTraitRow]] = {}
    for row in traits:
        by_iin.setdefault(row.iin, []).append(row)
    return [
        PersonaView(
            iin=iin,
            name=f"{people[iin].surname} {people[iin].given_name}" if iin in people else "",
            traits=sorted(r.trait for r in by_iin.get(iin, [])),
            note=next((r.note for r in by_iin.get(iin, []) if r.note), ""),
        )
        for iin in iins
    ]
