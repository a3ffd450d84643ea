"""The form, the submission and the personal cabinet (SPEC §8 Process 3 – Process 8, §3 step 3, §17)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, status

from services.portal_gateway import cabinet, drafts, submissions
from services.portal_gateway.api.schemas import (
    AcceptedView,
    ApplicationDetail,
    ApplicationSummary,
    DraftRequest,
    DraftView,
    Requirement,
    SignedRequest,
)
from services.portal_gateway.api.views import detail, summary
from services.portal_gateway.deps import CurrentCitizen, PortalDep

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])
ApplicationId = Annotated[str, Path(description="the application's id (= the signed document's id)")]


@router.post(
    "/draft",
    response_model=DraftView,
    summary="The form: the application to sign, pre-filled from the registries",
    description="Process 3. Every field is optional: an empty body {} gives the application with everything the "
    "registries know (applicant, address and district, household, categories, §14 consents). `document` is exactly "
    "what to sign (with a SIGN certificate); the §14 attachments it needs and those missing are listed beside it.",
)
async def draft(portal: PortalDep, citizen: CurrentCitizen, body: DraftRequest) -> DraftView:
    made = await drafts.draft(portal, iin=citizen.iin, request=drafts.DraftRequest(**dict(body)))
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
async def submit(portal: PortalDep, citizen: CurrentCitizen, body: SignedRequest) -> AcceptedView:
    accepted = await submissions.submit(portal, iin=citizen.iin, signed=body.signed)
    return AcceptedView(id=accepted.id, status=accepted.status, expected_result_date=accepted.expected_result_date)


@router.get(
    "",
    response_model=list[ApplicationSummary],
    summary="Your applications (personal cabinet)",
    description="Newest first, each with its current status, registration number and whether the result is ready.",
)
async def list_applications(portal: PortalDep, citizen: CurrentCitizen) -> list[ApplicationSummary]:
    return [summary(row) for row in await cabinet.list_applications(portal, iin=citizen.iin)]


@router.get(
    "/{application_id}",
    response_model=ApplicationDetail,
    summary="One of your applications",
    description="Status and its history, the gateway's registration number, the delivery state, the provider's case "
    "number, the signed result when it has arrived. Another citizen's application is NOT_FOUND.",
)
async def get_application(
    portal: PortalDep, citizen: CurrentCitizen, application_id: ApplicationId
) -> ApplicationDetail:
    return detail(await cabinet.get_application(portal, iin=citizen.iin, application_id=application_id))


@router.get(
    "/{application_id}/result",
    summary="The signed result",
    description="The notification or reasoned refusal signed by the provider's authorized person (§17, Process 8); "
    "NOT_FOUND until it has arrived.",
)
async def get_result(portal: PortalDep, citizen: CurrentCitizen, application_id: ApplicationId) -> dict[str, Any]:
    return await cabinet.get_result(portal, iin=citizen.iin, application_id=application_id)
