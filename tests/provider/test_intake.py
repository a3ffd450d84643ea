"""Annex 1 step 3 at the provider, over the bus: an application the regional gateway registered is
verified again, registered as a case and checked against §14 (Condition 3, §18); Process 7 refuses
with what is missing; the status goes back as ``case.status``. Nothing unverified opens a case, and a
case's registration is the one the gateway's stamp signed (architecture §9)."""

from __future__ import annotations

import json
from typing import Any, get_args

import pytest
from sqlmodel import func, select

from services.provider.handlers import QUEUE
from services.provider.models import Case, RejectedIntake
from shared.eds.document import Author
from shared.eds.signing import b64url, b64url_decode, rfc3339_precise
from shared.housing.application import AttachmentKind, HouseholdMember
from shared.housing.messages import CASE_STATUS
from shared.participants import GATEWAY, PORTAL
from tests.support.bus import Collector, wait_until
from tests.support.pki import new_iin
from tests.support.provider import (
    World,
    deliver_registered,
    next_registration,
    registered_delivery,
    stamp_registered,
    system_signer,
)

pytestmark = pytest.mark.asyncio(loop_scope="package")
EVERY_COPY: tuple[str, ...] = get_args(AttachmentKind)


def all_but(kind: str) -> tuple[str, ...]:
    return tuple(k for k in EVERY_COPY if k != kind)


async def count(world: World, model: type, *where: Any) -> int:
    async with world.provider_app.state.runtime.db.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(model).where(*where))).one())


async def statuses_recorded(world: World, application_id: str) -> int:
    """Entries in the application's case history: each is written with its ``case.status`` message, in
    the transaction of the inbox row `World.applied` waits for, so none can come later."""
    file = await world.case_file(application_id)
    return 0 if file is None else len(file.history)


async def test_an_eligible_applicant_with_complete_documents_is_registered_with_a_case_number(world: World) -> None:
    iin = await world.persona("eligible")
    application = await world.application(iin, attach=EVERY_COPY)
    envelope = await deliver_registered(world, application)

    status = await world.status(application.id)
    assert status.status == "REGISTERED" and status.reason is None
    assert status.case_number is not None and status.case_number.startswith(f"ТҮ-{application.district}-20")
    assert status.registration_number == envelope.document["registration"]["number"]
    stamp = json.loads(b64url_decode(envelope.document["signed"]["signatures"][1]["protected"]))
    file = await world.case_file(application.id)
    assert file is not None
    assert (file.case.registration_number, status.registration_number) == (stamp["regNum"], stamp["regNum"])
    assert rfc3339_precise(file.case.registered_at) == stamp["regT"]
    message = world.statuses[application.id][0]
    assert message.message_type == CASE_STATUS and message.sender == "KZ/GOV/140440000408/provider"
    assert (message.correlation_id, message.user_id, message.issue) == (
        envelope.correlation_id,
        envelope.user_id,
        application.id,
    )


async def test_a_marriage_before_2008_without_its_copy_is_refused_naming_the_copy(world: World) -> None:
    """§14: marriages registered before 1 June 2008 are not in the registries; Process 7."""
    iin = await world.persona("marriage_before_2008")
    refused = await world.application(iin, attach=all_but("marriage_certificate"))
    await deliver_registered(world, refused)

    status = await world.status(refused.id)
    assert status.status == "REFUSED_DOCUMENTS" and status.case_number
    assert status.reason is not None and status.reason["code"] == "DOCS_INCOMPLETE"
    missing = status.reason["missing"]
    assert [m["kind"] for m in missing] == ["marriage_certificate"]
    assert missing[0]["paragraph"] == "§14" and "not in the registry" in missing[0]["reason"]

    complete = await world.application(iin, attach=EVERY_COPY)
    await deliver_registered(world, complete)
    assert (await world.status(complete.id)).status == "REGISTERED"


async def test_a_serviceman_without_the_certificate_from_his_unit_is_refused(world: World) -> None:
    iin = await world.persona("employee:military")
    application = await world.application(iin, attach=all_but("employment_certificate"))
    assert application.employment_categories == ["military"]
    await deliver_registered(world, application)

    status = await world.status(application.id)
    assert status.status == "REFUSED_DOCUMENTS" and status.reason is not None
    assert [m["kind"] for m in status.reason["missing"]] == ["employment_certificate"]


async def test_a_dead_applicant_is_refused_as_not_found(world: World) -> None:
    iin = await world.persona("dead")
    application = await world.application(iin, attach=EVERY_COPY)
    await deliver_registered(world, application)

    status = await world.status(application.id)
    assert status.status == "REFUSED_DOCUMENTS"
    assert status.reason == {"code": "PERSON_NOT_FOUND", "iin": iin, "who": "applicant", "why": "deceased"}


async def test_an_applicant_the_individuals_database_does_not_know_is_refused(world: World) -> None:
    template = await world.application(await world.persona("eligible"))
    stranger = "871008401427"  # a valid IIN nobody in the registries has
    applicant = template.applicant.model_copy(update={"iin": stranger})
    application = template.model_copy(update={"author": Author(iin=stranger), "applicant": applicant})
    await deliver_registered(world, application)

    status = await world.status(application.id)
    assert status.status == "REFUSED_DOCUMENTS"
    assert status.reason == {
        "code": "PERSON_NOT_FOUND",
        "iin": stranger,
        "who": "applicant",
        "why": "not in the registry",
    }


async def test_a_redelivered_application_opens_one_case(world: World) -> None:
    iin = await world.persona("eligible")
    application = await world.application(iin, attach=EVERY_COPY)
    envelope = await deliver_registered(world, application)
    await world.status(application.id)
    # The same message again (the broker redelivers), and the gateway replaying it as a new message.
    await world.bus.publish(envelope)
    replay = envelope.model_copy(update={"message_id": "replayed-" + envelope.message_id[:20]})
    await world.bus.publish(replay)
    await world.applied(envelope.message_id)
    await world.applied(replay.message_id)

    assert await count(world, Case, Case.application_id == application.id) == 1
    assert await statuses_recorded(world, application.id) == 1
    assert len(world.statuses[application.id]) == 1


async def test_a_document_without_the_gateways_stamp_opens_no_case(world: World) -> None:
    iin = await world.persona("eligible")
    unstamped = await world.application(iin, attach=EVERY_COPY)
    envelope = await world.deliver(unstamped, stamped=False)
    # Stamped "registration", but by another system than the gateway (here: the provider's own BIN).
    impostor = await system_signer(world.pki, "140440000408", "Тұрғын үй бөлімі (ТЕСТ)")
    forged = await world.application(iin, attach=EVERY_COPY)
    forged_envelope = world.delivery(forged, world.stamp(await world.signed(forged), impostor))
    await world.bus.publish(forged_envelope)
    await world.applied(envelope.message_id)
    await world.applied(forged_envelope.message_id)

    for application in (unstamped, forged):
        assert await count(world, Case, Case.application_id == application.id) == 0
        assert await statuses_recorded(world, application.id) == 0
        assert not world.statuses.get(application.id)
    async with world.provider_app.state.runtime.db.sessions() as session:
        rows = (await session.exec(select(RejectedIntake).where(RejectedIntake.sender == GATEWAY.address))).all()
    rejected = {r.issue: r for r in rows}
    assert rejected[unstamped.id].code == rejected[forged.id].code == "EDS_PURPOSE_INVALID"
    assert rejected[unstamped.id].details["gateway_bin"] == "140440000309"


async def test_a_tampered_application_opens_no_case(world: World) -> None:
    iin = await world.persona("eligible")
    application = await world.application(iin, attach=EVERY_COPY)
    signed = world.stamp(await world.signed(application))
    other = await world.application(iin, attach=())  # the citizen signed one thing; another is delivered
    signed["payload"] = (await world.signed(other))["payload"]
    envelope = world.delivery(application, signed, issue=None)
    await world.bus.publish(envelope)
    await world.applied(envelope.message_id)

    async with world.provider_app.state.runtime.db.sessions() as session:
        row = (await session.exec(select(RejectedIntake).where(RejectedIntake.message_id == envelope.message_id))).one()
    assert row.code == "EDS_SIGNATURE_INVALID"
    assert await count(world, Case, Case.application_id == other.id) == 0


async def test_while_the_registries_do_not_answer_the_application_waits_and_is_not_refused(world: World) -> None:
    """Our outage is not the citizen's fault: the bus redelivers, and the case opens once they answer."""
    iin = await world.persona("eligible")
    application = await world.application(iin, attach=EVERY_COPY)
    # Each delivery asks two queries about the applicant first: four refused are two deliveries failed.
    world.registries.failures = 4
    try:
        envelope = await deliver_registered(world, application)
        status = await world.status(application.id)
    finally:
        left, world.registries.failures = world.registries.failures, 0
    assert left == 0 and status.status == "REGISTERED"
    assert len(world.statuses[application.id]) == 1
    await world.applied(envelope.message_id)


async def test_every_status_is_in_the_case_history_with_who_and_why(world: World) -> None:
    iin = await world.persona("employee:military")
    application = await world.application(iin)
    await deliver_registered(world, application)
    status = await world.status(application.id)

    file = await world.case_file(application.id)
    assert file is not None
    assert file.case.number == status.case_number and file.case.status == "REFUSED_DOCUMENTS"
    assert [(h.status, h.actor, h.reason) for h in file.history] == [
        ("REFUSED_DOCUMENTS", "KZ/GOV/140440000408/provider", status.reason)
    ]


# -- the registration is the stamp's (architecture §9): nobody invents a registration number ---------------
async def rejected_as(world: World, envelope: Any) -> RejectedIntake:
    await world.bus.publish(envelope)
    await world.applied(envelope.message_id)
    async with world.provider_app.state.runtime.db.sessions() as session:
        query = select(RejectedIntake).where(RejectedIntake.message_id == envelope.message_id)
        row: RejectedIntake = (await session.exec(query)).one()
    return row


async def no_case(world: World, application_id: str, number: str) -> None:
    assert await count(world, Case, Case.application_id == application_id) == 0
    assert await count(world, Case, Case.registration_number == number) == 0
    assert not world.statuses.get(application_id)


async def test_a_stamp_by_an_employees_certificate_with_the_gateways_bin_opens_no_case(world: World) -> None:
    """An employee of the gateway's organisation is not the gateway's system: their signature is no stamp."""
    employee = await world.pki.issue(
        new_iin(), holder="employee", subject={"bin": GATEWAY.bin, "organization": "Өңірлік шлюз (ТЕСТ)"}
    )
    application = await world.application(await world.persona("eligible"), attach=EVERY_COPY)
    registration = next_registration(world, application.district).model_copy(update={"number": "KRG-FAKE-000001"})
    # The attack as it was: an employee's "stamp" and an invented registration beside it, unsigned.
    stamped = world.stamp(await world.signed(application), employee)
    row = await rejected_as(world, registered_delivery(world, application, stamped, registration))
    assert row.code == "EDS_PURPOSE_INVALID" and "system certificate" in row.details["reason"]
    signer = row.details["signatures"][1]
    assert (signer["role"], signer["bin"], signer["holder"]) == ("registration", GATEWAY.bin, "employee")
    # And with a number of the right form signed into the employee's stamp.
    registration = next_registration(world, application.district)
    stamped = stamp_registered(world, await world.signed(application), registration, employee)
    row = await rejected_as(world, registered_delivery(world, application, stamped, registration))
    assert row.code == "EDS_PURPOSE_INVALID" and row.details["signatures"][1]["holder"] == "employee"
    await no_case(world, application.id, "KRG-FAKE-000001")
    await no_case(world, application.id, registration.number)


async def test_an_invented_registration_beside_the_gateways_stamp_opens_no_case(world: World) -> None:
    application = await world.application(await world.persona("eligible"), attach=EVERY_COPY)
    registration = next_registration(world, application.district)
    stamped = stamp_registered(world, await world.signed(application), registration)
    forged = registration.model_copy(update={"number": "KRG-FAKE-000001"})
    row = await rejected_as(world, registered_delivery(world, application, stamped, forged))
    assert row.code == "VALIDATION_FAILED" and "stamp signed" in row.details["reason"]
    assert (row.details["delivered"]["number"], row.details["stamped"]["number"]) == (
        "KRG-FAKE-000001",
        registration.number,
    )
    # A stamp that signs no registration (as the gateway stamped before) leaves the number unsigned: refused.
    unregistered = world.stamp(await world.signed(application))
    row = await rejected_as(world, registered_delivery(world, application, unregistered, forged))
    assert row.code == "EDS_PURPOSE_INVALID" and "carries no registration" in row.details["reason"]
    await no_case(world, application.id, "KRG-FAKE-000001")


async def test_a_registration_number_edited_in_the_stamps_header_breaks_its_signature(world: World) -> None:
    application = await world.application(await world.persona("eligible"), attach=EVERY_COPY)
    registration = next_registration(world, application.district)
    stamped = stamp_registered(world, await world.signed(application), registration)
    stamp = dict(stamped["signatures"][1])
    header = {**json.loads(b64url_decode(stamp["protected"])), "regNum": "KRG-20261126-999999"}
    stamp["protected"] = b64url(json.dumps(header).encode())
    edited = {"payload": stamped["payload"], "signatures": [stamped["signatures"][0], stamp]}
    forged = registration.model_copy(update={"number": "KRG-20261126-999999"})
    row = await rejected_as(world, registered_delivery(world, application, edited, forged))
    assert row.code == "EDS_SIGNATURE_INVALID" and row.details["signature"] == 1
    await no_case(world, application.id, "KRG-20261126-999999")


# -- the registries' fan-out is bounded -----------------------------------------------------------------


async def test_a_household_of_strangers_is_refused_without_asking_about_each(world: World) -> None:
    """One application can no longer make the provider ask the registries about whomever it lists:
    only the applicant's family as the individuals database knows it is asked about."""
    iin = await world.persona("eligible")
    strangers = [new_iin() for _ in range(15)]
    application = await world.application(iin, attach=EVERY_COPY)
    household = [*application.household, *(HouseholdMember(iin=s, relation="other") for s in strangers)]
    application = application.model_copy(update={"household": household})
    await deliver_registered(world, application)
    status = await world.status(application.id)

    assert status.status == "REFUSED_DOCUMENTS" and status.reason is not None
    assert status.reason["code"] == "PERSON_NOT_FOUND" and status.reason["iin"] in strangers
    assert "family" in status.reason["why"]
    asked = world.registries.asked_for(application.id)
    assert not {subject for _, subject in asked} & set(strangers)
    family = {f["iin"] for f in (await world.registry_result(f"/api/v1/persons/{iin}"))["family"]}
    assert len(asked) <= 2 + len(family)


async def test_a_redelivery_asks_only_what_the_registries_have_not_answered_yet(world: World) -> None:
    iin = await world.persona("marriage_before_2008")
    application = await world.application(iin, attach=EVERY_COPY)
    member = application.household[0].iin if application.household else None
    assert member is not None, "the persona has a household"
    world.registries.fail_once.add(("civil-status", member))
    await deliver_registered(world, application)
    await world.status(application.id)

    asked = world.registries.asked_for(application.id)
    assert asked.count(("civil-status", member)) == 2  # the one that failed, asked again
    others = [pair for pair in asked if pair != ("civil-status", member)]
    assert len(others) == len(set(others))  # everything else was asked once


_dead_letters: dict[int, Collector] = {}


async def dead_letters(world: World) -> Collector:
    """The provider's dead letters, read by this suite (one reader per world: readers share the queue)."""
    if id(world) not in _dead_letters:
        _dead_letters[id(world)] = Collector()
        await world.bus.subscribe_dead_letters(QUEUE, _dead_letters[id(world)])
    return _dead_letters[id(world)]


@pytest.mark.parametrize("how", ["unsigned", "signed with the portal's system certificate"])
async def test_a_delivery_the_gateway_did_not_send_is_dead_lettered_unread(world: World, how: str) -> None:
    """Finding 2: a delivery sent straight to the provider, its envelope not the gateway's (even with a
    genuine stamp inside), is refused before the provider reads it: no case, no rejected intake."""
    application = await world.application(await world.persona("eligible"), attach=EVERY_COPY)
    registration = next_registration(world, application.district)
    envelope = registered_delivery(
        world, application, stamp_registered(world, await world.signed(application), registration), registration
    )
    if how != "unsigned":
        portal = await world.bus.seal(envelope.model_copy(update={"sender": PORTAL.address}))
        envelope = envelope.model_copy(update={"proof": portal.proof})
    lost = await dead_letters(world)
    await world.bus.raw.publish(envelope)
    await wait_until(lambda: any(d.envelope.message_id == envelope.message_id for d in lost.deliveries))

    assert [d.death_reason for d in lost.deliveries if d.envelope.message_id == envelope.message_id] == ["rejected"]
    assert await count(world, RejectedIntake, RejectedIntake.message_id == envelope.message_id) == 0
    await no_case(world, application.id, registration.number)
