"""Annex 1 steps 4–9 on one case, as its actors do them (casework.py). Documents are signed on the
client side with the staff member's employee key: the draft endpoints give the exact document to sign."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from services.provider import casework
from services.provider.api.cases import case_detail
from services.provider.api.deps import Clock, Runtime, Staff
from services.provider.api.schemas import (
    CaseDetail,
    DocumentToSign,
    ProposalRequest,
    ResolutionRequest,
    SignedBody,
)
from shared.eds.signing import payload_of
from shared.errors import AppError, is_transient
from shared.housing.decisions import ResolutionDocument

router = APIRouter(prefix="/api/v1/cases", tags=["steps"])

CaseNumber = Annotated[str, Path(max_length=64, examples=["ТҮ-karaganda-2026-000017"])]
WHO = (
    "UNAUTHORIZED (no staff token); NOT_FOUND (no such case in your district); FORBIDDEN (the step is another "
    "role's, or the case's executor is another specialist); CONFLICT (the case does not wait at this step)"
)
SIGNED = (
    "EDS_* (the signature does not verify: revoked, expired, untrusted …); EDS_PURPOSE_INVALID (not an employee "
    "certificate of the department's BIN); EDS_IIN_MISMATCH (another person's certificate); VALIDATION_FAILED (not "
    "the document this step expects)"
)


@router.post(
    "/{case_number}/resolution/draft",
    response_model=DocumentToSign,
    summary="Step 4 (head): the resolution to sign, assigning the executor",
    description=f"The head's resolution (бұрыштама, `housing-queue/resolution@1`) naming the executor (default: "
    f"the district's specialist), to sign with the head's employee key and post to `/resolution`. Errors: {WHO}; "
    "VALIDATION_FAILED (no such specialist).",
)
async def resolution_draft(
    staff: Staff, runtime: Runtime, case_number: CaseNumber, body: ResolutionRequest | None = None
) -> DocumentToSign:
    async with runtime.db.sessions() as session:
        document = await casework.resolution_draft(
            session, member=staff.login, number=case_number, executor=(body or ResolutionRequest()).executor
        )
    return DocumentToSign(document=document.to_json())


@router.post(
    "/{case_number}/resolution",
    response_model=CaseDetail,
    summary="Step 4 (head): the signed resolution; the case goes to its executor",
    description=f"Annex 1 step 4, 1 working day. The citizen's status becomes IN_REVIEW. Errors: {WHO}; {SIGNED}.",
)
async def resolve(
    staff: Staff, runtime: Runtime, clock: Clock, case_number: CaseNumber, body: SignedBody
) -> CaseDetail:
    verified = await runtime.verifier.verify(body.signed, purpose="sign", model=ResolutionDocument)
    signer = await runtime.credentials.signer()
    async with runtime.db.transaction() as session:
        await casework.resolve(
            session, member=staff.login, number=case_number, verified=verified, now=clock(), signer=signer
        )
    return await case_detail(runtime, district=staff.district, number=case_number, now=clock())


@router.post(
    "/{case_number}/preparation",
    response_model=CaseDetail,
    summary="Step 5 (the executor): the case prepared for the commission, with the proposal",
    description="Annex 1 step 5, 5 working days. The proposal is the case's `suggestion` (from §15's findings and "
    "the waiting list) with what the body gives in its place: `{}` accepts it. A registration names a list; a "
    f"refusal names its §15 item. Errors: {WHO}; VALIDATION_FAILED (a proposal that cannot be put).",
)
async def prepare(
    staff: Staff, runtime: Runtime, clock: Clock, case_number: CaseNumber, body: ProposalRequest | None = None
) -> CaseDetail:
    async with runtime.db.transaction() as session:
        await casework.prepare(
            session,
            member=staff.login,
            number=case_number,
            overrides=(body or ProposalRequest()).overrides(),
            now=clock(),
        )
    return await case_detail(runtime, district=staff.district, number=case_number, now=clock())


@router.post(
    "/{case_number}/result/draft",
    response_model=DocumentToSign,
    summary="Step 7 (the executor): draft the notification or the reasoned refusal",
    description="Annex 1 step 7, 5 calendar days. From the commission's decision (a Process 7 case: from the "
    "documents found missing at step 3), in the head's name: `housing-queue/notification@1` with the waiting list "
    "and the queue number, or `housing-queue/refusal@1` with its grounds. It is kept as the case's `draft`: the "
    f"head signs exactly it. Errors: {WHO}.",
)
async def draft_result(staff: Staff, runtime: Runtime, clock: Clock, case_number: CaseNumber) -> DocumentToSign:
    async with runtime.db.transaction() as session:
        case = await casework.draft_result(session, member=staff.login, number=case_number, now=clock())
        draft = case.draft
    assert draft is not None
    return DocumentToSign(document=draft)


@router.post(
    "/{case_number}/result",
    response_model=CaseDetail,
    summary="Step 8 (head): the signed result",
    description=f"Annex 1 step 8, 1 working day: the head signs the draft exactly. Errors: {WHO}; {SIGNED}.",
)
async def sign_result(
    staff: Staff, runtime: Runtime, clock: Clock, case_number: CaseNumber, body: SignedBody
) -> CaseDetail:
    model = _result_model(body.signed)
    verified = await runtime.verifier.verify(body.signed, purpose="sign", model=model)
    async with runtime.db.transaction() as session:
        await casework.sign_result(session, member=staff.login, number=case_number, verified=verified, now=clock())
    return await case_detail(runtime, district=staff.district, number=case_number, now=clock())


def _result_model(signed: dict[str, Any]) -> Any:
    try:
        kind = payload_of(signed).get("type")
    except (KeyError, ValueError, TypeError):
        raise AppError("EDS_MALFORMED", {"reason": "not a signed e-document"}) from None
    model = casework.RESULT_MODELS.get(str(kind))
    if model is None:
        raise AppError("VALIDATION_FAILED", {"reason": "a result is a notification or a refusal", "type": kind})
    return model


@router.post(
    "/{case_number}/dispatch",
    response_model=CaseDetail,
    summary="Step 9 (the executor): register and send the signed result",
    description="Annex 1 step 9, within 1 working day: the signed result goes to the regional gateway, which "
    "registers it and relays it to the citizen's cabinet (Process 8); the citizen's status becomes QUEUED or "
    "REFUSED. The case is closed. The head's signature is verified again first: when its certificate has been "
    "revoked or has expired since step 8, nothing is sent, the case goes back to the head (step 8) and the "
    f"answer is the verifier's code with `returned_to_step: 8`. Errors: {WHO}; EDS_* (as said).",
)
async def dispatch(staff: Staff, runtime: Runtime, clock: Clock, case_number: CaseNumber) -> CaseDetail:
    async with runtime.db.sessions() as session:
        case = await casework.find_case(session, district=staff.district, number=case_number)
        signed = case.result
    if signed is not None:  # the head's signature is checked again: a key revoked since step 8 sends nothing
        try:
            await runtime.verifier.verify(signed, purpose="sign", model=_result_model(signed))
        except AppError as exc:
            if is_transient(exc.code):
                raise
            async with runtime.db.transaction() as session:
                await casework.return_to_head(session, member=staff.login, number=case_number, error=exc, now=clock())
            raise AppError(exc.code, {**exc.details, "returned_to_step": 8}) from None
    signer = await runtime.credentials.signer()
    async with runtime.db.transaction() as session:
        await casework.dispatch(session, member=staff.login, number=case_number, now=clock(), signer=signer)
    return await case_detail(runtime, district=staff.district, number=case_number, now=clock())
