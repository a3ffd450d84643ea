"""The intake of applications at the operator's desk (§19 Processes 2–6, §13, §14 item 1, §16; the service
layer: intake.py): the recipient's written consent, the registries' answers and the §14 checklist, the
documents presented, then the Annex 5 refusal or the application with its acceptance receipt. Documents are
signed on the client side with the operator's employee key: the draft endpoints give the exact document to
sign. Everything is of the operator's branch: another branch's intake is NOT_FOUND."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.con_intake import intake, operators
from services.con_intake.api.deps import Clock, CurrentOperator, Runtime
from services.con_intake.domain.intake import ACCEPTANCE_LIMIT, DECLARABLE_CATEGORIES, IntakeState
from services.con_intake.models import CenterResult, Intake, IntakeEvent, JournalEntry
from shared.calendar import local_day
from shared.errors import AppError
from shared.housing.application import ApplicationDocument, Attachment, AttachmentKind
from shared.housing.center import CenterReceipt, CenterRefusal

router = APIRouter(prefix="/api/v1/intakes", tags=["intake"])
journal_router = APIRouter(prefix="/api/v1/journal", tags=["intake"])

IntakeId = Annotated[str, Path(max_length=36, description="the intake's id (from its start)")]
Declarable = Literal["emergency_dwelling", "substandard_dwelling", "cosmonaut"]
assert set(get_args(Declarable)) == DECLARABLE_CATEGORIES
WHO = (
    "UNAUTHORIZED (no operator's token, or the account is no longer active at its branch); NOT_FOUND (no such "
    "intake at your branch); CONFLICT (the intake is not in the state this step needs)"
)
SIGNED = (
    "EDS_* (the signature does not verify: revoked, expired, untrusted …); EDS_PURPOSE_INVALID (not one employee "
    "certificate of the Center's BIN); EDS_IIN_MISMATCH (another person's certificate); VALIDATION_FAILED (not "
    "exactly the draft); CONFLICT (no draft)"
)


# --- bodies ------------------------------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NotarisedPowerOfAttorney(_Body):
    """§19 Process 2 (R24): a notarised power of attorney is not typed in; БНАЖ gives its data."""

    kind: Literal["notarised"]
    number: str = Field(min_length=1, max_length=64, examples=["2026-00000042"])


class OtherPowerOfAttorney(_Body):
    """A power of attorney certified otherwise than by a notary: typed in from the paper, its scan attached."""

    kind: Literal["other"]
    number: str = Field(min_length=1, max_length=64)
    issued_on: date
    valid_until: date
    certified_by: str = Field(min_length=1, max_length=200, description="who certified it (an employer, …)")
    scan_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="the SHA-256 of its scan")


class RepresentativeBody(_Body):
    iin: str = Field(max_length=32, description="the representative's IIN (their identity document is shown)")
    power_of_attorney: Annotated[NotarisedPowerOfAttorney | OtherPowerOfAttorney, Field(discriminator="kind")]


class IntakeRequest(_Body):
    recipient_iin: str = Field(max_length=32, description="the recipient's IIN: the person the application is for")
    representative: RepresentativeBody | None = Field(default=None, description="who applies for them, if anyone")
    consent: bool = Field(
        description="§14 item 1: the recipient's written consent to use information that is a secret protected by "
        "law, held in information systems. It must be true: it is recorded (who, when) before any registry is asked"
    )
    ticket_id: str | None = Field(
        default=None, max_length=36, description="the visitor's ticket, called to your window: §13's time runs from it"
    )
    district: str | None = Field(
        default=None,
        max_length=64,
        description="the city or district whose department decides (default: the "
        "recipient's registered one; shared.geo code)",
    )
    categories: list[Declarable] = Field(
        default_factory=list,
        max_length=3,
        description="categories the recipient declares beyond what the registries show (each adds its document)",
    )

    def start(self) -> intake.Start:
        rep = self.representative
        poa = None
        if rep is not None:
            given = rep.power_of_attorney
            poa = intake.PowerOfAttorney(
                kind=given.kind,
                number=given.number,
                issued_on=getattr(given, "issued_on", None),
                valid_until=getattr(given, "valid_until", None),
                certified_by=getattr(given, "certified_by", None),
                scan_sha256=getattr(given, "scan_sha256", None),
            )
        return intake.Start(
            recipient_iin=self.recipient_iin,
            representative_iin=rep.iin if rep is not None else None,
            power_of_attorney=poa,
            ticket_id=self.ticket_id,
            district=self.district,
            categories=tuple(self.categories),
        )


class DocumentsRequest(_Body):
    presented: list[AttachmentKind] = Field(max_length=50, description="the documents presented on paper")
    scans: list[Attachment] = Field(default_factory=list, max_length=50, description="each one's scan, by reference")


class SignedBody(_Body):
    signed: dict[str, Any] = Field(description="the draft, signed with your employee SIGN key (JWS JSON)")


class DocumentToSign(BaseModel):
    document: dict[str, Any] = Field(description="the exact document to sign")


# --- the answer ----------------------------------------------------------------------------------------


class ChecklistItem(BaseModel):
    kind: str
    name: str = Field(description="as the receipts name it (§14 item 1)")
    original: bool = Field(description="shown in the original (the identity document); else a copy brought")
    reason: str
    paragraph: str
    presented: bool


class Missing(BaseModel):
    kind: str
    name: str
    paragraph: str


class StatusEvent(BaseModel):
    status: str
    at: datetime
    details: dict[str, Any] | None = None


class ApplicationView(BaseModel):
    id: str
    accepted_at: datetime | None = None
    accepted_by: str | None = None
    status: str | None = Field(None, description="its business status: SUBMITTED, REGISTERED_AT_GATEWAY, …")
    status_at: datetime | None = None
    registration_number: str | None = Field(None, description="the regional gateway's (§19 Process 7)")
    registered_at: datetime | None = None
    delivery_state: str | None = None
    delivery_error: dict[str, Any] | None = None
    case_number: str | None = Field(None, description="the provider's, once registered")
    signed: dict[str, Any] | None = Field(None, description="the application as the operator signed it")
    history: list[StatusEvent] = Field(default_factory=list)


class ReceiptView(BaseModel):
    number: str = Field(description="the journal's entry (Annex 1 step 1)")
    result_ready_on: date = Field(description="§12 item 2: the day the result is ready")
    document: dict[str, Any] | None = Field(description="the acceptance receipt to sign (POST …/receipt)")
    signed: dict[str, Any] | None = Field(description="the receipt as the operator signed it")


class AcceptanceTime(BaseModel):
    started_at: datetime = Field(description="the ticket's call to the window, else the consent recorded")
    seconds: int | None = Field(description="to the acceptance (Process 6)")
    within_limit: bool | None
    limit_s: int = int(ACCEPTANCE_LIMIT.total_seconds())


class ResultView(BaseModel):
    type: str
    registration_number: str | None
    signed_at: datetime
    received_at: datetime


class IntakeView(BaseModel):
    id: str
    branch: str
    state: IntakeState
    operator: str = Field(description="the login that began it")
    ticket_id: str | None
    consent: dict[str, Any] = Field(description="who recorded the written consent, when, and the attestations")
    recipient: dict[str, Any] = Field(description="as the individuals database knows them")
    representative: dict[str, Any] | None = Field(description="with the power of attorney")
    district: str | None
    categories: list[str] = Field(default_factory=list)
    vulnerable_groups: list[str] = Field(default_factory=list)
    employment_categories: list[str] = Field(default_factory=list)
    household: list[dict[str, Any]] = Field(default_factory=list)
    checklist: list[ChecklistItem] = Field(default_factory=list, description="§14 item 1")
    missing: list[Missing] = Field(default_factory=list, description="of the checklist, not presented")
    presented: list[str]
    scans: list[dict[str, Any]]
    error: dict[str, Any] | None = Field(description="why the data could not be obtained (Process 4)")
    refusal: dict[str, Any] | None = Field(description="§16: the signed Annex 5 receipt")
    journal_number: str | None
    acceptance: AcceptanceTime
    application: ApplicationView
    receipt: ReceiptView | None
    result: ResultView | None = Field(description="the result, once it came (§19 Process 9)")


def view(row: Intake, events: list[IntakeEvent], result: CenterResult | None) -> IntakeView:
    facts = row.facts or {}
    items = intake.items_of(row)
    return IntakeView(
        id=row.id,
        branch=row.branch,
        state=row.state,
        operator=row.operator,
        ticket_id=row.ticket_id,
        consent={"recorded_at": row.consent_at, "recorded_by": row.consent_by, "attestations": row.consents},
        recipient=row.recipient or {"iin": row.recipient_iin},
        representative=row.representative,
        district=row.district,
        categories=facts.get("categories", []),
        vulnerable_groups=facts.get("vulnerable_groups", []),
        employment_categories=facts.get("employment_categories", []),
        household=facts.get("household", []),
        checklist=[ChecklistItem(**asdict(i), presented=i.kind in row.presented) for i in items],
        missing=[Missing(kind=i.kind, name=i.name, paragraph=i.paragraph) for i in intake.missing_of(row)],
        presented=row.presented,
        scans=row.scans,
        error=row.error,
        refusal=row.refusal_signed,
        journal_number=row.journal_number,
        acceptance=AcceptanceTime(
            started_at=row.started_at, seconds=row.acceptance_s, within_limit=row.acceptance_within_limit
        ),
        application=ApplicationView(
            id=row.application_id,
            accepted_at=row.accepted_at,
            accepted_by=row.accepted_by,
            status=row.status,
            status_at=row.status_at,
            registration_number=row.registration_number,
            registered_at=row.registered_at,
            delivery_state=row.delivery_state,
            delivery_error=row.delivery_error,
            case_number=row.case_number,
            signed=row.application_signed,
            history=[StatusEvent(status=e.status, at=e.at, details=e.details) for e in events],
        ),
        receipt=(
            ReceiptView(
                number=row.journal_number,
                result_ready_on=row.result_ready_on,
                document=row.receipt_draft,
                signed=row.receipt_signed,
            )
            if row.state == "ACCEPTED" and row.journal_number and row.result_ready_on
            else None
        ),
        result=(
            ResultView(
                type=result.type,
                registration_number=result.registration_number,
                signed_at=result.signed_at,
                received_at=result.received_at,
            )
            if result is not None
            else None
        ),
    )


async def _answer(runtime: Runtime, *, branch: str, intake_id: str) -> IntakeView:
    async with runtime.db.sessions() as session:
        row = await intake.get_intake(session, branch=branch, intake_id=intake_id)
        events = await intake.history(session, intake_id=row.id)
        result = await session.get(CenterResult, row.application_id)
    return view(row, events, result)


# --- the routes ----------------------------------------------------------------------------------------


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=IntakeView,
    summary="Processes 2–4: take in a recipient (or their representative) with their written consent",
    description="The consent (§14 item 1) is recorded first — who, when — and only then are the registries asked "
    "(Process 3): the individuals database for the representative and the recipient, the notarial system (БНАЖ) "
    "for a notarised power of attorney (not typed in), then what §14 fetches. The answer is the intake, OPEN, with "
    "the recipient's data and the §14 checklist to mark (`…/documents`). Errors: UNAUTHORIZED; VALIDATION_FAILED "
    "(no consent: nothing is asked; a representative without a power of attorney, or who is the recipient; an "
    "unknown district); IIN_INVALID; NOT_FOUND, CONFLICT (the ticket is not your branch's, or not called yet); "
    "DUPLICATE_APPLICATION (the recipient's Center application is on its way or in the queue). Process 4, the "
    "intake kept UNAVAILABLE with the code (its id in the details): PERSON_NOT_FOUND (the recipient or the "
    "representative is not in the individuals database, or is recorded dead); POA_NOT_FOUND, POA_EXPIRED, "
    "POA_REVOKED (as БНАЖ answers; a typed one past its date: POA_EXPIRED); POA_NOT_APPLICABLE (not the recipient's "
    "to this representative, not for this service, not notarised); UPSTREAM_TIMEOUT (the registries did not answer).",
)
async def start(operator: CurrentOperator, runtime: Runtime, clock: Clock, body: IntakeRequest) -> IntakeView:
    if body.consent is not True:
        raise AppError(
            "VALIDATION_FAILED",
            {
                "errors": [
                    {
                        "loc": ["body", "consent"],
                        "msg": "the recipient's written consent to use legally protected information (§14 item 1) "
                        "comes first: without it no registry is asked",
                    }
                ]
            },
        )
    begun = body.start()
    intake.check_start(begun)
    now = clock()
    async with runtime.db.transaction() as session:
        account = await operators.on_duty(session, login=operator.login, branch=operator.branch)
        row = await intake.begin(session, account=account, start=begun, now=now)
    findings = intake.Findings()
    try:
        await intake.look_up(
            registries=runtime.registries,
            credentials=runtime.credentials,
            row=row,
            operator_iin=account.iin,
            findings=findings,
            today=local_day(now),
        )
    except AppError as error:
        async with runtime.db.transaction() as session:
            await intake.record_unavailable(
                session, branch=operator.branch, intake_id=row.id, findings=findings, error=error, now=clock()
            )
        raise AppError(error.code, {**error.details, "intake": row.id}) from None
    async with runtime.db.transaction() as session:
        await intake.record_findings(session, branch=operator.branch, intake_id=row.id, findings=findings, now=clock())
    return await _answer(runtime, branch=operator.branch, intake_id=row.id)


@router.get(
    "",
    response_model=list[IntakeView],
    summary="My branch's intakes, the newest first",
    description="Errors: UNAUTHORIZED.",
)
async def list_intakes(
    operator: CurrentOperator,
    runtime: Runtime,
    state: Annotated[IntakeState | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[IntakeView]:
    async with runtime.db.sessions() as session:
        rows = await intake.list_intakes(session, branch=operator.branch, state=state, limit=limit)
        query = select(CenterResult).where(col(CenterResult.intake_id).in_([x.id for x in rows]))
        results = {r.application_id: r for r in (await session.exec(query)).all()}
        return [view(r, await intake.history(session, intake_id=r.id), results.get(r.application_id)) for r in rows]


@router.get(
    "/{intake_id}",
    response_model=IntakeView,
    summary="One intake of my branch",
    description="Its state, the recipient, the checklist and what is missing, the refusal or the application with "
    "its statuses, the receipt, §13's time. Errors: UNAUTHORIZED; NOT_FOUND.",
)
async def get_intake(operator: CurrentOperator, runtime: Runtime, intake_id: IntakeId) -> IntakeView:
    return await _answer(runtime, branch=operator.branch, intake_id=intake_id)


@router.post(
    "/{intake_id}/documents",
    response_model=IntakeView,
    summary="Process 5: mark the documents presented, with their scans",
    description="What the recipient presented on paper (kinds of the checklist, or others) and each one's scan "
    "(kind, name, media type, size, SHA-256); it replaces the marking before, and the drafts made on it. The answer "
    f"says what is still missing. Errors: {WHO}; VALIDATION_FAILED (a document presented but not scanned, or a scan "
    "of one not presented).",
)
async def documents(
    operator: CurrentOperator, runtime: Runtime, clock: Clock, intake_id: IntakeId, body: DocumentsRequest
) -> IntakeView:
    async with runtime.db.transaction() as session:
        await operators.on_duty(session, login=operator.login, branch=operator.branch)
        await intake.mark(
            session,
            branch=operator.branch,
            intake_id=intake_id,
            presented=list(body.presented),
            scans=[s.model_dump() for s in body.scans],
            now=clock(),
        )
    return await _answer(runtime, branch=operator.branch, intake_id=intake_id)


@router.post(
    "/{intake_id}/refusal/draft",
    response_model=DocumentToSign,
    summary="§16: the Annex 5 refusal to accept, to sign",
    description="`housing-queue/center-refusal@1`: addressed to the recipient, naming exactly the checklist's "
    f"documents not presented, your branch and you. Errors: {WHO} — and CONFLICT when nothing is missing.",
)
async def refusal_draft(
    operator: CurrentOperator, runtime: Runtime, clock: Clock, intake_id: IntakeId
) -> DocumentToSign:
    async with runtime.db.transaction() as session:
        account = await operators.on_duty(session, login=operator.login, branch=operator.branch)
        document = await intake.refusal_draft(session, account=account, intake_id=intake_id, now=clock())
    return DocumentToSign(document=document)


@router.post(
    "/{intake_id}/refusal",
    response_model=IntakeView,
    summary="§16: the signed Annex 5 refusal; the intake is closed, nothing is sent",
    description="Signed with your employee key, exactly the draft. A journal entry; nothing reaches the provider. "
    f"Errors: {WHO}; {SIGNED}.",
)
async def refuse(
    operator: CurrentOperator, runtime: Runtime, clock: Clock, intake_id: IntakeId, body: SignedBody
) -> IntakeView:
    verified = await runtime.verifier.verify(body.signed, purpose="sign", model=CenterRefusal)

    async def run() -> None:
        async with runtime.db.transaction() as session:
            account = await operators.on_duty(session, login=operator.login, branch=operator.branch)
            await intake.refuse(session, account=account, intake_id=intake_id, verified=verified, now=clock())

    try:
        await run()
    except IntegrityError:  # the year's first journal entries, at once: one runs again
        await run()
    return await _answer(runtime, branch=operator.branch, intake_id=intake_id)


@router.post(
    "/{intake_id}/application/draft",
    response_model=DocumentToSign,
    summary="Process 5: the Annex 3 application to certify with your key",
    description="`housing-queue/application@1`, channel `center`: you its author (your IIN, the Center's BIN), the "
    "recipient its applicant, the representative and their power of attorney, the household and the categories the "
    f"registries show, the two consents, the scans as attachments. Errors: {WHO} — and CONFLICT while a document of "
    "the checklist is missing (§16: refuse, or mark it).",
)
async def application_draft(
    operator: CurrentOperator, runtime: Runtime, clock: Clock, intake_id: IntakeId
) -> DocumentToSign:
    async with runtime.db.transaction() as session:
        account = await operators.on_duty(session, login=operator.login, branch=operator.branch)
        document = await intake.application_draft(session, account=account, intake_id=intake_id, now=clock())
    return DocumentToSign(document=document)


@router.post(
    "/{intake_id}/application",
    response_model=IntakeView,
    summary="Process 6: the signed application, sent to the regional gateway; the acceptance receipt to sign",
    description="Verified (your own employee certificate, exactly the draft), accepted and sent through the gateway "
    "(`document.submitted`: user_id your `KZ<IIN>`, represented_party the recipient's). The answer carries the "
    "journal's entry (Annex 1 step 1), the acceptance receipt to sign (`receipt.document`, with the day the result is "
    "ready: §12 item 2) and the time acceptance took against §13's 15 minutes. Errors: "
    f"{WHO}; {SIGNED}; DUPLICATE_APPLICATION.",
)
async def accept(
    operator: CurrentOperator, runtime: Runtime, clock: Clock, intake_id: IntakeId, body: SignedBody
) -> IntakeView:
    verified = await runtime.verifier.verify(body.signed, purpose="sign", model=ApplicationDocument)

    async def run() -> None:
        async with runtime.db.transaction() as session:
            account = await operators.on_duty(session, login=operator.login, branch=operator.branch)
            await intake.accept(session, account=account, intake_id=intake_id, verified=verified, now=clock())

    try:
        await run()
    except IntegrityError:  # another desk's acceptance, or the journal's first entry, committed first
        await run()
    return await _answer(runtime, branch=operator.branch, intake_id=intake_id)


@router.post(
    "/{intake_id}/receipt",
    response_model=IntakeView,
    summary="Annex 1 step 1: the signed acceptance receipt (қолхат)",
    description=f"Signed with your employee key, exactly as drafted at acceptance. Errors: {WHO}; {SIGNED}.",
)
async def sign_receipt(
    operator: CurrentOperator, runtime: Runtime, clock: Clock, intake_id: IntakeId, body: SignedBody
) -> IntakeView:
    verified = await runtime.verifier.verify(body.signed, purpose="sign", model=CenterReceipt)
    async with runtime.db.transaction() as session:
        account = await operators.on_duty(session, login=operator.login, branch=operator.branch)
        await intake.sign_receipt(session, account=account, intake_id=intake_id, verified=verified, now=clock())
    return await _answer(runtime, branch=operator.branch, intake_id=intake_id)


class JournalView(BaseModel):
    number: str
    kind: str = Field(description="accepted | refused | issued")
    intake_id: str
    application_id: str | None
    recipient_iin: str
    operator: str
    at: datetime
    document_id: str = Field(description="the receipt's or the refusal's id")

    @classmethod
    def of(cls, entry: JournalEntry) -> JournalView:
        return cls(
            number=entry.number,
            kind=entry.kind,
            intake_id=entry.intake_id,
            application_id=entry.application_id,
            recipient_iin=entry.recipient_iin,
            operator=entry.operator,
            at=entry.at,
            document_id=entry.document_id,
        )


@journal_router.get(
    "",
    response_model=list[JournalView],
    summary="Annex 1 step 1: my branch's journal, the newest entry first",
    description="Every acceptance and every §16 refusal, numbered in the branch's year. Errors: UNAUTHORIZED.",
)
async def journal(
    operator: CurrentOperator, runtime: Runtime, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[JournalView]:
    async with runtime.db.sessions() as session:
        entries = await intake.journal(session, branch=operator.branch, limit=limit)
    return [JournalView.of(e) for e in entries]
