"""The housing commission's meetings (Annex 1 step 6): convened by its chair or secretary over the
cases prepared for it, the protocol signed by every member present (the chair first), then the
decisions take effect."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from sqlalchemy import func
from sqlmodel import col, select

from services.provider import casework
from services.provider.api.deps import Clock, Runtime, Staff
from services.provider.api.schemas import MeetingPage, MeetingRequest, MeetingView, SignedBody
from services.provider.models import Meeting
from shared.api.limits import Offset
from shared.errors import AppError
from shared.housing.decisions import ProtocolDocument

router = APIRouter(prefix="/api/v1/meetings", tags=["commission"])

MeetingId = Annotated[str, Path(max_length=36)]


@router.post(
    "",
    response_model=MeetingView,
    status_code=201,
    summary="Convene a meeting: the members present, the agenda, the protocol to sign",
    description="The commission's chair or secretary names the members present (more than half of the commission, "
    "the chair among them) and the cases (default: every case of the district prepared for the commission and on "
    "no other meeting). The protocol (`housing-queue/protocol@1`) decides each case as its proposal says, or as "
    "`decisions` says instead. Errors: UNAUTHORIZED; FORBIDDEN (not the chair or secretary); VALIDATION_FAILED (no "
    "quorum, a stranger present, a decision that cannot be put); NOT_FOUND (a case not in your district); CONFLICT "
    "(no case waits for the commission, or one is not at step 6).",
)
async def convene(staff: Staff, runtime: Runtime, clock: Clock, body: MeetingRequest) -> MeetingView:
    overrides = [d.model_dump(mode="json", exclude_none=True) for d in body.decisions]
    async with runtime.db.transaction() as session:
        meeting = await casework.hold_meeting(
            session, member=staff.login, present=body.present, agenda=body.cases, overrides=overrides, now=clock()
        )
        view = MeetingView.of(meeting)
    return view


@router.get(
    "",
    response_model=MeetingPage,
    summary="The meetings of my district's commission, newest first",
    description="Errors: UNAUTHORIZED.",
)
async def list_meetings(
    staff: Staff,
    runtime: Runtime,
    status: Annotated[Literal["signing", "signed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Offset = 0,
) -> MeetingPage:
    where = [Meeting.district == staff.district] + ([Meeting.status == status] if status else [])
    async with runtime.db.sessions() as session:
        total = (await session.exec(select(func.count()).select_from(Meeting).where(*where))).one()
        query = select(Meeting).where(*where).order_by(col(Meeting.held_at).desc()).offset(offset).limit(limit)
        rows = (await session.exec(query)).all()
    return MeetingPage(items=[MeetingView.of(m) for m in rows], total=int(total))


@router.get(
    "/{meeting_id}",
    response_model=MeetingView,
    summary="One meeting: the protocol, its signatures so far, who signs next",
    description="Errors: UNAUTHORIZED; NOT_FOUND (no such meeting in your district).",
)
async def get_meeting(staff: Staff, runtime: Runtime, meeting_id: MeetingId) -> MeetingView:
    async with runtime.db.sessions() as session:
        meeting = await session.get(Meeting, meeting_id)
    if meeting is None or meeting.district != staff.district:
        raise AppError("NOT_FOUND", {"meeting": meeting_id})
    return MeetingView.of(meeting)


@router.post(
    "/{meeting_id}/signatures",
    response_model=MeetingView,
    summary="Sign the protocol: the chair first, then each member present countersigns",
    description="The chair posts the protocol signed with the chair's employee key (the author); every other member "
    "present then posts the protocol as it stands (`signed`) with one more signature of their own (role "
    "`approval`). With the last one the meeting is `signed` and its cases go on to step 7 with their decisions. "
    "Errors: UNAUTHORIZED; FORBIDDEN (not on the commission); NOT_FOUND; CONFLICT (not your turn, already "
    "signed, or signed over an older state of the protocol); EDS_* (see the case steps); VALIDATION_FAILED (not "
    "this meeting's protocol).",
)
async def sign(staff: Staff, runtime: Runtime, clock: Clock, meeting_id: MeetingId, body: SignedBody) -> MeetingView:
    verified = await runtime.verifier.verify(body.signed, purpose="sign", model=ProtocolDocument)
    async with runtime.db.transaction() as session:
        meeting = await casework.sign_protocol(
            session, member=staff.login, meeting_id=meeting_id, verified=verified, now=clock()
        )
        view = MeetingView.of(meeting)
    return view
