"""Reading the national CA's certificate conventions (architecture §5): who the holder is
(``SERIALNUMBER=IIN…``, ``OU=BIN…``, and what kind of holder: the holder-type EKU OIDs) and what the key
is for (SIGN or AUTH)."""

from __future__ import annotations

from typing import Literal

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

Purpose = Literal["sign", "auth"]
HolderType = Literal["individual", "employee", "system"]

POLICY_SIGN = {"1.2.398.3.3.2.3", "1.2.398.3.3.2.1"}  # individual, legal entity
POLICY_AUTH = {"1.2.398.3.3.2.4", "1.2.398.3.3.2.2"}

# Holder types, as EKU OIDs (architecture §5): an individual; an organisation, with the holder's role in
# it — an employee (.5), or the organisation's information system, which may sign for it (.2). The test
# NCA writes the same (services/registry_stub/nca/profiles.py: HOLDER_EKU).
INDIVIDUAL_OID = ObjectIdentifier("1.2.398.3.3.4.1.1")
ORGANISATION_OID = ObjectIdentifier("1.2.398.3.3.4.1.2")
EMPLOYEE_ROLE_OID = ObjectIdentifier("1.2.398.3.3.4.1.2.5")
MAY_SIGN_ROLE_OID = ObjectIdentifier("1.2.398.3.3.4.1.2.2")


def _attribute(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def holder_iin(cert: x509.Certificate) -> str | None:
    value = _attribute(cert, NameOID.SERIAL_NUMBER)
    return value[3:] if value and value.startswith("IIN") else None


def holder_bin(cert: x509.Certificate) -> str | None:
    for attribute in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME):
        value = str(attribute.value)
        if value.startswith("BIN"):
            return value[3:]
    return None


def holder_name(cert: x509.Certificate) -> str | None:
    return _attribute(cert, NameOID.COMMON_NAME)


def holder_type(cert: x509.Certificate) -> HolderType | None:
    """Who holds the certificate, by its holder-type EKU OIDs: an individual, an employee of an
    organisation, or an organisation's system; None when they say none of these, or contradict each
    other (an individual's OID beside an organisation's, an employee's role beside a system's)."""
    ekus = _extension(cert, x509.ExtendedKeyUsage)
    oids = set(ekus) if isinstance(ekus, x509.ExtendedKeyUsage) else set()
    individual, organisation = INDIVIDUAL_OID in oids, ORGANISATION_OID in oids
    employee, system = EMPLOYEE_ROLE_OID in oids, MAY_SIGN_ROLE_OID in oids
    if individual and not (organisation or employee or system):
        return "individual"
    if individual or not organisation or employee == system:
        return None
    return "employee" if employee else "system"


def _extension(cert: x509.Certificate, kind: type) -> object | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def fits_purpose(cert: x509.Certificate, purpose: Purpose) -> bool:
    """SIGN: non-repudiation key usage, e-mail protection EKU and a signing policy; AUTH:
    digital signature, client-auth EKU and an authentication policy. A key is for one or the other."""
    usage = _extension(cert, x509.KeyUsage)
    ekus = _extension(cert, x509.ExtendedKeyUsage)
    policies = _extension(cert, x509.CertificatePolicies)
    if not isinstance(usage, x509.KeyUsage) or not usage.digital_signature:
        return False
    eku_set = set(ekus) if isinstance(ekus, x509.ExtendedKeyUsage) else set()
    policy_set = (
        {p.policy_identifier.dotted_string for p in policies}
        if isinstance(policies, x509.CertificatePolicies)
        else set()
    )
    if purpose == "sign":
        return (
            usage.content_commitment
            and ExtendedKeyUsageOID.EMAIL_PROTECTION in eku_set
            and bool(policy_set & POLICY_SIGN)
        )
    return (
        ExtendedKeyUsageOID.CLIENT_AUTH in eku_set and bool(policy_set & POLICY_AUTH) and not usage.content_commitment
    )
