"""Who may ask the test NCA for what (architecture §5), the attacks it must refuse reproduced:

- RA mode (``NCA_TEST_MODE`` off, the default): issuing any certificate needs the registration
  authority's token (``Authorization: Bearer <NCA_RA_TOKEN>``), so nobody gets a certificate for
  someone else's IIN and acts as that citizen.
- Test mode: anyone gets an individual's or an employee's certificate (with validity overrides);
  system certificates still need the RA token.
- Revoking, in both modes: the RA token, or the holder's revocation request signed with the key of the
  certificate to revoke. Nobody else revokes anybody's certificate, the registries' and the gateway's
  own included; a refused revocation leaves the certificate good (OCSP says so)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from fastapi import FastAPI

from shared.eds.credentials import SystemCredentials
from shared.eds.document import Author, EDocument
from shared.eds.enrollment import enrollment_token
from shared.eds.revocation_request import RevocationRequest, revocation_request
from shared.eds.signing import Signer, sign
from shared.errors import AppError
from shared.participants import GATEWAY, PROVIDER
from tests.support.nca import (
    EMPLOYEE,
    OTHER_IIN,
    PERSON,
    PUBLIC_URL,
    RA,
    RA_TOKEN,
    certificate,
    error_code,
    issue,
    running,
    settings,
)

SOMEONE_ELSE = {**PERSON, "iin": OTHER_IIN}
NOT_THE_RA: list[dict[str, str] | None] = [
    None,
    {"Authorization": "Bearer wrong"},
    {"Authorization": f"Basic {RA_TOKEN}"},
    {"Authorization": f"Bearer {RA_TOKEN}x"},
]
Nca = tuple[httpx.AsyncClient, FastAPI]


@pytest.fixture
async def ra_mode(tmp_path: Path) -> AsyncIterator[Nca]:
    """registry_stub in RA mode (NCA_TEST_MODE off) with the harness's RA token."""
    async with running(settings(tmp_path, nca_test_mode=False)) as started:
        yield started


@pytest.fixture
async def test_mode(tmp_path: Path) -> AsyncIterator[Nca]:
    """registry_stub in test mode with the harness's RA token."""
    async with running(settings(tmp_path)) as started:
        yield started


@pytest.fixture(params=["ra", "test"])
async def either_mode(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Nca]:
    async with running(settings(tmp_path, nca_test_mode=request.param == "test")) as started:
        yield started


def _signer(issued: dict[str, Any]) -> Signer:
    """The holder's key and certificate, from the PKCS#12 the NCA made."""
    return Signer.from_pkcs12(base64.b64decode(issued["pkcs12_b64"]), issued["pkcs12_password"])


async def _ocsp(client: httpx.AsyncClient, cert: x509.Certificate) -> ocsp.OCSPCertStatus:
    """What the NCA's OCSP responder says of ``cert``."""
    issuing = x509.load_der_x509_certificate((await client.get("/nca/v1/issuing-ca.der")).content)
    der = ocsp.OCSPRequestBuilder().add_certificate(cert, issuing, hashes.SHA1()).build().public_bytes(Encoding.DER)
    response = await client.post("/nca/v1/ocsp", content=der, headers={"Content-Type": "application/ocsp-request"})
    return ocsp.load_der_ocsp_response(response.content).certificate_status


async def _revoke(client: httpx.AsyncClient, serial: str, reason: str = "keyCompromise", **body: Any) -> httpx.Response:
    headers = body.pop("headers", None)
    return await client.post(f"/nca/v1/certificates/{serial}/revoke", json={"reason": reason, **body}, headers=headers)


def _serial(cert: x509.Certificate) -> str:
    return f"{cert.serial_number:x}"


async def _stays_good(client: httpx.AsyncClient, cert: x509.Certificate) -> None:
    assert await _ocsp(client, cert) is ocsp.OCSPCertStatus.GOOD
    assert (await client.get(f"/nca/v1/certificates/{_serial(cert)}")).json()["status"] == "good"


# --- issuing ----------------------------------------------------------------------------------------


async def test_in_ra_mode_nobody_gets_a_certificate_for_someone_elses_iin_without_the_ra_token(ra_mode: Nca) -> None:
    client, _ = ra_mode
    for headers in NOT_THE_RA:
        for holder, subject in (("individual", SOMEONE_ELSE), ("employee", EMPLOYEE), ("system", EMPLOYEE)):
            body = await issue(client, expect=403, headers=headers, subject=subject, holder=holder)
            assert error_code(body) == "NCA_RA_TOKEN_REQUIRED"
            assert body["error"]["details"] == {"holder": holder, "mode": "ra"}
    for profile in ("sign", "auth"):
        cert = certificate(await issue(client, headers=RA, subject=SOMEONE_ELSE, profile=profile))
        assert cert.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)[0].value == f"IIN{OTHER_IIN}"
    await issue(client, headers=RA, subject=EMPLOYEE, holder="employee")
    await issue(client, headers=RA, subject=EMPLOYEE, holder="system")


async def test_in_ra_mode_without_an_ra_token_set_nothing_is_issued(tmp_path: Path) -> None:
    async with running(settings(tmp_path, nca_test_mode=False, nca_ra_token="")) as (client, _):
        for headers in (None, {"Authorization": "Bearer "}, {"Authorization": "Bearer x"}):
            for holder, subject in (("individual", PERSON), ("system", EMPLOYEE)):
                body = await issue(client, expect=403, headers=headers, subject=subject, holder=holder)
                assert error_code(body) == "NCA_RA_TOKEN_REQUIRED"


async def test_a_validity_override_is_refused_outside_test_mode_even_to_the_ra(ra_mode: Nca) -> None:
    client, _ = ra_mode
    for field in ("not_before", "not_after"):
        body = await issue(client, expect=403, headers=RA, **{field: "2030-01-01T00:00:00Z"})
        assert error_code(body) == "NCA_TEST_MODE_REQUIRED"


async def test_in_test_mode_anyone_gets_an_individuals_or_an_employees_certificate(test_mode: Nca) -> None:
    client, _ = test_mode
    await issue(client, subject=SOMEONE_ELSE)
    await issue(client, subject=SOMEONE_ELSE, profile="auth")
    await issue(client, subject=EMPLOYEE, holder="employee")


async def test_in_test_mode_a_system_certificate_still_needs_the_ra_token(test_mode: Nca) -> None:
    client, _ = test_mode
    for headers in NOT_THE_RA:
        body = await issue(client, expect=403, headers=headers, subject=EMPLOYEE, holder="system")
        assert error_code(body) == "NCA_RA_TOKEN_REQUIRED"
        assert body["error"]["details"] == {"holder": "system", "mode": "test"}
    await issue(client, headers=RA, subject=EMPLOYEE, holder="system")


async def test_in_test_mode_without_an_ra_token_set_no_system_certificate_is_issued(tmp_path: Path) -> None:
    async with running(settings(tmp_path, nca_ra_token="")) as (client, _):
        for headers in (None, {"Authorization": "Bearer "}):
            body = await issue(client, expect=403, headers=headers, subject=EMPLOYEE, holder="system")
            assert error_code(body) == "NCA_RA_TOKEN_REQUIRED"
        await issue(client)


async def test_the_gateways_credentials_need_the_ra_token(test_mode: Nca) -> None:
    """SystemCredentials, as the gateway holds them: refused without the token (SERVICE_UNAVAILABLE, which
    redelivers the message, with the NCA's code), certified with it."""
    client, _ = test_mode
    refused = SystemCredentials(PUBLIC_URL, GATEWAY.identity, client=client)
    with pytest.raises(AppError) as raised:
        await refused.signer()
    assert raised.value.code == "SERVICE_UNAVAILABLE" and raised.value.details["code"] == "NCA_RA_TOKEN_REQUIRED"
    wrong = SystemCredentials(PUBLIC_URL, GATEWAY.identity, ra_token="wrong", client=client)
    with pytest.raises(AppError):
        await wrong.signer()
    signer = await SystemCredentials(PUBLIC_URL, GATEWAY.identity, ra_token=RA_TOKEN, client=client).signer()
    assert signer.chain[0].subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == (
        f"BIN{GATEWAY.bin}"
    )


async def test_an_enrollment_token_gets_its_own_system_certificate_and_nothing_else(ra_mode: Nca) -> None:
    """A service holds its enrollment token, not the RA token (shared/eds/enrollment.py): taken over, it can
    mint no citizen's certificate, nor another organisation's, nor an AUTH one."""
    client, _ = ra_mode
    gateway = {"Authorization": f"Bearer {enrollment_token(RA_TOKEN, GATEWAY.bin)}"}
    own = {**EMPLOYEE, "bin": GATEWAY.bin, "organization": GATEWAY.organization}
    cert = certificate(await issue(client, headers=gateway, subject=own, holder="system"))
    assert cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == f"BIN{GATEWAY.bin}"
    provider = {**EMPLOYEE, "bin": PROVIDER.bin, "organization": PROVIDER.organization}
    for subject, holder, profile in (
        (provider, "system", "sign"),  # another organisation's
        (own, "system", "auth"),
        (own, "employee", "sign"),
        (SOMEONE_ELSE, "individual", "sign"),
    ):
        body = await issue(client, expect=403, headers=gateway, subject=subject, holder=holder, profile=profile)
        assert error_code(body) == "NCA_RA_TOKEN_REQUIRED", (subject, holder, profile)
    for other in (enrollment_token("another RA token", GATEWAY.bin), enrollment_token(RA_TOKEN, PROVIDER.bin)):
        body = await issue(
            client, expect=403, headers={"Authorization": f"Bearer {other}"}, subject=own, holder="system"
        )
        assert error_code(body) == "NCA_RA_TOKEN_REQUIRED"


async def test_in_test_mode_a_certificate_can_be_issued_already_expired(test_mode: Nca) -> None:
    client, _ = test_mode
    not_before = certificate(await issue(client)).not_valid_before_utc - timedelta(days=200)
    not_after = not_before + timedelta(days=100)
    cert = certificate(await issue(client, not_before=not_before.isoformat(), not_after=not_after.isoformat()))

    assert (cert.not_valid_before_utc, cert.not_valid_after_utc) == (not_before, not_after)


async def test_in_test_mode_a_certificate_can_be_not_yet_valid(test_mode: Nca) -> None:
    client, _ = test_mode
    not_before = certificate(await issue(client)).not_valid_before_utc + timedelta(days=10)
    cert = certificate(await issue(client, not_before=not_before.isoformat()))

    assert cert.not_valid_before_utc == not_before
    assert cert.not_valid_after_utc == not_before + timedelta(days=365)


async def test_no_certificate_outlives_the_issuing_ca(test_mode: Nca) -> None:
    client, _ = test_mode
    issuing = x509.load_der_x509_certificate((await client.get("/nca/v1/issuing-ca.der")).content)
    cert = certificate(await issue(client, not_after="2199-01-01T00:00:00Z"))
    assert cert.not_valid_after_utc == issuing.not_valid_after_utc


async def test_a_validity_that_ends_before_it_starts_is_refused(test_mode: Nca) -> None:
    client, _ = test_mode
    body = await issue(client, expect=422, not_before="2030-01-02T00:00:00Z", not_after="2030-01-01T00:00:00Z")
    assert error_code(body) == "VALIDATION_FAILED"


# --- revoking ---------------------------------------------------------------------------------------


async def test_nobody_but_the_ra_revokes_anothers_certificate(either_mode: Nca) -> None:
    """Attack: revoking someone else's certificate, or the registries' and the gateway's own (after which the
    registries' answers and the gateway's stamps would be refused everywhere). Refused, and they stay good."""
    client, app = either_mode
    person = certificate(await issue(client, headers=RA))
    employee = certificate(await issue(client, headers=RA, subject=EMPLOYEE, holder="employee"))
    registries = (await app.state.registry_desk.signer()).chain[0]
    gateway = (await SystemCredentials(PUBLIC_URL, GATEWAY.identity, ra_token=RA_TOKEN, client=client).signer()).chain[
        0
    ]
    for cert in (person, employee, registries, gateway):
        for headers in NOT_THE_RA:
            refused = await _revoke(client, _serial(cert), headers=headers)
            assert refused.status_code == 403, refused.text
            assert error_code(refused.json()) == "NCA_RA_TOKEN_REQUIRED"
        await _stays_good(client, cert)

    for cert in (person, registries, gateway):
        revoked = await _revoke(client, _serial(cert), "superseded", headers=RA)
        assert revoked.status_code == 200 and revoked.json()["reason"] == "superseded"
        assert await _ocsp(client, cert) is ocsp.OCSPCertStatus.REVOKED


async def test_without_an_ra_token_set_nobody_revokes_with_a_bearer(tmp_path: Path) -> None:
    async with running(settings(tmp_path, nca_ra_token="")) as (client, _):
        cert = certificate(await issue(client))
        for headers in (None, {"Authorization": "Bearer "}):
            refused = await _revoke(client, _serial(cert), headers=headers)
            assert refused.status_code == 403 and error_code(refused.json()) == "NCA_RA_TOKEN_REQUIRED"
        await _stays_good(client, cert)


@pytest.mark.parametrize(("profile", "key_type"), [("sign", "rsa2048"), ("auth", "rsa2048"), ("sign", "p256")])
async def test_the_holder_revokes_their_own_certificate_by_a_request_signed_with_its_key(
    either_mode: Nca, profile: str, key_type: str
) -> None:
    client, _ = either_mode
    signer = _signer(await issue(client, headers=RA, profile=profile, key_type=key_type))
    cert = signer.chain[0]
    signed = sign(revocation_request(cert, "keyCompromise"), signer)

    revoked = await _revoke(client, _serial(cert), "keyCompromise", signed=signed)
    assert revoked.status_code == 200, revoked.text
    assert await _ocsp(client, cert) is ocsp.OCSPCertStatus.REVOKED
    again = await _revoke(client, _serial(cert), "keyCompromise", signed=signed)
    assert again.status_code == 409 and error_code(again.json()) == "CERTIFICATE_ALREADY_REVOKED"


async def test_a_system_revokes_its_own_certificate_with_its_key(test_mode: Nca) -> None:
    client, _ = test_mode
    signer = await SystemCredentials(PUBLIC_URL, GATEWAY.identity, ra_token=RA_TOKEN, client=client).signer()
    cert = signer.chain[0]
    revoked = await _revoke(
        client, _serial(cert), "superseded", signed=sign(revocation_request(cert, "superseded"), signer)
    )
    assert revoked.status_code == 200, revoked.text
    assert await _ocsp(client, cert) is ocsp.OCSPCertStatus.REVOKED


async def test_a_request_signed_by_another_key_is_refused(either_mode: Nca) -> None:
    client, _ = either_mode
    victim = _signer(await issue(client, headers=RA))
    thief = _signer(await issue(client, headers=RA, subject=SOMEONE_ELSE))
    cert = victim.chain[0]
    request = revocation_request(cert, "keyCompromise")
    forged = {
        "the thief's own certificate": sign(request, thief),
        "the victim's chain, the thief's key": sign(request, Signer(thief.key, victim.chain)),
    }
    for case, signed in forged.items():
        refused = await _revoke(client, _serial(cert), signed=signed)
        assert refused.status_code == 422 and error_code(refused.json()) == "EDS_SIGNATURE_INVALID", case
    await _stays_good(client, cert)
    await _stays_good(client, thief.chain[0])


async def test_a_request_for_another_serial_is_refused(either_mode: Nca) -> None:
    client, _ = either_mode
    victim = _signer(await issue(client, headers=RA))
    holder = _signer(await issue(client, headers=RA, subject=SOMEONE_ELSE))
    victim_serial, own_serial = _serial(victim.chain[0]), _serial(holder.chain[0])
    # The holder's own, valid request, sent to revoke someone else's certificate: their key is not its key.
    own = sign(revocation_request(holder.chain[0], "keyCompromise"), holder)
    refused = await _revoke(client, victim_serial, signed=own)
    assert refused.status_code == 422 and error_code(refused.json()) == "EDS_SIGNATURE_INVALID"
    # A request naming the victim's serial, signed by the holder and sent for the holder's own certificate.
    naming = RevocationRequest(author=Author(iin=OTHER_IIN), serial=victim_serial, reason="keyCompromise")
    refused = await _revoke(client, own_serial, signed=sign(naming, holder))
    assert refused.status_code == 422 and error_code(refused.json()) == "EDS_PURPOSE_INVALID"
    assert refused.json()["error"]["details"]["requested"] == victim_serial
    await _stays_good(client, victim.chain[0])
    await _stays_good(client, holder.chain[0])


async def test_a_holders_request_must_be_the_revocation_request_they_signed(test_mode: Nca) -> None:
    client, _ = test_mode
    signer = _signer(await issue(client))
    cert, serial = signer.chain[0], _serial(signer.chain[0])
    not_theirs = RevocationRequest(author=Author(iin=OTHER_IIN), serial=serial, reason="keyCompromise")
    application = EDocument(type="housing-queue/application@1", author=Author(iin=PERSON["iin"]), serial=serial)
    good = sign(revocation_request(cert, "keyCompromise"), signer)
    cases: dict[str, tuple[Any, str, str]] = {
        "another reason in the body": (good, "superseded", "EDS_PURPOSE_INVALID"),
        "another document type": (sign(application, signer), "keyCompromise", "EDS_PURPOSE_INVALID"),
        "another author": (sign(not_theirs, signer), "keyCompromise", "EDS_IIN_MISMATCH"),
        "not a JWS": ({"payload": good["payload"]}, "keyCompromise", "EDS_MALFORMED"),
        "two signatures": (
            {"payload": good["payload"], "signatures": good["signatures"] * 2},
            "keyCompromise",
            "EDS_MALFORMED",
        ),
        "another payload under the signature": (
            {**good, "payload": sign(revocation_request(cert, "keyCompromise"), signer)["payload"]},
            "keyCompromise",
            "EDS_SIGNATURE_INVALID",
        ),
    }
    for case, (signed, reason, code) in cases.items():
        refused = await _revoke(client, serial, reason, signed=signed)
        assert refused.status_code == 422, (case, refused.text)
        assert error_code(refused.json()) == code, case
    await _stays_good(client, cert)


async def test_the_ra_token_revokes_any_certificate(either_mode: Nca) -> None:
    client, _ = either_mode
    for holder, subject in (("individual", PERSON), ("employee", EMPLOYEE), ("system", EMPLOYEE)):
        cert = certificate(await issue(client, headers=RA, subject=subject, holder=holder))
        revoked = await _revoke(client, _serial(cert), "cessationOfOperation", headers=RA)
        assert revoked.status_code == 200, revoked.text
        assert await _ocsp(client, cert) is ocsp.OCSPCertStatus.REVOKED
