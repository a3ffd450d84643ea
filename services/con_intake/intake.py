"""The intake of an application at the Center's desk (§19 Processes 2–6, §13, §14 item 1, §16, Annex 1
step 1; architecture §11): the service layer of `api/intake.py`, on the states of `domain/intake.py`.
Everything is of the operator's branch: another branch's intake is NOT_FOUND.

1. **The consent first** (§14 item 1): the operator records the recipient's written consent to use
   information that is a secret protected by law — who recorded it, when — in its own transaction
   (`begin`), before any registry is asked. No consent: VALIDATION_FAILED, nothing asked (the route).
2. **Process 3, Condition 1** (`look_up`, no session: registry queries only): the individuals database
   (ЖТ ММБ) for the representative and the recipient; the notarial system (БНАЖ) for a notarised power of
   attorney, whose data are not typed in (R24), and which must be the recipient's to the representative
   for this service (`domain.intake.notarised_misfit`: POA_NOT_APPLICABLE); one certified otherwise is
   typed in and judged as typed (`domain.intake.typed_misfit`). Then what the registries hold for the
   §14 checklist, as the portal's draft asks them (`shared.housing.prefill`): current social statuses →
   ``vulnerable`` with the groups, current jobs → ``employee`` with the categories, emergency findings →
   ``emergency_dwelling``; the household; the civil-status records (`shared.housing.documents.family_events`)
   → the checklist (`domain.checklist.checklist`). Every query is asked under the Center's
   ``registry/consent@1`` attestation (`shared.consent.attest`, signed by the Center's system certificate)
   that the person — the recipient, or the representative for their own data and the power of attorney —
   consented at the desk, identified by the identity document shown in the original (``document``); the
   registries log the operator as the user (``KZ<operator's IIN>``) and the application's id as the issue.
   A Process 4 failure (PERSON_NOT_FOUND, POA_*) or no answer makes the intake UNAVAILABLE with the code
   (`record_unavailable`), else it is OPEN with what was found (`record_findings`).
3. **Process 5** (`mark`): what was presented on paper and each one's scan.
4. **§16** (`refusal_draft`, `refuse`): the Annex 5 receipt (`shared.housing.center.CenterRefusal`) listing
   exactly the checklist's documents not presented, signed by the operator; a journal entry; nothing is
   sent anywhere. CONFLICT when nothing is missing.
5. **Process 6** (`application_draft`, `accept`): the Annex 3 application (channel ``center``, the operator
   its author with the Center's BIN, the recipient its applicant, the representative, the scans as its
   attachments), signed by the operator and put in the outbox as ``document.submitted``; the journal
   entry; the acceptance receipt (`shared.housing.center.CenterReceipt`) with the day the result is ready
   (`domain.schedule.result_ready_on`) for the operator to sign (`sign_receipt`); and the time acceptance
   took against §13's 15 minutes. CONFLICT while a document is missing.

**Who signs.** Every document here is signed on the client side with the operator's own employee SIGN
certificate: the Center's BIN, the IIN of the account the token names, the only signature, over exactly the
draft kept on the intake (`check_signed`: EDS_PURPOSE_INVALID, EDS_IIN_MISMATCH, VALIDATION_FAILED).

**The envelope** of a Center application: ``user_id`` is the operator's ``KZ<IIN>`` (the person acting, who
signed it: `shared.participants.user_id`), ``represented_party`` the recipient's ``KZ<IIN>`` (the citizen
the operator acts for, architecture §3), ``issue`` the application's id.

**Duplicates.** A recipient whose application sent from the Center is still on its way or in the queue
(its status not a refusal) cannot be taken in again (DUPLICATE_APPLICATION, at the start and at
acceptance; ``active_for`` is unique, so that two desks accepting at once cannot both pass: the second
commit fails and the route judges it again). The portal's applications are the portal's to count.

Times come from the app's clock (``app.state.clock``)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.con_intake import tickets
from services.con_intake.branches import BRANCH_BY_CODE
from services.con_intake.domain import checklist as rules
from services.con_intake.domain import intake as domain
from services.con_intake.domain.schedule import result_ready_on
from services.con_intake.models import Intake, IntakeEvent, JournalCounter, JournalEntry, OperatorAccount
from shared.bus.envelope import Envelope
from shared.bus.outbox import enqueue
from shared.calendar import local_day
from shared.consent import attest, reference
from shared.eds.credentials import SignerSource
from shared.eds.jcs import canonical
from shared.eds.signing import b64url
from shared.eds.verify import Verified
from shared.errors import AppError
from shared.geo import DISTRICT_BY_CODE
from shared.housing import center, prefill
from shared.housing.application import ApplicationDocument
from shared.housing.documents import family_events
from shared.housing.messages import SUBMITTED
from shared.iin import is_valid_iin
from shared.logging import get_logger
from shared.participants import CENTER, user_id
from shared.registries import RegistryClient

log = get_logger(__name__)

CONTACT_TELEPHONE = "1414"
"""The executor's telephone on the Center's documents (Annex 5: «Орындаушы», its telephone): the
e-government contact centre's short number, since the model keeps no desk telephones."""
ACCEPTANCE_ALERT = "alert: an acceptance at the Center took longer than the 15 minutes §13 allows"


# --- the operator's request -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PowerOfAttorney:
    """A representative's power of attorney as the operator gives it (§19 Process 2): a notarised one by
    its number only (its data come from БНАЖ, R24); one certified otherwise with its data typed in from the
    paper and its scan's SHA-256."""

    kind: Literal["notarised", "other"]
    number: str
    issued_on: date | None = None
    valid_until: date | None = None
    certified_by: str | None = None
    scan_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Start:
    """The operator's start of an intake: the recipient, a representative, the ticket the visitor was called
    with, the district whose department decides (default: the recipient's registered one), and categories
    the recipient declares beyond the registries' (`domain.intake.DECLARABLE_CATEGORIES`)."""

    recipient_iin: str
    representative_iin: str | None = None
    power_of_attorney: PowerOfAttorney | None = None
    ticket_id: str | None = None
    district: str | None = None
    categories: tuple[str, ...] = ()


def _invalid(loc: str, msg: str) -> AppError:
    return AppError("VALIDATION_FAILED", {"errors": [{"loc": ["body", *loc.split(".")], "msg": msg}]})


def check_start(start: Start) -> None:
    """What the request must hold before anything is written: valid IINs (IIN_INVALID), a representative
    who is not the recipient and has a power of attorney, a known district (VALIDATION_FAILED)."""
    for iin in (start.recipient_iin, start.representative_iin):
        if iin is not None and not is_valid_iin(iin):
            raise AppError("IIN_INVALID", {"iin": iin})
    if start.representative_iin == start.recipient_iin:
        raise _invalid("representative.iin", "the representative is someone other than the recipient")
    if (start.representative_iin is None) != (start.power_of_attorney is None):
        raise _invalid("representative", "a representative comes with their power of attorney")
    if start.district is not None and start.district not in DISTRICT_BY_CODE:
        raise _invalid("district", "not a city or district of the Karaganda region (shared.geo)")


# --- who, and what they signed ---------------------------------------------------------------------


async def get_intake(session: AsyncSession, *, branch: str, intake_id: str, lock: bool = False) -> Intake:
    """``branch``'s intake ``intake_id`` (locked until the transaction ends, ``lock``); NOT_FOUND for no
    such intake, and for another branch's."""
    query = select(Intake).where(Intake.id == intake_id, Intake.branch == branch)
    row = (await session.exec(query.with_for_update() if lock else query)).first()
    if row is None:
        raise AppError("NOT_FOUND", {"intake": intake_id})
    return row


async def list_intakes(session: AsyncSession, *, branch: str, state: str | None, limit: int) -> list[Intake]:
    """The branch's intakes, the newest first."""
    query = select(Intake).where(Intake.branch == branch)
    if state is not None:
        query = query.where(Intake.state == state)
    return list((await session.exec(query.order_by(col(Intake.created_at).desc()).limit(limit))).all())


async def history(session: AsyncSession, *, intake_id: str) -> list[IntakeEvent]:
    query = select(IntakeEvent).where(IntakeEvent.intake_id == intake_id)
    return list((await session.exec(query.order_by(col(IntakeEvent.at), col(IntakeEvent.id)))).all())


def check_signed(verified: Verified[Any], account: OperatorAccount, draft: dict[str, Any] | None) -> None:
    """``verified`` is the operator's own: one signature, an employee certificate of the Center's BIN
    (EDS_PURPOSE_INVALID), the account's IIN (EDS_IIN_MISMATCH), over exactly ``draft`` (VALIDATION_FAILED;
    CONFLICT when there is no draft to sign)."""
    if draft is None:
        raise AppError("CONFLICT", {"reason": "there is no draft to sign: ask for the draft first"})
    info = verified.author
    if len(verified.signatures) != 1 or info.holder != "employee" or info.bin != CENTER.bin:
        raise AppError(
            "EDS_PURPOSE_INVALID",
            {"reason": "the operator signs alone, with an employee certificate of the Center's BIN", "bin": info.bin},
        )
    if info.iin != account.iin:
        raise AppError(
            "EDS_IIN_MISMATCH",
            {"reason": "signed with another person's certificate", "certificate": info.iin, "login": account.login},
        )
    signed = verified.signed
    if signed.get("payload") != b64url(canonical(draft)):
        raise AppError("VALIDATION_FAILED", {"reason": "the signed document is not the draft kept for this intake"})


def _require_state(row: Intake, *states: str) -> None:
    if row.state not in states:
        raise AppError("CONFLICT", {"reason": f"the intake is {row.state}", "state": row.state, "expected": states})


# --- 1. the consent, before anything is asked ---------------------------------------------------------


async def active_application(session: AsyncSession, *, recipient_iin: str) -> Intake | None:
    return (await session.exec(select(Intake).where(Intake.active_for == recipient_iin))).first()


async def begin(session: AsyncSession, *, account: OperatorAccount, start: Start, now: datetime) -> Intake:
    """The intake, CHECKING, with the recipient's written consent recorded by ``account`` at ``now``. The
    ticket, when given, is one of the branch's called to a window (NOT_FOUND; CONFLICT while it waits): §13's
    time runs from its call. DUPLICATE_APPLICATION for a recipient whose Center application is active."""
    active = await active_application(session, recipient_iin=start.recipient_iin)
    if active is not None:
        raise AppError("DUPLICATE_APPLICATION", {"application_id": active.application_id, "status": active.status})
    started_at = now
    if start.ticket_id is not None:
        ticket = await tickets.get_ticket(session, branch=account.branch, ticket_id=start.ticket_id)
        if ticket is None:
            raise AppError("NOT_FOUND", {"ticket": start.ticket_id})
        if ticket.called_at is None:
            raise AppError(
                "CONFLICT", {"reason": "the ticket has not been called to a window", "ticket": ticket.number}
            )
        started_at = ticket.called_at
    poa = start.power_of_attorney
    row = Intake(
        id=str(uuid.uuid4()),
        application_id=str(uuid.uuid4()),
        branch=account.branch,
        operator=account.login,
        state="CHECKING",
        ticket_id=start.ticket_id,
        started_at=started_at,
        consent_at=now,
        consent_by=account.login,
        recipient_iin=start.recipient_iin,
        representative=(
            {"iin": start.representative_iin, "power_of_attorney": _typed(poa)} if poa is not None else None
        ),
        declared=list(start.categories),
        district=start.district,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    log.info("consent recorded; the registries are asked next", intake=row.id, branch=row.branch, operator=row.operator)
    return row


def _typed(poa: PowerOfAttorney) -> dict[str, Any]:
    values = {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(poa).items()}
    return {k: v for k, v in values.items() if v is not None}


# --- 2. Process 3 and Condition 1 ----------------------------------------------------------------------


@dataclass
class Findings:
    """What the registries answered: the recipient and the representative as they know them, the power of
    attorney, the district, the application's categories and household, the checklist; ``consents``: the
    attestations made (each one's subject, role and reference), kept even when a query failed."""

    consents: list[dict[str, Any]] = field(default_factory=list)
    recipient: dict[str, Any] | None = None
    representative: dict[str, Any] | None = None
    district: str | None = None
    facts: dict[str, Any] | None = None
    checklist: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class _Asker:
    registries: RegistryClient
    consent: dict[str, Any]
    operator_iin: str
    issue: str

    async def result(self, query: str, subject: dict[str, str]) -> dict[str, Any]:
        answer = await self.registries.ask(
            query, subject, consent=self.consent, user_id=user_id(self.operator_iin), issue=self.issue
        )
        return answer.result

    async def person(self, iin: str) -> dict[str, Any]:
        return await self.result("person", {"iin": iin})

    async def many(self, query: str, iins: list[str]) -> list[dict[str, Any]]:
        return list(await asyncio.gather(*(self.result(query, {"iin": iin}) for iin in iins)))


async def _consent(
    credentials: SignerSource,
    findings: Findings,
    *,
    subject_iin: str,
    role: str,
    registries: RegistryClient,
    operator_iin: str,
    issue: str,
) -> _Asker:
    """The Center's attestation that ``subject_iin`` consented at the desk, identified by the identity
    document shown in the original (kept on ``findings``), and the queries to ask under it."""
    signed = await attest(credentials, subject_iin=subject_iin, requester=CENTER, identified_by="document")
    findings.consents.append(
        {"subject_iin": subject_iin, "role": role, "identified_by": "document", "reference": reference(signed)}
    )
    return _Asker(registries, signed, operator_iin, issue)


def _living(person: dict[str, Any], *, role: str) -> dict[str, Any]:
    """Condition 1: the person is in the individuals database, and alive; Process 4 otherwise."""
    if not person.get("alive", False):
        raise AppError(
            "PERSON_NOT_FOUND",
            {
                "iin": person.get("iin"),
                "role": role,
                "process": "§19 Process 4",
                "reason": "the individuals database records a death",
            },
        )
    return person


async def _person_of(asker: _Asker, iin: str, *, role: str) -> dict[str, Any]:
    try:
        return _living(await asker.person(iin), role=role)
    except AppError as error:
        if error.code == "PERSON_NOT_FOUND":
            raise AppError(
                "PERSON_NOT_FOUND",
                {
                    "iin": iin,
                    "role": role,
                    "process": "§19 Process 4",
                    "reason": "no such person in the individuals database",
                },
            ) from None
        raise


def _named(person: dict[str, Any]) -> dict[str, Any]:
    """A person as the forms name them (`shared.housing.center.Person`), with the birth date."""
    keys = ("iin", "surname", "given_name", "patronymic", "birth_date")
    return {k: person.get(k) for k in keys}


async def look_up(
    *,
    registries: RegistryClient,
    credentials: SignerSource,
    row: Intake,
    operator_iin: str,
    findings: Findings,
    today: date,
) -> Findings:
    """Process 3 and Condition 1 for the CHECKING intake ``row`` (read before, no session held), filling
    ``findings``; raises the Process 4 code (PERSON_NOT_FOUND, POA_NOT_FOUND, POA_EXPIRED, POA_REVOKED),
    POA_NOT_APPLICABLE, VALIDATION_FAILED, or the registries' outage (UPSTREAM_TIMEOUT, …)."""

    async def consented(subject_iin: str, role: str) -> _Asker:
        return await _consent(
            credentials,
            findings,
            subject_iin=subject_iin,
            role=role,
            registries=registries,
            operator_iin=operator_iin,
            issue=row.application_id,
        )

    if row.representative is not None:
        representative_iin = row.representative["iin"]
        asker = await consented(representative_iin, "representative")
        representative = _named(await _person_of(asker, representative_iin, role="representative"))
        representative["power_of_attorney"] = await _power_of_attorney(
            asker,
            row.representative["power_of_attorney"],
            recipient=row.recipient_iin,
            representative=representative_iin,
            today=today,
        )
        findings.representative = representative
    asker = await consented(row.recipient_iin, "recipient")
    person = await _person_of(asker, row.recipient_iin, role="recipient")
    district = row.district or (person.get("address") or {}).get("district")
    if district not in DISTRICT_BY_CODE:
        raise _invalid(
            "district",
            "the individuals database has no address of the recipient in the Karaganda region: name the city or "
            "district (shared.geo code) whose housing department decides",
        )
    alive, dead = prefill.relatives_to_ask(person)
    social, employment, emergency, own_events, relatives, dead_events = await asyncio.gather(
        asker.result("social-status", {"iin": row.recipient_iin}),
        asker.result("employment", {"iin": row.recipient_iin}),
        asker.result("emergency-dwellings", {"iin": row.recipient_iin}),
        asker.result("civil-status", {"iin": row.recipient_iin}),
        asker.many("person", alive),
        asker.many("civil-status", dead),
    )
    household = prefill.household(person, {r["iin"]: r for r in relatives}, today)
    household_events = await asker.many("civil-status", [m["iin"] for m in household])
    events = family_events(
        applicant=row.recipient_iin,
        household={m["iin"]: m["relation"] for m in household},
        relatives=person.get("family", []),
        records=[e for answer in (own_events, *household_events, *dead_events) for e in answer.get("events", [])],
    )
    known = prefill.categories(social, employment, emergency)
    categories = domain.declared(row.declared, known.categories)
    groups = known.vulnerable_groups if "vulnerable" in categories else []
    jobs = known.employment_categories if "employee" in categories else []
    items = rules.checklist(categories=categories, vulnerable_groups=groups, civil_events=events)
    findings.recipient = {**_named(person), "address": _address(person, district)}
    findings.district = district
    findings.facts = {
        "categories": categories,
        "vulnerable_groups": groups,
        "employment_categories": jobs,
        "household": household,
        "civil_events": [{"kind": e.kind, "registered_on": e.registered_on.isoformat()} for e in events],
    }
    findings.checklist = [asdict(item) for item in items]
    return findings


def _address(person: dict[str, Any], district: str) -> dict[str, Any]:
    address = person.get("address") or {}
    return {
        "locality": address.get("locality") or DISTRICT_BY_CODE[district].centre,
        "district": district,
        "address": address.get("address") or "",
    }


async def _power_of_attorney(
    asker: _Asker, typed: dict[str, Any], *, recipient: str, representative: str, today: date
) -> dict[str, Any]:
    """R24, R25: a notarised power of attorney from БНАЖ (its refusals as they come), then its fit; one
    certified otherwise as typed."""
    number = typed["number"]
    if typed["kind"] == "notarised":
        try:
            answer = await asker.result("power-of-attorney", {"number": number})
        except AppError as error:
            if error.code != "CONSENT_NOT_APPLICABLE":
                raise
            # The registries answer about a power of attorney only its attorney (or principal): this one is
            # neither the representative's nor, as asked, theirs to rely on.
            raise AppError(
                "POA_NOT_APPLICABLE",
                {"number": number, "reasons": ["the power of attorney is not given to the representative"]},
            ) from None
        reasons = domain.notarised_misfit(answer, recipient=recipient, representative=representative)
        if reasons:
            raise AppError("POA_NOT_APPLICABLE", {"number": number, "reasons": reasons, "process": "§19 Process 4"})
        keep = ("number", "issued_on", "valid_until", "notary")
        return {"kind": "notarised", **{k: answer.get(k) for k in keep}}
    misfit = domain.typed_misfit(
        issued_on=date.fromisoformat(typed["issued_on"]),
        valid_until=date.fromisoformat(typed["valid_until"]),
        certified_by=typed.get("certified_by", ""),
        today=today,
    )
    if misfit is not None:
        code, reason = misfit
        raise AppError(code, {"number": number, "reason": reason})
    return typed


async def record_findings(
    session: AsyncSession, *, branch: str, intake_id: str, findings: Findings, now: datetime
) -> Intake:
    """Condition 1 passed: the intake is OPEN with what the registries answered."""
    row = await get_intake(session, branch=branch, intake_id=intake_id, lock=True)
    _require_state(row, "CHECKING")
    row.state, row.consents = "OPEN", findings.consents
    row.recipient, row.district, row.facts, row.checklist = (
        findings.recipient,
        findings.district,
        findings.facts,
        findings.checklist,
    )
    if findings.representative is not None:
        row.representative = findings.representative
    row.updated_at = now
    session.add(row)
    return row


async def record_unavailable(
    session: AsyncSession, *, branch: str, intake_id: str, findings: Findings, error: AppError, now: datetime
) -> Intake:
    """Process 4 (or the registries did not answer): the intake is UNAVAILABLE with the code; the consent
    and the attestations made stay recorded."""
    row = await get_intake(session, branch=branch, intake_id=intake_id, lock=True)
    _require_state(row, "CHECKING")
    row.state, row.consents, row.updated_at = "UNAVAILABLE", findings.consents, now
    row.error = {"code": error.code, "details": error.details, "process_4": error.code in domain.PROCESS_4_CODES}
    session.add(row)
    log.info("Process 4: the data cannot be obtained", intake=row.id, code=error.code)
    return row


# --- 3. Process 5 ---------------------------------------------------------------------------------------


def items_of(row: Intake) -> list[rules.Item]:
    return [rules.Item(**item) for item in row.checklist or []]


def missing_of(row: Intake) -> list[rules.Item]:
    """The checklist's documents not presented (the Annex 5 list)."""
    return rules.missing(items_of(row), row.presented)


async def mark(
    session: AsyncSession,
    *,
    branch: str,
    intake_id: str,
    presented: list[str],
    scans: list[dict[str, Any]],
    now: datetime,
) -> Intake:
    """Process 5: what the operator marked as presented on paper, and the scans (each presented document
    scanned, no scan without it: VALIDATION_FAILED); it replaces the marking before, and the drafts made on it."""
    row = await get_intake(session, branch=branch, intake_id=intake_id, lock=True)
    _require_state(row, "OPEN")
    errors = domain.marking_errors(domain.Marking(tuple(presented), tuple(s["kind"] for s in scans)))
    if errors:
        raise AppError("VALIDATION_FAILED", {"errors": [{"loc": ["body", "presented"], "msg": e} for e in errors]})
    row.presented, row.scans = list(dict.fromkeys(presented)), scans
    row.refusal_draft, row.application_draft, row.updated_at = None, None, now
    session.add(row)
    return row


# --- the documents' parts -------------------------------------------------------------------------------


def _person(data: dict[str, Any], *, address: bool) -> center.Person:
    values = {k: data.get(k) for k in ("iin", "surname", "given_name", "patronymic")}
    return center.Person(**values, address=data.get("address") if address else None)


def branch_document(code: str) -> center.Branch:
    """The branch as the Center's documents name it."""
    branch = BRANCH_BY_CODE[code]
    return center.Branch(
        bin=branch.bin, branch=branch.name_kk, department=str(branch.department), address=branch.address
    )


def _operator(account: OperatorAccount) -> center.Operator:
    return center.Operator(
        login=account.login, iin=account.iin, name=account.full_name or account.login, telephone=CONTACT_TELEPHONE
    )


def _author(account: OperatorAccount) -> dict[str, str]:
    return {"iin": account.iin, "bin": CENTER.bin}


def _documents(items: list[rules.Item]) -> list[center.MissingDocument]:
    return [center.MissingDocument(kind=i.kind, name=i.name, paragraph=i.paragraph) for i in items]


def presented_items(row: Intake) -> list[rules.Item]:
    """The documents presented, the checklist's first (in its order), then any others."""
    listed = {i.kind: i for i in items_of(row)}
    others = [
        rules.Item(kind, rules.NAMES_KK.get(kind, kind), False, "presented", "§14.1")
        for kind in row.presented
        if kind not in listed
    ]
    return [i for kind, i in listed.items() if kind in row.presented] + others


# --- 4. §16: the refusal to accept (Annex 5) --------------------------------------------------------------


async def refusal_draft(
    session: AsyncSession, *, account: OperatorAccount, intake_id: str, now: datetime
) -> dict[str, Any]:
    """The Annex 5 receipt for the operator to sign: exactly the documents not presented; CONFLICT when
    none is missing (or the intake is not open)."""
    row = await get_intake(session, branch=account.branch, intake_id=intake_id, lock=True)
    _require_state(row, "OPEN")
    missing = _documents(missing_of(row))
    if not missing:
        raise AppError("CONFLICT", {"reason": "every document of the checklist was presented: nothing to refuse"})
    branch = branch_document(row.branch)
    assert row.recipient is not None
    document = center.CenterRefusal(
        author=_author(account),
        created_at=now.replace(microsecond=0),
        recipient=_person(row.recipient, address=True),
        representative=_person(row.representative, address=False) if row.representative else None,
        branch=branch,
        missing=missing,
        text=center.refusal_text(branch, missing),
        operator=_operator(account),
        refused_on=local_day(now),
    )
    row.refusal_draft, row.updated_at = document.to_json(), now
    session.add(row)
    return row.refusal_draft


async def refuse(
    session: AsyncSession,
    *,
    account: OperatorAccount,
    intake_id: str,
    verified: Verified[center.CenterRefusal],
    now: datetime,
) -> Intake:
    """§16: the operator's signed Annex 5 receipt, exactly the draft; the intake REFUSED and the journal's
    entry. Nothing is sent to the provider (nor anywhere: the refusal is the Center's)."""
    row = await get_intake(session, branch=account.branch, intake_id=intake_id, lock=True)
    _require_state(row, "OPEN")
    check_signed(verified, account, row.refusal_draft)
    row.refusal_signed, row.refused_at, row.state, row.updated_at = dict(verified.signed), now, "REFUSED", now
    row.journal_number = await _journal(
        session, row, kind="refused", account=account, document_id=verified.document.id, now=now
    )
    session.add(row)
    log.info(
        "§16: documents refused at the Center",
        intake=row.id,
        journal=row.journal_number,
        missing=len(verified.document.missing),
    )
    return row


# --- 5. Process 6: the application, its acceptance and the receipt ---------------------------------------


async def application_draft(
    session: AsyncSession, *, account: OperatorAccount, intake_id: str, now: datetime
) -> dict[str, Any]:
    """The Annex 3 application for the operator to sign (channel ``center``); CONFLICT while a document of
    the checklist is missing (or the intake is not open)."""
    row = await get_intake(session, branch=account.branch, intake_id=intake_id, lock=True)
    _require_state(row, "OPEN")
    missing = missing_of(row)
    if missing:
        raise AppError(
            "CONFLICT",
            {
                "reason": "the set of documents is incomplete (§16: refuse, or mark them)",
                "missing": [i.kind for i in missing],
            },
        )
    assert row.recipient is not None and row.facts is not None
    representative = row.representative
    values = {
        "id": row.application_id,
        "created_at": now.replace(microsecond=0),
        "author": _author(account),
        "channel": "center",
        "district": row.district,
        "applicant": {k: row.recipient.get(k) for k in ("iin", "surname", "given_name", "patronymic", "address")},
        "categories": row.facts["categories"],
        "vulnerable_groups": row.facts["vulnerable_groups"],
        "employment_categories": row.facts["employment_categories"],
        "household": row.facts["household"],
        "consents": {"communal_fund_check": True, "legally_protected_information": True},
        "attachments": row.scans,
        "representative": (
            {"iin": representative["iin"], "power_of_attorney": representative["power_of_attorney"]["number"]}
            if representative
            else None
        ),
    }
    try:
        document = ApplicationDocument.model_validate(values).to_json()
    except ValidationError as exc:
        errors = [{"loc": list(map(str, e["loc"])), "msg": e["msg"]} for e in exc.errors()]
        raise AppError("VALIDATION_FAILED", {"errors": errors}) from None
    row.application_draft, row.updated_at = document, now
    session.add(row)
    return document


async def accept(
    session: AsyncSession,
    *,
    account: OperatorAccount,
    intake_id: str,
    verified: Verified[ApplicationDocument],
    now: datetime,
) -> Intake:
    """Process 6 and Annex 1 step 1: the operator's signed application, exactly the draft, sent through the
    outbox (``document.submitted``) in this transaction; the journal's entry; the acceptance receipt to sign
    with the day the result is ready (§12 item 2); §13's time from the start. DUPLICATE_APPLICATION when the
    recipient's Center application became active meanwhile. Raises IntegrityError when another desk's
    acceptance of the same recipient (or the journal's first entry of the year) committed first."""
    row = await get_intake(session, branch=account.branch, intake_id=intake_id, lock=True)
    _require_state(row, "OPEN")
    check_signed(verified, account, row.application_draft)
    active = await active_application(session, recipient_iin=row.recipient_iin)
    if active is not None:
        raise AppError("DUPLICATE_APPLICATION", {"application_id": active.application_id, "status": active.status})
    application, signed = verified.document, dict(verified.signed)
    took = domain.acceptance_time(row.started_at, now)
    row.state, row.application_signed, row.accepted_at, row.accepted_by = "ACCEPTED", signed, now, account.login
    row.result_ready_on, row.acceptance_s, row.acceptance_within_limit = (
        result_ready_on(now),
        took.seconds,
        took.within_limit,
    )
    row.active_for, row.status, row.status_at, row.updated_at = row.recipient_iin, "SUBMITTED", now, now
    receipt_id = str(uuid.uuid4())
    row.journal_number = await _journal(session, row, kind="accepted", account=account, document_id=receipt_id, now=now)
    row.receipt_draft = _receipt(row, account, receipt_id=receipt_id, now=now).to_json()
    session.add(row)
    session.add(IntakeEvent(intake_id=row.id, status="SUBMITTED", at=now, details={"journal": row.journal_number}))
    enqueue(
        session,
        Envelope(
            correlation_id=application.id,
            message_type=SUBMITTED,
            sender=CENTER.address,
            user_id=user_id(account.iin),
            represented_party=user_id(row.recipient_iin),
            issue=application.id,
            document=signed,
        ),
        SUBMITTED,
    )
    if not took.within_limit:
        log.warning(
            ACCEPTANCE_ALERT,
            intake=row.id,
            branch=row.branch,
            took_s=took.seconds,
            limit_s=int(domain.ACCEPTANCE_LIMIT.total_seconds()),
        )
    log.info(
        "Process 6: application accepted and sent to the regional gateway",
        intake=row.id,
        issue=application.id,
        journal=row.journal_number,
    )
    return row


def _receipt(row: Intake, account: OperatorAccount, *, receipt_id: str, now: datetime) -> center.CenterReceipt:
    assert row.recipient is not None and row.journal_number is not None and row.result_ready_on is not None
    representative = row.representative
    return center.CenterReceipt(
        id=receipt_id,
        author=_author(account),
        created_at=now.replace(microsecond=0),
        number=row.journal_number,
        application_id=row.application_id,
        recipient=_person(row.recipient, address=True),
        representative=_person(representative, address=False) if representative else None,
        power_of_attorney=representative["power_of_attorney"]["number"] if representative else None,
        branch=branch_document(row.branch),
        documents=_documents(presented_items(row)),
        accepted_at=now,
        result_ready_on=row.result_ready_on,
        operator=_operator(account),
    )


async def sign_receipt(
    session: AsyncSession,
    *,
    account: OperatorAccount,
    intake_id: str,
    verified: Verified[center.CenterReceipt],
    now: datetime,
) -> Intake:
    """The acceptance receipt, signed by the operator exactly as drafted at acceptance; the same signed
    receipt again is taken as it is, another one after it is CONFLICT."""
    row = await get_intake(session, branch=account.branch, intake_id=intake_id, lock=True)
    _require_state(row, "ACCEPTED")
    if row.receipt_signed is not None:
        if row.receipt_signed == dict(verified.signed):
            return row
        raise AppError("CONFLICT", {"reason": "the receipt is signed already"})
    check_signed(verified, account, row.receipt_draft)
    row.receipt_signed, row.updated_at = dict(verified.signed), now
    session.add(row)
    return row


async def _journal(
    session: AsyncSession, row: Intake, *, kind: str, account: OperatorAccount, document_id: str, now: datetime
) -> str:
    """The branch's next journal entry (Annex 1 step 1) for ``row``; the counter is locked until the
    transaction ends."""
    year = local_day(now).year
    counter = await session.get(JournalCounter, (row.branch, year), with_for_update=True)
    if counter is None:
        counter = JournalCounter(branch=row.branch, year=year, last=0)
    counter.last += 1
    session.add(counter)
    number = domain.journal_number(row.branch, year, counter.last)
    session.add(
        JournalEntry(
            number=number,
            branch=row.branch,
            year=year,
            sequence=counter.last,
            kind=kind,
            intake_id=row.id,
            application_id=row.application_id if kind == "accepted" else None,
            recipient_iin=row.recipient_iin,
            operator=account.login,
            at=now,
            document_id=document_id,
        )
    )
    return number


async def journal(session: AsyncSession, *, branch: str, limit: int) -> list[JournalEntry]:
    """The branch's journal, the newest entry first."""
    query = select(JournalEntry).where(JournalEntry.branch == branch)
    return list(
        (
            await session.exec(
                query.order_by(col(JournalEntry.at).desc(), col(JournalEntry.sequence).desc()).limit(limit)
            )
        ).all()
    )
