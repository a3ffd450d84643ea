"""What the test NCA (ҰКО) writes into a certificate, as pure rules (architecture §5): subject names, the
extensions of each profile (SIGN, AUTH) and holder (individual, employee, system), and those of the two
CAs and of the OCSP responder. No keys are made and nothing is signed here: `pki.py` does that.

The national CA's conventions, as seen on its test certificates:
``CN=<SURNAME NAME>, SURNAME, SERIALNUMBER=IIN<12 digits>, C=KZ``, employees ``O=<organisation>`` and
``OU=BIN<12 digits>``, and the **patronymic in GN** (givenName, 2.5.4.42): the first name is only in CN.
Names are written in capitals, as the national CA writes them.

Choices the architecture leaves open:
- **system** holders (information systems of an organisation) carry the organisation OID and role
  ``.2`` "may sign", since a system signs for its organisation (registration stamps, registry answers).
- **P-256 AUTH** keys get keyAgreement instead of keyEncipherment: an EC key cannot encipher, and
  RFC 5480 §3 forbids keyEncipherment for id-ecPublicKey. SIGN is told from AUTH by nonRepudiation
  (and the policy and EKU), never by the keyEncipherment bit alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from shared.eds.revocation_request import Reason
from shared.errors import AppError
from shared.iin import is_valid_bin, is_valid_iin

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey
Extensions = list[tuple[x509.ExtensionType, bool]]
"""(extension, critical) pairs, in the order they are written."""


class Profile(StrEnum):
    SIGN = "sign"
    AUTH = "auth"


class Holder(StrEnum):
    INDIVIDUAL = "individual"
    EMPLOYEE = "employee"
    SYSTEM = "system"


RevocationReason = Reason
"""RFC 5280 §5.3.1 reasons a certificate may be revoked for, by name as `x509.ReasonFlags` values write them
(`shared.eds.revocation_request.Reason`, which a holder's signed request names too). removeFromCRL and
aACompromise are not offered: the NCA does not release holds and issues no attribute certificates."""

# Certificate policies: individual / legal entity (employees and systems act for one).
POLICY = {
    (Profile.SIGN, False): ObjectIdentifier("1.2.398.3.3.2.3"),
    (Profile.AUTH, False): ObjectIdentifier("1.2.398.3.3.2.4"),
    (Profile.SIGN, True): ObjectIdentifier("1.2.398.3.3.2.1"),
    (Profile.AUTH, True): ObjectIdentifier("1.2.398.3.3.2.2"),
}
INDIVIDUAL_OID = ObjectIdentifier("1.2.398.3.3.4.1.1")
ORGANISATION_OID = ObjectIdentifier("1.2.398.3.3.4.1.2")
EMPLOYEE_ROLE_OID = ObjectIdentifier("1.2.398.3.3.4.1.2.5")
MAY_SIGN_ROLE_OID = ObjectIdentifier("1.2.398.3.3.4.1.2.2")
HOLDER_EKU = {
    Holder.INDIVIDUAL: (INDIVIDUAL_OID,),
    Holder.EMPLOYEE: (ORGANISATION_OID, EMPLOYEE_ROLE_OID),
    Holder.SYSTEM: (ORGANISATION_OID, MAY_SIGN_ROLE_OID),
}
PROFILE_EKU = {Profile.SIGN: ExtendedKeyUsageOID.EMAIL_PROTECTION, Profile.AUTH: ExtendedKeyUsageOID.CLIENT_AUTH}

ROOT_NAME = x509.Name(
    [x509.NameAttribute(NameOID.COMMON_NAME, "ҰКО ROOT (RSA TEST)"), x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ")]
)
ISSUING_NAME = x509.Name(
    [x509.NameAttribute(NameOID.COMMON_NAME, "ҰКО 3.0 (RSA TEST)"), x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ")]
)
RESPONDER_NAME = x509.Name(
    [x509.NameAttribute(NameOID.COMMON_NAME, "ҰКО 3.0 OCSP (RSA TEST)"), x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ")]
)

ROOT_VALIDITY = timedelta(days=20 * 365)
ISSUING_VALIDITY = timedelta(days=10 * 365)
CA_BACKDATE = timedelta(days=366)
"""The CAs start a year before their creation, so that test mode can issue certificates that were
valid last year (expired ones) and still chain at every moment of their own validity."""
END_ENTITY_VALIDITY = timedelta(days=365)
"""The national CA issues its personal certificates for one year."""
RESPONDER_VALIDITY = timedelta(days=90)
RESPONDER_RENEW_BEFORE = timedelta(days=30)
"""The responder's certificate carries id-pkix-ocsp-nocheck, so it cannot be revoked in effect: RFC 6960
§4.2.2.2.1 advises a short life; it is re-issued when less than this is left."""


@dataclass(frozen=True)
class Subject:
    """Whom a certificate is for. ``patronymic`` is optional; ``bin`` and ``organization`` are for
    employees and systems only."""

    iin: str
    surname: str
    given_name: str
    patronymic: str | None = None
    bin: str | None = None
    organization: str | None = None


@dataclass(frozen=True)
class Endpoints:
    """Where the test NCA publishes, under this service's public URL (written into certificates)."""

    public_url: str

    @property
    def crl(self) -> str:
        return f"{self.public_url}/nca/v1/crl"

    @property
    def ocsp(self) -> str:
        return f"{self.public_url}/nca/v1/ocsp"

    @property
    def ca_issuers(self) -> str:
        return f"{self.public_url}/nca/v1/issuing-ca.der"


def check_subject(subject: Subject, holder: Holder) -> None:
    """Raise the catalogue error for the first thing wrong with ``subject`` for this holder: an IIN
    (or BIN) that is not a valid one (`shared.iin`: structure, birth date or registration month, check
    digit), a missing or extra organisation, a CN over 64 characters."""
    if not is_valid_iin(subject.iin):
        raise AppError("IIN_INVALID", {"field": "subject.iin"})
    if holder is Holder.INDIVIDUAL:
        if subject.bin is not None or subject.organization is not None:
            raise _invalid("subject", "an individual's certificate names no organisation (bin, organization)")
    else:
        if subject.bin is None:
            raise AppError("BIN_INVALID", {"field": "subject.bin", "reason": f"required for holder {holder}"})
        if not is_valid_bin(subject.bin):
            raise AppError("BIN_INVALID", {"field": "subject.bin"})
        if not subject.organization:
            raise _invalid("subject.organization", f"required for holder {holder}")
    if len(common_name(subject)) > 64:
        raise _invalid("subject", "surname and given name together exceed the 64 characters of a CN")


MAX_COMMON_NAME_BYTES = 64
"""RFC 5280's ub-common-name, as `cryptography` counts it: UTF-8 bytes of ``SURNAME GIVEN NAME``."""


def common_name(subject: Subject) -> str:
    return f"{subject.surname} {subject.given_name}".upper()


def subject_name(subject: Subject) -> x509.Name:
    """The subject DN in the national CA's order: CN, SURNAME, SERIALNUMBER, C, O, OU, GN."""
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, common_name(subject)),
        x509.NameAttribute(NameOID.SURNAME, subject.surname.upper()),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{subject.iin}"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
    ]
    if subject.organization and subject.bin:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, subject.organization.upper()))
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"BIN{subject.bin}"))
    if subject.patronymic:
        attributes.append(x509.NameAttribute(NameOID.GIVEN_NAME, subject.patronymic.upper()))
    return x509.Name(attributes)


def key_usage(profile: Profile, public_key: PublicKey) -> x509.KeyUsage:
    """SIGN: digitalSignature + nonRepudiation. AUTH: digitalSignature + keyEncipherment (RSA) or
    keyAgreement (EC, which cannot encipher)."""
    sign = profile is Profile.SIGN
    rsa_auth = not sign and isinstance(public_key, rsa.RSAPublicKey)
    ec_auth = not sign and not rsa_auth
    return _key_usage(digital_signature=True, content_commitment=sign, key_encipherment=rsa_auth, key_agreement=ec_auth)


def end_entity_extensions(
    profile: Profile, holder: Holder, public_key: PublicKey, issuer: x509.Certificate, endpoints: Endpoints
) -> Extensions:
    """Every extension of a person's or system's certificate (architecture §5)."""
    legal = holder is not Holder.INDIVIDUAL
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (key_usage(profile, public_key), True),
        (x509.ExtendedKeyUsage([PROFILE_EKU[profile], *HOLDER_EKU[holder]]), False),
        (x509.CertificatePolicies([x509.PolicyInformation(POLICY[(profile, legal)], None)]), False),
        (x509.SubjectKeyIdentifier.from_public_key(public_key), False),
        (authority_key_id(issuer), False),
        *_published_at(endpoints),
    ]


def root_extensions(public_key: PublicKey) -> Extensions:
    """The self-signed root: a CA of unlimited path length that signs certificates and CRLs."""
    return [
        (x509.BasicConstraints(ca=True, path_length=None), True),
        (_key_usage(key_cert_sign=True, crl_sign=True), True),
        (x509.SubjectKeyIdentifier.from_public_key(public_key), False),
    ]


def issuing_ca_extensions(public_key: PublicKey, root: x509.Certificate) -> Extensions:
    """ "ҰКО 3.0 (RSA TEST)": a CA that issues only end-entity certificates (pathlen 0)."""
    return [
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (_key_usage(key_cert_sign=True, crl_sign=True), True),
        (x509.SubjectKeyIdentifier.from_public_key(public_key), False),
        (authority_key_id(root), False),
    ]


def responder_extensions(public_key: PublicKey, issuing: x509.Certificate) -> Extensions:
    """The delegated OCSP responder (RFC 6960 §4.2.2.2): id-kp-OCSPSigning, and id-pkix-ocsp-nocheck
    so that clients do not ask about the responder's own certificate."""
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_key_usage(digital_signature=True), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), False),
        (x509.OCSPNoCheck(), False),
        (x509.SubjectKeyIdentifier.from_public_key(public_key), False),
        (authority_key_id(issuing), False),
    ]


def end_entity_validity(
    now: datetime, issuer_not_after: datetime, not_before: datetime | None = None, not_after: datetime | None = None
) -> tuple[datetime, datetime]:
    """From ``not_before`` (default now) for a year, or to ``not_after``; never past the issuing CA's
    own notAfter (a certificate cannot outlive its issuer)."""
    start = not_before or now.replace(microsecond=0)
    end = min(not_after or start + END_ENTITY_VALIDITY, issuer_not_after)
    if end <= start:
        raise _invalid("not_after", "must be later than not_before and before the issuing CA expires")
    return start, end


def _published_at(endpoints: Endpoints) -> Extensions:
    point = x509.DistributionPoint([x509.UniformResourceIdentifier(endpoints.crl)], None, None, None)
    access = [
        x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(endpoints.ocsp)),
        x509.AccessDescription(
            AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(endpoints.ca_issuers)
        ),
    ]
    return [(x509.CRLDistributionPoints([point]), False), (x509.AuthorityInformationAccess(access), False)]


def authority_key_id(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    """The AKI of whatever ``issuer`` signs: its own SKI."""
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _key_usage(
    *,
    digital_signature: bool = False,
    content_commitment: bool = False,
    key_encipherment: bool = False,
    key_agreement: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=key_agreement,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _invalid(field: str, reason: str) -> AppError:
    return AppError("VALIDATION_FAILED", {"errors": [{"loc": ["body", *field.split(".")], "msg": reason}]})
