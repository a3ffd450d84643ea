"""The intake of one application at the Center (§19 Processes 2–6, §13, §16, Annex 1 step 1): its states, the
power of attorney's fit (§19 Process 2, Condition 1, readings R24–R25), what the operator marks as
presented (Process 5), the time acceptance took (§13), and the journal's numbers. Pure: times are given.

**Its states.**

    CHECKING ──Condition 1 yes──▶ OPEN ──§16 (a document missing), the Annex 5 receipt signed──▶ REFUSED
        │                           └──Process 6 (the set complete, the application signed)──▶ ACCEPTED
        └──Process 4 (no such recipient, no power of attorney to rely on) or no answer──▶ UNAVAILABLE

CHECKING begins when the operator records the recipient's written consent to use legally protected
information (§14 item 1), before any registry is asked; the registries' answers (Process 3) make it OPEN,
or UNAVAILABLE with the code (a registry that does not answer too: the operator starts again). REFUSED
and ACCEPTED are final; what happens to an accepted application after (the gateway's registration, the
provider's statuses, the result) is its business status (`shared.housing.statuses`), kept beside.

**The power of attorney** (R24, R25). A notarised one is not typed in: its number is looked up in the
notarial system (БНАЖ), which refuses one unknown, expired or revoked (POA_NOT_FOUND, POA_EXPIRED,
POA_REVOKED, as the registry answers); what it holds must then name the recipient as the principal and
the representative as the attorney, cover this service, and be notarised (`notarised_misfit`: each reason;
any is POA_NOT_APPLICABLE). One certified otherwise is typed in from the paper, its scan attached: issued
by today, valid through today (POA_EXPIRED otherwise), certified by someone (`typed_misfit`).

**§13's fifteen minutes.** Acceptance runs from the visitor's call to a window (their ticket's
``called_at``), or, with no ticket, from the consent recorded at the intake's start, to the moment the
operator's signed application is accepted (`acceptance_time`): within 15 minutes is within the limit,
exactly 15 included.

**The journal** (Annex 1 step 1: «Журналда тіркеу»). Every acceptance and every §16 refusal is an entry
of the branch's journal, numbered in the branch's year (Kazakhstan's): ``ХҚО-<branch>-<year>-<000001>``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

IntakeState = Literal["CHECKING", "OPEN", "UNAVAILABLE", "REFUSED", "ACCEPTED"]
FINAL_STATES: frozenset[str] = frozenset({"UNAVAILABLE", "REFUSED", "ACCEPTED"})
ACCEPTANCE_LIMIT = timedelta(minutes=15)
"""§13: the Center's employee accepts the application with the documents in no more than 15 minutes."""
PROCESS_4_CODES: frozenset[str] = frozenset({"PERSON_NOT_FOUND", "POA_NOT_FOUND", "POA_EXPIRED", "POA_REVOKED"})
"""§19 Process 4: the data cannot be obtained — no such recipient, or no power of attorney to rely on."""
SERVICE_ID = "housing-queue"
JOURNAL_PREFIX = "ХҚО"
DECLARABLE_CATEGORIES: frozenset[str] = frozenset({"emergency_dwelling", "substandard_dwelling", "cosmonaut"})
"""Categories the recipient may declare beyond what the registries show (each brings its §14 document);
``vulnerable`` and ``employee`` come with the groups and jobs the registries confirm."""


def can_mark(state: str) -> bool:
    """Documents are marked, and drafts made, while the intake is open."""
    return state == "OPEN"


@dataclass(frozen=True, slots=True)
class Acceptance:
    """How long acceptance took (§13), from ``started_at`` to ``accepted_at``, in whole seconds."""

    seconds: int
    within_limit: bool


def acceptance_time(started_at: datetime, accepted_at: datetime) -> Acceptance:
    """§13's measure; a clock set back counts as no time."""
    took = max(accepted_at - started_at, timedelta(0))
    return Acceptance(int(took.total_seconds()), took <= ACCEPTANCE_LIMIT)


def notarised_misfit(answer: Mapping[str, Any], *, recipient: str, representative: str) -> list[str]:
    """What keeps the notarial system's answer about a power of attorney (found, valid, not revoked: the
    registry refused it otherwise) from standing for this representative of this recipient in this
    service; empty: it stands."""
    reasons = []
    if answer.get("principal_iin") != recipient:
        reasons.append("the power of attorney is not given by the recipient")
    if answer.get("attorney_iin") != representative:
        reasons.append("the power of attorney is not given to the representative")
    if not answer.get("covers_service"):
        reasons.append("the power of attorney does not cover this state service")
    if not answer.get("notarised"):
        reasons.append("the power of attorney is not notarised: type its data in as kind 'other'")
    return reasons


def typed_misfit(*, issued_on: date, valid_until: date, certified_by: str, today: date) -> tuple[str, str] | None:
    """A power of attorney certified otherwise than by a notary, as the operator typed it from the paper:
    ``(code, reason)`` when it cannot be relied on today, else None."""
    if issued_on > today:
        return "VALIDATION_FAILED", "the power of attorney is issued in the future"
    if valid_until < issued_on:
        return "VALIDATION_FAILED", "the power of attorney ends before it is issued"
    if valid_until < today:
        return "POA_EXPIRED", f"the power of attorney was valid until {valid_until.isoformat()}"
    if not certified_by.strip():
        return "VALIDATION_FAILED", "the power of attorney's certification is not named"
    return None


@dataclass(frozen=True, slots=True)
class Marking:
    """What the operator marked (Process 5): the documents presented, and their scans by kind."""

    presented: tuple[str, ...]
    scanned: tuple[str, ...]


def marking_errors(marking: Marking) -> list[str]:
    """Why a marking does not hold (§19 Process 5: each document presented on paper is scanned and its
    scan attached; no scan stands for a document not presented); empty: it holds."""
    presented, scanned = set(marking.presented), set(marking.scanned)
    errors = [f"{kind}: presented but not scanned" for kind in sorted(presented - scanned)]
    errors += [f"{kind}: scanned but not marked as presented" for kind in sorted(scanned - presented)]
    return errors


def journal_number(branch: str, year: int, sequence: int) -> str:
    """The ``sequence``-th entry (from 1) of ``branch``'s journal in ``year``."""
    if sequence < 1:
        raise ValueError("journal sequences start at 1")
    return f"{JOURNAL_PREFIX}-{branch}-{year}-{sequence:06d}"


def declared(categories: Iterable[str], registries: Iterable[str]) -> list[str]:
    """The application's categories: those the registries bear out, then those the recipient declares
    (`DECLARABLE_CATEGORIES` only), each once, in that order."""
    return list(dict.fromkeys([*registries, *(c for c in categories if c in DECLARABLE_CATEGORIES)]))
