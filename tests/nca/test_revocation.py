"""Revocation and the CRL (RFC 5280): a revoked certificate is in the very next CRL with its reason, the
CRL is signed by the issuing CA and numbered upwards, and a stale CRL is replaced."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from services.registry_stub.app import SPEC
from services.registry_stub.nca import authority as authority_module
from services.registry_stub.nca.authority import CertificationAuthority, IssueOrder
from services.registry_stub.nca.profiles import Holder, Profile, Subject
from shared.calendar import utcnow
from shared.db import Database
from shared.migrate import migrate
from tests.support.nca import IIN, RA, RA_TOKEN, error_code, issue, running, settings


async def _crl(client: httpx.AsyncClient) -> x509.CertificateRevocationList:
    response = await client.get("/nca/v1/crl")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pkix-crl"
    return x509.load_der_x509_crl(response.content)


def _number(crl: x509.CertificateRevocationList) -> int:
    return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number


async def _revoke(client: httpx.AsyncClient, serial: str, reason: str = "keyCompromise") -> httpx.Response:
    return await client.post(f"/nca/v1/certificates/{serial}/revoke", json={"reason": reason}, headers=RA)


async def test_revoked_certificate_is_listed_in_the_next_crl_with_its_reason(
    nca: tuple[httpx.AsyncClient, CertificationAuthority],
) -> None:
    client, authority = nca
    serial = (await issue(client))["serial"]
    before = await _crl(client)

    revoked = await _revoke(client, serial)
    after = await _crl(client)

    assert revoked.status_code == 200
    assert revoked.json()["serial"] == serial and revoked.json()["reason"] == "keyCompromise"
    revoked_at = datetime.fromisoformat(revoked.json()["revoked_at"])
    assert abs(revoked_at - utcnow()) < timedelta(minutes=1)
    assert before.get_revoked_certificate_by_serial_number(int(serial, 16)) is None
    assert _number(after) == _number(before) + 1
    entry = after.get_revoked_certificate_by_serial_number(int(serial, 16))
    assert entry is not None and entry.revocation_date_utc == revoked_at
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason is x509.ReasonFlags.key_compromise
    assert after.is_signature_valid(authority.issuing_ca.public_key())  # type: ignore[arg-type]
    assert after.issuer == authority.issuing_ca.subject


async def test_the_crl_names_its_issuers_key_and_when_the_next_one_is_due(
    nca: tuple[httpx.AsyncClient, CertificationAuthority],
) -> None:
    client, authority = nca
    crl = await _crl(client)

    ski = authority.issuing_ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier == ski.digest
    assert crl.next_update_utc is not None
    assert crl.next_update_utc - crl.last_update_utc == timedelta(hours=24)
    assert abs(crl.last_update_utc - utcnow()) < timedelta(minutes=1)


async def test_unspecified_revocations_carry_no_reason_code(client: httpx.AsyncClient) -> None:
    serial = (await issue(client))["serial"]
    await _revoke(client, serial, "unspecified")

    entry = (await _crl(client)).get_revoked_certificate_by_serial_number(int(serial, 16))
    assert entry is not None
    with pytest.raises(x509.ExtensionNotFound):
        entry.extensions.get_extension_for_class(x509.CRLReason)


async def test_the_crl_is_served_from_store_until_past_half_its_life(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(settings(tmp_path, crl_validity_hours=2)) as (client, _):
        first = await _crl(client)
        assert _number(await _crl(client)) == _number(first)

        later = utcnow() + timedelta(hours=1, minutes=1)
        monkeypatch.setattr(authority_module, "_now", lambda: later)
        renewed = await _crl(client)

    assert _number(renewed) == _number(first) + 1
    assert renewed.last_update_utc == later.replace(microsecond=0)


async def test_revoking_twice_is_a_conflict(client: httpx.AsyncClient) -> None:
    serial = (await issue(client))["serial"]
    await _revoke(client, serial)

    again = await _revoke(client, serial, "superseded")
    assert again.status_code == 409 and error_code(again.json()) == "CERTIFICATE_ALREADY_REVOKED"


async def test_an_unknown_serial_cannot_be_revoked_or_looked_up(client: httpx.AsyncClient) -> None:
    for serial in ("7fffffffffffffffffffffffffffffff", "not-hex"):
        revoked = await _revoke(client, serial)
        looked_up = await client.get(f"/nca/v1/certificates/{serial}")
        assert revoked.status_code == 404 and error_code(revoked.json()) == "CERTIFICATE_NOT_FOUND"
        assert looked_up.status_code == 404 and error_code(looked_up.json()) == "CERTIFICATE_NOT_FOUND"


async def test_an_unknown_reason_is_refused(client: httpx.AsyncClient) -> None:
    serial = (await issue(client))["serial"]
    response = await _revoke(client, serial, "bored")
    assert response.status_code == 422 and error_code(response.json()) == "VALIDATION_FAILED"


async def test_a_certificates_record_shows_its_status(client: httpx.AsyncClient) -> None:
    issued = await issue(client, profile="auth")
    serial = issued["serial"]
    good = (await client.get(f"/nca/v1/certificates/{serial.upper()}")).json()
    await _revoke(client, serial, "cessationOfOperation")
    revoked = (await client.get(f"/nca/v1/certificates/{serial}")).json()

    assert good["status"] == "good" and good["revoked_at"] is None and good["reason"] is None
    assert (good["serial"], good["iin"], good["profile"], good["holder"]) == (
        serial,
        "900101300017",
        "auth",
        "individual",
    )
    assert "SERIALNUMBER=IIN900101300017" in good["subject"] and "CN=ТЕСТОВ ТЕСТ" in good["subject"]
    assert good["certificate_pem"] == issued["certificate_pem"]
    assert revoked["status"] == "revoked" and revoked["reason"] == "cessationOfOperation" and revoked["revoked_at"]


async def test_two_processes_revoking_at_once_publish_consecutive_crls_listing_both(
    database_url: str, tmp_path: Path
) -> None:
    databases = [Database(database_url), Database(database_url)]
    await migrate(databases[0], SPEC.migrations)
    config = settings(tmp_path, database_url=database_url)
    authorities = [CertificationAuthority(db, config) for db in databases]
    try:
        for authority in authorities:
            await authority.start()
        order = IssueOrder(Subject(IIN, "Тестов", "Тест"), Profile.SIGN, Holder.INDIVIDUAL)
        serials = [f"{(await authority.issue(order)).certificate.serial_number:x}" for authority in authorities]
        first = x509.load_der_x509_crl(await authorities[0].crl())

        await asyncio.gather(
            *(a.revoke(s, "superseded", bearer=RA_TOKEN) for a, s in zip(authorities, serials, strict=True))
        )

        last = x509.load_der_x509_crl(await authorities[1].crl())
        assert _number(last) == _number(first) + 2
        assert {entry.serial_number for entry in last} == {int(s, 16) for s in serials}
    finally:
        for db in databases:
            await db.dispose()
