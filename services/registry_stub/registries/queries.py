"""The registries' answers (§14; and the mobile-citizens database, which the portal asks for the number
to send a one-time code to): one read-only function per query, each
returning the JSON result the registry signs, or raising the catalogue error (PERSON_NOT_FOUND,
POA_NOT_FOUND, POA_EXPIRED, POA_REVOKED). Dates are ISO strings; nothing here writes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.registry_stub import models as m
from shared.errors import AppError
from shared.geo import district_of

Query = Callable[[AsyncSession, str, date], Awaitable[dict[str, Any]]]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _district(locality: str) -> str | None:
    found = district_of(locality)
    return found.code if found else None


async def _person(session: AsyncSession, iin: str) -> m.PersonRow:
    person = await session.get(m.PersonRow, iin)
    if person is None:
        raise AppError("PERSON_NOT_FOUND", {"iin": iin})
    return person


def _residence(r: m.ResidenceRow) -> dict[str, Any]:
    return {
        "locality": r.locality,
        "district": _district(r.locality),
        "address": r.address,
        "registered_from": _iso(r.registered_from),
        "registered_to": _iso(r.registered_to),
        "dwelling": r.dwelling,
        "basis": r.basis,
        "host_iin": r.host_iin,
        "left_voluntarily": r.left_voluntarily,
    }


async def person(session: AsyncSession, iin: str, today: date) -> dict[str, Any]:
    """ЖТ ММБ: identity, alive or dead, the registered address and the family."""
    p = await _person(session, iin)
    current = (
        await session.exec(
            select(m.ResidenceRow).where(m.ResidenceRow.iin == iin, col(m.ResidenceRow.registered_to).is_(None))
        )
    ).first()
    links = (await session.exec(select(m.FamilyLinkRow).where(m.FamilyLinkRow.iin == iin))).all()
    found = await session.exec(select(m.PersonRow).where(col(m.PersonRow.iin).in_([x.relative_iin for x in links])))
    relatives = {r.iin: r for r in found.all()}
    return {
        "iin": p.iin,
        "surname": p.surname,
        "given_name": p.given_name,
        "patronymic": p.patronymic,
        "birth_date": _iso(p.birth_date),
        "sex": p.sex,
        "citizenship": p.citizenship,
        "alive": p.death_date is None,
        "death_date": _iso(p.death_date),
        "address": _residence(current) if current else None,
        "family": [
            {
                "iin": x.relative_iin,
                "relation": x.relation,
                "surname": relatives[x.relative_iin].surname if x.relative_iin in relatives else None,
                "given_name": relatives[x.relative_iin].given_name if x.relative_iin in relatives else None,
                "birth_date": _iso(relatives[x.relative_iin].birth_date) if x.relative_iin in relatives else None,
                "alive": relatives[x.relative_iin].death_date is None if x.relative_iin in relatives else None,
            }
            for x in sorted(links, key=lambda link: (link.relation, link.relative_iin))
        ],
    }


async def power_of_attorney(session: AsyncSession, number: str, today: date) -> dict[str, Any]:
    """БНАЖ: a power of attorney by number, refused when unknown, expired or revoked."""
    poa = await session.get(m.PowerOfAttorneyRow, number)
    if poa is None:
        raise AppError("POA_NOT_FOUND", {"number": number})
    if poa.revoked_on is not None and poa.revoked_on <= today:
        raise AppError("POA_REVOKED", {"number": number, "revoked_on": _iso(poa.revoked_on)})
    if poa.valid_until < today:
        raise AppError("POA_EXPIRED", {"number": number, "valid_until": _iso(poa.valid_until)})
    return {
        "number": poa.number,
        "principal_iin": poa.principal_iin,
        "attorney_iin": poa.attorney_iin,
        "issued_on": _iso(poa.issued_on),
        "valid_until": _iso(poa.valid_until),
        "covers_service": poa.covers_service,
        "notarised": poa.notarised,
        "notary": poa.notary,
    }


async def civil_status(session: AsyncSession, iin: str, today: date) -> dict[str, Any]:
    """АХАЖ: marriages, divorces, births and deaths the person is a party to, oldest first."""
    await _person(session, iin)
    numbers = select(m.CivilPartyRow.record_no).where(m.CivilPartyRow.iin == iin)
    events = (await session.exec(select(m.CivilEventRow).where(col(m.CivilEventRow.record_no).in_(numbers)))).all()
    parties = (await session.exec(select(m.CivilPartyRow).where(col(m.CivilPartyRow.record_no).in_(numbers)))).all()
    by_record: dict[str, list[dict[str, str]]] = {}
    for party in sorted(parties, key=lambda x: (x.record_no, x.role, x.iin)):
        by_record.setdefault(party.record_no, []).append({"role": party.role, "iin": party.iin})
    return {
        "iin": iin,
        "events": [
            {
                "record_no": e.record_no,
                "kind": e.kind,
                "registered_on": _iso(e.registered_on),
                "office": e.office,
                "parties": by_record.get(e.record_no, []),
            }
            for e in sorted(events, key=lambda e: (e.registered_on, e.record_no))
        ],
    }


async def real_estate(session: AsyncSession, iin: str, today: date) -> dict[str, Any]:
    """The certificate of owning or not owning housing anywhere in Kazakhstan: every dwelling the
    person owns or owned, with its acquisition and disposal (the transactions), oldest first."""
    await _person(session, iin)
    rows = (
        await session.exec(
            select(m.OwnershipRow, m.DwellingRow)
            .join(m.DwellingRow, col(m.DwellingRow.cadastral_no) == col(m.OwnershipRow.dwelling))
            .where(m.OwnershipRow.iin == iin)
        )
    ).all()
    dwellings = []
    for o, d in sorted(rows, key=lambda pair: (pair[0].acquired_on, pair[1].cadastral_no)):
        transactions = [
            {
                "kind": "acquisition",
                "type": o.acquired_by,
                "date": _iso(o.acquired_on),
                "preferential_credit": o.preferential_credit,
            }
        ]
        if o.disposed_on is not None:
            transactions.append(
                {"kind": "disposal", "type": o.disposed_by, "date": _iso(o.disposed_on), "counterparty": o.counterparty}
            )
        dwellings.append(
            {
                "cadastral_no": d.cadastral_no,
                "locality": d.locality,
                "district": _district(d.locality),
                "address": d.address,
                "area_m2": d.area_m2,
                "rooms": d.rooms,
                "state_fund": d.state_fund,
                "share": o.share,
                "owned_from": _iso(o.acquired_on),
                "owned_to": _iso(o.disposed_on),
                "emergency": d.emergency_finding_no is not None,
                "transactions": transactions,
            }
        )
    return {
        "iin": iin,
        "as_of": today.isoformat(),
        "owns_now": any(x["owned_to"] is None for x in dwellings),
        "dwellings": dwellings,
    }


async def addresses(session: AsyncSession, iin: str, today: date) -> dict[str, Any]:
    """Address register: the current registration and the history, newest first; and ``hosted``, the
    registrations of other persons made with this person as the host (the owner or tenant whose consent
    the registration rests on), newest first: whom they registered in their home (§15 item 5)."""
    await _person(session, iin)
    rows = (await session.exec(select(m.ResidenceRow).where(m.ResidenceRow.iin == iin))).all()
    history = sorted(rows, key=lambda r: (r.registered_from, r.id or 0), reverse=True)
    current = next((r for r in history if r.registered_to is None), None)
    others = (await session.exec(select(m.ResidenceRow).where(m.ResidenceRow.host_iin == iin))).all()
    hosted = sorted(others, key=lambda r: (r.registered_from, r.id or 0), reverse=True)
    return {
        "iin": iin,
        "current": _residence(current) if current else None,
        "history": [_residence(r) for r in history],
        "hosted": [{"iin": r.iin, **_residence(r)} for r in hosted],
    }


async def social_status(session: AsyncSession, iin: str, today: date) -> dict[str, Any]:
    """Membership of socially vulnerable groups (Law "On housing relations" art. 68), with documents."""
    await _person(session, iin)
    rows = (await session.exec(select(m.SocialStatusRow).where(m.SocialStatusRow.iin == iin))).all()
    return {
        "iin": iin,
        "statuses": [
            {
                "group": r.group,
                "since": _iso(r.since),
                "until": _iso(r.until),
                "document_no": r.document_no,
                "current": r.since <= today and (r.until is None or r.until >= today),
                "monthly_income_per_member": r.monthly_income_per_member,
            }
            for r in sorted(rows, key=lambda r: (r.since, r.document_no))
        ],
    }


async def employment(session: AsyncSession, iin: str, today: date) -> dict[str, Any]:
    """Service in state bodies, budget organisations, the military, special state bodies, elected office."""
    await _person(session, iin)
    rows = (await session.exec(select(m.EmploymentRow).where(m.EmploymentRow.iin == iin))).all()
    return {
        "iin": iin,
        "jobs": [
            {
                "category": r.category,
                "employer_bin": r.employer_bin,
                "employer_name": r.employer_name,
                "position": r.position,
                "since": _iso(r.since),
                "until": _iso(r.until),
                "current": r.until is None,
            }
            for r in sorted(rows, key=lambda r: (r.since, r.id or 0))
        ],
    }


async def emergency_dwellings(session: AsyncSession, iin: str, today: date) -> dict[str, Any]:
    """The local executive body's findings that a dwelling the person owns or lives in is in
    emergency condition (§14)."""
    await _person(session, iin)
    owned = select(m.OwnershipRow.dwelling).where(m.OwnershipRow.iin == iin, col(m.OwnershipRow.disposed_on).is_(None))
    lived = select(m.ResidenceRow.dwelling).where(
        m.ResidenceRow.iin == iin, col(m.ResidenceRow.registered_to).is_(None)
    )
    rows = (
        await session.exec(
            select(m.DwellingRow).where(
                col(m.DwellingRow.emergency_finding_no).is_not(None),
                or_(col(m.DwellingRow.cadastral_no).in_(owned), col(m.DwellingRow.cadastral_no).in_(lived)),
            )
        )
    ).all()
    return {
        "iin": iin,
        "findings": [
            {
                "cadastral_no": d.cadastral_no,
                "address": d.address,
                "locality": d.locality,
                "finding_no": d.emergency_finding_no,
                "found_on": _iso(d.emergency_found_on),
            }
            for d in sorted(rows, key=lambda d: d.cadastral_no)
        ],
    }


async def court_decisions(session: AsyncSession, iin: str, today: date) -> dict[str, Any]:
    """Court decisions recognising other persons as the person's family members (§14)."""
    await _person(session, iin)
    rows = (await session.exec(select(m.CourtDecisionRow).where(m.CourtDecisionRow.iin == iin))).all()
    return {
        "iin": iin,
        "decisions": [
            {
                "case_no": r.case_no,
                "court": r.court,
                "decided_on": _iso(r.decided_on),
                "family_member_iin": r.family_member_iin,
            }
            for r in sorted(rows, key=lambda r: (r.decided_on, r.case_no))
        ],
    }


async def mobile_phone(session: AsyncSession, iin: str, today: date) -> dict[str, Any]:
    """The mobile-citizens database (база мобильных граждан, БМГ): the mobile number registered for the
    IIN, to which one-time codes are sent (E.164, ``+77xxxxxxxxx``); ``phone`` null when none is."""
    await _person(session, iin)
    row = await session.get(m.MobilePhoneRow, iin)
    return {"iin": iin, "phone": row.phone if row else None}


# query name → (the registry answering it, what it is asked by, the function)
QUERIES: dict[str, tuple[str, str, Query]] = {
    "person": ("individuals", "iin", person),
    "power-of-attorney": ("notary", "number", power_of_attorney),
    "civil-status": ("civil-status", "iin", civil_status),
    "real-estate": ("real-estate", "iin", real_estate),
    "addresses": ("addresses", "iin", addresses),
    "social-status": ("social-status", "iin", social_status),
    "employment": ("employment", "iin", employment),
    "emergency-dwellings": ("real-estate", "iin", emergency_dwellings),
    "court-decisions": ("courts", "iin", court_decisions),
    "mobile-phone": ("mobile-citizens", "iin", mobile_phone),
}
