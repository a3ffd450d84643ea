"""A service's own credentials renew themselves (security finding 3): a service's system certificate
(`shared.eds.credentials.SystemCredentials`) once the NCA revoked it or it expires soon, and the
registries' own answering certificate (`CertificationAuthority.own_credential`) once revoked, by this
process or another on the same database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.registry_stub.app import REGISTRY_SUBJECT, SIGNING_ROLE
from services.registry_stub.config import RegistryStubSettings
from services.registry_stub.nca.authority import CertificationAuthority
from shared.db import Database
from shared.eds import credentials as credentials_module
from shared.eds.credentials import Renewal, SystemCredentials, serial_of
from shared.eds.document import Author, EDocument
from shared.eds.signing import sign
from shared.errors import AppError
from shared.participants import BY_SERVICE
from tests.support.nca import RA, RA_TOKEN
from tests.support.pki import NCA_URL
from tests.support.services import InProcess, running, sqlite_url


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[InProcess]:
    """The registries and the NCA alone, with their own record read at every use."""
    async with running(tmp_path, bus_name="own-credentials", population_size=80, own_certificate_check_s=0) as env:
        yield env


def credentials_of(env: InProcess, service: str = "provider", **options: Any) -> SystemCredentials:
    """Fresh credentials of ``service`` on the in-process NCA (with the token the harness certifies it
    with), checked at every signature unless told."""
    token = env.credentials(service).ra_token
    values: dict[str, Any] = {"check_interval_s": 0, **options}
    return SystemCredentials(NCA_URL, BY_SERVICE[service].identity, ra_token=token, client=env.registry, **values)


async def revoke(env: InProcess, serial: str) -> None:
    response = await env.registry.post(
        f"/nca/v1/certificates/{serial}/revoke", json={"reason": "keyCompromise"}, headers=RA
    )
    assert response.status_code == 200, response.text


def events(caplog: pytest.LogCaptureFixture, event: str) -> list[dict[str, Any]]:
    return [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event") == event]


# -- a service's system certificate ----------------------------------------------------------------------


async def test_a_revoked_system_certificate_is_renewed_and_the_service_keeps_signing(
    env: InProcess, caplog: pytest.LogCaptureFixture
) -> None:
    credentials = credentials_of(env)
    told: list[Renewal] = []
    credentials.on_renewal.append(told.append)
    first = await credentials.signer()
    assert await credentials.signer() is first  # good: kept

    await revoke(env, serial_of(first))
    with caplog.at_level(logging.INFO):
        renewed = await credentials.signer()

    assert serial_of(renewed) != serial_of(first)
    assert [(r.old_serial, r.serial, r.reason) for r in told] == [(serial_of(first), serial_of(renewed), "revoked")]
    [logged] = events(caplog, "system certificate renewed")
    assert logged["level"] == "warning"
    assert (logged["old_serial"], logged["new_serial"]) == (serial_of(first), serial_of(renewed))
    # What it signs now verifies; what it signed before does not.
    verifier = env.verifier(freshness_s=0)
    document = EDocument(type="test/note@1", author=Author(bin=BY_SERVICE["provider"].bin), note="signed by a system")
    assert (await verifier.verify(sign(document, renewed))).author.serial == serial_of(renewed)
    with pytest.raises(AppError) as refused:
        await verifier.verify(sign(document, first))
    assert refused.value.code == "EDS_CERT_REVOKED"
    record = (await env.registry.get(f"/nca/v1/certificates/{serial_of(renewed)}")).json()
    assert record["status"] == "good" and record["holder"] == "system"


async def test_concurrent_callers_get_one_renewal(env: InProcess) -> None:
    credentials = credentials_of(env)
    first = await credentials.signer()
    await revoke(env, serial_of(first))

    signers = await asyncio.gather(*(credentials.signer() for _ in range(20)))

    assert len(credentials.renewals) == 1
    serials = {serial_of(s) for s in signers} - {serial_of(first)}
    assert serials == {credentials.renewals[0].serial}


async def test_the_nca_is_asked_at_most_once_per_interval(env: InProcess) -> None:
    credentials = credentials_of(env, check_interval_s=3600)
    first = await credentials.signer()
    await revoke(env, serial_of(first))

    assert await credentials.signer() is first  # not due yet: not asked
    credentials.check_interval_s = 0
    assert serial_of(await credentials.signer()) != serial_of(first)


async def test_an_nca_that_cannot_be_reached_for_the_check_keeps_the_signer(
    env: InProcess, caplog: pytest.LogCaptureFixture
) -> None:
    credentials = credentials_of(env)
    first = await credentials.signer()

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("the NCA is down", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(down), base_url=NCA_URL) as unreachable:
        credentials.client = unreachable
        with caplog.at_level(logging.INFO):
            assert await credentials.signer() is first
    assert events(caplog, "could not check the system certificate with the NCA; still signing with it")
    assert credentials.renewals == []


async def test_a_certificate_expiring_soon_is_renewed_and_kept_while_the_nca_refuses(
    env: InProcess, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    credentials = credentials_of(env, check_interval_s=3600)
    first = await credentials.signer()
    monkeypatch.setattr(credentials_module, "RENEW_BEFORE", timedelta(days=365 * 100))  # everything "expires soon"

    renewed = await credentials.signer()
    assert serial_of(renewed) != serial_of(first) and credentials.renewals[-1].reason == "expiring"

    credentials.ra_token = "not-the-ra-token"  # the NCA now refuses to certify: the still valid one is kept
    with caplog.at_level(logging.INFO):
        assert await credentials.signer() is renewed
    assert events(caplog, "system certificate expires soon and could not be renewed; still signing with it")


async def test_a_revoked_certificate_is_not_used_while_no_new_one_can_be_had(env: InProcess) -> None:
    credentials = credentials_of(env)
    first = await credentials.signer()
    await revoke(env, serial_of(first))
    credentials.ra_token = "not-the-ra-token"

    with pytest.raises(AppError) as unavailable:
        await credentials.signer()
    assert unavailable.value.code == "SERVICE_UNAVAILABLE"  # transient: what needs it is redelivered

    credentials.ra_token = env.credentials("provider").ra_token
    assert serial_of(await credentials.signer()) != serial_of(first)


# -- the registries' own certificate ---------------------------------------------------------------------


async def signed_answer(env: InProcess, iin: str) -> dict[str, Any]:
    """A registry answer as the HTTP mirror gives it (signed as on the sync channel, by the same credential)."""
    response = await env.registry.get(f"/api/v1/persons/{iin}", params={"consent": "consent:test"})
    assert response.status_code == 200, response.text
    return response.json()["signed"]  # type: ignore[no-any-return]


async def test_answers_verify_again_once_the_registries_renewed_their_revoked_certificate(
    env: InProcess, caplog: pytest.LogCaptureFixture
) -> None:
    verifier = env.verifier(freshness_s=0)
    personas = (await env.registry.get("/api/v1/personas", params={"trait": "eligible", "limit": 1})).json()
    iin = str(personas[0]["iin"])
    before = await signed_answer(env, iin)
    old = (await verifier.verify(before)).author.serial

    await revoke(env, old)
    with caplog.at_level(logging.INFO):
        after = await signed_answer(env, iin)

    verified = await verifier.verify(after)
    assert verified.author.serial != old and verified.author.bin == REGISTRY_SUBJECT.bin
    [logged] = events(caplog, "own certificate renewed")
    assert (logged["old_serial"], logged["new_serial"], logged["reason"]) == (old, verified.author.serial, "revoked")
    with pytest.raises(AppError) as refused:
        await verifier.verify(before)
    assert refused.value.code == "EDS_CERT_REVOKED"
    # The registries' envelopes (their sync-channel replies) are signed by the new one as well.
    sealer_signer = await env.registry_app.state.runtime.credentials.signer()
    assert serial_of(sealer_signer) == verified.author.serial


async def test_a_revocation_by_another_process_on_the_same_database_is_seen(tmp_path: Path, env: InProcess) -> None:
    nca: CertificationAuthority = env.registry_app.state.nca
    old = (await nca.own_credential(SIGNING_ROLE, REGISTRY_SUBJECT)).certificate.serial_number
    other_db = Database(sqlite_url(tmp_path, "registry"))
    try:
        settings = RegistryStubSettings(database_url=other_db.url, nca_test_mode=True, nca_ra_token=RA_TOKEN)
        other = CertificationAuthority(other_db, settings)
        await other.start()
        await other.revoke(f"{old:x}", "keyCompromise", bearer=RA_TOKEN)
        # This process renews at its next use (its record is read at every use here) ...
        renewed = await nca.own_credential(SIGNING_ROLE, REGISTRY_SUBJECT)
        assert renewed.certificate.serial_number != old
        # ... and the other takes that one up rather than making its own.
        assert (await other.own_credential(SIGNING_ROLE, REGISTRY_SUBJECT)).certificate == renewed.certificate
    finally:
        await other_db.dispose()


async def test_the_registries_credential_is_kept_while_good(env: InProcess) -> None:
    nca: CertificationAuthority = env.registry_app.state.nca
    first = await nca.own_credential(SIGNING_ROLE, REGISTRY_SUBJECT)
    assert await nca.own_credential(SIGNING_ROLE, REGISTRY_SUBJECT) is first
