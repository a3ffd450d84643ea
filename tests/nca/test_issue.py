"""Issuing certificates as the national CA does (architecture §5): subject names, SIGN and AUTH profiles,
holders, keys made here (PKCS#12) or given, and who may ask for what."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from services.registry_stub.nca.authority import CertificationAuthority
from shared.calendar import utcnow
from tests.support.nca import BIN, EMPLOYEE, PERSON, PUBLIC_URL, RA, certificate, error_code, issue, load_bundle

INDIVIDUAL = ObjectIdentifier("1.2.398.3.3.4.1.1")
ORGANISATION = ObjectIdentifier("1.2.398.3.3.4.1.2")
EMPLOYEE_ROLE = ObjectIdentifier("1.2.398.3.3.4.1.2.5")
MAY_SIGN_ROLE = ObjectIdentifier("1.2.398.3.3.4.1.2.2")


def _subject(cert: x509.Certificate) -> list[tuple[str, str]]:
    return [(attribute.oid.dotted_string, str(attribute.value)) for attribute in cert.subject]


def _extension(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> x509.Extension[x509.ExtensionType]:
    return cert.extensions.get_extension_for_class(kind)


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


async def test_an_individuals_sign_certificate_follows_the_national_ca_profile(
    nca: tuple[httpx.AsyncClient, CertificationAuthority],
) -> None:
    client, authority = nca
    cert = certificate(await issue(client))

    assert _subject(cert) == [
        (NameOID.COMMON_NAME.dotted_string, "ТЕСТОВ ТЕСТ"),
        (NameOID.SURNAME.dotted_string, "ТЕСТОВ"),
        (NameOID.SERIAL_NUMBER.dotted_string, "IIN900101300017"),
        (NameOID.COUNTRY_NAME.dotted_string, "KZ"),
        (NameOID.GIVEN_NAME.dotted_string, "ТЕСТОВИЧ"),  # the patronymic, as the national CA writes it
    ]
    usage = _extension(cert, x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not (usage.value.key_encipherment or usage.value.key_agreement or usage.value.key_cert_sign)
    assert list(_extension(cert, x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.EMAIL_PROTECTION, INDIVIDUAL]
    policies = _extension(cert, x509.CertificatePolicies).value
    assert [p.policy_identifier.dotted_string for p in policies] == ["1.2.398.3.3.2.3"]
    cdp = _extension(cert, x509.CRLDistributionPoints).value
    assert [name.value for point in cdp for name in point.full_name or []] == [f"{PUBLIC_URL}/nca/v1/crl"]
    aia = {(a.access_method, a.access_location.value) for a in _extension(cert, x509.AuthorityInformationAccess).value}
    assert aia == {
        (x509.AuthorityInformationAccessOID.OCSP, f"{PUBLIC_URL}/nca/v1/ocsp"),
        (x509.AuthorityInformationAccessOID.CA_ISSUERS, f"{PUBLIC_URL}/nca/v1/issuing-ca.der"),
    }
    assert _extension(cert, x509.SubjectKeyIdentifier).value == x509.SubjectKeyIdentifier.from_public_key(
        cert.public_key()
    )
    issuer_ski = _extension(authority.issuing_ca, x509.SubjectKeyIdentifier).value
    assert _extension(cert, x509.AuthorityKeyIdentifier).value.key_identifier == issuer_ski.digest
    cert.verify_directly_issued_by(authority.issuing_ca)
    authority.issuing_ca.verify_directly_issued_by(authority.root)
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)


async def test_certificates_are_valid_for_one_year_with_a_random_16_byte_serial(client: httpx.AsyncClient) -> None:
    issued = [await issue(client), await issue(client)]
    certs = [certificate(i) for i in issued]

    assert certs[0].serial_number != certs[1].serial_number
    for body, cert in zip(issued, certs, strict=True):
        assert 0 < cert.serial_number < 2**127 and len(body["serial"]) == 32
        assert int(body["serial"], 16) == cert.serial_number
        assert cert.not_valid_after_utc - cert.not_valid_before_utc == timedelta(days=365)
        assert abs(cert.not_valid_before_utc - utcnow()) < timedelta(minutes=1)


async def test_an_auth_certificate_is_for_login_not_for_signing(client: httpx.AsyncClient) -> None:
    cert = certificate(await issue(client, profile="auth"))

    usage = _extension(cert, x509.KeyUsage).value
    assert usage.digital_signature and usage.key_encipherment and not usage.content_commitment
    assert list(_extension(cert, x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.CLIENT_AUTH, INDIVIDUAL]
    assert [p.policy_identifier.dotted_string for p in _extension(cert, x509.CertificatePolicies).value] == [
        "1.2.398.3.3.2.4"
    ]


@pytest.mark.parametrize(
    ("profile", "policy", "first_eku"),
    [
        ("sign", "1.2.398.3.3.2.1", ExtendedKeyUsageOID.EMAIL_PROTECTION),
        ("auth", "1.2.398.3.3.2.2", ExtendedKeyUsageOID.CLIENT_AUTH),
    ],
)
async def test_an_employee_certificate_names_the_organisation_and_its_bin(
    client: httpx.AsyncClient, profile: str, policy: str, first_eku: ObjectIdentifier
) -> None:
    cert = certificate(await issue(client, subject=EMPLOYEE, holder="employee", profile=profile))

    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == 'ГУ "ОТДЕЛ ЖИЛИЩНЫХ ОТНОШЕНИЙ"'
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == f"BIN{BIN}"
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "IIN900101300017"
    assert list(_extension(cert, x509.ExtendedKeyUsage).value) == [first_eku, ORGANISATION, EMPLOYEE_ROLE]
    assert [p.policy_identifier.dotted_string for p in _extension(cert, x509.CertificatePolicies).value] == [policy]


async def test_a_system_certificate_may_sign_for_its_organisation(client: httpx.AsyncClient) -> None:
    cert = certificate(await issue(client, headers=RA, subject=EMPLOYEE, holder="system"))

    assert list(_extension(cert, x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.EMAIL_PROTECTION,
        ORGANISATION,
        MAY_SIGN_ROLE,
    ]
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == f"BIN{BIN}"


async def test_a_key_made_by_the_nca_comes_in_a_pkcs12_with_its_certificate_and_chain(
    nca: tuple[httpx.AsyncClient, CertificationAuthority],
) -> None:
    client, authority = nca
    issued = await issue(client)
    bundle = load_bundle(issued)

    assert bundle.key is not None and bundle.cert is not None
    assert bundle.cert.certificate == certificate(issued)
    assert bundle.key.public_key() == bundle.cert.certificate.public_key()
    assert bundle.cert.friendly_name and issued["serial"].encode() in bundle.cert.friendly_name
    assert [c.certificate for c in bundle.additional_certs] == [authority.issuing_ca, authority.root]
    assert x509.load_pem_x509_certificates(issued["chain_pem"].encode()) == [authority.issuing_ca, authority.root]
    key = bundle.key
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048


async def test_a_p256_key_pair_can_be_made_by_the_nca(client: httpx.AsyncClient) -> None:
    bundle = load_bundle(await issue(client, key_type="p256"))
    assert isinstance(bundle.key, ec.EllipticCurvePrivateKey) and isinstance(bundle.key.curve, ec.SECP256R1)


@pytest.mark.parametrize("key", [rsa.generate_private_key(65537, 2048), ec.generate_private_key(ec.SECP256R1())])
async def test_a_given_public_key_is_certified_and_no_pkcs12_is_returned(
    client: httpx.AsyncClient, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
) -> None:
    issued = await issue(client, public_key_pem=_pem(key))

    assert certificate(issued).public_key() == key.public_key()
    assert "pkcs12_b64" not in issued and "pkcs12_password" not in issued


async def test_a_p256_auth_key_gets_key_agreement_instead_of_key_encipherment(client: httpx.AsyncClient) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    usage = _extension(certificate(await issue(client, profile="auth", public_key_pem=_pem(key))), x509.KeyUsage).value

    assert usage.digital_signature and usage.key_agreement
    assert not usage.key_encipherment and not usage.content_commitment


@pytest.mark.parametrize(
    "pem",
    [
        _pem(rsa.generate_private_key(65537, 1024)),
        _pem(ed25519.Ed25519PrivateKey.generate()),
        _pem(ec.generate_private_key(ec.SECP384R1())),
        "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n",
    ],
    ids=["rsa1024", "ed25519", "p384", "garbage"],
)
async def test_a_weak_or_unsupported_public_key_is_refused(client: httpx.AsyncClient, pem: str) -> None:
    body = await issue(client, expect=422, public_key_pem=pem)
    assert error_code(body) == "PUBLIC_KEY_INVALID"


async def test_an_iin_that_is_not_a_valid_one_is_refused(client: httpx.AsyncClient) -> None:
    # A wrong check digit, too short, not digits, and a right check digit on a 31 February birth date.
    for iin in ("900101300018", "90010130001", "ABCDEFGHIJKL", "900231300014"):
        body = await issue(client, expect=422, subject={**PERSON, "iin": iin})
        assert error_code(body) == "IIN_INVALID"


async def test_an_employee_certificate_needs_a_valid_bin_and_an_organisation(client: httpx.AsyncClient) -> None:
    without_bin = {k: v for k, v in EMPLOYEE.items() if k != "bin"}
    assert error_code(await issue(client, expect=422, subject=without_bin, holder="employee")) == "BIN_INVALID"
    wrong = {**EMPLOYEE, "bin": "140440000508"}
    assert error_code(await issue(client, expect=422, subject=wrong, holder="employee")) == "BIN_INVALID"
    nameless = {k: v for k, v in EMPLOYEE.items() if k != "organization"}
    assert (
        error_code(await issue(client, expect=422, headers=RA, subject=nameless, holder="system"))
        == "VALIDATION_FAILED"
    )


async def test_an_individuals_certificate_names_no_organisation(client: httpx.AsyncClient) -> None:
    assert error_code(await issue(client, expect=422, subject=EMPLOYEE)) == "VALIDATION_FAILED"


async def test_unknown_profiles_holders_and_fields_are_refused(client: httpx.AsyncClient) -> None:
    assert error_code(await issue(client, expect=422, profile="encrypt")) == "VALIDATION_FAILED"
    assert error_code(await issue(client, expect=422, holder="robot")) == "VALIDATION_FAILED"
    assert error_code(await issue(client, expect=422, valid_days=3650)) == "VALIDATION_FAILED"


async def test_a_name_too_long_for_the_certificates_cn_is_refused_not_a_server_error(client: httpx.AsyncClient) -> None:
    long_names = {**PERSON, "surname": "Қ" * 20, "given_name": "Ә" * 20}  # 41 letters, 81 bytes of CN
    answer = await issue(client, expect=422, subject=long_names)
    assert error_code(answer) == "VALIDATION_FAILED" and "CN" in str(answer)
    fits = {**PERSON, "surname": "Қ" * 15, "given_name": "Ә" * 16}  # 32 letters: 63 bytes with the space
    await issue(client, expect=201, subject=fits)
