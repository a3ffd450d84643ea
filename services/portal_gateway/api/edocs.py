"""Public verification of signed e-documents (architecture §6): what a person or an official uses to
check a document they were handed. Anyone may call it; it reveals only what the document itself
carries (who signed, as what, when, what kind of holder; a registration stamp's registration) and what
the NCA says of the certificates."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field

from services.portal_gateway.api.deps import EdsVerifier
from shared.eds.verify import SignatureInfo
from shared.errors import AppError, pick_language

router = APIRouter(prefix="/api/v1/edocs", tags=["e-documents"])
SignedBody = Annotated[Any, Body(description="the signed e-document (JWS JSON General Serialization)")]


class StampView(BaseModel):
    number: str = Field(description="regNum: the registration number the stamp gives")
    at: datetime = Field(description="regT: the registration time")
    district: str = Field(description="regDistrict: the district it registers for")


class SignatureView(BaseModel):
    iin: str | None = Field(description="the signer's IIN (SERIALNUMBER=IIN… of the certificate)")
    bin: str | None = Field(description="the organisation's BIN (OU=BIN…), for employees and systems")
    name: str | None = Field(description="the certificate's common name")
    role: str = Field(description="author, registration, approval or registry")
    signed_at: datetime = Field(description="sigT: when the signer says it signed")
    serial: str = Field(description="the certificate's serial number, hex")
    revocation: str = Field(description="where the 'not revoked' answer came from: ocsp or crl")
    holder: str | None = Field(
        default=None,
        description="the certificate's holder type: individual, employee or system (an information system)",
    )
    registration: StampView | None = Field(
        default=None, description="a registration stamp's registration (role registration), as its signature covers it"
    )

    @classmethod
    def of(cls, info: SignatureInfo) -> SignatureView:
        made = info.registration
        stamp = StampView(number=made.number, at=made.at, district=made.district) if made is not None else None
        return cls(
            iin=info.iin,
            bin=info.bin,
            name=info.name,
            role=info.role,
            signed_at=info.signed_at,
            serial=info.serial,
            revocation=info.revocation,
            holder=info.holder,
            registration=stamp,
        )


class VerificationView(BaseModel):
    valid: bool
    code: str | None = Field(description="null when valid; otherwise the catalogue code of the first failed check")
    message: str | None = Field(default=None, description="the failure in the language of Accept-Language")
    details: dict[str, Any] = Field(default_factory=dict)
    type: str | None = Field(default=None, description="the document's type, when valid")
    document_id: str | None = Field(default=None, description="the document's id, when valid")
    signatures: list[SignatureView] = Field(default_factory=list)


@router.post(
    "/verify",
    response_model=VerificationView,
    summary="Verify a signed e-document",
    description=(
        "Runs the full EDS verification on any signed e-document with the common fields (type, id, "
        "created_at, author): JWS structure and canonical payload, algorithm, chain to the test NCA root, "
        "validity now and at signing time, revocation (OCSP, else CRL), key usage (SIGN), the author's "
        "IIN/BIN against the certificate, and every signature. Answers 200 with `valid: false` and the "
        "catalogue code when the document fails; type-specific rules apply where a document is used, not here."
    ),
)
async def verify(request: Request, verifier: EdsVerifier, signed: SignedBody) -> VerificationView:
    try:
        verified = await verifier.verify(signed, purpose="sign")
    except AppError as error:
        if error.code == "SERVICE_UNAVAILABLE":  # no trust anchors: we cannot say, and must not say "invalid"
            raise
        language = pick_language(request.headers.get("accept-language"))
        return VerificationView(
            valid=False, code=error.code, message=error.body(language)["error"]["message"], details=error.details
        )
    return VerificationView(
        valid=True,
        code=None,
        type=verified.document.type,
        document_id=verified.document.id,
        signatures=[SignatureView.of(s) for s in verified.signatures],
    )
