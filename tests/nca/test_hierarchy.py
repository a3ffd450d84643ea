"""The test NCA's own hierarchy: made at the first start, kept across restarts, made once even when two
processes start at once; root and issuing CA "ҰКО 3.0 (RSA TEST)" with the extensions of a CA."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from services.registry_stub.app import SPEC
from services.registry_stub.nca.authority import CertificationAuthority
from shared.db import Database
from shared.migrate import migrate
from tests.support.nca import running, settings


def _fingerprint(certificate: x509.Certificate) -> bytes:
    return certificate.fingerprint(hashes.SHA256())


async def _chain(client: httpx.AsyncClient) -> list[x509.Certificate]:
    response = await client.get("/nca/v1/chain.pem")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-pem-file")
    return x509.load_pem_x509_certificates(response.content)


async def test_the_ca_hierarchy_survives_a_restart(tmp_path: Path) -> None:
    async with running(settings(tmp_path)) as (client, _):
        first = await _chain(client)
    async with running(settings(tmp_path)) as (client, _):
        again = await _chain(client)
        root_pem = (await client.get("/nca/v1/root.pem")).content

    assert [_fingerprint(c) for c in again] == [_fingerprint(c) for c in first]
    assert x509.load_pem_x509_certificate(root_pem) == first[0]


async def test_two_processes_starting_at_once_make_one_hierarchy(database_url: str, tmp_path: Path) -> None:
    databases = [Database(database_url), Database(database_url)]
    await migrate(databases[0], SPEC.migrations)
    authorities = [CertificationAuthority(db, settings(tmp_path, database_url=database_url)) for db in databases]
    try:
        await asyncio.gather(*(authority.start() for authority in authorities))
        assert _fingerprint(authorities[0].root) == _fingerprint(authorities[1].root)
        assert _fingerprint(authorities[0].issuing_ca) == _fingerprint(authorities[1].issuing_ca)
    finally:
        for db in databases:
            await db.dispose()


async def test_the_chain_is_the_root_then_the_issuing_ca_nca_3_rsa_test(client: httpx.AsyncClient) -> None:
    root, issuing = await _chain(client)

    assert root.subject == root.issuer
    root.verify_directly_issued_by(root)
    issuing.verify_directly_issued_by(root)
    assert issuing.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "ҰКО 3.0 (RSA TEST)"
    assert issuing.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "KZ"
    for ca in (root, issuing):
        key = ca.public_key()
        assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048
        assert isinstance(ca.signature_hash_algorithm, hashes.SHA256)


async def test_the_root_and_issuing_ca_are_marked_and_limited_as_cas(client: httpx.AsyncClient) -> None:
    root, issuing = await _chain(client)

    root_bc = root.extensions.get_extension_for_class(x509.BasicConstraints)
    issuing_bc = issuing.extensions.get_extension_for_class(x509.BasicConstraints)
    assert root_bc.critical and root_bc.value.ca and root_bc.value.path_length is None
    assert issuing_bc.critical and issuing_bc.value.ca and issuing_bc.value.path_length == 0
    for ca in (root, issuing):
        usage = ca.extensions.get_extension_for_class(x509.KeyUsage)
        assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
        assert not usage.value.digital_signature and not usage.value.content_commitment
    ski = root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = issuing.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    assert issuing.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value == (
        x509.SubjectKeyIdentifier.from_public_key(issuing.public_key())
    )
    # About twenty and ten years.
    assert 19 * 365 < (root.not_valid_after_utc - root.not_valid_before_utc).days <= 21 * 365
    assert 9 * 365 < (issuing.not_valid_after_utc - issuing.not_valid_before_utc).days <= 11 * 365


async def test_the_issuing_ca_is_published_in_der_where_certificates_point(client: httpx.AsyncClient) -> None:
    _, issuing = await _chain(client)
    response = await client.get("/nca/v1/issuing-ca.der")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pkix-cert"
    assert x509.load_der_x509_certificate(response.content) == issuing


async def test_every_nca_operation_is_described_in_openapi(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]

    expected = {
        "/nca/v1/certificates",
        "/nca/v1/certificates/{serial}/revoke",
        "/nca/v1/certificates/{serial}",
        "/nca/v1/chain.pem",
        "/nca/v1/root.pem",
        "/nca/v1/issuing-ca.der",
        "/nca/v1/crl",
        "/nca/v1/ocsp",
        "/nca/v1/ocsp/{encoded}",
    }
    assert expected <= set(paths)
    assert all(op.get("summary") for path in expected for op in paths[path].values())
