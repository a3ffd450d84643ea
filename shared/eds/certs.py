"""Reading the national CA's certificate conventions (architecture §5): who the holder is
(``SERIALNUMBER=IIN…``, ``OU=BIN…``) and what the key is for (SIGN or AUTH)."""

from __future__ import annotations

from typing import Literal

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

Purpose = Literal["sign", "auth"]

POLICY_SIGN = {"1.2.398.3.3.2.3", "1.2.398.3.3.2.1"}  # individual, legal entity
POLICY_AUTH = {"1.2.398.3.3.2.4", "1.2.398.3.3.2.2"}


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
