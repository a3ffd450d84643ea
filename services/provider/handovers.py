"""What the Public Service Center (the Center, ХҚО) hands the district's housing department, and the staff's
acknowledgment (Annex 1 steps 2–3, §13, §14 item 1, Annex 4; architecture §11): the service layer of the
``handover.*`` handler (handlers.py) and of `api/handovers.py`.

1. **Taken in** (`check`, outside the transaction; `receive`, in the inbox's): a message on
   ``handover.<district>`` carries one signed e-document of the Center, its model by its type
   (`shared.housing.center.HANDOVER_KINDS`): the register of originals accepted (`OriginalsRegister`, Annex 1
   step 2) or the Annex 4 register of unclaimed results (`UnclaimedRegister`), each signed once, by an
   **employee** certificate of the Center's BIN (an operator, the branch's head); or a late recall
   (`RecallRequest`), signed once, by the Center's **system** certificate. The document's district is the
   routing key's, a district of the region; a register's total is its number of entries. Anything else — another
   type, another signer, a second signature, another district, a signature that does not verify — is refused for
   good (`shared.bus.port.Refused`: dead-lettered, never stored); a transient verification failure (the
   revocation status unknown) is raised, so the bus redelivers it. The document is kept as it came
   (`CenterHandover`, state RECEIVED, a recall due back by its ``return_by``); the same document again changes
   nothing.
2. **Acknowledged** (`draft_ack`, `acknowledge`): the specialist (Annex 1 step 3; the head may too, never the
   commission: FORBIDDEN) of the handover's district (another district's is NOT_FOUND) drafts the answer
   (`HandoverAck`: the total accepted, the staff member's full name, when) — kept on the row, a new draft
   replacing an unsigned one — and signs it on their side with their own employee certificate of the
   department's BIN, exactly the draft (`casework.check_signer`, `casework.same_payload`), on the day it was
   drafted (a draft of an earlier day: CONFLICT, draft again). In one transaction with the row locked the
   handover is ACKNOWLEDGED (who, when; a recall: whether in time, today ≤ ``due_on``) and the signed answer
   goes to the Center through the outbox (``handover.ack.con``). The same signed answer again is taken as it
   is; another after it is CONFLICT.

Times come from the caller's clock (the app's, injectable)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.provider import casework
from services.provider.models import Case, CenterHandover
from shared.bus.envelope import Envelope
from shared.bus.outbox import enqueue
from shared.bus.port import Refused
from shared.calendar import local_day
from shared.eds.document import Author
from shared.eds.signing import payload_of
from shared.eds.verify import Verified, Verifier
from shared.errors import AppError, is_transient
from shared.geo import DISTRICT_BY_CODE
from shared.housing.center import (
    HANDOVER_KINDS,
    ORIGINALS_REGISTER_TYPE,
    RECALL_TYPE,
    UNCLAIMED_REGISTER_TYPE,
    HandoverAck,
    OriginalsRegister,
    RecallRequest,
    UnclaimedRegister,
)
from shared.housing.messages import HANDOVER_ACK
from shared.logging import get_logger
from shared.participants import CENTER, PROVIDER, user_id

log = get_logger(__name__)

HandoverDocument = OriginalsRegister | UnclaimedRegister | RecallRequest
MODELS: dict[str, type[OriginalsRegister] | type[UnclaimedRegister] | type[RecallRequest]] = {
    ORIGINALS_REGISTER_TYPE: OriginalsRegister,
    UNCLAIMED_REGISTER_TYPE: UnclaimedRegister,
    RECALL_TYPE: RecallRequest,
}
"""The Center's documents a handover carries, by their type (`HANDOVER_KINDS` names their kinds)."""
SIGNED_BY = {"originals": "employee", "unclaimed": "employee", "recall": "system"}
"""The holder of the Center's certificate that signs each kind: a person of the Center (an operator, the
branch's head), or the Center's system (a recall, made by the Center's information system)."""
ACKNOWLEDGING_ROLES = ("specialist", "head")
"""Who acknowledges: Annex 1 step 3 is the specialist's; the head may too."""
RECEIVED, ACKNOWLEDGED = "RECEIVED", "ACKNOWLEDGED"


# --- 1. taken in ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Handover:
    """A handover that passed the check: its kind, the verified document, and the signed form as it came."""

    kind: str
    document: HandoverDocument
    signed: dict[str, Any]


async def check(envelope: Envelope, *, routing_key: str, verifier: Verifier) -> Handover:
    """The Center's verified document the message carries; `Refused` (for good) with the reason otherwise, the
    verifier's transient error as it is (redelivered)."""
    if envelope.sender != CENTER.address:
        raise Refused("a handover not sent by the Center", sender=envelope.sender[:200])
    signed = envelope.document
    try:
        kind_of = str(payload_of(signed).get("type"))
    except (KeyError, ValueError, TypeError):
        raise Refused("a handover that is not a signed e-document") from None
    model = MODELS.get(kind_of)
    if model is None:
        raise Refused("not a document the Center hands the provider", type=kind_of[:200])
    kind = HANDOVER_KINDS[kind_of]
    try:
        verified: Verified[HandoverDocument] = await verifier.verify(signed, purpose="sign", model=model)
    except AppError as exc:
        if is_transient(exc.code):
            raise
        raise Refused("a handover that does not verify as its type", code=exc.code, details=exc.details) from None
    signer = verified.author
    if len(verified.signatures) != 1 or signer.holder != SIGNED_BY[kind] or signer.bin != CENTER.bin:
        raise Refused(
            f"a {kind} handover is signed once, by a {SIGNED_BY[kind]} certificate of the Center's BIN",
            signatures=len(verified.signatures),
            holder=signer.holder,
            bin=signer.bin,
        )
    document = verified.document
    district = routing_key.rsplit(".", 1)[-1]
    if document.district != district:
        raise Refused(
            "a handover for another district than its routing key's", district=document.district, routing_key=district
        )
    if district not in DISTRICT_BY_CODE:
        raise Refused("a handover for no district of the region", district=district)
    if not isinstance(document, RecallRequest) and document.total != len(document.entries):
        raise Refused("a register whose total is not its number of entries", total=document.total)
    return Handover(kind, document, dict(verified.signed))


def branch_text(document: HandoverDocument) -> str:
    """The branch as the document names it: «<branch>, №<department>»."""
    return f"{document.branch.branch}, №{document.branch.department}"[:200]


def _named(document: HandoverDocument) -> list[str]:
    if isinstance(document, RecallRequest):
        return [document.application_id]
    if isinstance(document, OriginalsRegister):
        return [entry.application_id for entry in document.entries]
    return [entry.identifier for entry in document.entries]


async def receive(session: AsyncSession, *, handover: Handover, now: datetime) -> CenterHandover | None:
    """Keep the handover (RECEIVED); None when its document is kept already (the same one sent again)."""
    document = handover.document
    if await session.get(CenterHandover, document.id) is not None:
        log.info("handover from the Center received again; kept already", handover=document.id, kind=handover.kind)
        return None
    row = CenterHandover(
        id=document.id,
        kind=handover.kind,
        district=document.district,
        branch=branch_text(document),
        document=handover.signed,
        total=1 if isinstance(document, RecallRequest) else len(document.entries),
        application_ids=_named(document),
        received_at=now,
        due_on=document.return_by if isinstance(document, RecallRequest) else None,
        state=RECEIVED,
    )
    session.add(row)
    log.info(
        "handover received from the Center",
        handover=row.id,
        kind=row.kind,
        district=row.district,
        branch=row.branch,
        total=row.total,
        due_on=row.due_on.isoformat() if row.due_on else None,
    )
    return row


# --- reading -------------------------------------------------------------------------------------------------------


def is_overdue(row: CenterHandover, now: datetime) -> bool:
    """A recall not acknowledged once its day (``due_on``) has passed, in Kazakhstan."""
    return row.due_on is not None and row.state != ACKNOWLEDGED and local_day(now) > row.due_on


async def list_handovers(
    session: AsyncSession, *, district: str, limit: int, state: str | None = None, kind: str | None = None
) -> tuple[list[CenterHandover], int]:
    """``district``'s handovers (of one state, of one kind), the newest first, at most ``limit``; and how many
    there are."""
    where = [CenterHandover.district == district]
    if state is not None:
        where.append(CenterHandover.state == state)
    if kind is not None:
        where.append(CenterHandover.kind == kind)
    total = (await session.exec(select(func.count()).select_from(CenterHandover).where(*where))).one()
    query = select(CenterHandover).where(*where)
    query = query.order_by(col(CenterHandover.received_at).desc(), col(CenterHandover.id)).limit(limit)
    return list((await session.exec(query)).all()), int(total)


async def find(session: AsyncSession, *, district: str, handover_id: str, lock: bool = False) -> CenterHandover:
    """``district``'s handover; NOT_FOUND otherwise (another district's is as absent as none)."""
    query = select(CenterHandover).where(CenterHandover.id == handover_id, CenterHandover.district == district)
    row = (await session.exec(query.with_for_update() if lock else query)).first()
    if row is None:
        raise AppError("NOT_FOUND", {"handover": handover_id})
    return row


async def cases_named(session: AsyncSession, row: CenterHandover) -> dict[str, Case]:
    """The district's cases of the applications ``row`` names, by the name (their id, or the registration
    number an Annex 4 register names them by)."""
    names = [str(n) for n in row.application_ids]
    if not names:
        return {}
    query = select(Case).where(
        Case.district == row.district,
        or_(col(Case.application_id).in_(names), col(Case.registration_number).in_(names)),
    )
    found: dict[str, Case] = {}
    for case in (await session.exec(query)).all():
        for name in (case.application_id, case.registration_number):
            if name in names:
                found[name] = case
    return found


def payload(row: CenterHandover) -> dict[str, Any]:
    """The handed-over document (verified when it came)."""
    return payload_of(row.document)


@dataclass(frozen=True, slots=True)
class Counts:
    unacknowledged: int
    recalls_overdue: int


async def counts(session: AsyncSession, *, district: str, now: datetime) -> Counts:
    """How many of ``district``'s handovers wait for an acknowledgment, and how many recalls are overdue."""
    where = (CenterHandover.district == district, CenterHandover.state != ACKNOWLEDGED)
    waiting = (await session.exec(select(func.count()).select_from(CenterHandover).where(*where))).one()
    today: date = local_day(now)
    late = select(func.count()).select_from(CenterHandover).where(*where, col(CenterHandover.due_on) < today)
    return Counts(int(waiting), int((await session.exec(late)).one()))


# --- 2. acknowledged -------------------------------------------------------------------------------------------------


def may_acknowledge(role: str) -> None:
    if role not in ACKNOWLEDGING_ROLES:
        raise AppError(
            "FORBIDDEN", {"reason": "the department's specialist (or its head) acknowledges a handover", "role": role}
        )


def _not_acknowledged(row: CenterHandover) -> None:
    if row.state == ACKNOWLEDGED:
        raise AppError(
            "CONFLICT",
            {"reason": "the handover is acknowledged already", "handover": row.id, "by": row.acknowledged_by},
        )


async def draft_ack(session: AsyncSession, *, member: str, handover_id: str, now: datetime) -> dict[str, Any]:
    """The acknowledgment for the caller to sign, kept on the handover (replacing an earlier unsigned draft)."""
    account = await casework.account_of(session, member)
    may_acknowledge(account.role)
    if not account.iin:
        raise AppError("FORBIDDEN", {"reason": "the account names no person (IIN) to sign the acknowledgment"})
    row = await find(session, district=account.district, handover_id=handover_id, lock=True)
    _not_acknowledged(row)
    document = HandoverAck(
        author=Author(iin=account.iin, bin=PROVIDER.bin),
        created_at=now.replace(microsecond=0),
        handover=row.id,
        handover_type=payload(row)["type"],
        district=row.district,
        branch=row.branch,
        total=row.total,
        accepted_by=(account.full_name or account.login)[:200],
        accepted_at=now.replace(microsecond=0),
    ).to_json()
    row.draft_ack = document
    session.add(row)
    return document


async def acknowledge(
    session: AsyncSession, *, member: str, handover_id: str, verified: Verified[HandoverAck], now: datetime
) -> CenterHandover:
    """The caller's signed acknowledgment, exactly the kept draft: the handover ACKNOWLEDGED and the answer in the
    outbox to the Center. The same signed answer again is taken as it is; another after it is CONFLICT."""
    account = await casework.account_of(session, member)
    may_acknowledge(account.role)
    row = await find(session, district=account.district, handover_id=handover_id, lock=True)
    if row.state == ACKNOWLEDGED and row.signed_ack == dict(verified.signed):
        return row
    _not_acknowledged(row)
    casework.check_signer(verified, account)
    if row.draft_ack is None:
        raise AppError("CONFLICT", {"reason": "no acknowledgment drafted: ask for the draft first"})
    casework.same_payload(verified.signed, row.draft_ack)
    if local_day(verified.document.accepted_at) != local_day(now):
        raise AppError("CONFLICT", {"reason": "the draft is dated another day: draft the acknowledgment again"})
    signed = dict(verified.signed)
    row.state, row.acknowledged_at, row.acknowledged_by, row.signed_ack = ACKNOWLEDGED, now, account.login, signed
    if row.due_on is not None:
        row.returned_in_time = local_day(now) <= row.due_on
    session.add(row)
    assert account.iin is not None  # check_signer: the signature is the account's person's
    envelope = Envelope(
        message_type=HANDOVER_ACK,
        sender=PROVIDER.address,
        user_id=user_id(account.iin),
        correlation_id=row.id,
        issue=str(row.application_ids[0]) if row.kind == "recall" and row.application_ids else row.id,
        document=signed,
    )
    enqueue(session, envelope, HANDOVER_ACK)
    log.info(
        "handover acknowledged to the Center",
        handover=row.id,
        kind=row.kind,
        district=row.district,
        total=row.total,
        by=account.login,
        returned_in_time=row.returned_in_time,
    )
    if row.returned_in_time is False:
        log.warning(
            "a recalled result sent back later than the working day §14 item 1 allows",
            handover=row.id,
            due_on=row.due_on.isoformat() if row.due_on else None,
        )
    return row


def accepted_by(row: CenterHandover) -> str | None:
    """Who accepted it, as the signed acknowledgment names them (their full name); None before."""
    if row.state != ACKNOWLEDGED or not row.draft_ack:
        return None
    return str(row.draft_ack.get("accepted_by") or "") or None
