"""Request and response bodies of registry_stub's API: the test NCA's (architecture §6: outside clients
rely on them), the registries' mirrors and the personas catalogue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.registry_stub.nca.pki import KeyType
from services.registry_stub.nca.profiles import MAX_COMMON_NAME_BYTES, Holder, Profile, RevocationReason

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
# IINs and BINs are checked by their check digit (IIN_INVALID / BIN_INVALID), not by a pattern here, so
# that a wrong number always gets the same code.
Number = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]


class SubjectIn(BaseModel):
    """Whom to certify. ``bin`` and ``organization`` are required for employees and systems, and
    refused for individuals."""

    model_config = ConfigDict(extra="forbid")

    iin: Number = Field(description="IIN (ЖСН), 12 digits; becomes SERIALNUMBER=IIN<iin>")
    surname: Name
    given_name: Name = Field(description="first name; with the surname it makes the CN")
    patronymic: Name | None = Field(None, description="becomes GN, as in the national CA's certificates")
    bin: Number | None = Field(None, description="BIN (БСН) of the organisation; becomes OU=BIN<bin>")
    organization: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = Field(
        None, description="organisation name; becomes O"
    )

    @model_validator(mode="after")
    def _common_name_fits(self) -> SubjectIn:
        cn = f"{self.surname} {self.given_name}".upper()
        if len(cn.encode("utf-8")) > MAX_COMMON_NAME_BYTES:
            raise ValueError(
                f"surname and given name make a CN of {len(cn.encode('utf-8'))} bytes: at most "
                f"{MAX_COMMON_NAME_BYTES} in UTF-8 (about 31 Cyrillic letters)"
            )
        return self


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: SubjectIn
    profile: Profile = Field(description="sign: documents (nonRepudiation); auth: login (clientAuth)")
    holder: Holder = Field(description="individual, employee (acts for an organisation) or system")
    key_type: KeyType = Field(KeyType.RSA2048, description="key pair to make when no public key is given")
    public_key_pem: str | None = Field(
        None, max_length=16_000, description="PEM public key to certify (RSA 2048/3072/4096 or EC P-256)"
    )
    not_before: AwareDatetime | None = Field(None, description="validity override (NCA_TEST_MODE only)")
    not_after: AwareDatetime | None = Field(None, description="validity override (NCA_TEST_MODE only)")


class IssueResponse(BaseModel):
    serial: str = Field(description="lowercase hex")
    certificate_pem: str
    chain_pem: str = Field(description="the issuing CA, then the root")
    pkcs12_b64: str | None = Field(None, description="only when the key pair was made here: key, certificate, chain")
    pkcs12_password: str | None = Field(None, description="the PKCS#12 file's password")


class RevokeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: RevocationReason = Field(description="RFC 5280 §5.3.1 reason, by name")


class RevokeResponse(BaseModel):
    serial: str
    revoked_at: datetime
    reason: RevocationReason


class CertificateStatus(BaseModel):
    serial: str
    subject: str = Field(description="RFC 4514")
    iin: str
    bin: str | None
    profile: Profile
    holder: Holder
    key_type: str
    not_before: datetime
    not_after: datetime
    status: Literal["good", "revoked"]
    revoked_at: datetime | None
    reason: RevocationReason | None
    certificate_pem: str


class RegistryAnswerView(BaseModel):
    answer: dict[str, Any] = Field(description="the answer document: registry, query, subject, request_hash, result")
    signed: dict[str, Any] = Field(description="the same, as the e-document the registry signed (JWS JSON)")


class PersonaPowerOfAttorney(BaseModel):
    number: str = Field(description="its number in the notary registry (БНАЖ)")
    attorney_iin: str = Field(description="who may act for the persona under it")


class PersonaView(BaseModel):
    iin: str
    name: str
    traits: list[str] = Field(description="the rules this person exercises, e.g. ground:exchange, poa:expired")
    note: str
    powers_of_attorney: list[PersonaPowerOfAttorney] = Field(
        default_factory=list,
        description="the powers of attorney the persona gave (as principal): a tester applies as its representative",
    )
