"""Tables of registry_stub: the test certification authority's (its own CA credentials, the
certificates it issued and their revocations, the CRLs it published) and the state registries' (one per
record type of `population/records.py`, the personas index, the query log — who asked what, for which
application, under which consent: §14 — and the population's provenance: seed and size, so a restart
does not generate it again). Its own SQLModel registry keeps them apart from the other services' tables
when all five run in one process."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.calendar import utcnow
from shared.db import UtcDateTime
from shared.models import KernelModel


class RegistryStubModel(SQLModel, registry=registry()):
    """Base of registry_stub's tables."""


# --- the test certification authority (ҰКО), architecture §5 -------------------------------------


class CaCredential(RegistryStubModel, table=True):
    """A key pair of the test NCA itself and its certificate: the root CA, the issuing CA "ҰКО 3.0
    (RSA TEST)" and the delegated OCSP responder. Made at the first start (a dev PKI: never in the
    repository), loaded at every later one. The role is the primary key, so two processes starting at
    once cannot both create a hierarchy: the second one's insert fails and it loads the first one's."""

    __tablename__ = "nca_ca"

    role: str = Field(primary_key=True, max_length=16, description="root | issuing | ocsp")
    certificate_pem: str = Field(sa_type=sa.Text)
    private_key_pem: str = Field(sa_type=sa.Text, description="PKCS#8 PEM, unencrypted (dev PKI)")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


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
    not_before: datetime = Field(sa_type=UtcDateTime)
    not_after: datetime = Field(sa_type=UtcDateTime)
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    certificate_der: bytes = Field(sa_type=sa.LargeBinary)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revocation_reason: str | None = Field(default=None, max_length=32, description="RFC 5280 reason name")


class CrlRecord(RegistryStubModel, table=True):
    """A full CRL as published. The newest number is the current one; the number is the primary key,
    so two writers can never publish the same CRL number."""

    __tablename__ = "nca_crl"

    number: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    this_update: datetime = Field(sa_type=UtcDateTime)
    next_update: datetime = Field(sa_type=UtcDateTime)
    crl_der: bytes = Field(sa_type=sa.LargeBinary)


# --- the state registries ----------------------------------------------------------------------


class PersonRow(RegistryStubModel, table=True):
    __tablename__ = "reg_person"

    iin: str = Field(primary_key=True, max_length=12)
    surname: str = Field(max_length=80)
    given_name: str = Field(max_length=80)
    patronymic: str | None = Field(default=None, max_length=80)
    birth_date: date
    sex: str = Field(max_length=1)
    citizenship: str = Field(max_length=2)
    death_date: date | None = None


class FamilyLinkRow(RegistryStubModel, table=True):
    __tablename__ = "reg_family_link"

    iin: str = Field(primary_key=True, max_length=12)
    relative_iin: str = Field(primary_key=True, max_length=12)
    relation: str = Field(max_length=16)


class CivilEventRow(RegistryStubModel, table=True):
    __tablename__ = "reg_civil_event"

    record_no: str = Field(primary_key=True, max_length=40)
    kind: str = Field(max_length=16)
    registered_on: date
    office: str = Field(max_length=160)


class CivilPartyRow(RegistryStubModel, table=True):
    __tablename__ = "reg_civil_party"

    record_no: str = Field(primary_key=True, max_length=40)
    role: str = Field(primary_key=True, max_length=16)
    iin: str = Field(primary_key=True, max_length=12, index=True)


class DwellingRow(RegistryStubModel, table=True):
    __tablename__ = "reg_dwelling"

    cadastral_no: str = Field(primary_key=True, max_length=40)
    locality: str = Field(max_length=40)
    address: str = Field(max_length=200)
    area_m2: float
    rooms: int
    state_fund: bool
    emergency_finding_no: str | None = Field(default=None, max_length=40)
    emergency_found_on: date | None = None


class OwnershipRow(RegistryStubModel, table=True):
    __tablename__ = "reg_ownership"

    id: int | None = Field(default=None, primary_key=True)
    dwelling: str = Field(max_length=40, index=True)
    iin: str = Field(max_length=12, index=True)
    share: str = Field(max_length=8)
    acquired_on: date
    acquired_by: str = Field(max_length=16)
    preferential_credit: bool
    disposed_on: date | None = None
    disposed_by: str | None = Field(default=None, max_length=16)
    counterparty: str | None = Field(default=None, max_length=12)


class ResidenceRow(RegistryStubModel, table=True):
    __tablename__ = "reg_residence"

    id: int | None = Field(default=None, primary_key=True)
    iin: str = Field(max_length=12, index=True)
    locality: str = Field(max_length=40)
    address: str = Field(max_length=200)
    registered_from: date
    registered_to: date | None = None
    dwelling: str | None = Field(default=None, max_length=40, index=True)
    basis: str = Field(max_length=24)
    host_iin: str | None = Field(default=None, max_length=12, index=True)
    left_voluntarily: bool


class SocialStatusRow(RegistryStubModel, table=True):
    __tablename__ = "reg_social_status"

    document_no: str = Field(primary_key=True, max_length=40)
    iin: str = Field(max_length=12, index=True)
    group: str = Field(max_length=40)
    since: date
    until: date | None = None
    monthly_income_per_member: int | None = None


class EmploymentRow(RegistryStubModel, table=True):
    __tablename__ = "reg_employment"

    id: int | None = Field(default=None, primary_key=True)
    iin: str = Field(max_length=12, index=True)
    category: str = Field(max_length=24)
    employer_bin: str = Field(max_length=12)
    employer_name: str = Field(max_length=200)
    position: str = Field(max_length=120)
    since: date
    until: date | None = None


class PowerOfAttorneyRow(RegistryStubModel, table=True):
    __tablename__ = "reg_power_of_attorney"

    number: str = Field(primary_key=True, max_length=40)
    principal_iin: str = Field(max_length=12, index=True)
    attorney_iin: str = Field(max_length=12, index=True)
    issued_on: date
    valid_until: date
    covers_service: bool
    notarised: bool
    notary: str | None = Field(default=None, max_length=160)
    revoked_on: date | None = None


class CourtDecisionRow(RegistryStubModel, table=True):
    __tablename__ = "reg_court_decision"

    case_no: str = Field(primary_key=True, max_length=40)
    court: str = Field(max_length=160)
    decided_on: date
    iin: str = Field(max_length=12, index=True)
    family_member_iin: str = Field(max_length=12)


class MobilePhoneRow(RegistryStubModel, table=True):
    """The mobile-citizens database (база мобильных граждан, БМГ): the mobile number a person registered
    for their IIN (E.164, ``+77xxxxxxxxx``). A person with no row has no number on record."""

    __tablename__ = "reg_mobile_phone"

    iin: str = Field(primary_key=True, max_length=12)
    phone: str = Field(max_length=16, index=True)


class PersonaTraitRow(RegistryStubModel, table=True):
    """One row per (trait, person): `GET /api/v1/personas?trait=…` reads it by trait."""

    __tablename__ = "reg_persona_trait"

    trait: str = Field(primary_key=True, max_length=60)
    iin: str = Field(primary_key=True, max_length=12)
    note: str = Field(default="", max_length=300)


class QueryLogRow(RegistryStubModel, table=True):
    """Every registry query: who asked, about whom, for which application, under which consent."""

    __tablename__ = "reg_query_log"

    id: int | None = Field(default=None, primary_key=True)
    asked_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    query: str = Field(max_length=40)
    subject: str = Field(max_length=40, index=True)
    requester: str = Field(max_length=200)
    user_id: str | None = Field(default=None, max_length=20)
    application: str | None = Field(default=None, max_length=64)
    consent: str | None = Field(default=None, max_length=200)
    request_hash: str = Field(max_length=128)
    outcome: str = Field(max_length=40)


class PopulationRow(RegistryStubModel, table=True):
    """The population in this database: made from this seed, this many people, as of this day."""

    __tablename__ = "reg_population"

    seed: int = Field(primary_key=True)
    people: int
    as_of: date
    loaded_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


METADATA = [KernelModel.metadata, RegistryStubModel.metadata]
