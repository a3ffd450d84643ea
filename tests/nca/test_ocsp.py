"""The OCSP responder (RFC 6960): good, revoked (time and reason, at once) and unknown; SHA-1 and SHA-256
CertIDs; the nonce echoed; signed by a delegated responder issued by the issuing CA; malformed requests
answered in OCSP; the GET form of Appendix A.1."""

from __future__ import annotations

import base64
import os
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

from services.registry_stub.nca import authority as authority_module
from services.registry_stub.nca.authority import CertificationAuthority
from shared.calendar import utcnow
from tests.support.nca import RA, certificate, issue, running, settings

Nca = tuple[httpx.AsyncClient, CertificationAuthority]


def _request(
    cert: x509.Certificate, issuer: x509.Certificate, algorithm: hashes.HashAlgorithm, nonce: bytes | None = None
) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, algorithm)
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


async def _ask(client: httpx.AsyncClient, der: bytes) -> ocsp.OCSPResponse:
    response = await client.post("/nca/v1/ocsp", content=der, headers={"Content-Type": "application/ocsp-request"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ocsp-response"
    return ocsp.load_der_ocsp_response(response.content)


async def _issued(nca: Nca) -> tuple[x509.Certificate, x509.Certificate]:
    client, authority = nca
    return certificate(await issue(client)), authority.issuing_ca


@pytest.mark.parametrize("algorithm", [hashes.SHA1(), hashes.SHA256()], ids=["sha1", "sha256"])
async def test_a_valid_certificate_is_good_whichever_certid_hash_the_client_uses(
    nca: Nca, algorithm: hashes.HashAlgorithm
) -> None:
    cert, issuer = await _issued(nca)
    answer = await _ask(nca[0], _request(cert, issuer, algorithm))

    assert answer.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    assert answer.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert answer.serial_number == cert.serial_number
    assert isinstance(answer.hash_algorithm, type(algorithm))
    assert answer.next_update_utc is not None
    assert answer.this_update_utc <= utcnow() < answer.next_update_utc


@pytest.mark.parametrize("algorithm", [hashes.SHA1(), hashes.SHA256()], ids=["sha1", "sha256"])
async def test_a_revocation_shows_in_ocsp_at_once_with_its_time_and_reason(
    nca: Nca, algorithm: hashes.HashAlgorithm
) -> None:
    client, _ = nca
    cert, issuer = await _issued(nca)
    revoked = await client.post(
        f"/nca/v1/certificates/{cert.serial_number:x}/revoke", json={"reason": "keyCompromise"}, headers=RA
    )
    answer = await _ask(client, _request(cert, issuer, algorithm))

    assert answer.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert answer.revocation_time_utc == datetime.fromisoformat(revoked.json()["revoked_at"])
    assert answer.revocation_reason is x509.ReasonFlags.key_compromise


async def test_a_serial_the_nca_never_issued_is_unknown(nca: Nca) -> None:
    cert, issuer = await _issued(nca)
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate_by_hash(*_issuer_hashes(issuer, hashes.SHA256()), x509.random_serial_number(), hashes.SHA256())
        .build()
    )
    answer = await _ask(nca[0], request.public_bytes(serialization.Encoding.DER))
    assert answer.certificate_status is ocsp.OCSPCertStatus.UNKNOWN


async def test_a_certid_naming_another_issuer_is_unknown(nca: Nca) -> None:
    cert, issuer = await _issued(nca)
    root = nca[1].root  # the right serial, but hashes of the wrong issuer
    answer = await _ask(nca[0], _request(cert, root, hashes.SHA256()))
    assert answer.certificate_status is ocsp.OCSPCertStatus.UNKNOWN


async def test_the_nonce_is_echoed(nca: Nca) -> None:
    cert, issuer = await _issued(nca)
    nonce = os.urandom(16)
    answer = await _ask(nca[0], _request(cert, issuer, hashes.SHA256(), nonce))
    assert answer.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == nonce

    without = await _ask(nca[0], _request(cert, issuer, hashes.SHA256()))
    with pytest.raises(x509.ExtensionNotFound):
        without.extensions.get_extension_for_class(x509.OCSPNonce)


async def test_the_answer_is_signed_by_a_delegated_responder_of_the_issuing_ca(nca: Nca) -> None:
    cert, issuer = await _issued(nca)
    answer = await _ask(nca[0], _request(cert, issuer, hashes.SHA256()))

    [responder] = answer.certificates
    key = responder.public_key()
    assert isinstance(key, rsa.RSAPublicKey) and answer.signature_hash_algorithm is not None
    key.verify(answer.signature, answer.tbs_response_bytes, padding.PKCS1v15(), answer.signature_hash_algorithm)
    responder.verify_directly_issued_by(issuer)
    assert answer.responder_key_hash == x509.SubjectKeyIdentifier.from_public_key(key).digest
    assert ExtendedKeyUsageOID.OCSP_SIGNING in responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    responder.extensions.get_extension_for_class(x509.OCSPNoCheck)
    assert responder.not_valid_before_utc <= utcnow() < responder.not_valid_after_utc


@pytest.mark.parametrize("body", [b"", b"not an OCSP request", b"\x30\x03\x02\x01\x01", os.urandom(20_000)])
async def test_a_malformed_request_gets_an_ocsp_malformed_request_answer(nca: Nca, body: bytes) -> None:
    answer = await _ask(nca[0], body)
    assert answer.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


async def test_the_get_form_of_appendix_a_answers_like_post(nca: Nca) -> None:
    cert, issuer = await _issued(nca)
    encoded = base64.b64encode(_request(cert, issuer, hashes.SHA1())).decode()
    response = await nca[0].get(f"/nca/v1/ocsp/{encoded.replace('+', '%2B').replace('/', '%2F').replace('=', '%3D')}")
    answer = ocsp.load_der_ocsp_response(response.content)
    assert answer.certificate_status is ocsp.OCSPCertStatus.GOOD

    broken = ocsp.load_der_ocsp_response((await nca[0].get("/nca/v1/ocsp/%%%not-base64")).content)
    assert broken.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


async def test_the_responder_certificate_is_renewed_before_it_expires(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(settings(tmp_path)) as (client, app):
        cert, issuer = await _issued((client, app.state.nca))
        first = (await _ask(client, _request(cert, issuer, hashes.SHA256()))).certificates[0]
        later = utcnow() + timedelta(days=75)  # within 30 days of the 90-day responder's end
        monkeypatch.setattr(authority_module, "_now", lambda: later)
        renewed = (await _ask(client, _request(cert, issuer, hashes.SHA256()))).certificates[0]
    monkeypatch.undo()
    async with running(settings(tmp_path)) as (client, _):
        after_restart = (await _ask(client, _request(cert, issuer, hashes.SHA256()))).certificates[0]

    assert renewed.serial_number != first.serial_number
    assert renewed.not_valid_after_utc > first.not_valid_after_utc
    assert after_restart == renewed


def _issuer_hashes(issuer: x509.Certificate, algorithm: hashes.HashAlgorithm) -> tuple[bytes, bytes]:
    name = hashes.Hash(algorithm)
    name.update(issuer.subject.public_bytes())
    key = hashes.Hash(algorithm)
    key.update(issuer.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1))
    return name.finalize(), key.finalize()
