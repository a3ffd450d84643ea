"""The form, the submission and the personal cabinet (§18 Process 3 – Process 8, §10 step 3, §17)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, status
from sqlalchemy.exc import IntegrityError

from services.portal_gateway import accounts, attachments, cabinet, drafts, submissions
from services.portal_gateway.api.deps import AccountHolder, Credentials, CurrentCitizen, Db, EdsVerifier, Registries
from services.portal_gateway.api.schemas import (
    AcceptedView,
    ApplicationDetail,
    ApplicationSummary,
    DraftRequest,
    DraftView,
    Requirement,
    ResultView,
    SignedRequest,
)
from services.portal_gateway.api.views import detail, summary
from services.portal_gateway.models import Account

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])
ApplicationId = Annotated[str, Path(max_length=64, description="the application's id (= the signed document's id)")]


@router.post(
    "/draft",
    response_model=DraftView,
    summary="The form: the application to sign, pre-filled from the registries",
    description="Process 3. Every field is optional: an empty body {} gives the application with everything the "
    "registries know (applicant, address and district, household, categories, §14 consents). `document` is exactly "
    "what to sign (with a SIGN certificate); the §14 attachments it needs and those missing are listed beside it. "
    "Only for a token whose account's identity is proven (EDS login or SMS code: identity_proven); otherwise "
    "IDENTITY_NOT_PROVEN (403) before anything is asked of the registries, its details saying how to prove it.",
)
async def draft(
    db: Db, registries: Registries, credentials: Credentials, citizen: CurrentCitizen, body: DraftRequest
) -> DraftView:
    drafts.require_identity_proven(citizen.proven)
    request = drafts.DraftRequest(**dict(body))
    async with db.sessions() as session:
        await attachments.check_references(session, iin=citizen.iin, attachments=request.attachments or [])
        email = await accounts.email_of(session, iin=citizen.iin)
        proof = accounts.proof_of(await session.get(Account, citizen.iin))
    made = await drafts.make_draft(
        registries=registries,
        credentials=credentials,
        iin=citizen.iin,
        identified_by=proof,
        request=request,
        account_email=email,
    )
    return DraftView(
        document=made.document,
        required_attachments=[Requirement(**asdict(r)) for r in made.required],
        missing_attachments=[Requirement(**asdict(r)) for r in made.missing],
    )


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AcceptedView,
    summary="Submit the signed application",
    description="Condition 2: full EDS verification (SIGN, the applicant's IIN = the certificate's); Process 4: 422 "
    "with the EDS code (EDS_REVOCATION_UNKNOWN: 503). Then: your own application (FORBIDDEN), channel portal, your "
    "uploads (DOCS_INCOMPLETE), none pending or queued (DUPLICATE_APPLICATION). Accepted: sent on to the regional "
    "gateway, with the date the result is due (§12: +30 calendar days). The same signed document again: the same "
    "answer; another document with a used id: CONFLICT.",
)
async def submit(db: Db, verifier: EdsVerifier, citizen: AccountHolder, body: SignedRequest) -> AcceptedView:
    checked = await submissions.check_submission(verifier=verifier, iin=citizen.iin, signed=body.signed)
    try:
        async with db.transaction() as session:
            accepted = await submissions.submit(session, iin=citizen.iin, checked=checked)
    except IntegrityError:  # a concurrent submission committed first (the same id, or another active one)
        async with db.transaction() as session:  # judged again against what it wrote
            accepted = await submissions.submit(session, iin=citizen.iin, checked=checked)
    return AcceptedView(id=accepted.id, status=accepted.status, expected_result_date=accepted.expected_result_date)


@router.get(
    "",
    response_model=list[ApplicationSummary],
    summary="Your applications (personal cabinet)",
    description="Newest first, each with its current status, registration number and whether the result is ready.",
)
async def list_applications(db: Db, citizen: AccountHolder) -> list[ApplicationSummary]:
    async with db.sessions() as session:
        rows = await cabinet.list_applications(session, iin=citizen.iin)
    return [summary(row) for row in rows]


@router.get(
    "/{application_id}",
    response_model=ApplicationDetail,
    summary="One of your applications",
    description="Status and its history, the gateway's registration number, the delivery state, the provider's case "
    "number, the signed result when it has arrived and, when it is a notification, `queue`: the waiting list, the "
    "position (the queue number) and its history. Another citizen's application is NOT_FOUND.",
)
async def get_application(db: Db, citizen: AccountHolder, application_id: ApplicationId) -> ApplicationDetail:
    async with db.sessions() as session:
        view = await cabinet.get_application(session, iin=citizen.iin, application_id=application_id)
    return detail(view)


@router.get(
    "/{application_id}/result",
    response_model=ResultView,
    summary="The signed result",
    description='`{"document": <signed>}`: the notification or reasoned refusal signed by the provider\'s authorized '
    "person (the head of the housing department) and registered by the regional gateway (its stamp) (§17, Process "
    "8); NOT_FOUND until it has arrived.",
)
async def get_result(db: Db, citizen: AccountHolder, application_id: ApplicationId) -> ResultView:
    async with db.sessions() as session:
        return ResultView(document=await cabinet.get_result(session, iin=citizen.iin, application_id=application_id))
