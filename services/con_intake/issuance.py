"""The results at the Center (§19 Process 9, §17, Annex 1 step 10, §14 item 1, Annex 4; architecture §11): the
service layer of `api/issuance.py`, on the custody of `domain/issuance.py`. A result is the one the handler kept
(`handlers.apply_result`: verified, in ``center_result``), named by its application's id; everything is of the
operator's branch, the branch of the intake that sent the application: another branch's result is NOT_FOUND.

1. **The results at the branch** (`list_results`, `get_result`): each with its intake — the recipient, the
   representative, the receipt's number and day (`result_ready_on`) — and whether it came by the provider's
   day (`provider_delivers_on`; later: flagged late).
2. **The window** (`issue`, §17): the person shows the acceptance receipt (its number is the intake's journal
   entry) and their identity document — the recipient's IIN, or the representative's the intake took the
   application from (FORBIDDEN otherwise, saying which field does not match); not before the result came
   (CONFLICT), once (CONFLICT after), and not while the provider holds it. The journal records it (an
   ``issued`` entry, numbered with the branch's acceptances and refusals); the answer is the citizen's copy of
   the signed result, as the head signed it and the gateway stamped it.
3. **Unclaimed results** (`unclaimed`, `register_draft`, `hand_over`; §14 item 1): a result still at the branch
   on `unclaimed_from(result_ready_on)` is unclaimed. The branch's head drafts the Annex 4 register of one
   district's unclaimed results (`shared.housing.center.UnclaimedRegister`: No., the identifier — the
   application's registration number at the gateway — the recipient's full name, the service, the date
   accepted, the planned date of issue, the documents; the total; handed over by the head) and signs it with
   their own employee certificate of the Center's BIN, exactly the draft (`intake.check_signed`); signed, its
   results are WITH_PROVIDER, kept here as records. A result issued (or handed over) since the draft makes the
   signature CONFLICT: draft again. Signed, the register goes to the district's authorized body
   (``handover.<district>``, `registers.handover`), whose answer names who accepted it (`registers.apply_ack`).
4. **The late recall** (`recall`; §14 item 1): a recipient who comes after the result was handed over shows the
   receipt as at the window; the request is recorded with the day the Center asks the provider by
   (`recall_asked_by`) and the day the provider sends it back by (`recall_returned_by`), and sent to the provider
   at once, signed by the Center's system. The provider's signed answer brings it back (RETURNED, in time or not:
   `registers.apply_ack`); the result is issued at the window next.

Times come from the app's clock (``app.state.clock``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.con_intake import intake as intakes
from services.con_intake import registers as handovers
from services.con_intake.domain import intake as intake_rules
from services.con_intake.domain import issuance as domain
from services.con_intake.models import (
    CenterResult,
    Intake,
    JournalCounter,
    JournalEntry,
    OperatorAccount,
    ResultRecall,
    UnclaimedRegister,
)
from shared.calendar import local_day
from shared.eds.signing import Signer, payload_of, sign
from shared.eds.verify import Verified
from shared.errors import AppError
from shared.housing import center
from shared.housing.application import SERVICE_NAMES
from shared.logging import get_logger
from shared.participants import CENTER

log = get_logger(__name__)

MAX_REGISTER = 500
"""The most entries one Annex 4 register holds (`UnclaimedRegister.entries`); more wait for the next one."""


@dataclass(frozen=True, slots=True)
class AtBranch:
    """A result with the intake that sent its application, and its latest recall (if any)."""

    result: CenterResult
    intake: Intake
    recall: ResultRecall | None = None


# --- reading ----------------------------------------------------------------------------------------------


def _of_branch(branch: str) -> Any:
    return (
        select(CenterResult, Intake)
        .join(Intake, col(Intake.id) == col(CenterResult.intake_id))
        .where(Intake.branch == branch)
    )


async def _recalls(session: AsyncSession, application_ids: list[str]) -> dict[str, ResultRecall]:
    if not application_ids:
        return {}
    query = (
        select(ResultRecall)
        .where(col(ResultRecall.application_id).in_(application_ids))
        .order_by(col(ResultRecall.asked_at))
    )
    return {r.application_id: r for r in (await session.exec(query)).all()}  # the latest wins


async def list_results(session: AsyncSession, *, branch: str, custody: str | None, limit: int) -> list[AtBranch]:
    """The results the branch received, the latest first."""
    query = _of_branch(branch)
    if custody is not None:
        query = query.where(CenterResult.custody == custody)
    rows = (await session.exec(query.order_by(col(CenterResult.received_at).desc()).limit(limit))).all()
    recalls = await _recalls(session, [r.application_id for r, _ in rows])
    return [AtBranch(r, i, recalls.get(r.application_id)) for r, i in rows]


async def _intake_of(session: AsyncSession, *, branch: str, application_id: str) -> Intake:
    query = select(Intake).where(
        Intake.application_id == application_id, Intake.branch == branch, Intake.state == "ACCEPTED"
    )
    row = (await session.exec(query)).first()
    if row is None:
        raise AppError("NOT_FOUND", {"result": application_id})
    return row


async def get_result(
    session: AsyncSession, *, branch: str, application_id: str, lock: bool = False, not_come: str = "NOT_FOUND"
) -> AtBranch:
    """The result of ``application_id``, sent from ``branch`` (locked until the transaction ends, ``lock``).
    NOT_FOUND for another branch's application, or no such one; for one of the branch's whose result has not
    come yet, ``not_come``: NOT_FOUND, or CONFLICT (the window: not before it came)."""
    row = await _intake_of(session, branch=branch, application_id=application_id)
    result = await session.get(CenterResult, application_id, with_for_update=lock)
    if result is None:
        if not_come != "CONFLICT":
            raise AppError("NOT_FOUND", {"result": application_id})
        raise AppError(
            "CONFLICT",
            {"reason": "the result has not come to the Center yet", "result_ready_on": _iso(row.result_ready_on)},
        )
    recalls = await _recalls(session, [application_id])
    return AtBranch(result, row, recalls.get(application_id))


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def arrived_in_time(found: AtBranch) -> bool:
    assert found.intake.accepted_at is not None
    return domain.arrived_in_time(local_day(found.result.received_at), found.intake.accepted_at)


def is_unclaimed(found: AtBranch, now: datetime) -> bool:
    ready = found.intake.result_ready_on
    return ready is not None and domain.is_unclaimed(found.result.custody, ready, local_day(now))


def representative_iin(row: Intake) -> str | None:
    return str(row.representative["iin"]) if row.representative else None


# --- 2. the window (§17) ------------------------------------------------------------------------------------


def _check_presentation(found: AtBranch, presentation: domain.Presentation) -> None:
    row = found.intake
    misfit = domain.presentation_misfit(
        presentation,
        journal_number=row.journal_number,
        recipient_iin=row.recipient_iin,
        representative_iin=representative_iin(row),
    )
    if misfit is not None:
        field, reason = misfit
        raise AppError("FORBIDDEN", {"reason": reason, "field": field})


async def issue(
    session: AsyncSession,
    *,
    account: OperatorAccount,
    application_id: str,
    presentation: domain.Presentation,
    now: datetime,
) -> AtBranch:
    """§17, Annex 1 step 10: the result handed over at ``account``'s window to the person ``presentation``
    names, against the receipt; the journal's entry. Raises IntegrityError when the journal's first entry of
    the year was committed by another desk first (the caller runs it again)."""
    found = await get_result(
        session, branch=account.branch, application_id=application_id, lock=True, not_come="CONFLICT"
    )
    result = found.result
    refused = domain.issue_refusal(result.custody)
    if refused is not None:
        raise AppError("CONFLICT", {"reason": refused, "custody": result.custody})
    _check_presentation(found, presentation)
    number = await _journal(session, found.intake, account=account, document_id=_document_id(result), now=now)
    result.custody, result.issued_at, result.issued_by = "ISSUED", now, account.login
    result.issued_to, result.presented_by, result.issue_journal_number = (
        presentation.presenter_iin,
        presentation.presented_by,
        number,
    )
    session.add(result)
    log.info(
        "§17: result issued at the window",
        issue=application_id,
        branch=account.branch,
        journal=number,
        presented_by=presentation.presented_by,
    )
    return found


def _document_id(result: CenterResult) -> str:
    return str(payload_of(result.signed).get("id", result.application_id))[:36]


async def _journal(
    session: AsyncSession, row: Intake, *, account: OperatorAccount, document_id: str, now: datetime
) -> str:
    """The branch's next journal entry (numbered with the acceptances and refusals: `domain.intake`), kind
    ``issued``; the counter is locked until the transaction ends."""
    year = local_day(now).year
    counter = await session.get(JournalCounter, (account.branch, year), with_for_update=True)
    if counter is None:
        counter = JournalCounter(branch=account.branch, year=year, last=0)
    counter.last += 1
    session.add(counter)
    number = intake_rules.journal_number(account.branch, year, counter.last)
    session.add(
        JournalEntry(
            number=number,
            branch=account.branch,
            year=year,
            sequence=counter.last,
            kind="issued",
            intake_id=row.id,
            application_id=row.application_id,
            recipient_iin=row.recipient_iin,
            operator=account.login,
            at=now,
            document_id=document_id,
        )
    )
    return number


# --- 3. unclaimed results and the Annex 4 register -----------------------------------------------------------


async def unclaimed(
    session: AsyncSession, *, branch: str, now: datetime, district: str | None = None
) -> list[AtBranch]:
    """The branch's results unclaimed at ``now`` (of ``district``, if given), the earliest receipt's day first."""
    query = _of_branch(branch).where(CenterResult.custody == "AT_BRANCH")
    if district is not None:
        query = query.where(Intake.district == district)
    rows = (await session.exec(query)).all()
    found = [AtBranch(r, i) for r, i in rows]
    return sorted(
        (f for f in found if is_unclaimed(f, now)),
        key=lambda f: (f.intake.result_ready_on, f.intake.accepted_at, f.result.application_id),
    )


def _require_head(account: OperatorAccount) -> None:
    if account.role != "head":
        raise AppError("FORBIDDEN", {"role": account.role, "reason": "only the branch's head hands results over"})


def _entry(no: int, found: AtBranch) -> center.UnclaimedEntry:
    row, result = found.intake, found.result
    assert row.accepted_at is not None and row.result_ready_on is not None
    return center.UnclaimedEntry(
        no=no,
        identifier=row.registration_number or row.application_id,
        recipient=domain.full_name_tao(row.recipient or {"surname": row.recipient_iin})[:200],
        service=SERVICE_NAMES["kk"][:200],
        accepted_on=local_day(row.accepted_at),
        planned_issue_on=row.result_ready_on,
        documents=[domain.result_document_name(result.type, result.registration_number)[:200]],
    )


async def register_draft(
    session: AsyncSession, *, account: OperatorAccount, district: str | None, now: datetime
) -> dict[str, Any]:
    """The Annex 4 register of the branch's unclaimed results of ``district`` (needed when they are of more
    than one: VALIDATION_FAILED), for the head to sign; CONFLICT when there is none. It replaces the branch's
    earlier unsigned draft for that district."""
    _require_head(account)
    found = await unclaimed(session, branch=account.branch, now=now, district=district)
    if not found:
        raise AppError("CONFLICT", {"reason": "no unclaimed result to hand over", "district": district})
    code = handovers.one_district(sorted({f.intake.district or "" for f in found}), what="the unclaimed results")
    chosen = found[:MAX_REGISTER]
    entries = [_entry(no, f) for no, f in enumerate(chosen, 1)]
    document = center.UnclaimedRegister(
        author={"iin": account.iin, "bin": CENTER.bin},
        created_at=now.replace(microsecond=0),
        authority=handovers.authority_of(code),
        district=code,
        branch=intakes.branch_document(account.branch),
        formed_at=now.replace(microsecond=0),
        entries=entries,
        total=len(entries),
        handed_over_by=(account.full_name or account.login)[:200],
    ).to_json()
    stale = select(UnclaimedRegister).where(
        UnclaimedRegister.branch == account.branch,
        UnclaimedRegister.district == code,
        UnclaimedRegister.state == "DRAFT",
    )
    for old in (await session.exec(stale)).all():
        await session.delete(old)
    session.add(
        UnclaimedRegister(
            id=document["id"],
            branch=account.branch,
            district=code,
            state="DRAFT",
            application_ids=[f.result.application_id for f in chosen],
            total=len(entries),
            draft=document,
            formed_at=now,
            drafted_by=account.login,
        )
    )
    return document


async def hand_over(
    session: AsyncSession, *, account: OperatorAccount, verified: Verified[center.UnclaimedRegister], now: datetime
) -> UnclaimedRegister:
    """§14 item 1: the head's signed register, exactly a draft of the branch's (`intake.check_signed`); its
    results WITH_PROVIDER. The same signed register again is taken as it is; CONFLICT when a result of it is no
    longer unclaimed at the branch (draft again)."""
    _require_head(account)
    register = await session.get(UnclaimedRegister, verified.document.id, with_for_update=True)
    if register is None or register.branch != account.branch:
        raise AppError("CONFLICT", {"reason": "no such draft register at your branch: ask for the draft first"})
    if register.state == "SIGNED":
        if register.signed == dict(verified.signed):
            return register
        raise AppError("CONFLICT", {"reason": "the register is signed already", "register": register.id})
    intakes.check_signed(verified, account, register.draft)
    results = []
    for application_id in register.application_ids:
        found = await get_result(session, branch=account.branch, application_id=application_id, lock=True)
        if not is_unclaimed(found, now):
            raise AppError(
                "CONFLICT",
                {
                    "reason": "a result of the register is no longer unclaimed at the branch: draft the register again",
                    "result": application_id,
                    "custody": found.result.custody,
                },
            )
        results.append(found.result)
    for result in results:
        result.custody, result.register_id, result.handed_at = "WITH_PROVIDER", register.id, now
        session.add(result)
    register.state, register.signed, register.signed_at, register.signed_by = (
        "SIGNED",
        dict(verified.signed),
        now,
        account.login,
    )
    session.add(register)
    handovers.handover(
        session, district=register.district, document=register.signed, by_iin=account.iin, issue=register.id
    )
    log.info(
        "§14 item 1: unclaimed results handed to the provider with the Annex 4 register",
        register=register.id,
        branch=account.branch,
        district=register.district,
        total=register.total,
    )
    return register


async def registers(session: AsyncSession, *, branch: str, limit: int) -> list[UnclaimedRegister]:
    """The branch's signed Annex 4 registers, the latest first."""
    query = select(UnclaimedRegister).where(UnclaimedRegister.branch == branch, UnclaimedRegister.state == "SIGNED")
    return list((await session.exec(query.order_by(col(UnclaimedRegister.signed_at).desc()).limit(limit))).all())


# --- 4. the late recall ---------------------------------------------------------------------------------------


async def recall(
    session: AsyncSession,
    *,
    account: OperatorAccount,
    application_id: str,
    presentation: domain.Presentation,
    now: datetime,
    signer: Signer,
) -> AtBranch:
    """§14 item 1: the recipient (or the representative), come after the result was handed to the provider,
    against the receipt; the request recorded with its two days, signed by ``signer`` (the Center's system) and
    sent to the provider in this transaction. CONFLICT unless the provider holds it."""
    found = await get_result(session, branch=account.branch, application_id=application_id, lock=True)
    result = found.result
    if result.custody != "WITH_PROVIDER":
        reason = {
            "AT_BRANCH": "the result is at the branch: issue it at the window",
            "RETURNED": "the result is back at the branch: issue it at the window",
            "RECALLED": "the result is recalled already",
            "ISSUED": "the result was issued already",
        }.get(result.custody, "the result is not with the provider")
        raise AppError("CONFLICT", {"reason": reason, "custody": result.custody})
    _check_presentation(found, presentation)
    dates = domain.recall_dates(local_day(now))
    row = found.intake
    request = center.RecallRequest(
        author={"bin": CENTER.bin},
        created_at=now.replace(microsecond=0),
        district=row.district or "",
        branch=intakes.branch_document(account.branch),
        application_id=application_id,
        identifier=row.registration_number or application_id,
        unclaimed_register=result.register_id or "",
        recipient=domain.full_name_tao(row.recipient or {"surname": row.recipient_iin})[:200],
        visit_on=dates.visit_on,
        ask_by=dates.ask_by,
        return_by=dates.return_by,
        asked_by=(account.full_name or account.login)[:200],
    )
    signed = sign(request.to_json(), signer)
    asked = ResultRecall(
        id=request.id,
        request=signed,
        application_id=application_id,
        branch=account.branch,
        register_id=result.register_id,
        visit_on=dates.visit_on,
        asked_at=now,
        asked_by=account.login,
        presented_by=presentation.presented_by,
        presenter_iin=presentation.presenter_iin,
        ask_by=dates.ask_by,
        return_by=dates.return_by,
    )
    result.custody = "RECALLED"
    session.add_all([result, asked])
    handovers.handover(session, district=request.district, document=signed, by_iin=account.iin, issue=application_id)
    log.info(
        "§14 item 1: a late recall asked of the provider",
        issue=application_id,
        branch=account.branch,
        ask_by=dates.ask_by.isoformat(),
        return_by=dates.return_by.isoformat(),
    )
    return AtBranch(result, found.intake, asked)
