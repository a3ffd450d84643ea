"""The test NCA over HTTP (architecture §5-§6): issue and revoke certificates, the CA chain, the CRL and
the OCSP responder, under ``/nca/v1``. The paths and bodies are a contract with outside clients."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp as x509_ocsp
from fastapi import APIRouter, Path, Request, Response
from pydantic import Field

from services.registry_stub.api.deps import Authority, Bearer
from services.registry_stub.api.schemas import (
    CertificateStatus,
    IssueRequest,
    IssueResponse,
    RevokeRequest,
    RevokeResponse,
)
from services.registry_stub.models import IssuedCertificate
from services.registry_stub.nca import ocsp, pki
from services.registry_stub.nca.authority import CertificationAuthority, IssueOrder
from services.registry_stub.nca.profiles import Subject
from shared.logging import get_logger

log = get_logger(__name__)

PEM = "application/x-pem-file"
CERT_DER = "application/pkix-cert"
CRL_DER = "application/pkix-crl"
OCSP_MAX_REQUEST = 16_384
"""An OCSP request for one certificate is a few hundred bytes; anything this large is not one."""

router = APIRouter(prefix="/nca/v1", tags=["certification authority"])
Serial = Annotated[str, Path(max_length=64, description="the certificate's serial number, hex")]


class RevokeBody(RevokeRequest):
    """The revocation's body: the reason, and, from a holder without the RA token, their signed request."""

    signed: dict[str, Any] | None = Field(
        None,
        description="The holder's revocation request: an e-document of type `nca/revocation-request@1` "
        "(`serial`, `reason`, `author` the certificate's IIN/BIN) signed, as JWS JSON, with the key of the "
        "certificate to revoke (SIGN or AUTH). Not needed with `Authorization: Bearer <NCA_RA_TOKEN>`.",
    )


def _binary(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": description, "content": {media_type: binary}}}


def _pem(certificates: list[x509.Certificate]) -> str:
    return "".join(c.public_bytes(Encoding.PEM).decode() for c in certificates)


@router.post(
    "/certificates",
    status_code=201,
    response_model=IssueResponse,
    response_model_exclude_none=True,
    summary="Issue a certificate (SIGN or AUTH) for a person, an employee or a system",
    description="Certifies `public_key_pem`, or, without it, makes a key pair (`key_type`) and returns it in a "
    "PKCS#12 file with a random password. Needs `Authorization: Bearer <NCA_RA_TOKEN>` (the registration "
    "authority), except for an individual's or an employee's certificate in test mode (`NCA_TEST_MODE=1`); a "
    "system's certificate needs it in every mode. Errors: NCA_RA_TOKEN_REQUIRED, NCA_TEST_MODE_REQUIRED "
    "(validity override outside test mode), IIN_INVALID, BIN_INVALID, PUBLIC_KEY_INVALID.",
)
async def issue(body: IssueRequest, nca: Authority, bearer: Bearer) -> IssueResponse:
    order = IssueOrder(
        subject=Subject(**body.subject.model_dump()),
        profile=body.profile,
        holder=body.holder,
        key_type=body.key_type,
        public_key_pem=body.public_key_pem,
        not_before=body.not_before,
        not_after=body.not_after,
    )
    issued = await nca.issue(order, bearer=bearer.credentials if bearer else None)
    response = IssueResponse(
        serial=pki.serial_hex(issued.certificate.serial_number),
        certificate_pem=_pem([issued.certificate]),
        chain_pem=_pem(issued.chain),
    )
    if issued.pkcs12 is not None:
        response.pkcs12_b64 = base64.b64encode(issued.pkcs12[0]).decode()
        response.pkcs12_password = issued.pkcs12[1]
    return response


@router.post(
    "/certificates/{serial}/revoke",
    response_model=RevokeResponse,
    summary="Revoke a certificate (the registration authority, or the holder by a signed request)",
    description="Revokes now, publishes a new CRL at once (its number goes up by one), and OCSP answers "
    "`revoked` from the next request on. Only with `Authorization: Bearer <NCA_RA_TOKEN>`, or with `signed`: the "
    "holder's revocation request for this serial and reason, signed with this certificate's own key and checked "
    "against the NCA's record of it. Errors: NCA_RA_TOKEN_REQUIRED (neither), EDS_SIGNATURE_INVALID (signed by "
    "another key), EDS_PURPOSE_INVALID (another document, serial or reason), EDS_IIN_MISMATCH, EDS_MALFORMED, "
    "EDS_ALG_NOT_ALLOWED, CERTIFICATE_NOT_FOUND, CERTIFICATE_ALREADY_REVOKED.",
)
async def revoke(serial: Serial, body: RevokeBody, nca: Authority, bearer: Bearer) -> RevokeResponse:
    row = await nca.revoke(serial, body.reason, bearer=bearer.credentials if bearer else None, signed=body.signed)
    assert row.revoked_at is not None
    return RevokeResponse(serial=row.serial, revoked_at=row.revoked_at, reason=body.reason)


@router.get(
    "/certificates/{serial}",
    response_model=CertificateStatus,
    summary="A certificate's record and status (good or revoked), for testers",
)
async def certificate_status(serial: Serial, nca: Authority) -> CertificateStatus:
    return _status(await nca.certificate(serial))


@router.get(
    "/chain.pem",
    response_class=Response,
    responses=_binary(PEM, "the root CA, then the issuing CA, in PEM"),
    summary="The CA chain: root, then the issuing CA ҰКО 3.0 (RSA TEST)",
)
async def chain_pem(nca: Authority) -> Response:
    return Response(_pem([nca.root, nca.issuing_ca]), media_type=PEM)


@router.get(
    "/root.pem",
    response_class=Response,
    responses=_binary(PEM, "the root CA certificate in PEM"),
    summary="The root CA certificate, the trust anchor to pin",
)
async def root_pem(nca: Authority) -> Response:
    return Response(_pem([nca.root]), media_type=PEM)


@router.get(
    "/issuing-ca.der",
    response_class=Response,
    responses=_binary(CERT_DER, "the issuing CA certificate in DER"),
    summary="The issuing CA certificate (the AIA caIssuers of every certificate)",
)
async def issuing_ca_der(nca: Authority) -> Response:
    return Response(nca.issuing_ca.public_bytes(Encoding.DER), media_type=CERT_DER)


@router.get(
    "/crl",
    response_class=Response,
    responses=_binary(CRL_DER, "the full CRL in DER"),
    summary="The full CRL of the issuing CA (the CRL distribution point of every certificate)",
    description="Signed by the issuing CA, with CRL number, AKI, thisUpdate and nextUpdate (thisUpdate + "
    "REGISTRY_STUB_CRL_VALIDITY_HOURS). Published anew at every revocation, and when past half its life.",
)
async def crl(nca: Authority) -> Response:
    return Response(await nca.crl(), media_type=CRL_DER)


@router.post(
    "/ocsp",
    response_class=Response,
    responses=_binary(ocsp.MEDIA_TYPE_RESPONSE, "an OCSP response, also for malformed requests"),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {ocsp.MEDIA_TYPE_REQUEST: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
    summary="OCSP responder (RFC 6960 over HTTP POST)",
    description="Body: a DER OCSPRequest for one certificate (CertID with SHA-1 or SHA-256). Answers good, "
    "revoked (time and reason) or unknown, signed by the delegated responder whose certificate is included; "
    "echoes the nonce. A malformed request gets a `malformedRequest` OCSP response.",
)
async def ocsp_post(request: Request, nca: Authority) -> Response:
    return await _answer(nca, await request.body())


@router.get(
    "/ocsp/{encoded:path}",
    response_class=Response,
    responses=_binary(ocsp.MEDIA_TYPE_RESPONSE, "an OCSP response, also for malformed requests"),
    summary="OCSP responder (RFC 6960 Appendix A.1, GET with the base64 request in the path)",
)
async def ocsp_get(encoded: str, nca: Authority) -> Response:
    try:
        # Standard base64 (RFC 6960); base64url tolerated, missing padding too.
        der = base64.b64decode(encoded.translate(str.maketrans("-_", "+/")) + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        der = b""
    return await _answer(nca, der)


async def _answer(nca: CertificationAuthority, der: bytes) -> Response:
    if not der or len(der) > OCSP_MAX_REQUEST:
        body = ocsp.unsuccessful(x509_ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    else:
        try:
            body = await nca.ocsp(der)
        except Exception:
            # OCSP clients read OCSP, not our JSON errors: tell them in their protocol.
            log.exception("OCSP responder failed")
            body = ocsp.unsuccessful(x509_ocsp.OCSPResponseStatus.INTERNAL_ERROR)
    return Response(body, media_type=ocsp.MEDIA_TYPE_RESPONSE)


def _status(row: IssuedCertificate) -> CertificateStatus:
    certificate = x509.load_der_x509_certificate(row.certificate_der)
    return CertificateStatus(
        serial=row.serial,
        subject=row.subject,
        iin=row.iin,
        bin=row.bin,
        profile=row.profile,
        holder=row.holder,
        key_type=row.key_type,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        status="revoked" if row.revoked_at else "good",
        revoked_at=row.revoked_at,
        reason=row.revocation_reason,
        certificate_pem=certificate.public_bytes(Encoding.PEM).decode(),
    )
