"""Request and response bodies of the provider's API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.provider import handovers
from services.provider.cases import CaseFile
from services.provider.domain import commission, steps
from services.provider.models import Case, CaseRegistryAnswer, CaseStatusRow, CaseStep, CenterHandover, Meeting


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: str = Field(min_length=1, max_length=64, examples=["specialist.karaganda"])
    password: str = Field(min_length=1, max_length=200)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds")


class StaffView(BaseModel):
    login: str
    role: str = Field(description="specialist | head | commission")
    position: str | None = Field(description="specialist | head | chair | secretary | member")
    district: str
    iin: str | None = Field(description="the person's IIN: their employee certificate's, with the department's BIN")
    full_name: str


class StatusEntry(BaseModel):
    status: str
    at: datetime
    actor: str = Field(description="a staff login, or the provider's address for its own steps")
    reason: dict[str, Any] | None = None

    @classmethod
    def of(cls, row: CaseStatusRow) -> StatusEntry:
        return cls(status=row.status, at=row.at, actor=row.actor, reason=row.reason)


class CaseSummary(BaseModel):
    number: str = Field(examples=["ТҮ-karaganda-2026-000017"])
    application_id: str
    district: str
    applicant_iin: str
    applicant_name: str
    channel: str
    status: str
    registration_number: str = Field(description="the regional gateway's registration number (Process 6)")
    registered_at: datetime = Field(description="when the regional gateway registered the application")
    opened_at: datetime
    updated_at: datetime
    step: int | None = Field(description="the Annex 1 step it waits at (4 head … 9 dispatch); null: done")
    actor: str | None = Field(description="who acts at that step: specialist | head | commission")
    executor: str | None = Field(description="the specialist the head's resolution named")
    since: datetime | None = Field(description="when it began to wait at its step")
    due_at: datetime | None = Field(description="when the step is due (Annex 1's limit on the Kazakhstan calendar)")
    overdue: bool = False
    waiting_list: str | None = None
    queue_number: int | None = None

    @classmethod
    def of(cls, case: Case, now: datetime | None = None) -> CaseSummary:
        due = steps.due_at(case.step, case.step_since) if case.step is not None and case.step_since else None
        applicant = case.application.get("applicant", {})
        parts = (applicant.get("surname"), applicant.get("given_name"), applicant.get("patronymic"))
        return cls(
            number=case.number,
            application_id=case.application_id,
            district=case.district,
            applicant_iin=case.applicant_iin,
            applicant_name=" ".join(p for p in parts if p),
            channel=case.channel,
            status=case.status,
            registration_number=case.registration_number,
            registered_at=case.registered_at,
            opened_at=case.opened_at,
            updated_at=case.updated_at,
            step=case.step,
            actor=steps.actor_of(case.step) if case.step is not None else None,
            executor=case.executor,
            since=case.step_since,
            due_at=due,
            overdue=bool(due and now and now > due),
            waiting_list=case.waiting_list,
            queue_number=case.queue_number,
        )


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int
    limit: int
    offset: int


class RegistryAnswerView(BaseModel):
    query: str
    subject: str
    outcome: str = Field(description="ok, or the registry's error code (e.g. PERSON_NOT_FOUND)")
    asked_at: datetime
    result: dict[str, Any] | None = None
    signed: dict[str, Any] | None = Field(None, description="the registry's signed answer (JWS JSON)")

    @classmethod
    def of(cls, row: CaseRegistryAnswer) -> RegistryAnswerView:
        return cls(
            query=row.query,
            subject=row.subject,
            outcome=row.outcome,
            asked_at=row.asked_at,
            result=row.result,
            signed=row.signed,
        )


class StepEntry(BaseModel):
    step: int
    actor: str = Field(description="a staff login, or the commission meeting's number")
    at: datetime
    document: dict[str, Any] | None = Field(None, description="what was signed at the step (JWS JSON)")
    note: dict[str, Any] | None = Field(None, description="what was decided at it")

    @classmethod
    def of(cls, row: CaseStep) -> StepEntry:
        return cls(step=row.step, actor=row.actor, at=row.at, document=row.document, note=row.note)


class CaseDetail(CaseSummary):
    history: list[StatusEntry] = Field(description="every status, oldest first")
    steps: list[StepEntry] = Field(description="every completed Annex 1 step after 3, oldest first")
    application: dict[str, Any] = Field(description="the verified application (Annex 3), decoded")
    registry_answers: list[RegistryAnswerView] = Field(description="the answers Condition 3 and §15 were read from")
    assessment: dict[str, Any] | None = Field(description="§15's findings with their evidence, and the waiting list")
    suggestion: dict[str, Any] | None = Field(description="what step 5 proposes unless the specialist says otherwise")
    proposal: dict[str, Any] | None = Field(description="what step 5 put to the commission")
    decision: dict[str, Any] | None = Field(description="the commission's decision, with its protocol")
    meeting_id: str | None
    draft: dict[str, Any] | None = Field(description="the result for the head to sign (unsigned), steps 8–9")
    result: dict[str, Any] | None = Field(description="the signed result (JWS JSON)")

    @classmethod
    def of_file(cls, file: CaseFile, steps_done: list[CaseStep], now: datetime | None = None) -> CaseDetail:
        case = file.case
        return cls(
            **CaseSummary.of(case, now).model_dump(),
            history=[StatusEntry.of(r) for r in file.history],
            steps=[StepEntry.of(r) for r in steps_done],
            application=case.application,
            registry_answers=[RegistryAnswerView.of(a) for a in file.answers],
            assessment=case.assessment,
            suggestion=commission.suggest(case.assessment) if case.step == 5 else None,
            proposal=case.proposal,
            decision=case.decision,
            meeting_id=case.meeting_id,
            draft=case.draft,
            result=case.result,
        )


class SignedBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signed: dict[str, Any] = Field(description="the e-document this step expects, signed with your employee key")


class DocumentToSign(BaseModel):
    document: dict[str, Any] = Field(description="the exact e-document to sign (its JCS bytes are the payload)")


class ResolutionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    executor: str | None = Field(None, max_length=64, description="a specialist's login; default: the district's")


class GroundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paragraph: Literal["§15"] = "§15"
    item: int = Field(ge=1, le=5)
    text: str = Field(max_length=2000)


class ProposalRequest(BaseModel):
    """Step 5's choices; every field left out is the suggestion's."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["register", "refuse"] | None = None
    waiting_list: Literal["ww2", "orphans", "vulnerable", "employees", "emergency"] | None = None
    grounds: list[GroundIn] | None = Field(None, max_length=5)
    reasons: str | None = Field(None, max_length=2000)

    def overrides(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class DecisionIn(ProposalRequest):
    case_number: str = Field(max_length=64)


class MeetingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    present: list[str] = Field(min_length=1, max_length=15, description="logins of the members present")
    cases: list[str] | None = Field(None, max_length=100, description="case numbers; default: every case at step 6")
    decisions: list[DecisionIn] = Field(default_factory=list, max_length=100, description="the commission's own")


class MeetingView(BaseModel):
    id: str
    number: str
    district: str
    held_at: datetime
    status: Literal["signing", "signed"]
    created_by: str
    present: list[str] = Field(description="the members present, the chair first")
    agenda: list[str]
    document: dict[str, Any] = Field(description="the protocol (housing-queue/protocol@1), unsigned")
    signed: dict[str, Any] | None = Field(description="the protocol with the signatures so far")
    signed_by: list[str]
    awaiting: list[str] = Field(description="who signs next, in order (the chair first, then the others)")

    @classmethod
    def of(cls, meeting: Meeting) -> MeetingView:
        return cls(
            id=meeting.id,
            number=meeting.number,
            district=meeting.district,
            held_at=meeting.held_at,
            status=meeting.status,
            created_by=meeting.created_by,
            present=meeting.present,
            agenda=meeting.agenda,
            document=meeting.document,
            signed=meeting.signed,
            signed_by=meeting.signed_by,
            awaiting=[p for p in meeting.present if p not in meeting.signed_by],
        )


class MeetingPage(BaseModel):
    items: list[MeetingView]
    total: int


class SlaItem(BaseModel):
    case_number: str
    step: int
    actor: str
    executor: str | None
    since: datetime
    due_at: datetime
    overdue: bool
    due_today: bool
    term_end: date = Field(
        description="§12: the last day of the 30-day term (a day off moves it to the next working day)"
    )
    deliver_by: date = Field(description="the day the result is due to the citizen (Center: the working day before)")
    late: bool = Field(description="today is past deliver_by and the case is still open")


class SlaView(BaseModel):
    district: str
    now: datetime
    open: int = Field(description="cases waiting at a step")
    overdue: int
    due_today: int = Field(description="due by the end of today (Kazakhstan time), not overdue yet")
    items: list[SlaItem] = Field(description="the most urgent first")
    handovers_unacknowledged: int = Field(
        0, description="what the Public Service Center handed the district (registers, recalls) not acknowledged yet"
    )
    recalls_overdue: int = Field(
        0, description="recalls of the Center (§14 item 1) not acknowledged though their day to send back has passed"
    )


HandoverKind = Literal["originals", "unclaimed", "recall"]
HandoverState = Literal["RECEIVED", "ACKNOWLEDGED"]


class HandoverSummary(BaseModel):
    id: str = Field(description="the handed-over document's id")
    kind: HandoverKind = Field(
        description="originals: the register of originals (Annex 1 step 2); unclaimed: the Annex 4 register of "
        "unclaimed results (§14 item 1); recall: the Center asks for a result back (§14 item 1)"
    )
    type: str = Field(description="the e-document's type, e.g. housing-queue/originals@1")
    district: str
    branch: str = Field(description="the Center's branch, as the document names it")
    total: int = Field(description="its entries (a recall: 1)")
    received_at: datetime
    due_on: date | None = Field(description="a recall: the day the result goes back to the Center by")
    overdue: bool = Field(description="a recall not acknowledged after due_on (Kazakhstan's day)")
    state: HandoverState
    accepted_by: str | None = Field(description="who acknowledged it, as the signed acknowledgment names them")
    acknowledged_by: str | None = Field(description="the staff login that acknowledged it")
    acknowledged_at: datetime | None
    returned_in_time: bool | None = Field(description="a recall, once acknowledged: on or before due_on")

    @classmethod
    def of(cls, row: CenterHandover, now: datetime) -> HandoverSummary:
        return cls(
            id=row.id,
            kind=row.kind,
            type=handovers.payload(row).get("type", ""),
            district=row.district,
            branch=row.branch,
            total=row.total,
            received_at=row.received_at,
            due_on=row.due_on,
            overdue=handovers.is_overdue(row, now),
            state=row.state,
            accepted_by=handovers.accepted_by(row),
            acknowledged_by=row.acknowledged_by,
            acknowledged_at=row.acknowledged_at,
            returned_in_time=row.returned_in_time,
        )


class HandoverPage(BaseModel):
    items: list[HandoverSummary] = Field(description="the newest first")
    total: int = Field(description="how many there are (of the state and kind asked)")
    limit: int


class HandoverApplication(BaseModel):
    reference: str = Field(
        description="the application as the document names it: its id, or in an Annex 4 register its identifier "
        "(the registration number at the gateway, else the id)"
    )
    application_id: str | None = Field(description="the application's id, when the provider knows it")
    case_number: str | None = Field(description="the provider's case for it, when there is one")


class HandoverDetail(HandoverSummary):
    document: dict[str, Any] = Field(description="the Center's signed e-document, as it came (JWS JSON)")
    payload: dict[str, Any] = Field(description="the document itself, decoded (verified when it came)")
    applications: list[HandoverApplication] = Field(description="the applications it names, in its order")
    draft_ack: dict[str, Any] | None = Field(description="the acknowledgment drafted to sign (unsigned)")
    signed_ack: dict[str, Any] | None = Field(description="the signed acknowledgment sent to the Center (JWS JSON)")

    @classmethod
    def of_row(cls, row: CenterHandover, cases: dict[str, Case], now: datetime) -> HandoverDetail:
        applications = []
        for name in map(str, row.application_ids):
            case = cases.get(name)
            known = case.application_id if case is not None else (name if row.kind != "unclaimed" else None)
            applications.append(
                HandoverApplication(
                    reference=name, application_id=known, case_number=case.number if case is not None else None
                )
            )
        return cls(
            **HandoverSummary.of(row, now).model_dump(),
            document=row.document,
            payload=handovers.payload(row),
            applications=applications,
            draft_ack=row.draft_ack,
            signed_ack=row.signed_ack,
        )
