"""What the Public Service Center hands the provider on the bus (``handover.<district>``), and the staff's signed
acknowledgment sent back (``handover.ack.con``): the test plays the Center (an operator's and a branch head's
employee certificates of the Center's BIN, the Center's system certificate, its envelopes sealed as the Center
seals them) and the district's staff (their employee keys of the department's BIN, signing on this side).

Kept: a register of originals, an Annex 4 register, a recall. Refused, never kept: a document signed by anyone
else, for another district than its routing key's, tampered with; a revocation outage is waited out. Each
district sees its own; the acknowledgment is the caller's own signature on exactly the draft, once; a recall
acknowledged after its day is late; the SLA view counts what waits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, get_args

import httpx
import pytest
import pytest_asyncio

from services.provider.handlers import HANDOVER_QUEUE
from services.provider.staff import demo_login
from shared.bus.envelope import Envelope
from shared.bus.inbox import applied
from shared.calendar import KAZAKHSTAN, local_day, utcnow
from shared.eds.document import Author, EDocument
from shared.eds.signing import Signer, countersign, payload_of, sign
from shared.housing.application import AttachmentKind
from shared.housing.center import (
    Branch,
    HandoverAck,
    OriginalsEntry,
    OriginalsRegister,
    RecallRequest,
    UnclaimedEntry,
    UnclaimedRegister,
)
from shared.housing.messages import HANDOVER_ACK, handover_key
from shared.participants import CENTER, PROVIDER, user_id
from tests.support.bus import Collector, wait_until
from tests.support.pki import new_iin
from tests.support.provider import World, deliver_registered, system_signer

pytestmark = pytest.mark.asyncio(loop_scope="package")

ALL_DOCUMENTS = get_args(AttachmentKind)
BRANCH = Branch(
    bin=CENTER.bin, branch="Қарағанды қаласы бойынша №1 бөлімше", department="1", address="Бейбітшілік көшесі, 12"
)
BRANCH_TEXT = "Қарағанды қаласы бойынша №1 бөлімше, №1"


# -- the Center, as the test plays it ------------------------------------------------------------------------------


async def center_employee(world: World, surname: str) -> tuple[Signer, str]:
    """An employee SIGN certificate of the Center's BIN (an operator, the branch's head), and its IIN."""
    iin = new_iin()
    subject = {"surname": surname, "given_name": "ТЕСТ", "bin": CENTER.bin, "organization": CENTER.organization}
    return await world.pki.issue(iin, holder="employee", subject=subject), iin


@dataclass
class Center:
    world: World
    operator: Signer
    operator_iin: str
    head: Signer
    head_iin: str
    system: Signer
    acks: Collector
    dead: Collector

    def originals(self, district: str, *application_ids: str, **fields: Any) -> OriginalsRegister:
        now = utcnow().replace(microsecond=0)
        entries = [
            OriginalsEntry(
                no=no,
                application_id=application_id,
                identifier=application_id,
                recipient="ТЕСТОВ ТЕСТ",
                accepted_at=now,
                documents=["Өтініш", "Жеке куәлік"],
            )
            for no, application_id in enumerate(application_ids or (str_id(),), 1)
        ]
        values: dict[str, Any] = {
            "author": Author(iin=self.operator_iin, bin=CENTER.bin),
            "authority": "Тұрғын үй бөлімі",
            "district": district,
            "branch": BRANCH,
            "slot_at": now,
            "formed_at": now,
            "entries": entries,
            "total": len(entries),
            "handed_over_by": "Оператор ТЕСТ",
        }
        return OriginalsRegister(**{**values, **fields})

    def unclaimed(self, district: str, *identifiers: str) -> UnclaimedRegister:
        today = local_day(utcnow())
        entries = [
            UnclaimedEntry(
                no=no,
                identifier=identifier,
                recipient="ТЕСТОВ ТЕСТ",
                service="Тұрғын үй",
                accepted_on=today - timedelta(days=62),
                planned_issue_on=today - timedelta(days=32),
                documents=["Хабарлама"],
            )
            for no, identifier in enumerate(identifiers or ("KRG-20260101-000001",), 1)
        ]
        return UnclaimedRegister(
            author=Author(iin=self.head_iin, bin=CENTER.bin),
            authority="Тұрғын үй бөлімі",
            district=district,
            branch=BRANCH,
            formed_at=utcnow().replace(microsecond=0),
            entries=entries,
            total=len(entries),
            handed_over_by="Бөлімше басшысы ТЕСТ",
        )

    def recall(self, district: str, *, return_by: date, application_id: str | None = None) -> RecallRequest:
        return RecallRequest(
            author=Author(bin=CENTER.bin),
            district=district,
            branch=BRANCH,
            application_id=application_id or str_id(),
            identifier="KRG-20260101-000002",
            recipient="ТЕСТОВ ТЕСТ",
            unclaimed_register=str_id(),
            visit_on=return_by - timedelta(days=2),
            ask_by=return_by - timedelta(days=1),
            return_by=return_by,
            asked_by="Оператор ТЕСТ",
        )

    async def send(
        self, document: EDocument | dict[str, Any], signer: Signer | None = None, *, routing: str | None = None
    ) -> Envelope:
        """The document signed (by ``signer``: the operator unless told; a dict: as signed already), on
        ``handover.<district>`` (the document's district unless ``routing`` says another)."""
        signed = document if isinstance(document, dict) else sign(document, signer or self.operator)
        district = routing or payload_of(signed)["district"]
        envelope = Envelope(
            message_type=handover_key(district),
            sender=CENTER.address,
            user_id=user_id(self.operator_iin or ""),
            issue=payload_of(signed)["id"],
            document=signed,
        )
        await self.world.bus.publish(envelope)
        return envelope

    async def kept(self, envelope: Envelope) -> None:
        """Wait until the provider has taken the message in (its inbox row committed)."""
        db = self.world.provider_app.state.runtime.db
        async with asyncio.timeout(15):
            while not await applied(db, HANDOVER_QUEUE, envelope.message_id):
                await asyncio.sleep(0.02)

    async def refused(self, envelope: Envelope) -> None:
        """Wait until the message is dead-lettered, and assert it was refused (not redelivered to the limit)."""
        await wait_until(lambda: any(d.envelope.message_id == envelope.message_id for d in self.dead.deliveries))
        reasons = [d.death_reason for d in self.dead.deliveries if d.envelope.message_id == envelope.message_id]
        assert reasons == ["rejected"]
        assert not await applied(self.world.provider_app.state.runtime.db, HANDOVER_QUEUE, envelope.message_id)

    async def ack(self, handover_id: str) -> Envelope:
        """The acknowledgment the provider sent for ``handover_id``."""
        await wait_until(lambda: any(d.envelope.correlation_id == handover_id for d in self.acks.deliveries))
        (found,) = [d.envelope for d in self.acks.deliveries if d.envelope.correlation_id == handover_id]
        return found


def str_id() -> str:
    import uuid

    return str(uuid.uuid4())


_centers: dict[int, Center] = {}


@pytest_asyncio.fixture(loop_scope="package")
async def center(world: World) -> AsyncIterator[Center]:
    """The Center's signers and the test's readers of the provider's answers and dead letters (one per world)."""
    if id(world) not in _centers:
        acks, dead = Collector(), Collector()
        await world.bus.subscribe("test.handover-acks", [HANDOVER_ACK], acks)
        await world.bus.subscribe_dead_letters(HANDOVER_QUEUE, dead)
        operator, operator_iin = await center_employee(world, "ОПЕРАТОР")
        head, head_iin = await center_employee(world, "БАСШЫ")
        _centers[id(world)] = Center(
            world,
            operator=operator,
            operator_iin=operator_iin,
            head=head,
            head_iin=head_iin,
            system=await system_signer(world.pki, CENTER.bin, CENTER.organization),
            acks=acks,
            dead=dead,
        )
    yield _centers[id(world)]


# -- the district's staff -----------------------------------------------------------------------------------------


@dataclass
class Department:
    world: World
    district: str
    tokens: dict[str, str] = field(default_factory=dict)
    keys: dict[str, Signer] = field(default_factory=dict)

    async def headers(self, seat: str) -> dict[str, str]:
        login = demo_login(self.district, seat)
        if login not in self.tokens:
            self.tokens[login] = await self.world.token(login)
        return {"Authorization": f"Bearer {self.tokens[login]}"}

    async def get(self, seat: str, path: str, **params: Any) -> httpx.Response:
        return await self.world.provider.get(path, params=params, headers=await self.headers(seat))

    async def post(self, seat: str, path: str, body: Any = None) -> httpx.Response:
        return await self.world.provider.post(path, json=body or {}, headers=await self.headers(seat))

    async def me(self, seat: str) -> dict[str, Any]:
        return (await self.get(seat, "/api/v1/staff/me")).json()  # type: ignore[no-any-return]

    async def key(self, seat: str, *, fresh: bool = False) -> Signer:
        """The seat's person's employee key of the department's BIN (``fresh``: another certificate of theirs)."""
        if fresh or seat not in self.keys:
            subject = {"surname": "ҚЫЗМЕТКЕР", "given_name": "ТЕСТ", "bin": PROVIDER.bin, "organization": "Бөлім"}
            key = await self.world.pki.issue((await self.me(seat))["iin"], holder="employee", subject=subject)
            if fresh:
                return key
            self.keys[seat] = key
        return self.keys[seat]

    async def draft(self, seat: str, handover_id: str) -> dict[str, Any]:
        response = await self.post(seat, f"/api/v1/handovers/{handover_id}/acknowledgment/draft")
        assert response.status_code == 200, response.text
        return response.json()["document"]  # type: ignore[no-any-return]

    async def send(self, seat: str, handover_id: str, signed: dict[str, Any]) -> httpx.Response:
        return await self.post(seat, f"/api/v1/handovers/{handover_id}/acknowledgment", {"signed": signed})

    async def acknowledge(self, seat: str, handover_id: str) -> dict[str, Any]:
        signed = sign(await self.draft(seat, handover_id), await self.key(seat))
        response = await self.send(seat, handover_id, signed)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def handover(self, seat: str, handover_id: str) -> httpx.Response:
        return await self.get(seat, f"/api/v1/handovers/{handover_id}")


def code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


# -- taken in -------------------------------------------------------------------------------------------------------


async def test_the_centers_registers_and_recall_are_kept_as_they_came(world: World, center: Center) -> None:
    staff = Department(world, "balkhash")
    first, second = str_id(), str_id()
    originals = center.originals("balkhash", first, second)
    unclaimed = center.unclaimed("balkhash", "KRG-20260101-000010")
    due = local_day(utcnow()) + timedelta(days=1)
    recall = center.recall("balkhash", return_by=due)
    for document, signer in ((originals, center.operator), (unclaimed, center.head), (recall, center.system)):
        await center.kept(await center.send(document, signer))

    shown = {}
    for document, kind, total in ((originals, "originals", 2), (unclaimed, "unclaimed", 1), (recall, "recall", 1)):
        response = await staff.handover("specialist", document.id)
        assert response.status_code == 200, response.text
        shown[kind] = response.json()
        assert (shown[kind]["kind"], shown[kind]["total"], shown[kind]["state"]) == (kind, total, "RECEIVED")
        assert shown[kind]["branch"] == BRANCH_TEXT and shown[kind]["payload"]["id"] == document.id
        assert shown[kind]["document"]["signatures"] and shown[kind]["accepted_by"] is None
    assert [a["reference"] for a in shown["originals"]["applications"]] == [first, second]
    assert shown["recall"]["due_on"] == due.isoformat() and shown["recall"]["overdue"] is False
    assert shown["originals"]["due_on"] is None

    listed = (await staff.get("head", "/api/v1/handovers")).json()
    ids = [item["id"] for item in listed["items"]]
    assert ids[:3] == [recall.id, unclaimed.id, originals.id], "the newest first"
    recalls = (await staff.get("head", "/api/v1/handovers", kind="recall")).json()["items"]
    assert [item["id"] for item in recalls] == [recall.id]


async def test_the_detail_names_the_providers_case_for_each_application(world: World, center: Center) -> None:
    iin = await world.persona("eligible")
    application = await world.application(iin, district="priozersk", attach=ALL_DOCUMENTS)
    await deliver_registered(world, application)
    status = await world.status(application.id)
    assert status.case_number is not None and status.registration_number is not None
    unknown = str_id()
    originals = center.originals("priozersk", application.id, unknown)
    unclaimed = center.unclaimed("priozersk", status.registration_number, "KRG-19990101-000001")
    await center.kept(await center.send(originals))
    await center.kept(await center.send(unclaimed, center.head))
    staff = Department(world, "priozersk")

    named = (await staff.handover("specialist", originals.id)).json()["applications"]
    assert named == [
        {"reference": application.id, "application_id": application.id, "case_number": status.case_number},
        {"reference": unknown, "application_id": unknown, "case_number": None},
    ]
    named = (await staff.handover("specialist", unclaimed.id)).json()["applications"]
    assert named == [
        {"reference": status.registration_number, "application_id": application.id, "case_number": status.case_number},
        {"reference": "KRG-19990101-000001", "application_id": None, "case_number": None},
    ]


REFUSALS = [
    "signed by the provider's employee",
    "a register signed by the Center's system",
    "a recall signed by an operator",
    "another district than the routing key's",
    "a tampered payload",
    "a countersigned register",
    "not a handover",
]


@pytest.mark.parametrize("how", REFUSALS)
async def test_a_handover_not_the_centers_as_it_must_be_is_refused_and_never_kept(
    world: World, center: Center, how: str
) -> None:
    staff = Department(world, "zhanaarka")
    document: EDocument = center.originals("zhanaarka")
    routing = None
    if how == "signed by the provider's employee":
        specialist = Author(iin=(await staff.me("specialist"))["iin"])
        signed = sign(document.model_copy(update={"author": specialist}), await staff.key("specialist"))
    elif how == "a register signed by the Center's system":
        signed = sign(document.model_copy(update={"author": Author(bin=CENTER.bin)}), center.system)
    elif how == "a recall signed by an operator":
        document = center.recall("zhanaarka", return_by=local_day(utcnow()))
        operator = Author(iin=center.operator_iin, bin=CENTER.bin)
        signed = sign(document.model_copy(update={"author": operator}), center.operator)
    elif how == "another district than the routing key's":
        document = center.originals("karkaraly")
        signed, routing = sign(document, center.operator), "zhanaarka"
    elif how == "a tampered payload":
        genuine = sign(document, center.operator)
        other = center.originals("zhanaarka", str_id())
        signed = {**genuine, "payload": sign(other, center.operator)["payload"]}
        document = other
    elif how == "a countersigned register":
        signed = countersign(sign(document, center.operator), center.head, role="approval")
    else:  # the Center's receipt is not a handover
        operator = Author(iin=center.operator_iin, bin=CENTER.bin)
        document = EDocument(type="housing-queue/center-receipt@1", author=operator, district="zhanaarka")
        signed = sign(document, center.operator)
    envelope = await center.send(signed, routing=routing)
    await center.refused(envelope)

    for district in ("zhanaarka", "karkaraly"):
        assert (await Department(world, district).handover("specialist", document.id)).status_code == 404
    listed = (await staff.get("specialist", "/api/v1/handovers")).json()["items"]
    assert document.id not in [item["id"] for item in listed]


async def test_the_same_document_again_changes_nothing(world: World, center: Center) -> None:
    staff = Department(world, "aktogay")
    register = center.originals("aktogay")
    signed = sign(register, center.operator)
    await center.kept(await center.send(signed))
    await staff.acknowledge("specialist", register.id)
    await center.kept(await center.send(signed))  # sent again, in another message
    shown = (await staff.handover("specialist", register.id)).json()
    assert shown["state"] == "ACKNOWLEDGED"
    listed = (await staff.get("specialist", "/api/v1/handovers")).json()
    assert [item["id"] for item in listed["items"]].count(register.id) == 1


async def test_a_revocation_outage_is_waited_out_not_refused(world: World, center: Center) -> None:
    fresh, fresh_iin = await center_employee(world, "ЖАҢА")  # a certificate the provider has not checked yet
    register = center.originals("zhezkazgan")
    register = register.model_copy(update={"author": Author(iin=fresh_iin, bin=CENTER.bin)})
    fetcher = world.pki.fetcher
    asked = fetcher.ocsp_calls
    fetcher.ocsp_up = fetcher.crl_up = False
    try:
        envelope = await center.send(register, fresh)
        await wait_until(lambda: fetcher.ocsp_calls > asked)
        await asyncio.sleep(0.1)
        assert not await applied(world.provider_app.state.runtime.db, HANDOVER_QUEUE, envelope.message_id)
    finally:
        fetcher.ocsp_up = fetcher.crl_up = True
    await center.kept(envelope)
    assert (await Department(world, "zhezkazgan").handover("specialist", register.id)).json()["state"] == "RECEIVED"
    assert not [d for d in center.dead.deliveries if d.envelope.message_id == envelope.message_id]


# -- who sees what ----------------------------------------------------------------------------------------------------


async def test_another_districts_handover_is_not_found_and_not_listed(world: World, center: Center) -> None:
    register = center.originals("abay")
    await center.kept(await center.send(register))
    theirs = Department(world, "temirtau")
    assert code(await theirs.handover("specialist", register.id)) == "NOT_FOUND"
    assert code(await theirs.post("specialist", f"/api/v1/handovers/{register.id}/acknowledgment/draft")) == "NOT_FOUND"
    listed = (await theirs.get("specialist", "/api/v1/handovers")).json()["items"]
    assert register.id not in [item["id"] for item in listed]
    ours = Department(world, "abay")
    assert (await ours.handover("commission-member-1", register.id)).status_code == 200, "every staff member reads"
    assert (await world.provider.get(f"/api/v1/handovers/{register.id}")).status_code == 401


# -- the acknowledgment -----------------------------------------------------------------------------------------------


async def test_the_signed_acknowledgment_goes_to_the_center_once(world: World, center: Center) -> None:
    staff = Department(world, "bukhar-zhyrau")
    register = center.originals("bukhar-zhyrau", str_id(), str_id(), str_id())
    await center.kept(await center.send(register))
    me = await staff.me("specialist")

    draft = await staff.draft("specialist", register.id)
    assert (draft["handover"], draft["handover_type"], draft["total"]) == (register.id, register.type, 3)
    assert draft["accepted_by"] == me["full_name"] and draft["author"] == {"iin": me["iin"], "bin": PROVIDER.bin}
    signed = sign(draft, await staff.key("specialist"))
    response = await staff.send("specialist", register.id, signed)
    assert response.status_code == 200, response.text
    shown = response.json()
    assert (shown["state"], shown["accepted_by"], shown["acknowledged_by"]) == (
        "ACKNOWLEDGED",
        me["full_name"],
        me["login"],
    )
    assert shown["signed_ack"] == signed

    sent = await center.ack(register.id)
    assert (sent.message_type, sent.sender, sent.user_id, sent.issue) == (
        HANDOVER_ACK,
        PROVIDER.address,
        user_id(me["iin"]),
        register.id,
    )
    verified = await world.provider_app.state.runtime.verifier.verify(sent.document, model=HandoverAck)
    assert (verified.author.iin, verified.author.bin, verified.author.holder) == (me["iin"], PROVIDER.bin, "employee")
    assert verified.document.accepted_by == me["full_name"] and verified.document.handover == register.id

    again = await staff.send("specialist", register.id, signed)
    assert again.status_code == 200 and again.json()["acknowledged_at"] == shown["acknowledged_at"]
    another = sign(draft, await staff.key("specialist", fresh=True))
    assert code(await staff.send("specialist", register.id, another)) == "CONFLICT"
    assert code(await staff.post("specialist", f"/api/v1/handovers/{register.id}/acknowledgment/draft")) == "CONFLICT"
    await asyncio.sleep(0.2)
    assert len([d for d in center.acks.deliveries if d.envelope.correlation_id == register.id]) == 1, "sent once"
    listed = (await staff.get("specialist", "/api/v1/handovers", state="ACKNOWLEDGED")).json()["items"]
    assert register.id in [item["id"] for item in listed]
    assert register.id not in [
        item["id"] for item in (await staff.get("specialist", "/api/v1/handovers", state="RECEIVED")).json()["items"]
    ]


async def test_the_head_may_acknowledge_and_a_commission_member_may_not(world: World, center: Center) -> None:
    staff = Department(world, "karkaraly")
    register = center.unclaimed("karkaraly", "KRG-20260101-000042")
    await center.kept(await center.send(register, center.head))
    member = await staff.post("commission-member-1", f"/api/v1/handovers/{register.id}/acknowledgment/draft")
    assert member.status_code == 403 and code(member) == "FORBIDDEN"
    draft = await staff.draft("head", register.id)
    theirs = {**draft, "author": {"iin": (await staff.me("commission-member-1"))["iin"], "bin": PROVIDER.bin}}
    refused = await staff.send("commission-member-1", register.id, sign(theirs, await staff.key("commission-member-1")))
    assert refused.status_code == 403 and code(refused) == "FORBIDDEN", refused.text
    shown = await staff.acknowledge("head", register.id)
    assert shown["acknowledged_by"] == demo_login("karkaraly", "head") and shown["total"] == 1


async def test_an_acknowledgment_not_the_callers_own_signature_on_the_draft_is_refused(
    world: World, center: Center
) -> None:
    staff = Department(world, "osakarovka")
    register = center.originals("osakarovka")
    await center.kept(await center.send(register))
    draft = await staff.draft("specialist", register.id)

    by_head = await staff.send("specialist", register.id, sign(draft, await staff.key("head")))
    assert code(by_head) == "EDS_IIN_MISMATCH", by_head.text
    more = sign({**draft, "total": 99}, await staff.key("specialist"))
    assert code(await staff.send("specialist", register.id, more)) == "VALIDATION_FAILED"
    newer = await staff.draft("specialist", register.id)
    assert newer["id"] != draft["id"]
    stale = await staff.send("specialist", register.id, sign(draft, await staff.key("specialist")))
    assert code(stale) == "VALIDATION_FAILED", "a new draft replaces the earlier one"

    shown = (await staff.handover("specialist", register.id)).json()
    assert shown["state"] == "RECEIVED" and shown["signed_ack"] is None and shown["draft_ack"] == newer
    assert not [d for d in center.acks.deliveries if d.envelope.correlation_id == register.id]
    assert (await staff.send("specialist", register.id, sign(newer, await staff.key("specialist")))).status_code == 200


async def test_a_recall_acknowledged_after_its_day_is_late_and_shown_overdue_before(
    world: World, center: Center
) -> None:
    district = "shakhtinsk"
    staff = Department(world, district)
    app = world.provider_app
    sla = (await staff.get("head", "/api/v1/sla")).json()
    assert (sla["handovers_unacknowledged"], sla["recalls_overdue"]) == (0, 0)

    today = local_day(utcnow())
    late_one = center.recall(district, return_by=today, application_id=str_id())
    in_time = center.recall(district, return_by=today + timedelta(days=3))
    register = center.originals(district)
    for document, signer in ((late_one, center.system), (in_time, center.system), (register, center.operator)):
        await center.kept(await center.send(document, signer))
    sla = (await staff.get("head", "/api/v1/sla")).json()
    assert (sla["handovers_unacknowledged"], sla["recalls_overdue"]) == (3, 0)

    next_day = datetime.combine(today + timedelta(days=1), time(10, 0), tzinfo=KAZAKHSTAN).astimezone(UTC)
    app.state.clock = lambda: next_day
    try:
        shown = (await staff.handover("specialist", late_one.id)).json()
        assert shown["overdue"] is True
        recalls = (await staff.get("specialist", "/api/v1/handovers", kind="recall")).json()["items"]
        listed = {item["id"]: item for item in recalls}
        assert listed[late_one.id]["overdue"] is True and listed[in_time.id]["overdue"] is False
        sla = (await staff.get("head", "/api/v1/sla")).json()
        assert (sla["handovers_unacknowledged"], sla["recalls_overdue"]) == (3, 1)

        late = await staff.acknowledge("specialist", late_one.id)
        assert (late["returned_in_time"], late["overdue"], late["state"]) == (False, False, "ACKNOWLEDGED")
        on_time = await staff.acknowledge("specialist", in_time.id)
        assert on_time["returned_in_time"] is True
        sla = (await staff.get("head", "/api/v1/sla")).json()
        assert (sla["handovers_unacknowledged"], sla["recalls_overdue"]) == (1, 0)
    finally:
        app.state.clock = lambda: datetime.now(UTC)

    sent = await center.ack(late_one.id)
    assert sent.issue == late_one.application_id and sent.correlation_id == late_one.id
    answer = HandoverAck.model_validate(payload_of(sent.document))
    assert (answer.handover_type, answer.total, answer.district) == (late_one.type, 1, district)
    assert local_day(answer.accepted_at) == today + timedelta(days=1)


async def test_a_draft_of_an_earlier_day_is_drafted_again(world: World, center: Center) -> None:
    staff = Department(world, "ulytau")
    register = center.originals("ulytau")
    await center.kept(await center.send(register))
    app = world.provider_app
    yesterday = datetime.now(UTC) - timedelta(days=1)
    app.state.clock = lambda: yesterday
    try:
        draft = await staff.draft("specialist", register.id)
    finally:
        app.state.clock = lambda: datetime.now(UTC)
    refused = await staff.send("specialist", register.id, sign(draft, await staff.key("specialist")))
    assert code(refused) == "CONFLICT" and "draft" in refused.json()["error"]["details"]["reason"]
    assert (await staff.acknowledge("specialist", register.id))["state"] == "ACKNOWLEDGED"
