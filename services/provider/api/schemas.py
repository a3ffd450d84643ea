"""Request and response bodies of the provider's API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.provider.cases import CaseFile
from services.provider.models import Case, CaseRegistryAnswer, CaseStatusRow


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: str = Field(min_length=1, max_length=64, examples=["specialist.karaganda"])
    password: str = Field(min_length=1, max_length=200)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds")


class StaffView(BaseModel):
    login: str
    role: str = Field(description="specialist | head | commission")
    position: str | None = Field(description="specialist | head | chair | secretary | member")
    district: str
    iin: str | None = Field(description="the person's IIN: their employee certificate's, with the department's BIN")
    full_name: str


class StatusEntry(BaseModel):
    status: str
    at: datetime
    actor: str = Field(description="a staff login, or the provider's address for its own steps")
    reason: dict[str, Any] | None = None

    @classmethod
    def of(cls, row: CaseStatusRow) -> StatusEntry:
        return cls(status=row.status, at=row.at, actor=row.actor, reason=row.reason)


class CaseSummary(BaseModel):
    number: str = Field(examples=["ТҮ-karaganda-2026-000017"])
    application_id: str
    district: str
    applicant_iin: str
    applicant_name: str
    channel: str
    status: str
    registration_number: str = Field(description="the regional gateway's registration number (Process 6)")
    registered_at: datetime = Field(description="when the regional gateway registered the application")
    opened_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, case: Case) -> CaseSummary:
        applicant = case.application.get("applicant", {})
        parts = (applicant.get("surname"), applicant.get("given_name"), applicant.get("patronymic"))
        return cls(
            number=case.number,
            application_id=case.application_id,
            district=case.district,
            applicant_iin=case.applicant_iin,
            applicant_name=" ".join(p for p in parts if p),
            channel=case.channel,
            status=case.status,
            registration_number=case.registration_number,
            registered_at=case.registered_at,
            opened_at=case.opened_at,
            updated_at=case.updated_at,
        )


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int
    limit: int
    offset: int


class RegistryAnswerView(BaseModel):
    query: str
    subject: str
    outcome: str = Field(description="ok, or the registry's error code (e.g. PERSON_NOT_FOUND)")
    asked_at: datetime
    result: dict[str, Any] | None = None
    signed: dict[str, Any] | None = Field(None, description="the registry's signed answer (JWS JSON)")

    @classmethod
    def of(cls, row: CaseRegistryAnswer) -> RegistryAnswerView:
        return cls(
            query=row.query,
            subject=row.subject,
            outcome=row.outcome,
            asked_at=row.asked_at,
            result=row.result,
            signed=row.signed,
        )


class CaseDetail(CaseSummary):
    history: list[StatusEntry] = Field(description="every status, oldest first")
    application: dict[str, Any] = Field(description="the verified application (Annex 3), decoded")
    registry_answers: list[RegistryAnswerView] = Field(description="the answers Condition 3 was decided on")

    @classmethod
    def of_file(cls, file: CaseFile) -> CaseDetail:
        return cls(
            **CaseSummary.of(file.case).model_dump(),
            history=[StatusEntry.of(r) for r in file.history],
            application=file.case.application,
            registry_answers=[RegistryAnswerView.of(a) for a in file.answers],
        )
