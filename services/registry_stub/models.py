"""Tables of registry_stub. Its own registry keeps them apart from the other services' tables when all
five run in one process."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.bus.envelope import utcnow
from shared.models import KernelModel


class RegistryStubModel(SQLModel, registry=registry()):
    """Base of registry_stub's tables."""


# --- the test certification authority (ҰКО), ARCHITECTURE §5 -------------------------------------


class CaCredential(RegistryStubModel, table=True):
    """A key pair of the test NCA itself and its certificate: the root CA, the issuing CA "ҰКО 3.0
    (RSA TEST)" and the delegated OCSP responder. Made at the first start (a dev PKI: never in the
    repository), loaded at every later one. The role is the primary key, so two processes starting at
    once cannot both create a hierarchy: the second one's insert fails and it loads the first one's."""

    __tablename__ = "nca_ca"

    role: str = Field(primary_key=True, max_length=16, description="root | issuing | ocsp")
    certificate_pem: str = Field(sa_type=sa.Text)
    private_key_pem: str = Field(sa_type=sa.Text, description="PKCS#8 PEM, unencrypted (dev PKI)")
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class IssuedCertificate(RegistryStubModel, table=True):
    """A certificate the issuing CA has signed, and its revocation (the source of the CRL and OCSP)."""

    __tablename__ = "nca_certificate"
    __table_args__ = (
        sa.Index("ix_nca_certificate_iin", "iin"),
        sa.Index("ix_nca_certificate_revoked_at", "revoked_at"),
    )

    serial: str = Field(primary_key=True, max_length=40, description="lowercase hex, no leading zeros")
    iin: str = Field(max_length=12)
    bin: str | None = Field(default=None, max_length=12)
    subject: str = Field(sa_type=sa.Text, description="RFC 4514")
    profile: str = Field(max_length=8, description="sign | auth")
    holder: str = Field(max_length=16, description="individual | employee | system")
    key_type: str = Field(max_length=16, description="rsa2048 | rsa3072 | rsa4096 | p256")
    not_before: datetime = Field(sa_type=sa.DateTime(timezone=True))
    not_after: datetime = Field(sa_type=sa.DateTime(timezone=True))
    issued_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    certificate_der: bytes = Field(sa_type=sa.LargeBinary)
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    revocation_reason: str | None = Field(default=None, max_length=32, description="RFC 5280 reason name")


class CrlRecord(RegistryStubModel, table=True):
    """A full CRL as published. The newest number is the current one; the number is the primary key,
    so two writers can never publish the same CRL number."""

    __tablename__ = "nca_crl"

    number: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    this_update: datetime = Field(sa_type=sa.DateTime(timezone=True))
    next_update: datetime = Field(sa_type=sa.DateTime(timezone=True))
    crl_der: bytes = Field(sa_type=sa.LargeBinary)


# The registries' tables live in registries/models.py; importing it here puts them in METADATA.
from services.registry_stub.registries import models as _registries  # noqa: E402,F401

METADATA = [KernelModel.metadata, RegistryStubModel.metadata]
