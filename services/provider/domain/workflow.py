"""Which status of a case may follow which (§10, Annex 1; the statuses are the business statuses
the citizen sees, shared.housing.messages.BusinessStatus).

    (opened) ─▶ REGISTERED ─▶ IN_REVIEW ─▶ QUEUED      the notification, with the queue number
        │                          └────▶ REFUSED     the reasoned refusal (§15)
        └────▶ REFUSED_DOCUMENTS                      Process 7: documents not in order (§14)

Annex 1 step 3 ends in REGISTERED ("documents to the head for a resolution") or, when Condition 3
fails (§18), in REFUSED_DOCUMENTS. Steps 4–7 (the head's resolution, the commission) keep the case
IN_REVIEW; steps 8–9 end it with the result. The statuses before the provider (SUBMITTED,
REGISTERED_AT_GATEWAY, REFUSED_AT_GATEWAY) belong to the portal and the gateway, never to a case."""

from __future__ import annotations

from typing import Literal, get_args

CaseStatus = Literal["REGISTERED", "REFUSED_DOCUMENTS", "IN_REVIEW", "QUEUED", "REFUSED"]
CASE_STATUSES: tuple[str, ...] = get_args(CaseStatus)

TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({"REGISTERED", "REFUSED_DOCUMENTS"}),  # Annex 1 step 3, Condition 3
    "REGISTERED": frozenset({"IN_REVIEW"}),  # step 4: the head's resolution (бұрыштама)
    "IN_REVIEW": frozenset({"QUEUED", "REFUSED"}),  # steps 6–8: the commission, the signed result
    "REFUSED_DOCUMENTS": frozenset(),
    "QUEUED": frozenset(),
    "REFUSED": frozenset(),
}
"""``None`` is a case not opened yet: what it may be opened with."""


class TransitionNotAllowed(ValueError):
    """A status that may not follow the case's current one."""

    def __init__(self, current: str | None, new: str) -> None:
        super().__init__(f"{new} may not follow {current or 'an unopened case'}")
        self.current = current
        self.new = new


def can_follow(current: str | None, new: str) -> bool:
    """True when a case in ``current`` (None: not opened yet) may move to ``new``."""
    return new in TRANSITIONS.get(current, frozenset())


def check_transition(current: str | None, new: str) -> None:
    """Raise `TransitionNotAllowed` unless ``new`` may follow ``current``."""
    if not can_follow(current, new):
        raise TransitionNotAllowed(current, new)


def is_final(status: str) -> bool:
    """A status nothing follows (the case is closed)."""
    return not TRANSITIONS.get(status)
