"""The messages of this service on the async channel (architecture §3), and who sends them where.

    portal / Center ──document.submitted──▶ regional gateway           (the signed application)
    regional gateway ──receipt.<sender>──▶ portal / Center              (registration no., delivery state)
    regional gateway ──document.delivered.<district>──▶ provider        (the stamped application)
    provider ──case.status──▶ regional gateway ──status.<sender>──▶ portal / Center  (the signed status)
    provider ──case.result──▶ regional gateway ──result.<sender>──▶ portal / Center  (the signed result)
    Center ──handover.<district>──▶ provider        (the registers of originals and of unclaimed results, a recall)
    provider ──handover.ack.con──▶ Center           (each accepted, the recalled result sent back)

``<sender>`` is the subsystem of the original sender's address (``KZ/GOV/<BIN>/<subsystem>``).
Transport states (delivery) are kept apart from business statuses (the case's progress).

Every envelope is signed by its sender (architecture §9). What the provider says about a case reaches
the citizen through the gateway, so it is also signed where it is made: a provider's status is a
`SignedStatus` e-document signed by the provider's system certificate, which the gateway and the
portal verify; only the gateway's own statuses (`GATEWAY_STATUSES`) travel as a plain `StatusChange`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.eds.document import Author, EDocument

SUBMITTED = "document.submitted"
DELIVERED_PREFIX = "document.delivered"
CASE_STATUS = "case.status"
CASE_RESULT = "case.result"
HANDOVER_PREFIX = "handover"
HANDOVER_ACK = "handover.ack.con"
"""The provider's answers to the Center (three words: not matched by ``handover.*``, the provider's binding)."""

DeliveryState = Literal["ON_DELIVERY", "DELIVERED", "NOT_DELIVERED", "DELIVERY_STOPPED"]
"""The gateway's transport states (ЭҮШ): on its way, handed to the provider, could not be, stopped."""

BusinessStatus = Literal[
    "SUBMITTED",  # accepted by the portal, on its way (§10 item 3: with the date the result is due)
    "REGISTERED_AT_GATEWAY",  # Process 6: registration number and time at the regional gateway
    "REFUSED_AT_GATEWAY",  # the gateway could not verify or route it
    "REGISTERED",  # Annex 1 step 3: registered by the provider, a case opened
    "REFUSED_DOCUMENTS",  # Process 7: the documents are not in order (§14)
    "IN_REVIEW",  # with the head, the specialist, the housing commission (Annex 1 steps 4–7)
    "QUEUED",  # the result: registered in the queue, with the queue number
    "REFUSED",  # the result: a reasoned refusal (§15)
]


def subsystem(sender: str) -> str:
    """``KZ/GOV/<BIN>/<subsystem>`` → ``<subsystem>``."""
    return sender.rsplit("/", 1)[-1]


def delivered_key(district: str) -> str:
    return f"{DELIVERED_PREFIX}.{district}"


def handover_key(district: str) -> str:
    """What the Center hands one district's department: ``handover.<district>``."""
    return f"{HANDOVER_PREFIX}.{district}"


def receipt_key(sender: str) -> str:
    return f"receipt.{subsystem(sender)}"


def status_key(sender: str) -> str:
    return f"status.{subsystem(sender)}"


def result_key(sender: str) -> str:
    return f"result.{subsystem(sender)}"


class Registration(BaseModel):
    """Process 6: what the regional gateway gives an incoming e-document."""

    model_config = ConfigDict(extra="forbid")

    number: str = Field(description="the gateway's registration number, e.g. KRG-20261126-000042")
    registered_at: datetime
    district: str


class Receipt(BaseModel):
    """The gateway's receipt to the sender: the transport state of one submitted document."""

    model_config = ConfigDict(extra="forbid")

    application_id: str
    state: DeliveryState
    registration: Registration | None = None
    error: dict[str, Any] | None = Field(default=None, description="the catalogue error when not delivered")


class StatusChange(BaseModel):
    """A business status of an application, from the provider (relayed by the gateway)."""

    model_config = ConfigDict(extra="forbid")

    application_id: str
    status: BusinessStatus
    at: datetime
    case_number: str | None = None
    registration_number: str | None = None
    reason: dict[str, Any] | None = Field(default=None, description="e.g. the missing documents (Process 7)")


GATEWAY_STATUSES = ("REGISTERED_AT_GATEWAY", "REFUSED_AT_GATEWAY")
"""The statuses the regional gateway sets itself (as a plain `StatusChange`, under its envelope's proof)."""
STATUS_TYPE = "housing-queue/status@1"


class SignedStatus(EDocument):
    """A provider's status of an application, as the provider signs it (its author: the provider's BIN)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["housing-queue/status@1"] = STATUS_TYPE  # type: ignore[assignment]
    application_id: str
    status: BusinessStatus
    at: datetime
    case_number: str | None = None
    registration_number: str | None = None
    reason: dict[str, Any] | None = None

    @classmethod
    def of(cls, change: StatusChange, *, author_bin: str) -> SignedStatus:
        return cls(author=Author(bin=author_bin), **change.model_dump())

    def change(self) -> StatusChange:
        return StatusChange.model_validate(self.model_dump(include=set(StatusChange.model_fields)))


class Delivery(BaseModel):
    """What the regional gateway hands the provider (``document.delivered.<district>``): the
    application with the gateway's registration stamp, and the registration itself."""

    model_config = ConfigDict(extra="forbid")

    signed: dict[str, Any] = Field(description="the application: the author's signature, then the gateway's stamp")
    registration: Registration
