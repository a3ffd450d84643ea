"""The provider's e-documents after step 3 (Annex 1 steps 4–9; architecture §6 and §10): the head's
resolution, the housing commission's protocol, and the result the citizen relies on — the notification
of registration in a waiting list or the reasoned refusal. Staff sign them on the client side with their
employee certificates (the department's BIN, their own IIN); the result then carries the regional
gateway's registration stamp (Process 8).

    housing-queue/resolution@1    the head's бұрыштама: the case to an executor          step 4
    housing-queue/protocol@1      the commission's decisions, signed by the members present  step 6
    housing-queue/notification@1  registered: the waiting list, the queue number, the key   steps 7–9
    housing-queue/refusal@1       refused: the grounds with their §, the reasons            steps 7–9

Every text has a length and every list a size it may not pass (architecture §7)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.eds.document import EDocument
from shared.housing.application import Iin

RESOLUTION_TYPE = "housing-queue/resolution@1"
PROTOCOL_TYPE = "housing-queue/protocol@1"
NOTIFICATION_TYPE = "housing-queue/notification@1"
REFUSAL_TYPE = "housing-queue/refusal@1"
RESULT_TYPES = (NOTIFICATION_TYPE, REFUSAL_TYPE)

MAX_TEXT = 2000
"""Characters of a reason, an instruction."""
MAX_AGENDA = 100
"""Cases one meeting decides."""
MAX_COMMISSION = 15
"""Members of one housing commission."""

Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Short = Annotated[str, StringConstraints(max_length=200)]
CaseNumber = Annotated[str, StringConstraints(max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Executor(_Strict):
    """The specialist the head assigns the case to."""

    login: Short
    iin: Iin


class ResolutionDocument(EDocument):
    """Annex 1 step 4: the head's resolution (бұрыштама) — who executes the case, and what to do."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["housing-queue/resolution@1"] = RESOLUTION_TYPE  # type: ignore[assignment]
    case_number: CaseNumber
    application_id: Short
    executor: Executor
    instruction: Text = "Қарап, тұрғын үй комиссиясының қарауына дайындалсын"


class Ground(_Strict):
    """A ground of a refusal: its paragraph of the regulation (§15 with its item 1–5; §14 for documents
    not in order, §18 for Condition 3's other check), and the words."""

    paragraph: Literal["§14", "§15", "§18"]
    item: int | None = Field(default=None, ge=1, le=5)
    text: Text


class WaitingListRef(_Strict):
    """A waiting list of the 2014 lists: its code and its name."""

    code: Literal["ww2", "orphans", "vulnerable", "employees", "emergency"]
    name: Short


class Member(_Strict):
    """A member of the housing commission, as the protocol names them."""

    iin: Iin
    name: Short
    position: Literal["chair", "secretary", "member"]


class CaseDecision(_Strict):
    """The commission's decision on one case of the agenda: register in a list, or refuse on grounds."""

    case_number: CaseNumber
    application_id: Short
    decision: Literal["register", "refuse"]
    waiting_list: WaitingListRef | None = None
    grounds: list[Ground] = Field(default_factory=list, max_length=10)
    reasons: Text = ""


class ProtocolDocument(EDocument):
    """Annex 1 step 6: the housing commission's protocol of one meeting. Its author is the chair (the
    first signature); every other member present countersigns it (role ``approval``)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["housing-queue/protocol@1"] = PROTOCOL_TYPE  # type: ignore[assignment]
    number: Short = Field(description="ТК-<district>-<year>-<sequence>")
    district: Short
    held_at: datetime
    members: list[Member] = Field(min_length=1, max_length=MAX_COMMISSION, description="the whole commission")
    present: list[Iin] = Field(min_length=1, max_length=MAX_COMMISSION)
    quorum: int = Field(ge=1, description="members present the meeting needs (more than half of the commission)")
    decisions: list[CaseDecision] = Field(min_length=1, max_length=MAX_AGENDA)


class ProtocolRef(_Strict):
    """The protocol a result rests on."""

    id: Short
    number: Short
    held_at: datetime


class NotificationDocument(EDocument):
    """The result (§5): registered in a waiting list, with the queue number and the queue key."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["housing-queue/notification@1"] = NOTIFICATION_TYPE  # type: ignore[assignment]
    case_number: CaseNumber
    application_id: Short
    applicant_iin: Iin
    district: Short
    waiting_list: WaitingListRef
    queue_number: int = Field(ge=1)
    queued_at: datetime = Field(description="the queue key: when the complete application was registered")
    registration_number: Short = Field(description="the application's registration at the regional gateway")
    protocol: ProtocolRef
    decided_on: date


class RefusalDocument(EDocument):
    """The result (§5): a reasoned refusal — the grounds with their §, the reasons; Process 7's names the
    documents that are missing and rests on no protocol."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["housing-queue/refusal@1"] = REFUSAL_TYPE  # type: ignore[assignment]
    case_number: CaseNumber
    application_id: Short
    applicant_iin: Iin
    district: Short
    grounds: list[Ground] = Field(min_length=1, max_length=10)
    reasons: Text = ""
    missing_documents: list[dict[str, str]] = Field(default_factory=list, max_length=50)
    protocol: ProtocolRef | None = None
    decided_on: date


ResultDocument = NotificationDocument | RefusalDocument
