"""Annex 1 steps 4–9 as the staff do them (architecture §10), on domain/steps.py's state machine:
the head's resolution, the specialist's preparation, the housing commission's meeting and protocol,
the draft result, the head's signature, the dispatch (Process 8). Each action:

1. who: the caller's account (active, of the case's district — another district's case is NOT_FOUND),
   the step's role (FORBIDDEN otherwise: a specialist never signs as the head), at the executor's steps
   the executor the resolution named;
2. what was signed, verified before any transaction (the verifier may ask the NCA): the caller's own
   employee SIGN certificate — the department's BIN, the IIN of their account — over exactly the
   document this step expects (EDS_IIN_MISMATCH / EDS_PURPOSE_INVALID / the verifier's code otherwise);
3. in one transaction, with the case row locked: the case is at this step (CONFLICT otherwise: two
   heads cannot both resolve it), the step's record (`CaseStep`: who, when, the signed document or the
   decision), the next step, and the messages the citizen hears (a signed status, at step 9 the signed
   result) through the outbox.

Times come from the caller's clock (the app's, injectable), so that due times and overdue are tested on
2014 and 2026 dates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.provider import cases
from services.provider.domain import commission, steps
from services.provider.domain.lists import QueueKey
from services.provider.models import Case, CaseStep, Meeting, MeetingCounter, StaffAccount
from shared.bus.outbox import enqueue
from shared.calendar import center_delivery_day, local_day, term_end
from shared.eds.document import Author, EDocument
from shared.eds.jcs import canonical
from shared.eds.signing import Signer, b64url
from shared.eds.verify import Verified
from shared.errors import AppError
from shared.housing.decisions import (
    MAX_AGENDA,
    NOTIFICATION_TYPE,
    REFUSAL_TYPE,
    CaseDecision,
    Executor,
    Member,
    NotificationDocument,
    ProtocolDocument,
    ProtocolRef,
    RefusalDocument,
    ResolutionDocument,
)
from shared.housing.messages import CASE_RESULT
from shared.participants import PROVIDER

RESULT_MODELS: dict[str, type[NotificationDocument] | type[RefusalDocument]] = {
    NOTIFICATION_TYPE: NotificationDocument,
    REFUSAL_TYPE: RefusalDocument,
}


# --- who ---------------------------------------------------------------------------------------------


async def account_of(session: AsyncSession, login: str) -> StaffAccount:
    """The caller's account; UNAUTHORIZED when it is gone or inactive (a token outlives neither)."""
    account = await session.get(StaffAccount, login)
    if account is None or not account.active:
        raise AppError("UNAUTHORIZED", {"reason": "the account is no longer active"})
    return account


def may_act(account: StaffAccount, step: int) -> None:
    """FORBIDDEN unless ``account``'s role acts at ``step``."""
    actor = steps.actor_of(step)
    if account.role != actor:
        raise AppError("FORBIDDEN", {"reason": f"step {step} is the {actor}'s, not the {account.role}'s", "step": step})


async def district_people(session: AsyncSession, district: str, role: str) -> list[StaffAccount]:
    query = select(StaffAccount).where(
        StaffAccount.district == district, StaffAccount.role == role, col(StaffAccount.active).is_(True)
    )
    return list((await session.exec(query.order_by(col(StaffAccount.login)))).all())


async def head_of(session: AsyncSession, district: str) -> StaffAccount:
    heads = await district_people(session, district, "head")
    if not heads or not heads[0].iin:
        raise AppError("CONFLICT", {"reason": "the district's department has no head to sign the result"})
    return heads[0]


# --- what was signed ---------------------------------------------------------------------------------


def check_signer(verified: Verified[Any], account: StaffAccount, *, index: int = 0) -> None:
    """The signature at ``index`` is ``account``'s own employee certificate with the department's BIN."""
    info = verified.signatures[index]
    if info.holder != "employee" or info.bin != PROVIDER.bin:
        raise AppError(
            "EDS_PURPOSE_INVALID",
            {"reason": "staff sign with an employee certificate of the department's BIN", "bin": info.bin},
        )
    if account.iin is None or info.iin != account.iin:
        raise AppError(
            "EDS_IIN_MISMATCH",
            {"reason": "signed with another person's certificate", "certificate": info.iin, "login": account.login},
        )


def same_payload(signed: Any, document: dict[str, Any]) -> None:
    """VALIDATION_FAILED unless ``signed`` signs exactly ``document`` (its JCS bytes)."""
    if not isinstance(signed, dict) or signed.get("payload") != b64url(canonical(document)):
        raise AppError("VALIDATION_FAILED", {"reason": "the signed document is not the one this step expects"})


# --- the case -----------------------------------------------------------------------------------------


async def find_case(session: AsyncSession, *, district: str, number: str) -> Case:
    """``district``'s case ``number`` (read, not locked); NOT_FOUND otherwise."""
    case = (await session.exec(select(Case).where(Case.number == number, Case.district == district))).first()
    if case is None:
        raise AppError("NOT_FOUND", {"case": number})
    return case


async def locked_case(session: AsyncSession, *, district: str, number: str) -> Case:
    query = select(Case).where(Case.number == number, Case.district == district).with_for_update()
    case = (await session.exec(query)).first()
    if case is None:
        raise AppError("NOT_FOUND", {"case": number})
    return case


def at_step(case: Case, step: int, account: StaffAccount) -> None:
    """CONFLICT unless ``case`` waits at ``step``; FORBIDDEN at an executor's step for another specialist."""
    if case.step != step:
        where = f"step {case.step}" if case.step is not None else "no step: it is closed"
        raise AppError("CONFLICT", {"reason": f"the case waits at {where}", "step": case.step, "expected": step})
    if steps.actor_of(step) == "specialist" and case.executor and case.executor != account.login:
        raise AppError("FORBIDDEN", {"reason": "the case's executor is another specialist", "executor": case.executor})


def advance(session: AsyncSession, case: Case, step: int, *, actor: str, now: datetime, **record: Any) -> None:
    """Record ``step`` as completed and make the case wait at the next one."""
    session.add(CaseStep(case_id=case.id, step=step, actor=actor, at=now, **record))
    case.step = steps.complete(step, steps.actor_of(step))
    case.step_since = now if case.step is not None else None
    case.updated_at = now
    session.add(case)


async def case_steps(session: AsyncSession, case_id: str) -> list[CaseStep]:
    query = select(CaseStep).where(CaseStep.case_id == case_id).order_by(col(CaseStep.id))
    return list((await session.exec(query)).all())


# --- step 4: the head's resolution ------------------------------------------------------------------------


async def resolution_draft(
    session: AsyncSession, *, member: str, number: str, executor: str | None
) -> ResolutionDocument:
    """The resolution for the head to sign: the case to ``executor`` (default: the district's first
    specialist)."""
    head = await account_of(session, member)
    may_act(head, 4)
    case = await find_case(session, district=head.district, number=number)
    at_step(case, 4, head)
    specialist = await _specialist(session, head.district, executor)
    return ResolutionDocument(
        author=Author(iin=head.iin, bin=PROVIDER.bin),
        case_number=case.number,
        application_id=case.application_id,
        executor=Executor(login=specialist.login, iin=specialist.iin or ""),
    )


async def _specialist(session: AsyncSession, district: str, login: str | None) -> StaffAccount:
    specialists = await district_people(session, district, "specialist")
    chosen = [s for s in specialists if login is None or s.login == login]
    if not chosen or not chosen[0].iin:
        raise AppError(
            "VALIDATION_FAILED", {"reason": "the executor is a specialist of this district", "executor": login}
        )
    return chosen[0]


async def resolve(
    session: AsyncSession,
    *,
    member: str,
    number: str,
    verified: Verified[ResolutionDocument],
    now: datetime,
    signer: Signer,
) -> Case:
    """Step 4: the head's signed resolution assigns the executor; the citizen's status becomes IN_REVIEW."""
    head = await account_of(session, member)
    may_act(head, 4)
    check_signer(verified, head)
    resolution = verified.document
    case = await locked_case(session, district=head.district, number=number)
    at_step(case, 4, head)
    if resolution.case_number != case.number or resolution.application_id != case.application_id:
        raise AppError("VALIDATION_FAILED", {"reason": "the resolution is about another case"})
    specialist = await _specialist(session, head.district, resolution.executor.login)
    if specialist.iin != resolution.executor.iin:
        raise AppError("VALIDATION_FAILED", {"reason": "the executor's IIN is not the specialist's"})
    case.executor = specialist.login
    advance(session, case, 4, actor=head.login, now=now, document=dict(verified.signed))
    await cases.change_status(
        session, case=case, status="IN_REVIEW", actor=head.login, reason=None, now=now, signer=signer
    )
    return case


# --- step 5: preparation --------------------------------------------------------------------------------


async def prepare(session: AsyncSession, *, member: str, number: str, overrides: dict[str, Any], now: datetime) -> Case:
    """Step 5: the executor puts the case to the commission with a proposal (the suggestion from §15 and
    the lists, with the executor's choices in place)."""
    specialist = await account_of(session, member)
    may_act(specialist, 5)
    case = await locked_case(session, district=specialist.district, number=number)
    at_step(case, 5, specialist)
    try:
        proposal = commission.proposal_of(commission.suggest(case.assessment), overrides)
    except commission.ProposalInvalid as exc:
        raise AppError("VALIDATION_FAILED", {"reason": str(exc)}) from None
    case.proposal = proposal
    advance(session, case, 5, actor=specialist.login, now=now, note=proposal)
    return case


# --- step 6: the commission ------------------------------------------------------------------------------


async def commission_of(session: AsyncSession, district: str) -> list[StaffAccount]:
    return [m for m in await district_people(session, district, "commission") if m.iin]


async def next_meeting_number(session: AsyncSession, *, district: str, year: int) -> str:
    counter = await session.get(MeetingCounter, (district, year), with_for_update=True)
    if counter is None:
        counter = MeetingCounter(district=district, year=year, last=0)
    counter.last += 1
    session.add(counter)
    return f"ТК-{district}-{year}-{counter.last:03d}"


async def hold_meeting(
    session: AsyncSession,
    *,
    member: str,
    present: list[str],
    agenda: list[str] | None,
    overrides: list[dict[str, Any]],
    now: datetime,
) -> Meeting:
    """Open a meeting of the caller's commission (its chair or secretary): the members ``present`` (a
    quorum, the chair among them), the agenda (the given cases, or the `MAX_AGENDA` oldest cases waiting
    for the commission that are on no other meeting), the protocol with a decision per case (the
    proposal, or the commission's own in ``overrides``) for the members to sign."""
    caller = await account_of(session, member)
    if caller.role != "commission" or caller.position not in ("chair", "secretary"):
        raise AppError("FORBIDDEN", {"reason": "the commission's chair or secretary convenes a meeting"})
    members = await commission_of(session, caller.district)
    by_login = {m.login: m for m in members}
    chair = next((m.login for m in members if m.position == "chair"), None)
    try:
        commission.check_quorum(present, {m.login: m.position or "member" for m in members}, chair)
    except commission.ProposalInvalid as exc:
        raise AppError("VALIDATION_FAILED", {"reason": str(exc)}) from None
    query = select(Case).where(Case.district == caller.district, Case.step == 6, col(Case.meeting_id).is_(None))
    if agenda:
        query = select(Case).where(Case.district == caller.district, col(Case.number).in_(agenda))
    query = query.order_by(col(Case.registered_at)).limit(MAX_AGENDA)  # the oldest first; more wait for the next
    on_agenda = list((await session.exec(query.with_for_update())).all())
    if agenda:
        found = {c.number for c in on_agenda}
        unknown = [n for n in agenda if n not in found]
        if unknown:
            raise AppError("NOT_FOUND", {"cases": unknown})
        waiting = [c.number for c in on_agenda if c.step != 6 or c.meeting_id is not None]
        if waiting:
            raise AppError(
                "CONFLICT", {"reason": "not waiting for the commission, or on another meeting", "cases": waiting}
            )
    if not on_agenda:
        raise AppError("CONFLICT", {"reason": "no case waits for the commission"})
    by_case = {o.get("case_number"): o for o in overrides}
    decisions = []
    for case in on_agenda:
        try:
            decided = commission.proposal_of(case.proposal or {}, _decision_fields(by_case.get(case.number, {})))
        except commission.ProposalInvalid as exc:
            raise AppError("VALIDATION_FAILED", {"reason": str(exc), "case": case.number}) from None
        decisions.append(CaseDecision(case_number=case.number, application_id=case.application_id, **decided))
    ordered = [chair or ""] + [p for p in present if p != chair]
    meeting_id = str(uuid.uuid4())
    document = ProtocolDocument(
        author=Author(iin=by_login[ordered[0]].iin, bin=PROVIDER.bin),
        number=await next_meeting_number(session, district=caller.district, year=local_day(now).year),
        district=caller.district,
        held_at=now,
        members=[Member(iin=m.iin or "", name=m.full_name[:200], position=_position(m)) for m in members],
        present=[by_login[p].iin or "" for p in ordered],
        quorum=commission.quorum(len(members)),
        decisions=decisions,
    )
    meeting = Meeting(
        id=meeting_id,
        number=document.number,
        district=caller.district,
        held_at=now,
        created_by=caller.login,
        status="signing",
        present=ordered,
        agenda=[c.number for c in on_agenda],
        document=document.to_json(),
    )
    session.add(meeting)
    for case in on_agenda:
        case.meeting_id = meeting_id
        session.add(case)
    return meeting


def _position(account: StaffAccount) -> Any:
    return account.position if account.position in ("chair", "secretary") else "member"


def _decision_fields(override: dict[str, Any]) -> dict[str, Any]:
    return {k: override.get(k) for k in ("decision", "waiting_list", "grounds", "reasons")}


async def locked_meeting(session: AsyncSession, *, district: str, meeting_id: str) -> Meeting:
    query = select(Meeting).where(Meeting.id == meeting_id, Meeting.district == district).with_for_update()
    meeting = (await session.exec(query)).first()
    if meeting is None:
        raise AppError("NOT_FOUND", {"meeting": meeting_id})
    return meeting


def awaiting_signatures(meeting: Meeting) -> list[str]:
    """The members present who have not signed yet, in the order they sign (the chair first)."""
    return [p for p in meeting.present if p not in meeting.signed_by]


def check_countersignature(meeting: Meeting, signed: Any, caller: str) -> None:
    """The posted protocol is the meeting's, with the signatures so far as they are and one more:
    the chair's first, as the author; then each other member's, as approval. CONFLICT when it was made
    on an older state of the protocol, or it is not the caller's turn."""
    same_payload(signed, meeting.document)
    awaiting = awaiting_signatures(meeting)
    if meeting.status != "signing" or caller not in awaiting:
        raise AppError("CONFLICT", {"reason": "not awaiting your signature", "awaiting": awaiting})
    if not meeting.signed_by and caller != meeting.present[0]:
        raise AppError("CONFLICT", {"reason": "the chair signs the protocol first", "awaiting": awaiting[:1]})
    before = list((meeting.signed or {}).get("signatures", []))
    posted = signed.get("signatures") if isinstance(signed, dict) else None
    if not isinstance(posted, list) or len(posted) != len(before) + 1 or posted[: len(before)] != before:
        raise AppError("CONFLICT", {"reason": "countersign the protocol as it stands now (GET the meeting again)"})


async def sign_protocol(
    session: AsyncSession,
    *,
    member: str,
    meeting_id: str,
    verified: Verified[ProtocolDocument],
    now: datetime,
) -> Meeting:
    """A member present signs the protocol; with the last signature the meeting's decisions take effect:
    every case on its agenda moves to step 7 with its decision and the protocol."""
    account = await account_of(session, member)
    if account.role != "commission":
        raise AppError("FORBIDDEN", {"reason": "the commission's members sign its protocol"})
    check_signer(verified, account, index=len(verified.signatures) - 1)
    meeting = await locked_meeting(session, district=account.district, meeting_id=meeting_id)
    check_countersignature(meeting, verified.signed, account.login)
    meeting.signed = dict(verified.signed)
    meeting.signed_by = [*meeting.signed_by, account.login]
    if not awaiting_signatures(meeting):
        meeting.status = "signed"
        await _decide(session, meeting, now=now)
    session.add(meeting)
    return meeting


async def _decide(session: AsyncSession, meeting: Meeting, *, now: datetime) -> None:
    protocol = ProtocolDocument.model_validate(meeting.document)
    reference = ProtocolRef(id=meeting.id, number=meeting.number, held_at=meeting.held_at).model_dump(mode="json")
    for decided in protocol.decisions:
        case = await locked_case(session, district=meeting.district, number=decided.case_number)
        if case.step != 6 or case.meeting_id != meeting.id:
            raise AppError("CONFLICT", {"reason": "a case of the agenda no longer waits for this meeting"})
        case.decision = {**decided.model_dump(mode="json"), "protocol": reference}
        if decided.decision == "register" and decided.waiting_list is not None:
            case.waiting_list = decided.waiting_list.code
        advance(session, case, 6, actor=meeting.number, now=now, document=meeting.signed)


# --- steps 7–9: the result ---------------------------------------------------------------------------------


async def draft_result(session: AsyncSession, *, member: str, number: str, now: datetime) -> Case:
    """Step 7: the executor drafts the notification or the reasoned refusal, in the head's name, from
    the commission's decision (or, for a Process 7 case, from step 3's reason); it is kept as the case's
    draft for the head to sign."""
    specialist = await account_of(session, member)
    may_act(specialist, 7)
    case = await locked_case(session, district=specialist.district, number=number)
    at_step(case, 7, specialist)
    head = await head_of(session, case.district)
    document = await _result_document(session, case, author=Author(iin=head.iin, bin=PROVIDER.bin), now=now)
    case.draft = document.to_json()
    if isinstance(document, NotificationDocument):
        case.queue_number = document.queue_number
    advance(session, case, 7, actor=specialist.login, now=now, note={"type": document.type, "id": document.id})
    return case


async def _result_document(session: AsyncSession, case: Case, *, author: Author, now: datetime) -> EDocument:
    common = {
        "author": author,
        "case_number": case.number,
        "application_id": case.application_id,
        "applicant_iin": case.applicant_iin,
        "district": case.district,
        "decided_on": local_day(now),
    }
    if case.status == "REFUSED_DOCUMENTS":
        first = await cases.first_status_reason(session, case.id)
        grounds, missing = commission.refusal_grounds_process7(first)
        return RefusalDocument(**common, grounds=grounds, missing_documents=missing, reasons="Process 7")
    if case.decision is None:
        raise AppError("CONFLICT", {"reason": "the commission has not decided the case"})
    protocol = ProtocolRef.model_validate(case.decision["protocol"])
    if case.decision["decision"] == "refuse":
        return RefusalDocument(
            **common, grounds=case.decision["grounds"], reasons=case.decision.get("reasons", ""), protocol=protocol
        )
    mine = QueueKey(case.registered_at, case.registration_number, case.application_id)
    others = await session.exec(
        select(Case).where(
            Case.district == case.district,
            Case.waiting_list == case.waiting_list,
            Case.id != case.id,
            Case.status != "REFUSED",
        )
    )
    ahead = [QueueKey(o.registered_at, o.registration_number, o.application_id) for o in others.all()]
    return NotificationDocument(
        **common,
        waiting_list=case.decision["waiting_list"],
        queue_number=commission.queue_number(mine, ahead),
        queued_at=case.registered_at,
        registration_number=case.registration_number,
        protocol=protocol,
    )


async def sign_result(
    session: AsyncSession, *, member: str, number: str, verified: Verified[Any], now: datetime
) -> Case:
    """Step 8: the head's signature on the draft, exactly as drafted."""
    head = await account_of(session, member)
    may_act(head, 8)
    check_signer(verified, head)
    case = await locked_case(session, district=head.district, number=number)
    at_step(case, 8, head)
    if case.draft is None:
        raise AppError("CONFLICT", {"reason": "no draft result to sign"})
    same_payload(verified.signed, case.draft)
    case.result = dict(verified.signed)
    advance(session, case, 8, actor=head.login, now=now, document=case.result)
    return case


async def dispatch(session: AsyncSession, *, member: str, number: str, now: datetime, signer: Signer) -> Case:
    """Step 9: the signed result goes to the regional gateway (which registers and relays it to the
    cabinet: Process 8) with the citizen's new status, QUEUED or REFUSED (a Process 7 case keeps its
    REFUSED_DOCUMENTS); the case is closed."""
    specialist = await account_of(session, member)
    may_act(specialist, 9)
    case = await locked_case(session, district=specialist.district, number=number)
    at_step(case, 9, specialist)
    if case.result is None or case.draft is None:
        raise AppError("CONFLICT", {"reason": "no signed result to dispatch"})
    enqueue(session, cases.envelope_about(case, CASE_RESULT, case.result))
    advance(session, case, 9, actor=specialist.login, now=now, note={"result": case.draft.get("id")})
    if case.status != "REFUSED_DOCUMENTS":
        status = "QUEUED" if case.draft.get("type") == NOTIFICATION_TYPE else "REFUSED"
        reason = {"queue_number": case.queue_number, "waiting_list": case.waiting_list} if status == "QUEUED" else None
        await cases.change_status(
            session, case=case, status=status, actor=specialist.login, reason=reason, now=now, signer=signer
        )
    return case


async def return_to_head(session: AsyncSession, *, member: str, number: str, error: AppError, now: datetime) -> Case:
    """Step 9 found the head's signature no longer valid (the certificate revoked or expired since step 8):
    the case goes back to the head to sign the draft again; nothing was sent."""
    specialist = await account_of(session, member)
    may_act(specialist, 9)
    case = await locked_case(session, district=specialist.district, number=number)
    at_step(case, 9, specialist)
    session.add(
        CaseStep(case_id=case.id, step=9, actor=specialist.login, at=now, note={"returned": error.code, "to_step": 8})
    )
    case.result, case.step, case.step_since, case.updated_at = None, 8, now, now
    session.add(case)
    return case


# --- the SLA view ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Due:
    """A case waiting at a step: when its step is due, whether it is overdue or due today, and §12's
    term for the whole service (``deliver_by``: the day the result is due to the citizen — for a Center
    request the working day before the term ends)."""

    case: Case
    due_at: datetime
    overdue: bool
    due_today: bool
    term_end: date
    deliver_by: date


def service_term(case: Case) -> tuple[date, date]:
    """§12: the term's last day, counted from the day the application was registered (Kazakhstan's day),
    and the day the result is due to the citizen."""
    if case.channel == "center":
        last = term_end(local_day(case.registered_at), channel="center")
        return last, center_delivery_day(last)
    last = term_end(local_day(case.registered_at), channel="portal")
    return last, last


def due_of(case: Case, now: datetime) -> Due | None:
    if case.step is None or case.step_since is None:
        return None
    at = steps.due_at(case.step, case.step_since)
    overdue = now > at
    return Due(case, at, overdue, not overdue and local_day(at) == local_day(now), *service_term(case))


async def open_cases(session: AsyncSession, *, district: str, now: datetime) -> list[Due]:
    """Every case of ``district`` waiting at a step, the most urgent first."""
    query = select(Case).where(Case.district == district, col(Case.step).is_not(None))
    found = [d for c in (await session.exec(query)).all() if (d := due_of(c, now)) is not None]
    return sorted(found, key=lambda d: (d.due_at, d.case.number))
