"""The Public Service Center's e-documents (§13, §16, §14 item 1, Annexes 4 and 5; architecture §11),
signed by the Center's operator with their employee certificate (the Center's BIN):

    housing-queue/center-refusal@1   Annex 5: refusal to accept an incomplete set (§16)
    housing-queue/center-receipt@1   the acceptance receipt (қолхат) with the day the result is ready
    housing-queue/unclaimed@1        Annex 4: the register of unclaimed results handed to the provider
    housing-queue/originals@1        Annex 1 step 2: the register (тізілім) of the originals accepted, to the provider
    housing-queue/recall@1           §14 item 1: the Center asks the provider for a result handed over

and the provider's answer to each, signed by its specialist with their employee certificate (the
provider's BIN):

    housing-queue/handover-ack@1     the register accepted (Annex 4's «Қабылдады», Annex 1 step 3), or the
                                     recalled result sent back

Every field of the forms is a field here; texts have lengths and lists sizes (architecture §7). The
Kazakh wording of Annex 5 is `refusal_text`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.eds.document import EDocument
from shared.housing.application import SERVICE_NAMES, Address, Iin

CENTER_REFUSAL_TYPE = "housing-queue/center-refusal@1"
CENTER_RECEIPT_TYPE = "housing-queue/center-receipt@1"
UNCLAIMED_REGISTER_TYPE = "housing-queue/unclaimed@1"
ORIGINALS_REGISTER_TYPE = "housing-queue/originals@1"
RECALL_TYPE = "housing-queue/recall@1"
HANDOVER_ACK_TYPE = "housing-queue/handover-ack@1"
HANDOVER_KINDS = {ORIGINALS_REGISTER_TYPE: "originals", UNCLAIMED_REGISTER_TYPE: "unclaimed", RECALL_TYPE: "recall"}
"""What the Center hands the provider (``handover.<district>``), by its e-document's type."""

LAW_ARTICLE_KK = (
    '"Мемлекеттік көрсетілетін қызметтер туралы" 2013 жылғы 15 cәуірдегі Қазақстан Республикасының Заңы '
    "20-бабының 2-тармағын басшылыққа ала отырып"
)
"""Annex 5: the ground of the refusal to accept (the Law "On state services", art. 20 item 2)."""
COPIES_KK = "Осы қолхат әр тарапқа бір-бірден 2 данада жасалды."

Text = Annotated[str, StringConstraints(max_length=2000)]
Short = Annotated[str, StringConstraints(max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Person(_Strict):
    """A person as the forms name them: АӘТ (given name, patronymic, surname) and, for the recipient,
    the address."""

    iin: Iin
    surname: Short
    given_name: Short
    patronymic: Short | None = None
    address: Address | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.patronymic, self.surname) if p)


class Branch(_Strict):
    """The branch of the RSE "Public Service Center" and its department (бөлім) that acted."""

    bin: Short
    branch: Short = Field(description="the branch (филиал) of the RSE, e.g. its region")
    department: Short = Field(description="the department's number (бөлімі №…)")
    address: Short


class Operator(_Strict):
    """The Center's employee who signs, the executor and their telephone (Annex 5)."""

    login: Short
    iin: Iin
    name: Short
    telephone: Short


class MissingDocument(_Strict):
    kind: Short
    name: Short = Field(description="the document's name, as the receipt lists it")
    paragraph: Short = "§14.1"


class CenterRefusal(EDocument):
    """Annex 5, «Құжаттарды қабылдаудан бас тарту туралы қолхат»: the refusal to accept the documents
    (§16), addressed to the recipient, naming the missing documents; two copies, one for each party."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["housing-queue/center-refusal@1"] = CENTER_REFUSAL_TYPE  # type: ignore[assignment]
    recipient: Person
    representative: Person | None = None
    branch: Branch
    service: Short = SERVICE_NAMES["kk"][:200]
    law: Short = LAW_ARTICLE_KK
    missing: list[MissingDocument] = Field(min_length=1, max_length=20)
    text: Text = Field(description="the form's words, with the branch, the service and the documents filled in")
    copies: Literal[2] = 2
    operator: Operator
    refused_on: date


class CenterReceipt(EDocument):
    """The acceptance receipt (қолхат, §10 item 2, Annex 1 step 1): what was accepted, by whom, and the
    day the result is ready (§12 item 2: thirty calendar days, the day of acceptance not counted; a day
    off moves it to the next working day)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["housing-queue/center-receipt@1"] = CENTER_RECEIPT_TYPE  # type: ignore[assignment]
    number: Short = Field(description="the journal's entry")
    application_id: Short
    recipient: Person
    representative: Person | None = None
    power_of_attorney: Short | None = None
    branch: Branch
    service: Short = SERVICE_NAMES["kk"][:200]
    documents: list[MissingDocument] = Field(max_length=50, description="the documents accepted")
    accepted_at: datetime
    result_ready_on: date
    operator: Operator


class UnclaimedEntry(_Strict):
    """One row of Annex 4: No., the identifier (the registration number), the recipient, the service, the
    date accepted, the planned date of issue, the documents handed over."""

    no: int = Field(ge=1)
    identifier: Short
    recipient: Short
    service: Short
    accepted_on: date
    planned_issue_on: date
    documents: list[Short] = Field(max_length=20)


class UnclaimedRegister(EDocument):
    """Annex 4, «Талап етілмеген құжаттарды уәкілетті органға жіберу тізілімі»: the unclaimed results
    handed to the provider after a month (§14 item 1)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["housing-queue/unclaimed@1"] = UNCLAIMED_REGISTER_TYPE  # type: ignore[assignment]
    authority: Short = Field(description="the authorized body (the housing department)")
    district: Short = Field(description="the district's code: the department the register goes to")
    branch: Branch
    formed_at: datetime
    entries: list[UnclaimedEntry] = Field(min_length=1, max_length=500)
    total: int = Field(ge=1)
    handed_over_by: Short
    accepted_by: Short | None = Field(default=None, description="the provider's person, once accepted")


class OriginalsEntry(_Strict):
    """One application of the register of originals: No., the application, its registration number at the
    gateway (once known), the recipient, when it was accepted, the documents handed over."""

    no: int = Field(ge=1)
    application_id: Short
    identifier: Short = Field(description="the registration number at the gateway, or the application's id")
    recipient: Short
    accepted_at: datetime
    documents: list[Short] = Field(max_length=50)


class OriginalsRegister(EDocument):
    """Annex 1 step 2, «Тізілімді құрайды»: the register of the applications a branch accepted, with the
    documents handed to the authorized body at one of the day's register times (at least twice a working
    day, §13, Annex 1 step 2)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["housing-queue/originals@1"] = ORIGINALS_REGISTER_TYPE  # type: ignore[assignment]
    authority: Short = Field(description="the authorized body (the housing department)")
    district: Short = Field(description="the district's code: the department the register goes to")
    branch: Branch
    slot_at: datetime = Field(description="the register time it goes at")
    formed_at: datetime
    entries: list[OriginalsEntry] = Field(min_length=1, max_length=500)
    total: int = Field(ge=1)
    handed_over_by: Short


class RecallRequest(EDocument):
    """§14 item 1: a recipient came after their unclaimed result went to the provider with an Annex 4
    register; the Center asks for it back (within one working day of the visit) and the provider sends it
    within one working day of the request (``return_by``)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["housing-queue/recall@1"] = RECALL_TYPE  # type: ignore[assignment]
    district: Short
    branch: Branch
    application_id: Short
    identifier: Short = Field(description="the registration number at the gateway, as in the Annex 4 register")
    recipient: Short
    unclaimed_register: Short = Field(description="the Annex 4 register it went with")
    visit_on: date
    ask_by: date
    return_by: date
    asked_by: Short


class HandoverAck(EDocument):
    """The provider's answer to a handover: the register accepted (its total, by whom: Annex 4's
    «Қабылдады», Annex 1 step 3), or the recalled result sent back to the branch (§14 item 1)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["housing-queue/handover-ack@1"] = HANDOVER_ACK_TYPE  # type: ignore[assignment]
    handover: Short = Field(description="the id of the register or request answered")
    handover_type: Literal["housing-queue/originals@1", "housing-queue/unclaimed@1", "housing-queue/recall@1"]
    district: Short
    branch: Short = Field(description="the branch, as the register or request names it")
    total: int = Field(ge=0, description="the entries accepted (a recall: 1)")
    accepted_by: Short = Field(description="the provider's responsible person, full name")
    accepted_at: datetime


def refusal_text(branch: Branch, missing: list[MissingDocument]) -> str:
    """Annex 5's words with the branch's department and address, the service and the missing documents."""
    names = "; ".join(m.name for m in missing)
    return (
        f'{LAW_ARTICLE_KK}, "Халыққа қызмет көрсету орталығы" РМК филиалының №{branch.department} бөлімі '
        f"({branch.address}) мемлекеттік қызмет көрсетуге ({SERVICE_NAMES['kk']}) құжаттарды қабылдаудан Сіздің "
        "мемлекеттік көрсетілетін қызмет регламентінде көзделген тізбеге сәйкес құжаттардың толық топтамасын "
        f"ұсынбауыңызға байланысты бас тартады, атап айтқанда: Жоқ құжаттардың атауы: {names}. {COPIES_KK}"
    )[:2000]
