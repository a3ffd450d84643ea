"""Annex 1 steps 3–9 at the provider, as data and a pure state machine (architecture §10): who acts at
each step (a role of the district's housing department), what the step ends with, its limit (working
or calendar days, counted on the Kazakhstan calendar: `shared.calendar`), and which step follows.

    3 specialist  registers (Condition 3)           → the documents to the head        15 minutes
    4 head        the resolution (бұрыштама)        → an executor assigned             1 working day
    5 specialist  prepares the case                 → the draft decision to the commission  5 working days
    6 commission  considers it, signs its protocol  → the protocol                     7 calendar days
    7 specialist  drafts the notification / refusal → the draft result                 5 calendar days
    8 head        signs the result                  → the signed result                1 working day
    9 specialist  registers and dispatches it       → the result sent                  within 1 working day

A case waits at a step (`awaiting`) until its actor completes it (`complete`), which names the next
step; step 9 ends the case. The citizen sees the steps as business statuses (`citizen_status`):
REGISTERED while the head has not resolved it, IN_REVIEW through steps 5–9, then the result's
QUEUED or REFUSED. A case refused at step 3 (Process 7: documents not in order) skips the head's
resolution and the commission: it waits at step 7 for its signed refusal to be drafted (`opening_step`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from shared.calendar import due

Role = Literal["specialist", "head", "commission"]
"""Who acts at a step: the department's specialist (the executor), its head, the housing commission."""
Unit = Literal["minutes", "working", "calendar"]
Outcome = Literal["QUEUED", "REFUSED"]


@dataclass(frozen=True, slots=True)
class Limit:
    """A step's time limit: ``amount`` minutes, working days or calendar days (Annex 1's column)."""

    amount: int
    unit: Unit


@dataclass(frozen=True, slots=True)
class Step:
    """One row of Annex 1: its number, who acts, the action, what it ends with, its limit, the next step."""

    number: int
    actor: Role
    action: str
    ends_with: str
    limit: Limit
    next: int | None


STEPS: dict[int, Step] = {
    step.number: step
    for step in (
        Step(3, "specialist", "accept, check completeness, register", "documents to the head", Limit(15, "minutes"), 4),
        Step(4, "head", "the resolution (бұрыштама)", "an executor assigned", Limit(1, "working"), 5),
        Step(5, "specialist", "prepare the case for the commission", "the draft decision", Limit(5, "working"), 6),
        Step(6, "commission", "consider the case, sign the protocol", "the signed protocol", Limit(7, "calendar"), 7),
        Step(7, "specialist", "draft the notification or refusal", "the draft result", Limit(5, "calendar"), 8),
        Step(8, "head", "sign the notification or refusal", "the signed result", Limit(1, "working"), 9),
        Step(9, "specialist", "register and dispatch the result", "the result dispatched", Limit(1, "working"), None),
    )
}
"""Annex 1 steps 3–9 (docs/regulation.md, Annex 1), by number."""
FIRST_STEP = 3
LAST_STEP = 9


class StepRefused(ValueError):
    """An action that the case's step or the actor's role does not allow; ``reason`` says which."""

    def __init__(self, reason: str, *, step: int | None, role: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.step = step
        self.role = role


def opening_step(status: str) -> int:
    """The step a case opened with ``status`` (Condition 3's decision at step 3) waits at: the head's
    resolution (4), or, for a Process 7 refusal, the drafting of the signed refusal (7)."""
    return 7 if status == "REFUSED_DOCUMENTS" else 4


def actor_of(step: int) -> Role:
    """Who acts at ``step``."""
    return STEPS[step].actor


def awaiting_after(step: int) -> int | None:
    """The step a case waits at once ``step`` is complete; None when the case is done."""
    return STEPS[step].next


def complete(awaiting: int | None, role: str) -> int | None:
    """A ``role`` completes the step a case is ``awaiting``: the step it then waits at (None: done).
    `StepRefused` when the case waits at no step (it is closed), or the step is another role's."""
    if awaiting is None or awaiting not in STEPS:
        raise StepRefused("the case waits at no step: it is closed", step=awaiting, role=role)
    step = STEPS[awaiting]
    if step.actor != role:
        raise StepRefused(f"step {awaiting} is the {step.actor}'s, not the {role}'s", step=awaiting, role=role)
    return step.next


def due_at(step: int, started_at: datetime) -> datetime:
    """When ``step``, begun at ``started_at`` (aware), is due: its limit counted on the Kazakhstan
    calendar (`shared.calendar.due`: the end of the due day, working or calendar days; minutes as they
    are)."""
    limit = STEPS[step].limit
    if limit.unit == "minutes":
        return started_at + timedelta(minutes=limit.amount)
    return due(started_at, limit.amount, limit.unit)


def overdue(step: int, started_at: datetime, now: datetime) -> bool:
    """Whether a case waiting at ``step`` since ``started_at`` is past its limit at ``now``."""
    return now > due_at(step, started_at)


def citizen_status(awaiting: int | None, outcome: Outcome | None = None) -> str:
    """The business status the citizen sees for a case waiting at ``awaiting`` (None: done, with its
    ``outcome``)."""
    if awaiting is None:
        if outcome is None:
            raise ValueError("a case that waits at no step has an outcome")
        return outcome
    return "REGISTERED" if awaiting <= 4 else "IN_REVIEW"
