"""Request and response bodies of the portal's API (architecture §6 contract points). Every request
field is bounded (lengths, list sizes, the IIN's 12 digits), so that OpenAPI shows the limits and an
oversized value is VALIDATION_FAILED (architecture §7) before anything is looked up or stored."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.housing.application import MAX_ATTACHMENTS, MAX_LIST, Attachment, Code

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
IIN = r"^\d{12}$"
MAX_PASSWORD = 200
"""Characters of a password at most (hashing a megabyte with Argon2 is no login)."""
SignedDocument = Any
Password = Annotated[str, StringConstraints(max_length=MAX_PASSWORD)]


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iin: str = Field(pattern=IIN, description="the citizen's IIN (12 digits, check digit)", examples=["900101300017"])
    password: Password = Field(description="at least 8 characters, not only digits, not containing the IIN")
    email: str | None = Field(default=None, max_length=200, pattern=EMAIL, description="for results by e-mail (§17)")


class AccountView(BaseModel):
    iin: str
    email: str | None
    created_at: datetime
    identity_proven: bool = Field(
        False,
        description="whether the account is bound to its person (an EDS login or a one-time SMS code to the number "
        "in the mobile citizens database); until then the registries' data is not shown to it",
    )
    proven_by: str | None = Field(None, description="eds | sms")
    identity_proven_at: datetime | None = None
    has_password: bool = Field(True, description="false for an account that signs in by EDS or SMS code only")


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iin: str = Field(pattern=IIN)
    password: Password


class TokenView(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds")
    identity_proven: bool = Field(
        description="whether the account's identity is proven (the token's identity_proven claim): only a proven "
        "token gets the draft pre-filled from the registries"
    )


class SmsCodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iin: str = Field(pattern=IIN, description="the IIN whose number in the mobile citizens database gets the code")


class SmsCodeView(BaseModel):
    phone: str = Field(description="the number the code went to, masked", examples=["+7 7** *** **12"])
    expires_in_s: int = Field(description="seconds the code is valid")
    max_tries: int = Field(description="wrong codes after which it is void")


class SmsConfirmRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iin: str = Field(pattern=IIN)
    code: str = Field(pattern=r"^[0-9]{6}$", description="the 6 digits of the SMS")
    password: Password | None = Field(
        default=None,
        description="a new password (the rules of registration); required when the IIN has no account yet, else it "
        "replaces the account's",
    )


class ChallengeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iin: str = Field(pattern=IIN)


class ChallengeView(BaseModel):
    challenge: dict[str, Any] = Field(
        description="the exact document to sign with the AUTH key: type auth/challenge@1, author {iin}, nonce, "
        "expires_at (single use, 5 minutes)"
    )


class SignedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signed: SignedDocument = Field(description="the signed e-document (JWS JSON General Serialization)")


class Requirement(BaseModel):
    kind: str = Field(description="the attachment kind (shared.housing.application.AttachmentKind)")
    reason: str
    paragraph: str = Field(description="where the Regulation asks for it")


class DraftRequest(BaseModel):
    """Everything is optional: what is left out is taken from the registries."""

    model_config = ConfigDict(extra="forbid")

    district: Code | None = Field(default=None, description="shared.geo code; default: the registered address's")
    categories: list[Code] | None = Field(
        default=None, max_length=MAX_LIST, description="default: what the registries show"
    )
    vulnerable_groups: list[Code] | None = Field(default=None, max_length=MAX_LIST)
    employment_categories: list[Code] | None = Field(default=None, max_length=MAX_LIST)
    attachments: list[Attachment] | None = Field(
        default=None, max_length=MAX_ATTACHMENTS, description="references to your uploads"
    )
    email: str | None = Field(default=None, max_length=200, pattern=EMAIL)


class DraftView(BaseModel):
    document: dict[str, Any] = Field(description="the exact application to sign (housing-queue/application@1)")
    required_attachments: list[Requirement] = Field(description="the e-copies §14 asks of this applicant")
    missing_attachments: list[Requirement] = Field(description="those not attached yet")


class AcceptedView(BaseModel):
    id: str
    status: str
    expected_result_date: date = Field(description="§12 p.1: the submission day (Asia/Almaty) + 30 calendar days")


class ApplicationSummary(BaseModel):
    id: str
    status: str
    district: str
    submitted_at: datetime
    expected_result_date: date
    registration_number: str | None
    result_ready: bool


class HistoryView(BaseModel):
    status: str
    at: datetime
    details: dict[str, Any] | None = None


class RegistrationView(BaseModel):
    number: str
    registered_at: datetime | None


class DeliveryView(BaseModel):
    state: str = Field(description="ON_DELIVERY, DELIVERED, NOT_DELIVERED or DELIVERY_STOPPED")
    at: datetime | None
    error: dict[str, Any] | None = None


class WaitingListView(BaseModel):
    code: str = Field(description="ww2, orphans, vulnerable, employees or emergency")
    name: str


class QueueMoveView(BaseModel):
    at: datetime
    position: int
    reason: str = Field(description="why the position is what it is: registered, …")


class QueueView(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    waiting_list: WaitingListView = Field(alias="list", description="the waiting list the citizen is registered in")
    position: int = Field(description="the queue number (from 1)")
    history: list[QueueMoveView] = Field(description="how the position came to be, oldest first")


class ApplicationDetail(ApplicationSummary):
    status_at: datetime
    history: list[HistoryView]
    registration: RegistrationView | None
    delivery: DeliveryView | None
    case_number: str | None
    result: dict[str, Any] | None = Field(description="the signed result (notification or reasoned refusal)")
    queue: QueueView | None = Field(
        default=None, description="the place in the waiting list, when the result is a notification"
    )
    document: dict[str, Any] = Field(description="the signed application as submitted")


class ResultView(BaseModel):
    document: dict[str, Any] = Field(
        description="the signed result: the head's signature, then the regional gateway's registration stamp"
    )
