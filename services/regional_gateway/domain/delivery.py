"""Transport states of a submitted application at the gateway (ЭҮШ delivery states, ARCHITECTURE §3),
kept apart from the case's business statuses:

- ``ON_DELIVERY``: verified, registered, stamped and handed to the outbox for the provider;
- ``DELIVERED``: the provider has answered about it (its first status or result);
- ``NOT_DELIVERED``: refused at the gateway (its signature could not be verified), never forwarded;
- ``DELIVERY_STOPPED``: the gateway's operator withdrew it before it left for the provider.
"""

from __future__ import annotations

from shared.errors import AppError
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

TRANSIENT_CODES = frozenset({"EDS_REVOCATION_UNKNOWN", "SERVICE_UNAVAILABLE", "UPSTREAM_TIMEOUT", "UPSTREAM_ERROR"})
"""Failures that are nobody's fault and pass (the NCA's OCSP and CRL do not answer, the gateway's own key
cannot be certified yet): the message is retried, then dead-lettered for the operator to replay, never
refused — refusing would turn an outage into a citizen's rejected application."""


def can_move(current: DeliveryState, new: DeliveryState) -> bool:
    return new in TRANSITIONS[current]


def after_provider_answer(current: DeliveryState) -> DeliveryState | None:
    """The state once the provider has said something about the application (None: unchanged)."""
    return "DELIVERED" if current == "ON_DELIVERY" else None


def check_stop(current: DeliveryState, handed_over: bool) -> None:
    """Delivery can be stopped only while the stamped document still waits in the gateway's outbox;
    once the bus has taken it, the provider's queue holds it and it cannot be called back."""
    if not can_move(current, "DELIVERY_STOPPED"):
        raise AppError("CONFLICT", {"reason": "delivery can only be stopped while on delivery", "state": current})
    if handed_over:
        raise AppError("CONFLICT", {"reason": "already handed over to the provider's queue", "state": current})


def is_transient(code: str) -> bool:
    return code in TRANSIENT_CODES
