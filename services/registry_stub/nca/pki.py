"""The test NCA's cryptography: key pairs, certificates signed as `profiles` describes them, CRLs and
PKCS#12 files. RSA-2048 with SHA-256 throughout, as the national CA uses (architecture §5). No I/O:
`authority.py` keeps what is made here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from services.registry_stub.nca import profiles
from services.registry_stub.nca.profiles import Extensions, Holder, Profile, PublicKey, Subject
from shared.errors import AppError

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
RSA_SIZES = (2048, 3072, 4096)
PKCS12_KDF_ROUNDS = 50_000


class KeyType(StrEnum):
    RSA2048 = "rsa2048"
    P256 = "p256"


@dataclass(frozen=True)
class Credential:
    """A certificate and its private key (a CA, the OCSP responder)."""

    certificate: x509.Certificate
    private_key: PrivateKey

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def private_key_pem(self) -> str:
        """PKCS#8 PEM, unencrypted: this is a development PKI, kept in the service's own database."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    @classmethod
    def from_pem(cls, certificate_pem: str, private_key_pem: str) -> Credential:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
        return cls(x509.load_pem_x509_certificate(certificate_pem.encode()), key)


def generate_key(key_type: KeyType = KeyType.RSA2048) -> PrivateKey:
    """A new key pair (slow for RSA: call it off the event loop)."""
    if key_type is KeyType.P256:
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def load_public_key(pem: str) -> PublicKey:
    """The public key in ``pem`` if the NCA may certify it: RSA of 2048, 3072 or 4096 bits with a sane
    exponent, or EC P-256. Anything else (1024-bit RSA, Ed25519, garbage) is PUBLIC_KEY_INVALID."""
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise AppError("PUBLIC_KEY_INVALID", {"reason": "not a PEM public key"}) from exc
    if isinstance(key, rsa.RSAPublicKey):
        exponent = key.public_numbers().e
        if key.key_size in RSA_SIZES and exponent >= 3 and exponent % 2 == 1:
            return key
        raise AppError(
            "PUBLIC_KEY_INVALID", {"reason": f"RSA-{key.key_size} (allowed: {', '.join(map(str, RSA_SIZES))})"}
        )
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise AppError("PUBLIC_KEY_INVALID", {"reason": "only RSA and EC P-256 keys are certified"})


def key_type_of(key: PublicKey) -> str:
    """How the key is named in the NCA's records: rsa2048, rsa3072, rsa4096 or p256."""
    return f"rsa{key.key_size}" if isinstance(key, rsa.RSAPublicKey) else KeyType.P256.value


def new_serial() -> int:
    """A random positive serial of exactly 16 bytes (126 random bits, the top bit clear and the next one
    set, so every serial prints as 32 hex digits and is never mistaken for a negative number)."""
    return secrets.randbits(126) | (1 << 126)


def serial_hex(serial: int) -> str:
    """The serial as the NCA's records and URLs write it: lowercase hex, no leading zeros."""
    return f"{serial:x}"


def make_root(now: datetime) -> Credential:
    """A new self-signed root CA, valid from a year ago for twenty years."""
    key = generate_key()
    start = now - profiles.CA_BACKDATE
    certificate = _sign(
        profiles.ROOT_NAME,
        profiles.ROOT_NAME,
        key.public_key(),
        key,
        start,
        start + profiles.ROOT_VALIDITY,
        profiles.root_extensions(key.public_key()),
    )
    return Credential(certificate, key)


def make_issuing_ca(root: Credential, now: datetime) -> Credential:
    """A new issuing CA "ҰКО 3.0 (RSA TEST)" under ``root``, valid from a year ago for ten years."""
    key = generate_key()
    start = now - profiles.CA_BACKDATE
    extensions = profiles.issuing_ca_extensions(key.public_key(), root.certificate)
    certificate = _sign(
        profiles.ISSUING_NAME,
        root.certificate.subject,
        key.public_key(),
        root.private_key,
        start,
        start + profiles.ISSUING_VALIDITY,
        extensions,
    )
    return Credential(certificate, key)


def make_responder(issuing: Credential, now: datetime) -> Credential:
    """A new delegated OCSP responder certificate, issued by ``issuing`` for `RESPONDER_VALIDITY`."""
    key = generate_key()
    start = now.replace(microsecond=0)
    end = min(start + profiles.RESPONDER_VALIDITY, issuing.certificate.not_valid_after_utc)
    extensions = profiles.responder_extensions(key.public_key(), issuing.certificate)
    certificate = _sign(
        profiles.RESPONDER_NAME,
        issuing.certificate.subject,
        key.public_key(),
        issuing.private_key,
        start,
        end,
        extensions,
    )
    return Credential(certificate, key)


def make_end_entity(
    issuing: Credential,
    subject: Subject,
    profile: Profile,
    holder: Holder,
    public_key: PublicKey,
    validity: tuple[datetime, datetime],
    endpoints: profiles.Endpoints,
) -> x509.Certificate:
    """A person's or system's certificate of this profile, signed by the issuing CA."""
    extensions = profiles.end_entity_extensions(profile, holder, public_key, issuing.certificate, endpoints)
    return _sign(
        profiles.subject_name(subject),
        issuing.certificate.subject,
        public_key,
        issuing.private_key,
        *validity,
        extensions,
    )


@dataclass(frozen=True)
class Revoked:
    """One CRL entry."""

    serial: int
    revoked_at: datetime
    reason: x509.ReasonFlags


def make_crl(
    issuing: Credential, number: int, revoked: list[Revoked], this_update: datetime, next_update: datetime
) -> bytes:
    """A full CRL (DER) of the issuing CA with its CRL number and AKI. An entry's reason code is left out
    when it is "unspecified", as RFC 5280 §5.3.1 asks."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuing.certificate.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(profiles.authority_key_id(issuing.certificate), critical=False)
    )
    for entry in revoked:
        item = x509.RevokedCertificateBuilder().serial_number(entry.serial).revocation_date(entry.revoked_at)
        if entry.reason is not x509.ReasonFlags.unspecified:
            item = item.add_extension(x509.CRLReason(entry.reason), critical=False)
        builder = builder.add_revoked_certificate(item.build())
    return builder.sign(issuing.private_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def pkcs12_bundle(
    key: PrivateKey, certificate: x509.Certificate, chain: list[x509.Certificate], name: str
) -> tuple[bytes, str]:
    """A PKCS#12 file (PBES2 / AES-256, SHA-256 MAC) with the key, its certificate and the CA chain, under
    a new random password; returns (file, password)."""
    password = secrets.token_urlsafe(12)
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(PKCS12_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode())
    )
    data = pkcs12.serialize_key_and_certificates(name.encode(), key, certificate, chain, encryption)
    return data, password


def _sign(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: PublicKey,
    signer: PrivateKey,
    not_before: datetime,
    not_after: datetime,
    extensions: Extensions,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(new_serial())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signer, hashes.SHA256())
