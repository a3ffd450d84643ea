"""The intake at the Center's desk (§19 Processes 2–6, §13, §14 item 1, §16, Annex 1 step 1), against the
registries, the test NCA and the regional gateway in process (tests.support.center): the written consent
before any query, Condition 1 and Process 4 (the recipient, the power of attorney from БНАЖ), the §14
checklist and the Annex 5 refusal listing exactly what is missing, the application signed by the operator
and sent (user the operator, represented party the recipient), the receipt dated by §12 item 2, §13's
fifteen minutes, the gateway's receipt and the provider's statuses back on the intake, the branch's
isolation and the operator's own key."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.con_intake.domain.schedule import result_ready_on
from services.registry_stub.models import QueryLogRow
from shared.bus.envelope import Envelope
from shared.bus.proof import Gatekeeper
from shared.consent import ConsentAttestation, attestation
from shared.eds.document import Author
from shared.eds.signing import payload_of, sign
from shared.errors import AppError
from shared.housing.messages import CASE_RESULT, CASE_STATUS, SignedStatus, StatusChange, status_key
from shared.participants import CENTER, GATEWAY, PORTAL, PROVIDER, user_id
from shared.registries import RegistryClient
from tests.support.bus import wait_until
from tests.support.center import COLLEAGUE, ELSEWHERE, OPERATOR, Desk
from tests.support.gateway import head_of, notification
from tests.support.pki import new_iin

pytestmark = pytest.mark.asyncio(loop_scope="package")


def kinds(items: list[dict[str, Any]]) -> list[str]:
    return [i["kind"] for i in items]


async def intake_of(desk: Desk, intake_id: str, login: str = OPERATOR) -> dict[str, Any]:
    response = await desk.call(login, "GET", f"/api/v1/intakes/{intake_id}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def eventually(desk: Desk, intake_id: str, check: Any, timeout: float = 15.0) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def holds() -> bool:
        found.update(await intake_of(desk, intake_id))
        return bool(check(found))

    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    while not await holds():
        assert datetime.now(UTC) < deadline, f"never: {found.get('application')}"
        await desk.env.bus.drain(1.0)
    return found


def provider_status(application_id: str, status: str, signer: Any, **fields: Any) -> Envelope:
    change = StatusChange(application_id=application_id, status=status, at=datetime.now(UTC), **fields)
    return Envelope(
        message_type=CASE_STATUS,
        sender=PROVIDER.address,
        issue=application_id,
        document=sign(SignedStatus.of(change, author_bin=PROVIDER.bin), signer),
    )


# -- the way through: accepted, registered, the provider's status, the result ------------------------------


async def test_a_recipient_is_accepted_with_a_receipt_dated_by_the_rule(desk: Desk) -> None:
    recipient = await desk.fresh("eligible")
    ticket = await desk.post(OPERATOR, "/api/v1/queue/tickets", json={"service": "housing-queue"})
    called = await desk.post(OPERATOR, "/api/v1/queue/windows/1/call")
    assert called.status_code == 200, called.text
    assert called.json()["id"] == ticket.json()["id"]
    desk.clock.advance(minutes=6)
    intake = await desk.started(OPERATOR, recipient, ticket_id=ticket.json()["id"])
    assert intake["recipient"]["iin"] == recipient and intake["checklist"][0]["kind"] == "identity_document"
    assert intake["consent"]["recorded_by"] == OPERATOR and intake["missing"] == [
        {k: i[k] for k in ("kind", "name", "paragraph")} for i in intake["checklist"]
    ]
    await desk.post(OPERATOR, f"/api/v1/queue/tickets/{ticket.json()['id']}/done")

    marked = await desk.present(OPERATOR, intake)
    assert marked["missing"] == [] and all(i["presented"] for i in marked["checklist"])
    nothing = await desk.post(OPERATOR, f"/api/v1/intakes/{intake['id']}/refusal/draft")
    assert nothing.status_code == 409 and nothing.json()["error"]["code"] == "CONFLICT"

    desk.clock.advance(minutes=3)
    accepted = await desk.accept(OPERATOR, intake)
    assert accepted["state"] == "ACCEPTED" and accepted["application"]["status"] == "SUBMITTED"
    at = datetime.fromisoformat(accepted["application"]["accepted_at"])
    receipt = accepted["receipt"]
    assert receipt["result_ready_on"] == result_ready_on(at).isoformat() and receipt["signed"] is None
    document = receipt["document"]
    assert document["type"] == "housing-queue/center-receipt@1" and document["number"] == accepted["journal_number"]
    assert document["result_ready_on"] == receipt["result_ready_on"]
    assert document["application_id"] == accepted["application"]["id"] and document["recipient"]["iin"] == recipient
    assert kinds(document["documents"]) == kinds(intake["checklist"])
    assert document["branch"]["bin"] == CENTER.bin and document["operator"]["login"] == OPERATOR
    # §13: from the ticket's call to the acceptance, nine minutes of fifteen
    assert 9 * 60 <= accepted["acceptance"]["seconds"] < 10 * 60 and accepted["acceptance"]["within_limit"] is True

    application = payload_of(accepted["application"]["signed"])
    operator_iin = await desk.iin_of(OPERATOR)
    assert application["channel"] == "center" and application["author"] == {"iin": operator_iin, "bin": CENTER.bin}
    assert application["applicant"]["iin"] == recipient and "representative" not in application
    assert kinds(application["attachments"]) == kinds(intake["checklist"])

    signed_receipt = await desk.post(
        OPERATOR, f"/api/v1/intakes/{intake['id']}/receipt", json={"signed": await desk.sign(OPERATOR, receipt)}
    )
    assert signed_receipt.status_code == 200, signed_receipt.text
    assert payload_of(signed_receipt.json()["receipt"]["signed"]) == document
    journal = (await desk.call(OPERATOR, "GET", "/api/v1/journal")).json()
    assert any(e["number"] == accepted["journal_number"] and e["kind"] == "accepted" for e in journal)

    # Process 6: the operator's application on its way, the operator the user, the recipient represented
    issue = accepted["application"]["id"]
    await wait_until(lambda: any(d.envelope.issue == issue for d in desk.submitted.deliveries))
    sent = next(d.envelope for d in desk.submitted.deliveries if d.envelope.issue == issue)
    assert (sent.sender, sent.user_id, sent.represented_party) == (
        CENTER.address,
        user_id(operator_iin),
        user_id(recipient),
    )
    # Process 7: the gateway registers it; its receipt and status come back to the intake
    registered = await eventually(desk, intake["id"], lambda i: i["application"]["status"] == "REGISTERED_AT_GATEWAY")
    assert registered["application"]["registration_number"] and registered["application"]["delivery_state"]
    assert any(d.envelope.issue == issue for d in desk.delivered.deliveries)
    # the provider's signed status, relayed by the gateway, is believed; a forged one is not
    provider = await desk.env.credentials("provider").signer()
    forged = Envelope(
        message_type=status_key(CENTER.address),
        sender=GATEWAY.address,
        issue=issue,
        document=StatusChange(application_id=issue, status="QUEUED", at=datetime.now(UTC)).model_dump(mode="json"),
    )
    await desk.env.signing.publish(forged)
    await desk.env.signing.publish(provider_status(issue, "REGISTERED", provider, case_number="ТҮ-x-2026-000001"))
    done = await eventually(desk, intake["id"], lambda i: i["application"]["status"] == "REGISTERED")
    assert done["application"]["case_number"] == "ТҮ-x-2026-000001"
    history = {e["status"] for e in done["application"]["history"]}  # by time: the Center's clock is ahead here
    assert history == {"SUBMITTED", "REGISTERED_AT_GATEWAY", "REGISTERED"}

    # §19 Process 9: the head's result, registered by the gateway, is kept for the issuance window
    head_iin = new_iin()
    result = notification(
        application_id=issue,
        head_iin=head_iin,
        applicant_iin=recipient,
        district=registered["district"],
        registration_number=registered["application"]["registration_number"],
    )
    envelope = Envelope(
        message_type=CASE_RESULT,
        sender=PROVIDER.address,
        issue=issue,
        document=sign(result, await head_of(desk.env.pki, head_iin)),
    )
    await desk.env.signing.publish(envelope)
    kept = await eventually(desk, intake["id"], lambda i: i["result"] is not None)
    assert kept["result"]["type"] == "housing-queue/notification@1" and kept["result"]["registration_number"]

    again = await desk.start(COLLEAGUE, recipient)
    assert again.status_code == 409 and again.json()["error"]["code"] == "DUPLICATE_APPLICATION"


async def test_a_representative_with_a_notarised_power_of_attorney_is_accepted(desk: Desk) -> None:
    poa = await desk.power_of_attorney("poa:valid")
    representative = {"iin": poa.attorney_iin, "power_of_attorney": {"kind": "notarised", "number": poa.number}}
    intake = await desk.started(OPERATOR, poa.principal_iin, representative=representative)
    found = intake["representative"]
    assert found["iin"] == poa.attorney_iin and found["surname"]
    assert (
        found["power_of_attorney"]["valid_until"] == poa.valid_until.isoformat()
        and found["power_of_attorney"]["notary"]
    )
    assert [c["role"] for c in intake["consent"]["attestations"]] == ["representative", "recipient"]
    # the group II invalid: the income certificate is asked of them (§14 item 1)
    assert "income_certificate" in kinds(intake["checklist"])
    await desk.present(OPERATOR, intake)

    desk.clock.advance(minutes=16)  # no ticket: §13 counts from the consent recorded
    accepted = await desk.accept(OPERATOR, intake)
    assert accepted["acceptance"]["within_limit"] is False and accepted["acceptance"]["seconds"] >= 16 * 60
    application = payload_of(accepted["application"]["signed"])
    assert application["representative"] == {"iin": poa.attorney_iin, "power_of_attorney": poa.number}
    receipt = accepted["receipt"]["document"]
    assert receipt["representative"]["iin"] == poa.attorney_iin and receipt["power_of_attorney"] == poa.number

    # the provider's Process 8 (its signed status, through the gateway) ends the way and frees the recipient
    issue = accepted["application"]["id"]
    await eventually(desk, intake["id"], lambda i: i["application"]["registration_number"])
    reason = {"code": "DOCS_INCOMPLETE", "missing": ["income_certificate"]}
    provider = await desk.env.credentials("provider").signer()
    await desk.env.signing.publish(provider_status(issue, "REFUSED_DOCUMENTS", provider, reason=reason))
    refused = await eventually(desk, intake["id"], lambda i: i["application"]["status"] == "REFUSED_DOCUMENTS")
    assert any(e["details"] and e["details"].get("reason") == reason for e in refused["application"]["history"])
    assert (await desk.start(OPERATOR, poa.principal_iin, representative=representative)).status_code == 201


# -- Condition 1 and Process 4 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trait", "status", "code"),
    [
        ("poa:expired", 422, "POA_EXPIRED"),
        ("poa:revoked", 422, "POA_REVOKED"),
        ("poa:not_covering_service", 422, "POA_NOT_APPLICABLE"),
        ("poa:not_notarised", 422, "POA_NOT_APPLICABLE"),
        (None, 404, "POA_NOT_FOUND"),
    ],
)
async def test_a_power_of_attorney_that_cannot_be_relied_on_is_refused_with_its_code(
    desk: Desk, trait: str | None, status: int, code: str
) -> None:
    poa = await desk.power_of_attorney(trait or "poa:expired")
    number = poa.number if trait else f"{poa.number}-0"
    representative = {"iin": poa.attorney_iin, "power_of_attorney": {"kind": "notarised", "number": number}}
    response = await desk.start(OPERATOR, poa.principal_iin, representative=representative)
    assert response.status_code == status and response.json()["error"]["code"] == code, response.text
    intake = await intake_of(desk, response.json()["error"]["details"]["intake"])
    assert intake["state"] == "UNAVAILABLE" and intake["error"]["code"] == code and intake["checklist"] == []


async def test_a_power_of_attorney_not_given_to_this_representative_is_refused(desk: Desk) -> None:
    poa = await desk.power_of_attorney("poa:not_covering_service")
    stranger = await desk.stranger(poa.principal_iin, poa.attorney_iin)
    representative = {"iin": stranger, "power_of_attorney": {"kind": "notarised", "number": poa.number}}
    response = await desk.start(OPERATOR, poa.principal_iin, representative=representative)
    assert response.status_code == 422 and response.json()["error"]["code"] == "POA_NOT_APPLICABLE"
    reasons = response.json()["error"]["details"]["reasons"]
    assert reasons == ["the power of attorney is not given to the representative"]
    # nothing was asked about the recipient: the power of attorney failed first
    intake_id = response.json()["error"]["details"]["intake"]
    application = (await intake_of(desk, intake_id))["application"]["id"]
    assert {r.subject for r in await desk.asked(application=application)} == {stranger, poa.number}


async def test_a_power_of_attorney_typed_in_is_judged_as_typed(desk: Desk) -> None:
    poa = await desk.power_of_attorney("poa:not_notarised")  # certified otherwise: typed in (R24)
    typed = {
        "kind": "other",
        "number": "ЖҰМ-17",
        "issued_on": (date.today() - timedelta(days=400)).isoformat(),
        "valid_until": (date.today() - timedelta(days=35)).isoformat(),
        "certified_by": "the employer",
        "scan_sha256": "a" * 64,
    }
    representative = {"iin": poa.attorney_iin, "power_of_attorney": typed}
    expired = await desk.start(OPERATOR, poa.principal_iin, representative=representative)
    assert expired.status_code == 422 and expired.json()["error"]["code"] == "POA_EXPIRED"
    typed["valid_until"] = (date.today() + timedelta(days=30)).isoformat()
    intake = await desk.started(OPERATOR, poa.principal_iin, representative=representative)
    assert intake["representative"]["power_of_attorney"]["certified_by"] == "the employer"


async def test_a_recipient_the_individuals_database_does_not_know_is_process_4(desk: Desk) -> None:
    unknown = new_iin()
    response = await desk.start(OPERATOR, unknown)
    assert response.status_code == 404, response.text
    error = response.json()["error"]
    assert error["code"] == "PERSON_NOT_FOUND" and error["message"]
    assert error["details"]["role"] == "recipient" and error["details"]["process"] == "§19 Process 4"
    intake = await intake_of(desk, error["details"]["intake"])
    assert intake["state"] == "UNAVAILABLE" and intake["error"]["process_4"] is True
    dead = await desk.start(OPERATOR, await desk.persona("dead"))
    assert dead.status_code == 404 and dead.json()["error"]["code"] == "PERSON_NOT_FOUND"
    later = await desk.post(OPERATOR, f"/api/v1/intakes/{intake['id']}/documents", json={"presented": []})
    assert later.status_code == 409


async def test_without_the_consent_nothing_is_asked(desk: Desk) -> None:
    recipient = await desk.fresh("eligible")
    before = len(await desk.asked(subject=recipient))
    for body in ({"recipient_iin": recipient, "consent": False}, {"recipient_iin": recipient}):
        response = await desk.post(OPERATOR, "/api/v1/intakes", json=body)
        assert response.status_code == 422 and response.json()["error"]["code"] == "VALIDATION_FAILED"
    assert len(await desk.asked(subject=recipient)) == before
    listed = (await desk.call(OPERATOR, "GET", "/api/v1/intakes", params={"limit": 200})).json()
    assert all(i["recipient"]["iin"] != recipient for i in listed)
    # with it, the consent is recorded before the first query is asked
    intake = await desk.started(OPERATOR, recipient)
    logged: list[QueryLogRow] = await desk.asked(application=intake["application"]["id"])
    recorded = datetime.fromisoformat(intake["consent"]["recorded_at"])
    assert logged and min(r.asked_at for r in logged) >= recorded
    assert {r.user_id for r in logged} == {user_id(await desk.iin_of(OPERATOR))}


# -- §16: the refusal to accept lists exactly what is missing ----------------------------------------------


@pytest.mark.parametrize(
    ("trait", "missing"),
    [("vulnerable:large_family", "income_certificate"), ("marriage_before_2008", "marriage_certificate")],
)
async def test_the_annex_5_refusal_lists_exactly_the_missing_documents(desk: Desk, trait: str, missing: str) -> None:
    recipient = await desk.fresh(trait)
    intake = await desk.started(OPERATOR, recipient)
    assert missing in kinds(intake["checklist"])
    marked = await desk.present(OPERATOR, intake, skip=(missing,))
    assert kinds(marked["missing"]) == [missing]
    incomplete = await desk.post(OPERATOR, f"/api/v1/intakes/{intake['id']}/application/draft")
    assert incomplete.status_code == 409 and incomplete.json()["error"]["details"]["missing"] == [missing]

    drafted = await desk.post(OPERATOR, f"/api/v1/intakes/{intake['id']}/refusal/draft")
    assert drafted.status_code == 200, drafted.text
    refusal = drafted.json()["document"]
    assert refusal["type"] == "housing-queue/center-refusal@1" and kinds(refusal["missing"]) == [missing]
    name = next(i["name"] for i in intake["checklist"] if i["kind"] == missing)
    assert name in refusal["text"] and refusal["recipient"]["iin"] == recipient
    assert refusal["operator"]["login"] == OPERATOR and refusal["branch"]["bin"] == CENTER.bin
    refused = await desk.post(
        OPERATOR, f"/api/v1/intakes/{intake['id']}/refusal", json={"signed": await desk.sign(OPERATOR, drafted.json())}
    )
    assert refused.status_code == 200, refused.text
    closed = refused.json()
    assert closed["state"] == "REFUSED" and payload_of(closed["refusal"]) == refusal and closed["journal_number"]
    journal = (await desk.call(OPERATOR, "GET", "/api/v1/journal")).json()
    assert any(e["number"] == closed["journal_number"] and e["kind"] == "refused" for e in journal)
    # §16: nothing reaches the provider, nor the gateway
    await desk.env.bus.drain(2.0)
    issue = closed["application"]["id"]
    assert not any(d.envelope.issue == issue for d in desk.submitted.deliveries + desk.delivered.deliveries)
    assert (await desk.post(OPERATOR, f"/api/v1/intakes/{intake['id']}/application/draft")).status_code == 409


# -- the branch and the operator's own key ------------------------------------------------------------------


async def test_an_operator_of_another_branch_gets_not_found(desk: Desk) -> None:
    intake = await desk.started(OPERATOR, await desk.fresh("eligible"))
    base = f"/api/v1/intakes/{intake['id']}"
    for method, path, body in (
        ("GET", base, None),
        ("POST", f"{base}/documents", {"presented": []}),
        ("POST", f"{base}/refusal/draft", None),
        ("POST", f"{base}/application/draft", None),
    ):
        response = await desk.call(ELSEWHERE, method, path, json=body)
        assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND", (path, response.text)
    listed = (await desk.call(ELSEWHERE, "GET", "/api/v1/intakes")).json()
    assert all(i["id"] != intake["id"] for i in listed)
    assert (await desk.call(COLLEAGUE, "GET", base)).status_code == 200  # the branch's colleague sees it


async def test_a_signature_by_another_persons_key_is_refused(desk: Desk) -> None:
    intake = await desk.started(OPERATOR, await desk.fresh("eligible"))
    await desk.present(OPERATOR, intake)
    drafted = await desk.post(OPERATOR, f"/api/v1/intakes/{intake['id']}/application/draft")
    path = f"/api/v1/intakes/{intake['id']}/application"

    theirs = await desk.post(
        OPERATOR, path, json={"signed": await desk.sign(OPERATOR, drafted.json(), await desk.key(COLLEAGUE))}
    )
    assert theirs.status_code == 422 and theirs.json()["error"]["code"] == "EDS_IIN_MISMATCH", theirs.text
    by_colleague = await desk.post(COLLEAGUE, path, json={"signed": await desk.sign(OPERATOR, drafted.json())})
    assert by_colleague.status_code == 422 and by_colleague.json()["error"]["code"] == "EDS_IIN_MISMATCH"
    citizen = await desk.env.pki.issue(await desk.iin_of(OPERATOR))  # their own IIN, a personal key: no Center BIN
    personal = await desk.post(OPERATOR, path, json={"signed": await desk.sign(OPERATOR, drafted.json(), citizen)})
    assert personal.status_code == 422 and personal.json()["error"]["code"] == "EDS_IIN_MISMATCH", personal.text
    changed = {**drafted.json()["document"], "categories": [*drafted.json()["document"]["categories"], "cosmonaut"]}
    other = await desk.post(OPERATOR, path, json={"signed": sign(changed, await desk.key(OPERATOR))})
    assert other.status_code == 422 and other.json()["error"]["code"] == "VALIDATION_FAILED", other.text
    assert (await intake_of(desk, intake["id"]))["state"] == "OPEN"
    await desk.env.bus.drain(1.0)
    assert not any(d.envelope.issue == intake["application"]["id"] for d in desk.submitted.deliveries)


# -- the Center's consent attestation: the identity document shown ----------------------------------------


async def test_the_centers_document_attestation_covers_what_eds_and_sms_do(desk: Desk) -> None:
    recipient = await desk.persona("marriage_before_2008")
    spouse = next(f["iin"] for f in (await desk.person(recipient))["family"] if f["relation"] == "spouse")
    center = RegistryClient(
        desk.env.bus, sealer=desk.env.sealer("con_intake"), gatekeeper=Gatekeeper(desk.env.verifier())
    )
    document = sign(
        attestation(subject_iin=recipient, requester=CENTER, identified_by="document"),
        await desk.env.credentials("con_intake").signer(),
    )
    for query, subject in (("civil-status", recipient), ("real-estate", recipient), ("person", spouse)):
        assert (await center.ask(query, {"iin": subject}, consent=document)).result["iin"] == subject
    with pytest.raises(ValueError, match="only the Center"):
        attestation(subject_iin=recipient, requester=PORTAL, identified_by="document")
    issued = datetime.now(UTC).replace(microsecond=0)
    forged = ConsentAttestation.model_construct(
        id=str(uuid.uuid4()),
        type="registry/consent@1",
        created_at=issued,
        author=Author(bin=PORTAL.bin),
        subject_iin=recipient,
        requester_bin=PORTAL.bin,
        purpose="housing-queue",
        identified_by="document",
        issued_at=issued,
        expires_at=issued + timedelta(minutes=5),
    )
    portal = RegistryClient(
        desk.env.bus, sealer=desk.env.sealer("portal_gateway"), gatekeeper=Gatekeeper(desk.env.verifier())
    )
    signed = sign(forged.model_dump(mode="json"), await desk.env.credentials("portal_gateway").signer())
    with pytest.raises(AppError) as refused:
        await portal.ask("civil-status", {"iin": recipient}, consent=signed)
    assert refused.value.code == "CONSENT_INVALID"
