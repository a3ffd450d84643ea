"""Transport states of a submitted application at the gateway (ЭҮШ delivery states, architecture §3),
kept apart from the case's business statuses:

- ``ON_DELIVERY``: verified, registered, stamped and handed to the outbox for the provider;
- ``DELIVERED``: the provider has answered about it (its first status or result);
- ``NOT_DELIVERED``: refused at the gateway (its signature could not be verified), never forwarded;
- ``DELIVERY_STOPPED``: the gateway's operator withdrew it before it left for the provider.
"""

from __future__ import annotations

import json
from typing import Any

from shared.errors import AppError, is_transient
from shared.housing.messages import DeliveryState

TRANSITIONS: dict[DeliveryState, frozenset[DeliveryState]] = {
    # A refused application may come again, corrected, under the same id: it is then registered.
    "NOT_DELIVERED": frozenset({"ON_DELIVERY", "NOT_DELIVERED"}),
    "ON_DELIVERY": frozenset({"DELIVERED", "DELIVERY_STOPPED"}),
    "DELIVERED": frozenset(),
    "DELIVERY_STOPPED": frozenset(),
}

REGISTERED_STATES: frozenset[DeliveryState] = frozenset({"ON_DELIVERY", "DELIVERED", "DELIVERY_STOPPED"})
"""States of an application that has a registration number: it is never registered again."""


def can_move(current: DeliveryState, new: DeliveryState) -> bool:
    return new in TRANSITIONS[current]


def after_provider_answer(current: DeliveryState) -> DeliveryState | None:
    """The state once the provider has said something about the application (None: unchanged)."""
    return "DELIVERED" if current == "ON_DELIVERY" else None


def check_stop(current: DeliveryState, handed_over: bool) -> None:
    """Delivery can be stopped only while the stamped document still waits in the gateway's outbox;
    once the bus has taken it (or is taking it: ``handed_over``), the provider's queue holds it and it
    cannot be called back."""
    if not can_move(current, "DELIVERY_STOPPED"):
        raise AppError("CONFLICT", {"reason": "delivery can only be stopped while on delivery", "state": current})
    if handed_over:
        raise AppError("CONFLICT", {"reason": "already handed over to the provider's queue", "state": current})


def refusal_of(exc: AppError) -> dict[str, Any]:
    """A failure as the gateway refuses a message with it: ``{code, details}`` as it travels in receipts
    and statuses and is logged (plain JSON). A transient failure (`shared.errors.is_transient`: the NCA's
    OCSP and CRL do not answer, the gateway's own key cannot be certified yet) is nobody's fault and
    passes: it is raised again, so that the message is retried, then dead-lettered for the operator to
    replay — never refused, which would turn an outage into a citizen's rejected application."""
    if is_transient(exc.code):
        raise exc
    return {"code": exc.code, "details": json.loads(json.dumps(exc.details, default=str))}
