"""The case register's service layer: open a case (Annex 1 step 3), move it along its workflow, and
read it back for the staff of its district. Every status change is written with its history row and
its ``case.status`` message (the outbox) in the caller's transaction: the citizen hears of exactly the
changes that were committed (architecture §3). The provider itself (its gateway address) sends the
messages and is the actor of its automatic steps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.provider.domain.condition3 import Decision
from services.provider.domain.facts import Asked
from services.provider.domain.numbering import case_number, case_year
from services.provider.domain.steps import opening_step
from services.provider.domain.workflow import check_transition
from services.provider.models import Case, CaseCounter, CaseRegistryAnswer, CaseStatusRow
from shared.bus.envelope import Envelope
from shared.bus.outbox import enqueue
from shared.calendar import as_utc
from shared.eds.signing import Signer, sign
from shared.housing.application import ApplicationDocument
from shared.housing.messages import CASE_STATUS, Registration, SignedStatus, StatusChange
from shared.participants import PROVIDER


@dataclass(frozen=True, slots=True)
class Intake:
    """A delivered application that passed the provider's checks, and where it came from."""

    application: ApplicationDocument
    registration: Registration
    signed: dict[str, Any]
    envelope: Envelope


async def find_by_application(session: AsyncSession, *, application_id: str) -> Case | None:
    return (await session.exec(select(Case).where(Case.application_id == application_id))).first()


async def next_case_number(session: AsyncSession, *, district: str, year: int) -> str:
    """The district's next number for ``year``; the counter row is locked until the transaction ends
    (two new counters colliding on their key make one transaction fail and its message be redelivered)."""
    counter = await session.get(CaseCounter, (district, year), with_for_update=True)
    if counter is None:
        counter = CaseCounter(district=district, year=year, last=0)
    counter.last += 1
    session.add(counter)
    return case_number(district, year, counter.last)


async def open_case(
    session: AsyncSession,
    *,
    intake: Intake,
    decision: Decision,
    answers: tuple[Asked, ...],
    now: datetime,
    signer: Signer,
    assessment: dict[str, Any] | None = None,
) -> Case | None:
    """Register the application as a case with its first status (Condition 3's decision, signed by
    ``signer``) and §15's ``assessment``; None when this application already has a case (a redelivery or a
    replay never opens a second one). The case then waits at the step its first status leads to
    (domain/steps.py `opening_step`): the head's resolution, or the Process 7 refusal to draft."""
    application, envelope = intake.application, intake.envelope
    if await find_by_application(session, application_id=application.id) is not None:
        return None
    registered_at = as_utc(intake.registration.registered_at)  # a time without a zone is taken as UTC
    number = await next_case_number(session, district=application.district, year=case_year(registered_at))
    case = Case(
        id=str(uuid.uuid4()),
        number=number,
        application_id=application.id,
        district=application.district,
        applicant_iin=application.applicant.iin,
        channel=application.channel,
        status=decision.status,
        registration_number=intake.registration.number,
        registered_at=registered_at,
        opened_at=now,
        updated_at=now,
        correlation_id=envelope.correlation_id,
        user_id=envelope.user_id,
        represented_party=envelope.represented_party,
        sender=envelope.sender,
        application=application.to_json(),
        signed=intake.signed,
        step=opening_step(decision.status),
        step_since=now,
        assessment=assessment,
    )
    session.add(case)
    await session.flush()  # the case row before the rows that refer to it
    for a in answers:
        session.add(
            CaseRegistryAnswer(
                case_id=case.id,
                query=a.query,
                subject=a.subject,
                outcome=a.outcome,
                asked_at=a.asked_at,
                result=a.result,
                signed=a.signed,
            )
        )
    await _record(
        session, case, None, decision.status, actor=PROVIDER.address, reason=decision.reason, now=now, signer=signer
    )
    return case


async def change_status(
    session: AsyncSession,
    *,
    case: Case,
    status: str,
    actor: str,
    reason: dict[str, Any] | None,
    now: datetime,
    signer: Signer,
) -> CaseStatusRow:
    """Move ``case`` to ``status`` (domain/workflow.py decides whether it may), with its history row
    and its ``case.status`` message, signed by ``signer`` (the provider's system certificate). Raises
    `TransitionNotAllowed`."""
    return await _record(session, case, case.status, status, actor=actor, reason=reason, now=now, signer=signer)


async def _record(
    session: AsyncSession,
    case: Case,
    current: str | None,
    status: str,
    *,
    actor: str,
    reason: dict[str, Any] | None,
    now: datetime,
    signer: Signer,
) -> CaseStatusRow:
    check_transition(current, status)
    row = CaseStatusRow(case_id=case.id, status=status, at=now, actor=actor, reason=reason)
    case.status, case.updated_at = status, now
    session.add_all([row, case])
    change = StatusChange(
        application_id=case.application_id,
        status=status,
        at=now,
        case_number=case.number,
        registration_number=case.registration_number,
        reason=reason,
    )
    enqueue(session, envelope_about(case, CASE_STATUS, sign(SignedStatus.of(change, author_bin=PROVIDER.bin), signer)))
    return row


def envelope_about(case: Case, message_type: str, document: dict[str, Any]) -> Envelope:
    """A message from the provider about ``case`` (its status, its result), back the way the application
    came: the application's correlation id, user and represented party, the application as its issue."""
    return Envelope(
        message_type=message_type,
        sender=PROVIDER.address,
        correlation_id=case.correlation_id,
        user_id=case.user_id,
        represented_party=case.represented_party,
        issue=case.application_id,
        document=document,
    )


async def list_cases(
    session: AsyncSession,
    *,
    district: str,
    limit: int,
    offset: int,
    status: str | None = None,
    step: int | None = None,
) -> tuple[list[Case], int]:
    """One page of ``district``'s cases (of one status, waiting at one step), newest first, and how many
    there are in all."""
    where = [Case.district == district]
    if status is not None:
        where.append(Case.status == status)
    if step is not None:
        where.append(Case.step == step)
    total = (await session.exec(select(func.count()).select_from(Case).where(*where))).one()
    query = select(Case).where(*where).order_by(col(Case.opened_at).desc(), col(Case.number).desc())
    rows = (await session.exec(query.offset(offset).limit(limit))).all()
    return list(rows), int(total)


@dataclass(frozen=True, slots=True)
class CaseFile:
    """A case with its status history and the registry answers it was decided on."""

    case: Case
    history: list[CaseStatusRow]
    answers: list[CaseRegistryAnswer]


async def get_case(session: AsyncSession, *, district: str, number: str) -> CaseFile | None:
    """The case ``number`` if it is ``district``'s; None otherwise (another district's case is as
    absent as one that does not exist)."""
    case = (await session.exec(select(Case).where(Case.number == number, Case.district == district))).first()
    if case is None:
        return None
    history = await session.exec(
        select(CaseStatusRow).where(CaseStatusRow.case_id == case.id).order_by(col(CaseStatusRow.id))
    )
    answers = await session.exec(
        select(CaseRegistryAnswer).where(CaseRegistryAnswer.case_id == case.id).order_by(col(CaseRegistryAnswer.id))
    )
    return CaseFile(case, list(history.all()), list(answers.all()))


async def first_status_reason(session: AsyncSession, case_id: str) -> dict[str, Any] | None:
    """Why step 3 ended as it did (Condition 3's reason; None for a registration)."""
    query = select(CaseStatusRow).where(CaseStatusRow.case_id == case_id).order_by(col(CaseStatusRow.id))
    first = (await session.exec(query.limit(1))).first()
    return first.reason if first is not None else None
