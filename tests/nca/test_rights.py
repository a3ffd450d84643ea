"""Who may ask the test NCA for what: validity overrides only in test mode (``NCA_TEST_MODE``);
certificates of information systems only with the registration authority's token (``NCA_RA_TOKEN``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
from cryptography import x509

from shared.calendar import utcnow
from tests.support.nca import EMPLOYEE, certificate, error_code, issue, running, settings

TOKEN = "ra-token-for-tests"


async def test_a_validity_override_is_refused_outside_test_mode(tmp_path: Path) -> None:
    async with running(settings(tmp_path, nca_test_mode=False)) as (client, _):
        for field in ("not_before", "not_after"):
            body = await issue(client, expect=403, **{field: "2030-01-01T00:00:00Z"})
            assert error_code(body) == "NCA_TEST_MODE_REQUIRED"


async def test_in_test_mode_a_certificate_can_be_issued_already_expired(client: httpx.AsyncClient) -> None:
    not_before = utcnow().replace(microsecond=0) - timedelta(days=200)
    not_after = not_before + timedelta(days=100)
    cert = certificate(await issue(client, not_before=not_before.isoformat(), not_after=not_after.isoformat()))

    assert (cert.not_valid_before_utc, cert.not_valid_after_utc) == (not_before, not_after)


async def test_in_test_mode_a_certificate_can_be_not_yet_valid(client: httpx.AsyncClient) -> None:
    not_before = utcnow().replace(microsecond=0) + timedelta(days=10)
    cert = certificate(await issue(client, not_before=not_before.isoformat()))

    assert cert.not_valid_before_utc == not_before
    assert cert.not_valid_after_utc == not_before + timedelta(days=365)


async def test_no_certificate_outlives_the_issuing_ca(client: httpx.AsyncClient) -> None:
    issuing = x509.load_der_x509_certificate((await client.get("/nca/v1/issuing-ca.der")).content)
    cert = certificate(await issue(client, not_after="2199-01-01T00:00:00Z"))
    assert cert.not_valid_after_utc == issuing.not_valid_after_utc


async def test_a_validity_that_ends_before_it_starts_is_refused(client: httpx.AsyncClient) -> None:
    body = await issue(client, expect=422, not_before="2030-01-02T00:00:00Z", not_after="2030-01-01T00:00:00Z")
    assert error_code(body) == "VALIDATION_FAILED"


async def test_a_system_certificate_needs_the_ra_token_outside_test_mode(tmp_path: Path) -> None:
    async with running(settings(tmp_path, nca_test_mode=False, nca_ra_token=TOKEN)) as (client, _):
        for headers in (None, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
            body = await issue(client, expect=403, headers=headers, subject=EMPLOYEE, holder="system")
            assert error_code(body) == "NCA_RA_TOKEN_REQUIRED"
        await issue(client, headers={"Authorization": f"Bearer {TOKEN}"}, subject=EMPLOYEE, holder="system")
        # People's certificates need no token.
        await issue(client, subject=EMPLOYEE, holder="employee")
        await issue(client)


async def test_without_an_ra_token_set_no_system_certificate_is_issued_outside_test_mode(tmp_path: Path) -> None:
    async with running(settings(tmp_path, nca_test_mode=False, nca_ra_token="")) as (client, _):
        for headers in (None, {"Authorization": "Bearer "}, {"Authorization": "Bearer x"}):
            body = await issue(client, expect=403, headers=headers, subject=EMPLOYEE, holder="system")
            assert error_code(body) == "NCA_RA_TOKEN_REQUIRED"


async def test_test_mode_waives_the_ra_token(client: httpx.AsyncClient) -> None:
    await issue(client, subject=EMPLOYEE, holder="system")


async def test_revoking_a_system_certificate_needs_the_ra_token_outside_test_mode(tmp_path: Path) -> None:
    async with running(settings(tmp_path, nca_test_mode=False, nca_ra_token=TOKEN)) as (client, _):
        auth = {"Authorization": f"Bearer {TOKEN}"}
        serial = (await issue(client, headers=auth, subject=EMPLOYEE, holder="system"))["serial"]
        refused = await client.post(f"/nca/v1/certificates/{serial}/revoke", json={"reason": "superseded"})
        assert refused.status_code == 403 and error_code(refused.json()) == "NCA_RA_TOKEN_REQUIRED"
        revoked = await client.post(
            f"/nca/v1/certificates/{serial}/revoke", json={"reason": "superseded"}, headers=auth
        )
        assert revoked.status_code == 200
