"""What the Center hands the provider, and the provider's answers (Annex 1 steps 2–3, §13, §14 item 1, Annex 4;
architecture §11): the service layer of `api/registers.py` and of the ``handover.ack.con`` handler.

1. **The register of originals** (тізілім, Annex 1 step 2; `schedule`, `originals_draft`, `send_originals`): the
   applications a branch accepted go to each district's authorized body at the day's register times
   (`domain.schedule.register_slots`: twice every working day, none on a day off). At a register time — the latest
   one today at or before now — an operator (or the head) drafts the register of one district's applications
   accepted before it and not sent yet (`shared.housing.center.OriginalsRegister`: No., the application, its
   registration number at the gateway, the recipient, when accepted, the documents presented), signs it with their
   own employee certificate of the Center's BIN, exactly the draft, and it goes to the provider
   (``handover.<district>``) in the transaction that marks its applications sent. Before the day's first register
   time, or on a day off, there is none to draft (CONFLICT naming the next one). Each application is due at the
   first register time after its acceptance (`due_at`); one still waiting when the register time after that has
   passed too is late.
2. **The provider's answers** (`apply_ack`): its specialist's signed `HandoverAck` of a register of originals or
   an Annex 4 register (who accepted it — Annex 4's «Қабылдады» — and when), or of a recall (the result sent back:
   RETURNED at the branch, in time or not by the request's ``return_by``). An answer naming nothing the Center
   sent, or another branch's, or answering a different kind of document, is refused.

Times come from the app's clock (``app.state.clock``); an answer is dated by the provider's signed ``accepted_at``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.con_intake import intake as intakes
from services.con_intake.domain import issuance as issuance_rules
from services.con_intake.domain.schedule import next_register_at, register_slots
from services.con_intake.models import (
    CenterResult,
    Intake,
    OperatorAccount,
    OriginalsRegister,
    ResultRecall,
    UnclaimedRegister,
)
from shared.bus.envelope import Envelope
from shared.bus.outbox import enqueue
from shared.bus.port import Refused
from shared.calendar import local_day
from shared.eds.verify import Verified
from shared.errors import AppError
from shared.geo import DISTRICT_BY_CODE
from shared.housing import center
from shared.housing.messages import handover_key
from shared.logging import get_logger
from shared.participants import CENTER, user_id

log = get_logger(__name__)

MAX_REGISTER = 500
"""The most applications one register holds (`OriginalsRegister.entries`); more go with the next one."""


# --- 1. the register of originals ------------------------------------------------------------------------------


def current_slot(now: datetime) -> datetime | None:
    """The latest register time today at or before ``now`` (UTC); None before the first or on a day off."""
    passed = [slot for slot in register_slots(local_day(now)) if slot <= now]
    return passed[-1].astimezone(UTC) if passed else None


def due_at(accepted_at: datetime) -> datetime:
    """When an application accepted at ``accepted_at`` goes to the provider: the first register time after it (UTC)."""
    return next_register_at(accepted_at).astimezone(UTC)


def is_late(accepted_at: datetime, now: datetime) -> bool:
    """Still waiting when the register time after the one it was due at has passed too."""
    return next_register_at(due_at(accepted_at)) <= now


@dataclass(frozen=True, slots=True)
class Pending:
    """An accepted application of the branch not sent to the provider yet, with when it is due and whether late."""

    intake: Intake
    due_at: datetime
    late: bool


async def pending(session: AsyncSession, *, branch: str, now: datetime, district: str | None = None) -> list[Pending]:
    """The branch's accepted applications not in a signed register yet (of ``district``), the earliest first."""
    query = select(Intake).where(
        Intake.branch == branch, Intake.state == "ACCEPTED", col(Intake.originals_register_id).is_(None)
    )
    if district is not None:
        query = query.where(Intake.district == district)
    rows = (await session.exec(query.order_by(col(Intake.accepted_at), col(Intake.id)))).all()
    found = []
    for row in rows:
        assert row.accepted_at is not None
        found.append(Pending(row, due_at(row.accepted_at), is_late(row.accepted_at, now)))
    return found


def _require_on_duty_role(account: OperatorAccount) -> None:
    if account.role not in ("operator", "head"):
        raise AppError("FORBIDDEN", {"role": account.role, "reason": "the branch's employees compose the register"})


def _entry(no: int, row: Intake) -> center.OriginalsEntry:
    assert row.accepted_at is not None
    return center.OriginalsEntry(
        no=no,
        application_id=row.application_id or row.id,
        identifier=row.registration_number or row.application_id or row.id,
        recipient=issuance_rules.full_name_tao(row.recipient or {"surname": row.recipient_iin})[:200],
        accepted_at=row.accepted_at,
        documents=[i.name[:200] for i in intakes.presented_items(row)][:50],
    )


def one_district(districts: list[str], *, what: str) -> str:
    """The one district of a register's ``what`` (VALIDATION_FAILED naming them when they are of more than one:
    a register goes to one district's authorized body)."""
    if len(districts) > 1:
        raise AppError(
            "VALIDATION_FAILED",
            {
                "errors": [
                    {"loc": ["body", "district"], "msg": f"{what} are of more than one district: one register each"}
                ],
                "districts": districts,
            },
        )
    return districts[0]


def authority_of(code: str) -> str:
    """The authorized body of district ``code``, as a register's header names it."""
    name = DISTRICT_BY_CODE[code].name_kk if code in DISTRICT_BY_CODE else code
    return issuance_rules.authority_kk(name, district_code=code)[:200]


async def originals_draft(
    session: AsyncSession, *, account: OperatorAccount, district: str | None, now: datetime
) -> dict[str, Any]:
    """The register of originals at the current register time, of ``district``'s applications accepted before it
    (needed when they are of more than one: VALIDATION_FAILED), for the operator to sign; it replaces the branch's
    earlier unsigned draft for that district. CONFLICT when it is no register time (before the day's first, or a
    day off: naming the next) or nothing is waiting."""
    _require_on_duty_role(account)
    slot = current_slot(now)
    if slot is None:
        raise AppError(
            "CONFLICT",
            {
                "reason": "no register time yet today (a day off, or before the first)",
                "next_at": next_register_at(now).astimezone(UTC).isoformat(),
            },
        )
    waiting = [
        p
        for p in await pending(session, branch=account.branch, now=now, district=district)
        if p.intake.accepted_at and p.intake.accepted_at < slot
    ]
    if not waiting:
        raise AppError(
            "CONFLICT",
            {"reason": "no application accepted before this register time is waiting", "district": district},
        )
    code = one_district(sorted({p.intake.district or "" for p in waiting}), what="the applications")
    chosen = [p.intake for p in waiting][:MAX_REGISTER]
    entries = [_entry(no, row) for no, row in enumerate(chosen, 1)]
    at = now.replace(microsecond=0)
    document = center.OriginalsRegister(
        author={"iin": account.iin, "bin": CENTER.bin},
        created_at=at,
        authority=authority_of(code),
        district=code,
        branch=intakes.branch_document(account.branch),
        slot_at=slot,
        formed_at=at,
        entries=entries,
        total=len(entries),
        handed_over_by=(account.full_name or account.login)[:200],
    ).to_json()
    stale = select(OriginalsRegister).where(
        OriginalsRegister.branch == account.branch,
        OriginalsRegister.district == code,
        OriginalsRegister.state == "DRAFT",
    )
    for old in (await session.exec(stale)).all():
        await session.delete(old)
    session.add(
        OriginalsRegister(
            id=document["id"],
            branch=account.branch,
            district=code,
            state="DRAFT",
            slot_at=slot,
            intake_ids=[row.id for row in chosen],
            total=len(entries),
            draft=document,
            formed_at=now,
            drafted_by=account.login,
        )
    )
    return document


def handover(session: AsyncSession, *, district: str, document: dict[str, Any], by_iin: str | None, issue: str) -> None:
    """Put ``document`` (signed) in the outbox to ``district``'s authorized body (``handover.<district>``)."""
    key = handover_key(district)
    enqueue(
        session,
        Envelope(
            correlation_id=issue,
            message_type=key,
            sender=CENTER.address,
            user_id=user_id(by_iin) if by_iin else None,
            issue=issue,
            document=document,
        ),
        key,
    )


async def send_originals(
    session: AsyncSession, *, account: OperatorAccount, verified: Verified[center.OriginalsRegister], now: datetime
) -> OriginalsRegister:
    """Annex 1 step 2: the operator's signed register, exactly a draft of the branch's (`intake.check_signed`),
    sent to the provider with its applications marked. The same signed register again is taken as it is; CONFLICT
    when one of its applications went with another register since (draft again)."""
    _require_on_duty_role(account)
    register = await session.get(OriginalsRegister, verified.document.id, with_for_update=True)
    if register is None or register.branch != account.branch:
        raise AppError("CONFLICT", {"reason": "no such draft register at your branch: ask for the draft first"})
    if register.state == "SIGNED":
        if register.signed == dict(verified.signed):
            return register
        raise AppError("CONFLICT", {"reason": "the register is signed already", "register": register.id})
    intakes.check_signed(verified, account, register.draft)
    rows = []
    for intake_id in register.intake_ids:
        row = await session.get(Intake, intake_id, with_for_update=True)
        if row is None or row.originals_register_id is not None:
            raise AppError(
                "CONFLICT",
                {"reason": "an application of the register went with another one: draft again", "intake": intake_id},
            )
        rows.append(row)
    for row in rows:
        row.originals_register_id, row.updated_at = register.id, now
        session.add(row)
    register.state, register.signed, register.signed_at, register.signed_by = (
        "SIGNED",
        dict(verified.signed),
        now,
        account.login,
    )
    session.add(register)
    handover(session, district=register.district, document=register.signed, by_iin=account.iin, issue=register.id)
    log.info(
        "Annex 1 step 2: the register of originals sent to the provider",
        register=register.id,
        branch=account.branch,
        district=register.district,
        total=register.total,
        slot_at=register.slot_at.isoformat(),
    )
    return register


async def originals_registers(session: AsyncSession, *, branch: str, limit: int) -> list[OriginalsRegister]:
    """The branch's signed registers of originals, the latest first."""
    query = select(OriginalsRegister).where(OriginalsRegister.branch == branch, OriginalsRegister.state == "SIGNED")
    return list((await session.exec(query.order_by(col(OriginalsRegister.signed_at).desc()).limit(limit))).all())


async def registers_of_day(session: AsyncSession, *, branch: str, now: datetime) -> list[OriginalsRegister]:
    """The branch's registers of originals signed for today's register times."""
    slots = register_slots(local_day(now))
    if not slots:
        return []
    query = select(OriginalsRegister).where(
        OriginalsRegister.branch == branch,
        OriginalsRegister.state == "SIGNED",
        col(OriginalsRegister.slot_at) >= slots[0],
        col(OriginalsRegister.slot_at) <= slots[-1],
    )
    return list((await session.exec(query.order_by(col(OriginalsRegister.slot_at)))).all())


# --- 2. the provider's answers -------------------------------------------------------------------------------------


def _matches(ack: center.HandoverAck, *, kind: str, district: str) -> None:
    if ack.handover_type != kind or ack.district != district:
        raise Refused(
            "the answer does not match what the Center sent",
            handover=ack.handover,
            handover_type=ack.handover_type,
            district=ack.district,
        )


async def apply_ack(session: AsyncSession, verified: Verified[center.HandoverAck]) -> None:
    """The provider's answer (verified: its specialist's employee certificate of the provider's BIN) recorded on
    the register or the recall it answers; the same answer again changes nothing. Refused when it answers nothing
    the Center sent."""
    ack, signed = verified.document, dict(verified.signed)
    who, at = ack.accepted_by[:200], ack.accepted_at
    originals = await session.get(OriginalsRegister, ack.handover, with_for_update=True)
    if originals is not None and originals.state == "SIGNED":
        _matches(ack, kind=center.ORIGINALS_REGISTER_TYPE, district=originals.district)
        if originals.ack is None:
            originals.accepted_at, originals.accepted_by, originals.ack = at, who, signed
            session.add(originals)
            log.info("the provider accepted the register of originals", register=originals.id, by=who)
        return
    unclaimed = await session.get(UnclaimedRegister, ack.handover, with_for_update=True)
    if unclaimed is not None and unclaimed.state == "SIGNED":
        _matches(ack, kind=center.UNCLAIMED_REGISTER_TYPE, district=unclaimed.district)
        if unclaimed.ack is None:
            unclaimed.accepted_at, unclaimed.accepted_by, unclaimed.ack = at, who, signed
            session.add(unclaimed)
            log.info("Annex 4: the provider accepted the register of unclaimed results", register=unclaimed.id, by=who)
        return
    asked = await session.get(ResultRecall, ack.handover, with_for_update=True)
    if asked is not None and asked.request is not None:
        result = await session.get(CenterResult, asked.application_id, with_for_update=True)
        intake = await session.get(Intake, result.intake_id) if result is not None else None
        if result is None or intake is None:
            raise Refused("a recall answer for a result the Center does not hold", handover=ack.handover)
        _matches(ack, kind=center.RECALL_TYPE, district=intake.district or "")
        if asked.ack is not None:
            return
        asked.returned_at, asked.returned_by, asked.ack = at, who, signed
        asked.returned_in_time = local_day(at) <= asked.return_by
        session.add(asked)
        if result.custody == "RECALLED":
            result.custody = "RETURNED"
            session.add(result)
        log.info(
            "§14 item 1: the provider sent the recalled result back",
            issue=asked.application_id,
            in_time=asked.returned_in_time,
            return_by=asked.return_by.isoformat(),
        )
        if not asked.returned_in_time:
            log.warning(
                "a recalled result came back later than the working day §14 item 1 allows",
                issue=asked.application_id,
                return_by=asked.return_by.isoformat(),
            )
        return
    log.error("an answer from the provider to nothing the Center sent; refused", handover=ack.handover)
    raise Refused("an answer to nothing the Center sent", handover=ack.handover)
