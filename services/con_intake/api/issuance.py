"""The results at the Center (§19 Process 9), the issuance window (§17, Annex 1 step 10), unclaimed results
and their Annex 4 register, the late recall (§14 item 1); the service layer: issuance.py. A result is named by
its application's id. Everything is of the operator's branch: another branch's result is NOT_FOUND. The
register is signed on the client side with the head's employee key: the draft endpoint gives the exact
document to sign."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.exc import IntegrityError

from services.con_intake import issuance, operators
from services.con_intake.api.deps import Clock, CurrentOperator, Head, Runtime
from services.con_intake.domain import issuance as domain
from services.con_intake.domain.issuance import Custody, PresentedBy
from services.con_intake.domain.schedule import provider_delivers_on, unclaimed_from
from services.con_intake.models import UnclaimedRegister
from shared.eds.signing import payload_of
from shared.housing.center import UnclaimedRegister as UnclaimedRegisterDocument

router = APIRouter(prefix="/api/v1/results", tags=["issuance"])

ResultId = Annotated[str, Path(max_length=36, description="the result's application id (the intake's application.id)")]
WHO = (
    "UNAUTHORIZED (no operator's token, or the account is no longer active at its branch); NOT_FOUND (no such "
    "result at your branch)"
)
PRESENTED = (
    "FORBIDDEN (the receipt's number is not the application's journal entry, or the IIN is not the recipient's or "
    "the intake's representative's: `details.field` says which)"
)


# --- bodies ------------------------------------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PresentationBody(_Body):
    """Who is at the window (§17): the acceptance receipt (қолхат) and the identity document shown."""

    receipt_number: str = Field(
        min_length=1, max_length=64, description="the receipt's number: the journal's entry", examples=["ХҚО-…-000001"]
    )
    recipient_iin: str = Field(max_length=12, description="the recipient's IIN, as the receipt names it")
    presented_by: PresentedBy = Field(description="who takes it: the recipient, or their representative")
    representative_iin: str | None = Field(
        default=None, max_length=12, description="the representative's IIN (their identity document shown)"
    )

    @model_validator(mode="after")
    def _representative(self) -> PresentationBody:
        if (self.presented_by == "representative") != (self.representative_iin is not None):
            raise ValueError("representative_iin is given exactly when presented_by is 'representative'")
        return self

    def presentation(self) -> domain.Presentation:
        return domain.Presentation(
            receipt_number=self.receipt_number,
            recipient_iin=self.recipient_iin,
            presented_by=self.presented_by,
            representative_iin=self.representative_iin,
        )


class RegisterDraftBody(_Body):
    district: str | None = Field(
        default=None,
        max_length=64,
        description="whose authorized body the register goes to (shared.geo code); needed when the branch's "
        "unclaimed results are of more than one district",
    )


class SignedBody(_Body):
    signed: dict[str, Any] = Field(description="the draft, signed with your employee SIGN key (JWS JSON)")


class DocumentToSign(BaseModel):
    document: dict[str, Any] = Field(description="the exact document to sign")


# --- the answers -------------------------------------------------------------------------------------------


class PersonView(BaseModel):
    iin: str
    full_name: str | None = Field(None, description="Т.А.Ә.: surname, given name, patronymic")


class IssuedView(BaseModel):
    at: datetime
    by: str = Field(description="the operator at the window")
    presented_by: str = Field(description="recipient | representative")
    iin: str = Field(description="the IIN of the person who took it")
    journal_number: str | None = Field(description="the journal's entry (Annex 1 step 10)")


class HandedView(BaseModel):
    register_id: str = Field(description="the Annex 4 register")
    at: datetime


class RecallView(BaseModel):
    id: str
    visit_on: date = Field(description="the day the recipient came")
    asked_at: datetime
    asked_by: str
    presented_by: str
    ask_by: date = Field(description="§14 item 1: the Center asks the provider within one working day")
    return_by: date = Field(description="§14 item 1: the provider sends it back within one working day of that")
    returned_at: datetime | None = Field(description="the provider sent it back (its signed answer)")
    returned_by: str | None = Field(description="the provider's person who sent it back")
    returned_in_time: bool | None = Field(description="sent back by return_by")


class ResultView(BaseModel):
    application_id: str
    intake_id: str
    journal_number: str | None = Field(description="the acceptance receipt's number")
    recipient: PersonView
    representative: PersonView | None
    district: str | None
    type: str = Field(description="housing-queue/notification@1 or housing-queue/refusal@1")
    case_number: str | None = Field(None, description="the provider's")
    registration_number: str | None = Field(description="the application's, at the regional gateway")
    result_registration_number: str | None = Field(description="the result's own, at the regional gateway")
    signed_at: datetime = Field(description="the provider's head signed it")
    received_at: datetime = Field(description="it came to the Center (§19 Process 9)")
    accepted_at: datetime | None
    result_ready_on: date | None = Field(description="§12 item 2: the receipt's day")
    provider_delivers_on: date | None = Field(description="the provider's day: one working day before")
    arrived_in_time: bool | None = Field(description="came by the provider's day; false: it came late")
    custody: Custody = Field(description="AT_BRANCH | ISSUED | WITH_PROVIDER | RECALLED | RETURNED")
    unclaimed_from: date | None = Field(description="§14 item 1: one month after the receipt's day")
    unclaimed: bool = Field(description="still at the branch on or after unclaimed_from")
    issued: IssuedView | None
    handed_over: HandedView | None = Field(description="to the provider with the Annex 4 register")
    recall: RecallView | None = Field(description="the latest late recall")


def view(found: issuance.AtBranch, now: datetime) -> ResultView:
    result, row, asked = found.result, found.intake, found.recall
    recipient = row.recipient or {"iin": row.recipient_iin}
    representative = row.representative
    ready = row.result_ready_on
    try:
        case_number = payload_of(result.signed).get("case_number")
    except (ValueError, KeyError):
        case_number = None
    return ResultView(
        application_id=result.application_id,
        intake_id=row.id,
        journal_number=row.journal_number,
        recipient=PersonView(iin=row.recipient_iin, full_name=domain.full_name_tao(recipient) or None),
        representative=(
            PersonView(iin=representative["iin"], full_name=domain.full_name_tao(representative) or None)
            if representative
            else None
        ),
        district=row.district,
        type=result.type,
        case_number=case_number,
        registration_number=row.registration_number,
        result_registration_number=result.registration_number,
        signed_at=result.signed_at,
        received_at=result.received_at,
        accepted_at=row.accepted_at,
        result_ready_on=ready,
        provider_delivers_on=provider_delivers_on(row.accepted_at) if row.accepted_at else None,
        arrived_in_time=issuance.arrived_in_time(found) if row.accepted_at else None,
        custody=result.custody,
        unclaimed_from=unclaimed_from(ready) if ready else None,
        unclaimed=issuance.is_unclaimed(found, now),
        issued=(
            IssuedView(
                at=result.issued_at,
                by=result.issued_by or "",
                presented_by=result.presented_by or "",
                iin=result.issued_to or "",
                journal_number=result.issue_journal_number,
            )
            if result.issued_at is not None
            else None
        ),
        handed_over=(
            HandedView(register_id=result.register_id, at=result.handed_at)
            if result.register_id is not None and result.handed_at is not None
            else None
        ),
        recall=(
            RecallView(
                id=asked.id,
                visit_on=asked.visit_on,
                asked_at=asked.asked_at,
                asked_by=asked.asked_by,
                presented_by=asked.presented_by,
                ask_by=asked.ask_by,
                return_by=asked.return_by,
                returned_at=asked.returned_at,
                returned_by=asked.returned_by,
                returned_in_time=asked.returned_in_time,
            )
            if asked is not None
            else None
        ),
    )


class IssuedResult(BaseModel):
    result: ResultView
    signed: dict[str, Any] = Field(
        description="the citizen's copy: the signed result as the provider's head signed it and the regional "
        "gateway stamped it (JWS JSON), for the citizen and any verifier to check"
    )


class RegisterView(BaseModel):
    id: str
    branch: str
    district: str = Field(description="whose authorized body it goes to")
    total: int
    application_ids: list[str]
    formed_at: datetime
    signed_at: datetime | None
    signed_by: str | None = Field(description="the branch's head")
    signed: dict[str, Any] | None = Field(description="the Annex 4 register as the head signed it")
    accepted_at: datetime | None = Field(None, description="the provider accepted it (its signed answer)")
    accepted_by: str | None = Field(None, description="Annex 4's «Қабылдады»: the provider's responsible person")
    ack: dict[str, Any] | None = Field(None, description="the provider's signed answer (JWS JSON)")

    @classmethod
    def of(cls, row: UnclaimedRegister) -> RegisterView:
        return cls(
            id=row.id,
            branch=row.branch,
            district=row.district,
            total=row.total,
            application_ids=[str(a) for a in row.application_ids],
            formed_at=row.formed_at,
            signed_at=row.signed_at,
            signed_by=row.signed_by,
            signed=row.signed,
            accepted_at=row.accepted_at,
            accepted_by=row.accepted_by,
            ack=row.ack,
        )


async def _answer(runtime: Runtime, *, branch: str, application_id: str, now: datetime) -> ResultView:
    async with runtime.db.sessions() as session:
        found = await issuance.get_result(session, branch=branch, application_id=application_id)
    return view(found, now)


# --- the routes: the list and the unclaimed ones first (before /{application_id}) ---------------------------


@router.get(
    "",
    response_model=list[ResultView],
    summary="§19 Process 9: the results my branch received, the latest first",
    description="Each with its intake (the recipient, the representative, the receipt's number and day), whether "
    "it came by the provider's day (one working day before the receipt's: `arrived_in_time`, false when late), its "
    "custody, whether it is unclaimed (§14 item 1), and who took it at the window. Errors: UNAUTHORIZED.",
)
async def list_results(
    operator: CurrentOperator,
    runtime: Runtime,
    clock: Clock,
    custody: Annotated[Custody | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ResultView]:
    now = clock()
    async with runtime.db.sessions() as session:
        found = await issuance.list_results(session, branch=operator.branch, custody=custody, limit=limit)
    return [view(f, now) for f in found]


@router.get(
    "/unclaimed",
    response_model=list[ResultView],
    summary="§14 item 1: my branch's unclaimed results",
    description="Results still at the branch a month after the receipt's day (`unclaimed_from`), the earliest "
    "first: the head hands them to the provider with the Annex 4 register. Errors: UNAUTHORIZED.",
)
async def list_unclaimed(operator: CurrentOperator, runtime: Runtime, clock: Clock) -> list[ResultView]:
    now = clock()
    async with runtime.db.sessions() as session:
        found = await issuance.unclaimed(session, branch=operator.branch, now=now)
    return [view(f, now) for f in found]


@router.post(
    "/unclaimed/register/draft",
    response_model=DocumentToSign,
    summary="Annex 4: the register of unclaimed results to the provider, for the head to sign",
    description="`housing-queue/unclaimed@1`: the authorized body, your branch, the time formed; for each unclaimed "
    "result No., the identifier (the application's registration number at the gateway), the recipient's full name, "
    "the service, the date accepted, the planned date of issue, the documents handed over; the total; handed over by "
    "you. Of one district (`district`, needed when the unclaimed results are of more than one: VALIDATION_FAILED "
    "with the districts). Errors: UNAUTHORIZED; FORBIDDEN (not the branch's head); CONFLICT (nothing unclaimed).",
)
async def register_draft(
    operator: Head, runtime: Runtime, clock: Clock, body: RegisterDraftBody | None = None
) -> DocumentToSign:
    async with runtime.db.transaction() as session:
        account = await operators.on_duty(session, login=operator.login, branch=operator.branch)
        document = await issuance.register_draft(
            session, account=account, district=body.district if body else None, now=clock()
        )
    return DocumentToSign(document=document)


@router.post(
    "/unclaimed/register",
    response_model=RegisterView,
    summary="§14 item 1: the signed Annex 4 register; its results are handed to the provider",
    description="Signed with your own employee key (the Center's BIN, your IIN), exactly a draft of your branch's. "
    "Its results are WITH_PROVIDER, kept at the Center as records, and the register goes to the district's "
    "authorized body, whose signed answer names who accepted it (`accepted_by`, `accepted_at`). Errors: "
    "UNAUTHORIZED; FORBIDDEN (not the branch's head); EDS_* (the signature does not verify); EDS_PURPOSE_INVALID "
    "(not one employee certificate of the Center's BIN); EDS_IIN_MISMATCH (another person's certificate); "
    "VALIDATION_FAILED (not exactly the draft); CONFLICT (no such draft, signed already, or a result of it issued "
    "meanwhile: draft again).",
)
async def hand_over(operator: Head, runtime: Runtime, clock: Clock, body: SignedBody) -> RegisterView:
    verified = await runtime.verifier.verify(body.signed, purpose="sign", model=UnclaimedRegisterDocument)
    async with runtime.db.transaction() as session:
        account = await operators.on_duty(session, login=operator.login, branch=operator.branch)
        register = await issuance.hand_over(session, account=account, verified=verified, now=clock())
    return RegisterView.of(register)


@router.get(
    "/unclaimed/registers",
    response_model=list[RegisterView],
    summary="Annex 4: my branch's signed registers, the latest first",
    description="Errors: UNAUTHORIZED.",
)
async def list_registers(
    operator: CurrentOperator, runtime: Runtime, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[RegisterView]:
    async with runtime.db.sessions() as session:
        rows = await issuance.registers(session, branch=operator.branch, limit=limit)
    return [RegisterView.of(r) for r in rows]


@router.get(
    "/{application_id}",
    response_model=ResultView,
    summary="One result of my branch",
    description=f"Errors: {WHO} (or its result has not come yet).",
)
async def get_result(operator: CurrentOperator, runtime: Runtime, clock: Clock, application_id: ResultId) -> ResultView:
    return await _answer(runtime, branch=operator.branch, application_id=application_id, now=clock())


@router.post(
    "/{application_id}/issue",
    response_model=IssuedResult,
    summary="§17, Annex 1 step 10: hand the result over at the window, against the receipt",
    description="The person shows the acceptance receipt (its number is the application's journal entry) and their "
    "identity document: the recipient, or the representative the application was made through. The result is "
    "issued once, with a journal entry; the answer is the citizen's copy of the signed result. An unclaimed result "
    "still at the branch is issued too; one handed to the provider is recalled first (`…/recall`). Errors: "
    f"{WHO}; {PRESENTED}; CONFLICT (the result has not come yet, was issued already, or the provider holds it); "
    "VALIDATION_FAILED (representative_iin without presented_by representative, or the other way).",
)
async def issue(
    operator: CurrentOperator, runtime: Runtime, clock: Clock, application_id: ResultId, body: PresentationBody
) -> IssuedResult:
    async def run() -> None:
        async with runtime.db.transaction() as session:
            account = await operators.on_duty(session, login=operator.login, branch=operator.branch)
            await issuance.issue(
                session, account=account, application_id=application_id, presentation=body.presentation(), now=clock()
            )

    try:
        await run()
    except IntegrityError:  # the journal's first entry of the year, at another desk at once: run again
        await run()
    now = clock()
    async with runtime.db.sessions() as session:
        found = await issuance.get_result(session, branch=operator.branch, application_id=application_id)
    return IssuedResult(result=view(found, now), signed=found.result.signed)


@router.post(
    "/{application_id}/recall",
    status_code=status.HTTP_201_CREATED,
    response_model=ResultView,
    summary="§14 item 1: a late visitor's result, recalled from the provider",
    description="The recipient (or the representative) comes after the result was handed to the provider, with the "
    "receipt as at the window. The request is recorded with the day the Center asks the provider by (one working "
    "day) and the day the provider sends it back by (one more working day): `recall.ask_by`, `recall.return_by`. "
    "The request goes to the district's authorized body at once, signed by the Center's system; the provider's "
    "signed answer brings the result back (custody RETURNED, `recall.returned_in_time` against `recall.return_by`), "
    "to be issued at the window. Errors: "
    f"{WHO}; {PRESENTED}; CONFLICT (the provider does not hold it: it is at the branch, recalled already, or issued).",
)
async def recall(
    operator: CurrentOperator, runtime: Runtime, clock: Clock, application_id: ResultId, body: PresentationBody
) -> ResultView:
    signer = await runtime.credentials.signer()
    async with runtime.db.transaction() as session:
        account = await operators.on_duty(session, login=operator.login, branch=operator.branch)
        await issuance.recall(
            session,
            account=account,
            application_id=application_id,
            presentation=body.presentation(),
            now=clock(),
            signer=signer,
        )
    return await _answer(runtime, branch=operator.branch, application_id=application_id, now=clock())
