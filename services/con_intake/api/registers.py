"""The register of originals to the provider (Annex 1 step 2, §13): the schedule of the day's register times and
what waits for them, the draft at a register time, the signed register sent, the registers sent and the
provider's acceptance of each; the service layer: registers.py. Everything is of the operator's branch. The
register is signed on the client side with the operator's employee key: the draft endpoint gives the exact
document to sign."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from services.con_intake import operators, registers
from services.con_intake.api.deps import Clock, CurrentOperator, Runtime
from services.con_intake.api.issuance import DocumentToSign, SignedBody
from services.con_intake.domain.schedule import REGISTER_TIMES, next_register_at, register_slots
from services.con_intake.models import OriginalsRegister
from shared.calendar import local_day
from shared.housing.center import OriginalsRegister as OriginalsRegisterDocument

router = APIRouter(prefix="/api/v1/registers/originals", tags=["registers"])


class DraftBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district: str | None = Field(
        default=None,
        max_length=64,
        description="whose authorized body the register goes to (shared.geo code); needed when the applications "
        "waiting are of more than one district",
    )


class PendingView(BaseModel):
    intake_id: str
    application_id: str | None
    district: str | None
    accepted_at: datetime
    due_at: datetime = Field(description="the first register time after its acceptance")
    late: bool = Field(description="still here after the register time following the one it was due at")


class ScheduleView(BaseModel):
    branch: str
    now: datetime
    working_day: bool = Field(description="today is a working day in Kazakhstan (weekends, holidays, moved days off)")
    register_times: list[str] = Field(description="the register times of a working day, Kazakhstan time")
    slots_today: list[datetime] = Field(description="today's register times (none on a day off)")
    current_slot: datetime | None = Field(description="the latest register time today at or before now")
    next_at: datetime = Field(description="the next register time, skipping days off")
    pending: list[PendingView] = Field(description="accepted applications not sent yet, the earliest first")
    late: int
    sent_today: list[str] = Field(description="the ids of the registers sent at today's register times")


class OriginalsRegisterView(BaseModel):
    id: str
    branch: str
    district: str
    slot_at: datetime
    total: int
    intake_ids: list[str]
    formed_at: datetime
    signed_at: datetime | None
    signed_by: str | None
    signed: dict[str, Any] | None = Field(description="the register as the operator signed it (JWS JSON)")
    accepted_at: datetime | None = Field(description="the provider's specialist accepted it (Annex 1 step 3)")
    accepted_by: str | None
    ack: dict[str, Any] | None = Field(description="the provider's signed answer (JWS JSON)")

    @classmethod
    def of(cls, row: OriginalsRegister) -> OriginalsRegisterView:
        return cls(
            id=row.id,
            branch=row.branch,
            district=row.district,
            slot_at=row.slot_at,
            total=row.total,
            intake_ids=[str(i) for i in row.intake_ids],
            formed_at=row.formed_at,
            signed_at=row.signed_at,
            signed_by=row.signed_by,
            signed=row.signed,
            accepted_at=row.accepted_at,
            accepted_by=row.accepted_by,
            ack=row.ack,
        )


@router.get(
    "/schedule",
    response_model=ScheduleView,
    summary="Annex 1 step 2: today's register times and the applications waiting for them",
    description="At least twice a working day (the register times, Kazakhstan time); none on a weekend, a public "
    "holiday or a day off the Government moved. Each application accepted is due at the first register time after "
    "it. Errors: UNAUTHORIZED.",
)
async def schedule(operator: CurrentOperator, runtime: Runtime, clock: Clock) -> ScheduleView:
    now = clock()
    async with runtime.db.sessions() as session:
        waiting = await registers.pending(session, branch=operator.branch, now=now)
        sent = await registers.registers_of_day(session, branch=operator.branch, now=now)
    slots = register_slots(local_day(now))
    return ScheduleView(
        branch=operator.branch,
        now=now,
        working_day=bool(slots),
        register_times=[t.strftime("%H:%M") for t in REGISTER_TIMES],
        slots_today=[slot.astimezone(UTC) for slot in slots],
        current_slot=registers.current_slot(now),
        next_at=next_register_at(now).astimezone(UTC),
        pending=[
            PendingView(
                intake_id=p.intake.id,
                application_id=p.intake.application_id,
                district=p.intake.district,
                accepted_at=p.intake.accepted_at or now,
                due_at=p.due_at,
                late=p.late,
            )
            for p in waiting
        ],
        late=sum(p.late for p in waiting),
        sent_today=[r.id for r in sent],
    )


@router.post(
    "/draft",
    response_model=DocumentToSign,
    summary="Annex 1 step 2: the register of originals at this register time, to sign",
    description="The register (тізілім, `housing-queue/originals@1`) of one district's applications accepted "
    "before the current register time and not sent yet: No., the application, its registration number at the "
    "gateway, the recipient, when accepted, the documents presented; the total; handed over by you. Errors: "
    "UNAUTHORIZED; CONFLICT (no register time yet today — a day off, or before the first: `details.next_at` — or "
    "nothing waiting); VALIDATION_FAILED (the applications are of more than one district: name one).",
)
async def draft(
    operator: CurrentOperator, runtime: Runtime, clock: Clock, body: DraftBody | None = None
) -> DocumentToSign:
    async with runtime.db.transaction() as session:
        account = await operators.on_duty(session, login=operator.login, branch=operator.branch)
        document = await registers.originals_draft(
            session, account=account, district=body.district if body else None, now=clock()
        )
    return DocumentToSign(document=document)


@router.post(
    "",
    response_model=OriginalsRegisterView,
    summary="Annex 1 step 2: the signed register; it goes to the district's authorized body",
    description="Signed with your own employee key (the Center's BIN, your IIN), exactly a draft of your branch's; "
    "its applications are marked sent and the register goes to the provider, whose specialist's signed answer "
    "comes back as `accepted_by`, `accepted_at`. The same signed register again is answered as it is. Errors: "
    "UNAUTHORIZED; EDS_* (the signature does not verify); EDS_PURPOSE_INVALID (not one employee certificate of the "
    "Center's BIN); EDS_IIN_MISMATCH (another person's certificate); VALIDATION_FAILED (not exactly the draft); "
    "CONFLICT (no such draft, signed already, or an application of it sent with another register: draft again).",
)
async def send(operator: CurrentOperator, runtime: Runtime, clock: Clock, body: SignedBody) -> OriginalsRegisterView:
    verified = await runtime.verifier.verify(body.signed, purpose="sign", model=OriginalsRegisterDocument)
    async with runtime.db.transaction() as session:
        account = await operators.on_duty(session, login=operator.login, branch=operator.branch)
        register = await registers.send_originals(session, account=account, verified=verified, now=clock())
    return OriginalsRegisterView.of(register)


@router.get(
    "",
    response_model=list[OriginalsRegisterView],
    summary="Annex 1 step 2: my branch's registers sent, the latest first, with the provider's acceptance",
    description="Errors: UNAUTHORIZED.",
)
async def sent(
    operator: CurrentOperator, runtime: Runtime, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[OriginalsRegisterView]:
    async with runtime.db.sessions() as session:
        rows = await registers.originals_registers(session, branch=operator.branch, limit=limit)
    return [OriginalsRegisterView.of(r) for r in rows]
