"""What the Public Service Center handed the staff member's district (handovers.py): the registers of originals
(Annex 1 step 2) and of unclaimed results (Annex 4), the late recalls (§14 item 1); and the acknowledgment the
specialist (or the head) signs on the client side with their employee key, sent back to the Center."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.provider import handovers
from services.provider.api.deps import Clock, Runtime, Staff
from services.provider.api.schemas import (
    DocumentToSign,
    HandoverDetail,
    HandoverKind,
    HandoverPage,
    HandoverState,
    HandoverSummary,
    SignedBody,
)
from shared.housing.center import HandoverAck

router = APIRouter(prefix="/api/v1/handovers", tags=["handovers"])

HandoverId = Annotated[str, Path(max_length=36, examples=["0b7e3c9a-5d1f-4f7e-9a57-2f1c7f0e8a11"])]
WHO = (
    "UNAUTHORIZED (no staff token); NOT_FOUND (no such handover in your district — another district's answers the "
    "same); FORBIDDEN (a commission member: the specialist acknowledges, or the head)"
)
SIGNED = (
    "EDS_* (the signature does not verify: revoked, expired, untrusted …); EDS_PURPOSE_INVALID (not an employee "
    "certificate of the department's BIN); EDS_IIN_MISMATCH (another person's certificate); VALIDATION_FAILED (not "
    "exactly the acknowledgment drafted)"
)


@router.get(
    "",
    response_model=HandoverPage,
    summary="What the Public Service Center handed my district, newest first",
    description="The registers of originals (Annex 1 step 2), the Annex 4 registers of unclaimed results and the "
    "late recalls (§14 item 1) the Center sent the department of the staff member's district, optionally of one "
    "state or kind, each with its branch, its total, when it came, a recall's day to send the result back by "
    "(`due_on`) and whether that has passed unacknowledged (`overdue`), and who acknowledged it. Errors: "
    "UNAUTHORIZED.",
)
async def list_handovers(
    staff: Staff,
    runtime: Runtime,
    clock: Clock,
    state: Annotated[HandoverState | None, Query(description="only those in this state")] = None,
    kind: Annotated[HandoverKind | None, Query(description="only those of this kind")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> HandoverPage:
    async with runtime.db.sessions() as session:
        rows, total = await handovers.list_handovers(
            session, district=staff.district, limit=limit, state=state, kind=kind
        )
    now = clock()
    return HandoverPage(items=[HandoverSummary.of(r, now) for r in rows], total=total, limit=limit)


@router.get(
    "/{handover_id}",
    response_model=HandoverDetail,
    summary="One handover: the Center's signed document, its applications and the provider's cases for them",
    description="The handover with the Center's signed e-document as it came and decoded, each application it names "
    "with the provider's case number when the provider has a case for it, the acknowledgment drafted and the one "
    "signed. Errors: UNAUTHORIZED; NOT_FOUND (no such handover in your district — another district's answers the "
    "same, so its existence is not revealed).",
)
async def get_handover(staff: Staff, runtime: Runtime, clock: Clock, handover_id: HandoverId) -> HandoverDetail:
    return await handover_detail(runtime, district=staff.district, handover_id=handover_id, clock=clock)


async def handover_detail(runtime: Runtime, *, district: str, handover_id: str, clock: Clock) -> HandoverDetail:
    async with runtime.db.sessions() as session:
        row = await handovers.find(session, district=district, handover_id=handover_id)
        cases = await handovers.cases_named(session, row)
    return HandoverDetail.of_row(row, cases, clock())


@router.post(
    "/{handover_id}/acknowledgment/draft",
    response_model=DocumentToSign,
    summary="The acknowledgment to sign (Annex 1 step 3, Annex 4's «Қабылдады»; a recall: the result sent back)",
    description="The department's answer (`housing-queue/handover-ack@1`): the handover, its type, district and "
    "branch, the total accepted (a recall: 1), the staff member's full name and the time, authored by the staff "
    "member (their IIN, the department's BIN), to sign with their employee key on the same day and post to "
    "`/acknowledgment`. It is kept: a new draft replaces an earlier unsigned one. Errors: "
    f"{WHO}; CONFLICT (acknowledged already).",
)
async def draft_acknowledgment(staff: Staff, runtime: Runtime, clock: Clock, handover_id: HandoverId) -> DocumentToSign:
    async with runtime.db.transaction() as session:
        document = await handovers.draft_ack(session, member=staff.login, handover_id=handover_id, now=clock())
    return DocumentToSign(document=document)


@router.post(
    "/{handover_id}/acknowledgment",
    response_model=HandoverDetail,
    summary="The signed acknowledgment: the handover acknowledged, the answer sent to the Center",
    description="Exactly the drafted acknowledgment, signed with the caller's own employee certificate of the "
    "department's BIN. The handover becomes ACKNOWLEDGED (who, when; a recall: whether on or before its `due_on`, "
    "`returned_in_time`) and the signed answer goes to the Center (`handover.ack.con`). The same signed "
    f"acknowledgment posted again answers the same. Errors: {WHO}; {SIGNED}; CONFLICT (acknowledged already with "
    "another, none drafted, or drafted on an earlier day: draft again).",
)
async def acknowledge(
    staff: Staff, runtime: Runtime, clock: Clock, handover_id: HandoverId, body: SignedBody
) -> HandoverDetail:
    verified = await runtime.verifier.verify(body.signed, purpose="sign", model=HandoverAck)
    async with runtime.db.transaction() as session:
        await handovers.acknowledge(
            session, member=staff.login, handover_id=handover_id, verified=verified, now=clock()
        )
    return await handover_detail(runtime, district=staff.district, handover_id=handover_id, clock=clock)
