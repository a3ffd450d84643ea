"""The order of an application's statuses, as its sender shows them: the portal's personal cabinet
(§18: Process 5 → Process 6 → Condition 3 → Process 7 or Process 8) and the Center's intake (§19:
Process 6 → Process 7 → Condition 2 → Process 8 or Process 9), the same statuses on both channels.

Status messages travel over the bus, which does not keep order (README "Design": delivery is
at-least-once and not ordered), so a REGISTERED_AT_GATEWAY may arrive after a REGISTERED. The
current status only ever moves forward: each status has a rank, a later-arriving status of
a lower (or the same) rank is kept in the history but does not replace the current one, and a final
status is never replaced.
"""

from __future__ import annotations

from datetime import datetime

from shared.housing.messages import BusinessStatus, DeliveryState

RANK: dict[str, int] = {
    "SUBMITTED": 0,  # Process 5: signed and sent (§10 step 3)
    "REGISTERED_AT_GATEWAY": 1,  # Process 6
    "REFUSED_AT_GATEWAY": 1,
    "REGISTERED": 2,  # Annex 1 step 3
    "REFUSED_DOCUMENTS": 2,  # Process 7 (Condition 3 failed)
    "IN_REVIEW": 3,  # Annex 1 steps 4–7
    "QUEUED": 4,  # Process 8: the notification of registration in the queue
    "REFUSED": 4,  # Process 8: the reasoned refusal (§15)
}
REFUSALS: frozenset[str] = frozenset({"REFUSED_AT_GATEWAY", "REFUSED_DOCUMENTS", "REFUSED"})
FINAL: frozenset[str] = REFUSALS | {"QUEUED"}


def advances(current: BusinessStatus | str, new: BusinessStatus | str) -> bool:
    """True when ``new`` should become the current status: ``current`` is not final and ``new`` is
    further along the process."""
    return current not in FINAL and RANK[new] > RANK[current]


def newer_delivery(current_at: datetime | None, new_at: datetime, current: DeliveryState | str | None = None) -> bool:
    """A receipt's transport state replaces the shown one when it was sent later (the gateway's
    message date): a DELIVERED after a NOT_DELIVERED is a replayed delivery; an ON_DELIVERY arriving
    after DELIVERED is merely late."""
    return current is None or current_at is None or new_at >= current_at
