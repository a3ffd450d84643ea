"""A result at the Center, from its arrival to the window (§17, §19 Process 9, Annex 1 step 10) or back to
the provider when nobody comes for it (§14 item 1, Annex 4): its custody, who may take it, when it came late,
when it is unclaimed, the late recall's dates, and the words of the Annex 4 register. Pure: days are given
(the dates themselves are `domain.schedule`'s).

**Its custody.**

    AT_BRANCH ──issued at the window, against the receipt (§17)──────────────────────────────▶ ISSUED
        │ not issued by unclaimed_from(result_ready_on): unclaimed; the head signs the Annex 4 register
        ▼                                                                                      ▲
    WITH_PROVIDER ──the recipient comes after the month: the recall──▶ RECALLED ──back──▶ RETURNED

A result is issued from AT_BRANCH (an unclaimed one too, until the register that hands it over is signed)
or RETURNED, once; WITH_PROVIDER and RECALLED are the provider's to keep until it sends the result back.

**Late, unclaimed.** The provider hands the result to the Center on `provider_delivers_on` (one working day
before the receipt's day, §12 item 2): a result that came on a later Kazakhstan day came late. A result still
AT_BRANCH on `unclaimed_from(result_ready_on)` (one month from the receipt's day) or after is unclaimed.

**Who takes it** (§17: «қолхат негізінде»): the person at the window shows the acceptance receipt, whose
number is the intake's journal entry, and their identity document: the recipient, or the representative the
intake took the application from (`presentation_misfit`).

**The late recall** (§14 item 1): the visit's day, the day by which the Center asks the provider
(`recall_asked_by`: one working day), and the day by which the provider sends the result back
(`recall_returned_by` of that day: one more working day)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from services.con_intake.domain.schedule import (
    provider_delivers_on,
    recall_asked_by,
    recall_returned_by,
    unclaimed_from,
)

Custody = Literal["AT_BRANCH", "ISSUED", "WITH_PROVIDER", "RECALLED", "RETURNED"]
CUSTODIES: tuple[str, ...] = ("AT_BRANCH", "ISSUED", "WITH_PROVIDER", "RECALLED", "RETURNED")
ISSUABLE: frozenset[str] = frozenset({"AT_BRANCH", "RETURNED"})
"""The result is at the branch: it may be handed over at the window."""
PresentedBy = Literal["recipient", "representative"]

RESULT_NAMES_KK = {
    "housing-queue/notification@1": "Есепке қою туралы хабарлама",
    "housing-queue/refusal@1": "Есепке қоюға бас тарту туралы дәлелді жауап",
}
"""The result's name in the Annex 4 register's list of documents (Annex 1 steps 7–10's words)."""
KARAGANDA_AUTHORITY_KK = "«Қарағанды қаласының тұрғын үй қатынастары бөлімі» мемлекеттік мекемесі"
AUTHORITY_KK = (
    "«{district} тұрғын үй-коммуналдық шаруашылық, жолаушылар көлігі және автомобиль жолдары бөлімі» "
    "мемлекеттік мекемесі"
)
"""Annex 3's addressee, the authorized body of a city or district (Karaganda city's has its own name)."""


def arrived_in_time(received_on: date, accepted_at: datetime) -> bool:
    """The result came by the provider's day (`provider_delivers_on`), ``received_on`` the Kazakhstan day it
    came on."""
    return received_on <= provider_delivers_on(accepted_at)


def is_unclaimed(custody: str, result_ready_on: date, today: date) -> bool:
    """Still at the branch, not issued, a month after the receipt's day (§14 item 1)."""
    return custody == "AT_BRANCH" and today >= unclaimed_from(result_ready_on)


def issue_refusal(custody: str) -> str | None:
    """Why a result in ``custody`` cannot be handed over at the window (None: it can)."""
    return {
        "ISSUED": "the result was issued already",
        "WITH_PROVIDER": "the result was handed to the provider as unclaimed: recall it first",
        "RECALLED": "the result is recalled from the provider: mark it back at the branch first",
    }.get(custody)


@dataclass(frozen=True, slots=True)
class Presentation:
    """Who is at the window (§17): the acceptance receipt's number, the recipient's IIN, who presents it and,
    for a representative, their IIN (their identity document shown)."""

    receipt_number: str
    recipient_iin: str
    presented_by: PresentedBy
    representative_iin: str | None = None

    @property
    def presenter_iin(self) -> str:
        """The IIN of the person who takes the result."""
        if self.presented_by == "representative" and self.representative_iin is not None:
            return self.representative_iin
        return self.recipient_iin


def presentation_misfit(
    presentation: Presentation, *, journal_number: str | None, recipient_iin: str, representative_iin: str | None
) -> tuple[str, str] | None:
    """``(field, reason)`` when ``presentation`` does not entitle its person to the result of the intake whose
    journal entry, recipient and representative are given; None when it does."""
    if journal_number is None or presentation.receipt_number.strip() != journal_number:
        return "receipt_number", "the receipt's number is not this application's journal entry"
    if presentation.recipient_iin != recipient_iin:
        return "recipient_iin", "the IIN is not the recipient's of this application"
    if presentation.presented_by == "representative":
        if representative_iin is None:
            return "presented_by", "the application was not made through a representative"
        if presentation.representative_iin != representative_iin:
            return "representative_iin", "the IIN is not the representative's of this application"
    return None


@dataclass(frozen=True, slots=True)
class RecallDates:
    """A late visitor's recall: the visit's day, the day the Center asks the provider by, and the day the
    provider sends the result back by."""

    visit_on: date
    ask_by: date
    return_by: date


def recall_dates(visit_on: date) -> RecallDates:
    """§14 item 1: one working day to ask, one more to send back."""
    ask_by = recall_asked_by(visit_on)
    return RecallDates(visit_on, ask_by, recall_returned_by(ask_by))


def full_name_tao(person: Mapping[str, Any]) -> str:
    """Annex 4's «Т.А.Ә.»: surname, given name, patronymic."""
    return " ".join(str(person[k]) for k in ("surname", "given_name", "patronymic") if person.get(k))


def authority_kk(district_name_kk: str, *, district_code: str) -> str:
    """The authorized body of a district (Annex 3's addressee), its name in Kazakh, for Annex 4's header."""
    if district_code == "karaganda":
        return KARAGANDA_AUTHORITY_KK
    return AUTHORITY_KK.format(district=f"{district_name_kk}ның")


def result_document_name(result_type: str, registration_number: str | None) -> str:
    """The result as Annex 4's list of documents handed over names it, with its registration at the gateway."""
    name = RESULT_NAMES_KK.get(result_type, result_type)
    return f"{name} (тіркеу № {registration_number})" if registration_number else name
