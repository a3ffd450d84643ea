"""Annex 1 steps 4–9 at the provider over its staff API, with client-side signing: the head's resolution,
the preparation, the commission's meeting and protocol signed by the members present, the draft result,
the head's signature, the dispatch (a signed result and a QUEUED/REFUSED status on the bus). Who may act
at which step, whose certificate may sign, another district, a revoked key, a stale countersignature."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import httpx
import pytest
import pytest_asyncio

from services.provider.staff import demo_login
from shared.calendar import KAZAKHSTAN, local_day, term_end
from shared.eds.signing import Signer, countersign, payload_of, sign
from shared.housing.application import AttachmentKind
from shared.housing.decisions import NotificationDocument, RefusalDocument
from shared.participants import PROVIDER
from tests.support.provider import World, deliver_registered

pytestmark = pytest.mark.asyncio(loop_scope="package")

ALL_DOCUMENTS = get_args(AttachmentKind)


@dataclass
class Staff:
    """The demo staff of one district, each with a token and an employee key of the department's BIN."""

    world: World
    district: str
    tokens: dict[str, str] = field(default_factory=dict)
    keys: dict[str, Signer] = field(default_factory=dict)

    async def headers(self, seat: str) -> dict[str, str]:
        login = demo_login(self.district, seat)
        if login not in self.tokens:
            self.tokens[login] = await self.world.token(login)
        return {"Authorization": f"Bearer {self.tokens[login]}"}

    async def key(self, seat: str) -> Signer:
        if seat not in self.keys:
            me = await self.get(seat, "/api/v1/staff/me")
            self.keys[seat] = await employee_key(self.world, me.json()["iin"])
        return self.keys[seat]

    async def get(self, seat: str, path: str, **params: Any) -> httpx.Response:
        return await self.world.provider.get(path, params=params, headers=await self.headers(seat))

    async def post(self, seat: str, path: str, body: Any = None) -> httpx.Response:
        return await self.world.provider.post(
            path, json=body if body is not None else {}, headers=await self.headers(seat)
        )

    async def ok(self, seat: str, path: str, body: Any = None) -> dict[str, Any]:
        response = await self.post(seat, path, body)
        assert response.status_code in (200, 201), response.text
        return response.json()  # type: ignore[no-any-return]

    # -- the steps, as the people would do them --------------------------------------------------------
    async def resolve(self, number: str) -> dict[str, Any]:
        draft = await self.ok("head", f"/api/v1/cases/{number}/resolution/draft")
        return await self.ok(
            "head", f"/api/v1/cases/{number}/resolution", {"signed": sign(draft["document"], await self.key("head"))}
        )

    async def meeting(
        self,
        *numbers: str,
        present: tuple[str, ...] = ("commission-chair", "commission-secretary", "commission-member-1"),
    ) -> dict[str, Any]:
        logins = [demo_login(self.district, seat) for seat in present]
        return await self.ok("commission-secretary", "/api/v1/meetings", {"present": logins, "cases": list(numbers)})

    async def sign_protocol(self, meeting: dict[str, Any]) -> dict[str, Any]:
        for login in meeting["awaiting"]:
            seat = login.removesuffix(f".{self.district}")
            key = await self.key(seat)
            signed = (
                sign(meeting["document"], key)
                if meeting["signed"] is None
                else countersign(meeting["signed"], key, role="approval")
            )
            meeting = await self.ok(seat, f"/api/v1/meetings/{meeting['id']}/signatures", {"signed": signed})
        return meeting

    async def result(self, number: str) -> dict[str, Any]:
        draft = await self.ok("specialist", f"/api/v1/cases/{number}/result/draft")
        return await self.ok(
            "head", f"/api/v1/cases/{number}/result", {"signed": sign(draft["document"], await self.key("head"))}
        )


async def employee_key(world: World, iin: str, bin_: str = PROVIDER.bin) -> Signer:
    subject = {
        "iin": iin,
        "surname": "ҚЫЗМЕТКЕР",
        "given_name": "ТЕСТ",
        "bin": bin_,
        "organization": "Тұрғын үй бөлімі",
    }
    return await world.pki.issue(iin, holder="employee", subject=subject)


@pytest_asyncio.fixture(loop_scope="package")
async def karaganda(world: World) -> AsyncIterator[Staff]:
    yield Staff(world, "karaganda")


async def registered_case(world: World, district: str = "karaganda", trait: str = "eligible") -> tuple[str, str]:
    """A case opened for a persona with every document attached: (case number, application id)."""
    iin = await world.persona(trait)
    application = await world.application(iin, district=district, attach=ALL_DOCUMENTS)
    await deliver_registered(world, application)
    status = await world.status(application.id)
    assert status.status == "REGISTERED" and status.case_number is not None, status
    return status.case_number, application.id


async def test_a_case_goes_from_the_heads_resolution_to_a_signed_notification_on_the_bus(
    world: World, karaganda: Staff
) -> None:
    number, application_id = await registered_case(world)
    case = (await karaganda.get("specialist", f"/api/v1/cases/{number}")).json()
    assert (case["step"], case["actor"]) == (4, "head")

    case = await karaganda.resolve(number)
    assert (case["step"], case["executor"]) == (5, "specialist.karaganda")
    assert case["steps"][0]["step"] == 4 and case["steps"][0]["document"]["signatures"]

    case = await karaganda.ok(
        "specialist", f"/api/v1/cases/{number}/preparation", {"decision": "register", "waiting_list": "employees"}
    )
    assert case["step"] == 6 and case["proposal"]["waiting_list"]["code"] == "employees"

    meeting = await karaganda.meeting(number)
    assert meeting["awaiting"][0] == "commission-chair.karaganda" and meeting["agenda"] == [number]
    meeting = await karaganda.sign_protocol(meeting)
    assert meeting["status"] == "signed" and len(meeting["signed"]["signatures"]) == 3
    verified = await world.provider_app.state.runtime.verifier.verify(meeting["signed"], purpose="sign")
    assert [s.role for s in verified.signatures] == ["author", "approval", "approval"]

    case = (await karaganda.get("specialist", f"/api/v1/cases/{number}")).json()
    assert case["step"] == 7 and case["decision"]["protocol"]["number"] == meeting["number"]
    case = await karaganda.result(number)
    assert case["step"] == 9
    case = await karaganda.ok("specialist", f"/api/v1/cases/{number}/dispatch")
    assert (case["step"], case["status"], case["waiting_list"]) == (None, "QUEUED", "employees")

    sent = await world.result(application_id)
    result = await world.provider_app.state.runtime.verifier.verify(sent.document, model=NotificationDocument)
    head = (await karaganda.get("head", "/api/v1/staff/me")).json()
    assert (result.author.iin, result.author.bin, result.author.holder) == (head["iin"], PROVIDER.bin, "employee")
    assert result.document.case_number == number and result.document.queue_number >= 1
    assert result.document.protocol.number == meeting["number"]
    assert result.document.queued_at == datetime.fromisoformat(case["registered_at"])
    statuses = [s.status for s in await world.statuses_of(application_id, 3)]
    assert statuses == ["REGISTERED", "IN_REVIEW", "QUEUED"]
    assert [s["step"] for s in case["steps"]] == [4, 5, 6, 7, 8, 9]


async def test_the_commission_refuses_and_the_refusal_names_its_ground(world: World, karaganda: Staff) -> None:
    number, application_id = await registered_case(world)
    await karaganda.resolve(number)
    ground = {"paragraph": "§15", "item": 2, "text": "sold a dwelling in 2024"}
    await karaganda.ok("specialist", f"/api/v1/cases/{number}/preparation", {"decision": "refuse", "grounds": [ground]})
    await karaganda.sign_protocol(await karaganda.meeting(number))
    await karaganda.result(number)
    case = await karaganda.ok("specialist", f"/api/v1/cases/{number}/dispatch")
    assert case["status"] == "REFUSED"
    sent = await world.result(application_id)
    refusal = RefusalDocument.model_validate(payload_of(sent.document))
    assert [(g.paragraph, g.item) for g in refusal.grounds] == [("§15", 2)]


async def test_a_process_7_refusal_is_drafted_signed_by_the_head_and_sent(world: World, karaganda: Staff) -> None:
    iin = await world.persona("marriage_before_2008")
    application = await world.application(iin, district="karaganda")  # no marriage certificate attached
    await deliver_registered(world, application)
    status = await world.status(application.id)
    assert status.status == "REFUSED_DOCUMENTS"
    number = status.case_number
    assert number is not None
    case = (await karaganda.get("specialist", f"/api/v1/cases/{number}")).json()
    assert (case["step"], case["actor"]) == (7, "specialist")
    await karaganda.result(number)
    case = await karaganda.ok("specialist", f"/api/v1/cases/{number}/dispatch")
    assert (case["status"], case["step"]) == ("REFUSED_DOCUMENTS", None)
    refusal = RefusalDocument.model_validate(payload_of((await world.result(application.id)).document))
    assert refusal.grounds[0].paragraph == "§14" and refusal.missing_documents and refusal.protocol is None


async def test_a_role_acts_only_at_its_steps(world: World, karaganda: Staff) -> None:
    number, _ = await registered_case(world)
    draft = await karaganda.ok("head", f"/api/v1/cases/{number}/resolution/draft")
    as_specialist = await karaganda.post(
        "specialist",
        f"/api/v1/cases/{number}/resolution",
        {"signed": sign(draft["document"], await karaganda.key("head"))},
    )
    assert as_specialist.status_code == 403 and as_specialist.json()["error"]["code"] == "FORBIDDEN"
    too_early = await karaganda.post(
        "specialist", f"/api/v1/cases/{number}/preparation", {"decision": "register", "waiting_list": "employees"}
    )
    assert too_early.status_code == 409 and too_early.json()["error"]["code"] == "CONFLICT"
    not_a_convener = await karaganda.post("commission-member-1", "/api/v1/meetings", {"present": ["x"]})
    assert not_a_convener.status_code == 403


async def test_the_head_signs_with_the_heads_own_key_only(world: World, karaganda: Staff) -> None:
    number, _ = await registered_case(world)
    draft = await karaganda.ok("head", f"/api/v1/cases/{number}/resolution/draft")
    by_specialist = sign(
        draft["document"], await karaganda.key("specialist")
    )  # a document naming the head, signed by another
    refused = await karaganda.post("head", f"/api/v1/cases/{number}/resolution", {"signed": by_specialist})
    assert refused.json()["error"]["code"] == "EDS_IIN_MISMATCH", refused.text
    head_iin = (await karaganda.get("head", "/api/v1/staff/me")).json()["iin"]
    citizen_key = await world.pki.issue(head_iin)  # the head's IIN, but a personal certificate
    refused = await karaganda.post(
        "head", f"/api/v1/cases/{number}/resolution", {"signed": sign(draft["document"], citizen_key)}
    )
    assert refused.json()["error"]["code"] in ("EDS_IIN_MISMATCH", "EDS_PURPOSE_INVALID"), refused.text
    other_bin = await employee_key(world, head_iin, bin_="050540004455")
    refused = await karaganda.post(
        "head", f"/api/v1/cases/{number}/resolution", {"signed": sign(draft["document"], other_bin)}
    )
    assert refused.json()["error"]["code"] in ("EDS_PURPOSE_INVALID", "EDS_IIN_MISMATCH"), refused.text
    assert (await karaganda.get("head", f"/api/v1/cases/{number}")).json()["step"] == 4


async def test_a_head_of_another_district_cannot_see_or_resolve_the_case(world: World, karaganda: Staff) -> None:
    number, _ = await registered_case(world)
    other = Staff(world, "temirtau")
    assert (await other.get("head", f"/api/v1/cases/{number}")).status_code == 404
    assert (await other.post("head", f"/api/v1/cases/{number}/resolution/draft")).status_code == 404
    draft = await karaganda.ok("head", f"/api/v1/cases/{number}/resolution/draft")
    theirs = await other.post(
        "head", f"/api/v1/cases/{number}/resolution", {"signed": sign(draft["document"], await other.key("head"))}
    )
    assert theirs.json()["error"]["code"] in ("NOT_FOUND", "EDS_IIN_MISMATCH"), theirs.text
    assert (await karaganda.get("head", f"/api/v1/cases/{number}")).json()["step"] == 4


async def test_a_result_signed_with_a_revoked_certificate_is_refused(world: World, karaganda: Staff) -> None:
    number, _ = await registered_case(world)
    await karaganda.resolve(number)
    await karaganda.ok(
        "specialist", f"/api/v1/cases/{number}/preparation", {"decision": "register", "waiting_list": "employees"}
    )
    await karaganda.sign_protocol(await karaganda.meeting(number))
    draft = await karaganda.ok("specialist", f"/api/v1/cases/{number}/result/draft")
    head_iin = (await karaganda.get("head", "/api/v1/staff/me")).json()["iin"]
    revoked = await employee_key(world, head_iin)
    await world.pki.revoke(revoked)
    refused = await karaganda.post(
        "head", f"/api/v1/cases/{number}/result", {"signed": sign(draft["document"], revoked)}
    )
    assert refused.json()["error"]["code"] == "EDS_CERT_REVOKED", refused.text
    tampered = sign({**draft["document"], "queue_number": 1_000}, await karaganda.key("head"))
    refused = await karaganda.post("head", f"/api/v1/cases/{number}/result", {"signed": tampered})
    assert refused.json()["error"]["code"] == "VALIDATION_FAILED", refused.text
    assert (await karaganda.get("head", f"/api/v1/cases/{number}")).json()["step"] == 8


async def test_a_meeting_needs_a_quorum_with_the_chair_and_the_chair_signs_first(
    world: World, karaganda: Staff
) -> None:
    number, _ = await registered_case(world)
    await karaganda.resolve(number)
    await karaganda.ok(
        "specialist", f"/api/v1/cases/{number}/preparation", {"decision": "register", "waiting_list": "employees"}
    )
    two = [demo_login("karaganda", s) for s in ("commission-chair", "commission-secretary")]
    no_quorum = await karaganda.post("commission-secretary", "/api/v1/meetings", {"present": two, "cases": [number]})
    assert no_quorum.status_code == 422 and "quorum" in no_quorum.text
    no_chair = [
        demo_login("karaganda", s) for s in ("commission-secretary", "commission-member-1", "commission-member-2")
    ]
    refused = await karaganda.post("commission-secretary", "/api/v1/meetings", {"present": no_chair, "cases": [number]})
    assert refused.status_code == 422 and "chair" in refused.text
    meeting = await karaganda.meeting(number)
    early = await karaganda.post(
        "commission-secretary",
        f"/api/v1/meetings/{meeting['id']}/signatures",
        {"signed": sign(meeting["document"], await karaganda.key("commission-secretary"))},
    )
    assert early.json()["error"]["code"] == "EDS_IIN_MISMATCH", early.text  # the protocol's author is the chair
    chair = await karaganda.ok(
        "commission-chair",
        f"/api/v1/meetings/{meeting['id']}/signatures",
        {"signed": sign(meeting["document"], await karaganda.key("commission-chair"))},
    )
    chair_iin = (await karaganda.get("commission-chair", "/api/v1/staff/me")).json()["iin"]
    another_chair_key = await employee_key(world, chair_iin)
    stale = countersign(
        sign(meeting["document"], another_chair_key), await karaganda.key("commission-member-1"), role="approval"
    )
    refused = await karaganda.post(
        "commission-member-1", f"/api/v1/meetings/{meeting['id']}/signatures", {"signed": stale}
    )
    assert refused.status_code == 409, refused.text  # over another chair's signature than the one kept
    absent = await karaganda.post(
        "commission-member-2",
        f"/api/v1/meetings/{meeting['id']}/signatures",
        {"signed": countersign(chair["signed"], await karaganda.key("commission-member-2"), role="approval")},
    )
    assert absent.status_code == 409  # not present at the meeting
    again = await karaganda.post(
        "commission-secretary", "/api/v1/meetings", {"present": two + [no_chair[1]], "cases": [number]}
    )
    assert again.status_code == 409  # the case is on a meeting already


@pytest.mark.parametrize(
    ("started", "limit_days"),
    [
        (datetime(2026, 3, 20, 10, 0, tzinfo=KAZAKHSTAN), None),  # before Nauryz 2026
        (datetime(2014, 5, 6, 10, 0, tzinfo=KAZAKHSTAN), None),  # before 7 and 9 May 2014
    ],
)
async def test_the_sla_view_shows_a_case_overdue_once_the_clock_passes_its_limit(
    world: World, karaganda: Staff, started: datetime, limit_days: None
) -> None:
    from shared.calendar import due

    app = world.provider_app
    number, _ = await registered_case(world)
    app.state.clock = lambda: started.astimezone(UTC)
    try:
        await karaganda.resolve(number)  # the case waits at step 5 (5 working days) from `started`
        limit = due(started, 5, "working")
        for moment, overdue in ((limit - timedelta(minutes=1), False), (limit + timedelta(minutes=1), True)):
            app.state.clock = lambda moment=moment: moment
            view = (await karaganda.get("head", "/api/v1/sla")).json()
            item = next(i for i in view["items"] if i["case_number"] == number)
            assert item["overdue"] is overdue and datetime.fromisoformat(item["due_at"]) == limit
            assert item["due_today"] is (not overdue)
            registered = (await karaganda.get("head", f"/api/v1/cases/{number}")).json()["registered_at"]
            term = term_end(local_day(datetime.fromisoformat(registered)), channel="portal")
            assert item["term_end"] == item["deliver_by"] == term.isoformat()  # §12: 30 days, portal
            assert view["overdue"] >= int(overdue)
        listed = (await karaganda.get("head", "/api/v1/cases", step=5)).json()["items"]
        assert any(c["number"] == number and c["overdue"] for c in listed)
    finally:
        app.state.clock = lambda: datetime.now(UTC)
    assert limit.astimezone(KAZAKHSTAN).date() > started.date() + timedelta(days=7)  # the holidays are skipped


@pytest.mark.parametrize(
    ("trait", "item"),
    [
        ("ground:exchange", 1),
        ("ground:alienation", 2),
        ("ground:damage", 3),
        ("ground:left_dwelling", 4),
        ("ground:moved_in_others", 5),
    ],
)
async def test_each_ground_persona_is_refused_on_its_ground_with_the_facts(
    world: World, karaganda: Staff, trait: str, item: int
) -> None:
    number, application_id = await registered_case(world, trait=trait)
    case = (await karaganda.get("specialist", f"/api/v1/cases/{number}")).json()
    findings = [f for f in case["assessment"]["findings"] if f["ground"] == item and f["counts"]]
    assert findings and all(f["evidence"] for f in findings), case["assessment"]
    await karaganda.resolve(number)
    suggestion = (await karaganda.get("specialist", f"/api/v1/cases/{number}")).json()["suggestion"]
    assert suggestion["decision"] == "refuse" and item in [g["item"] for g in suggestion["grounds"]]
    if not suggestion["settled"]:  # the registries cannot settle it: the commission weighs the facts
        assert suggestion["questions"]
    await karaganda.ok("specialist", f"/api/v1/cases/{number}/preparation", {})
    await karaganda.sign_protocol(await karaganda.meeting(number))
    await karaganda.result(number)
    assert (await karaganda.ok("specialist", f"/api/v1/cases/{number}/dispatch"))["status"] == "REFUSED"
    refusal = RefusalDocument.model_validate(payload_of((await world.result(application_id)).document))
    assert item in [g.item for g in refusal.grounds] and all(g.paragraph == "§15" for g in refusal.grounds)
    assert refusal.protocol is not None


async def test_the_buyback_persona_is_registered(world: World, karaganda: Staff) -> None:
    number, application_id = await registered_case(world, trait="exception:buyback")
    case = (await karaganda.get("specialist", f"/api/v1/cases/{number}")).json()
    assert any(f["status"] == "excepted" for f in case["assessment"]["findings"]), case["assessment"]
    await karaganda.resolve(number)
    suggestion = (await karaganda.get("specialist", f"/api/v1/cases/{number}")).json()["suggestion"]
    assert suggestion["decision"] != "refuse" and suggestion["grounds"] == [], suggestion  # the exception holds
    listed = suggestion.get("waiting_list") or {
        "code": "vulnerable"
    }  # none fits its categories: the commission names one
    proposal = {"decision": "register", "waiting_list": listed["code"]}
    await karaganda.ok("specialist", f"/api/v1/cases/{number}/preparation", proposal)
    await karaganda.sign_protocol(await karaganda.meeting(number))
    await karaganda.result(number)
    done = await karaganda.ok("specialist", f"/api/v1/cases/{number}/dispatch")
    assert done["status"] == "QUEUED", done
    notification = NotificationDocument.model_validate(payload_of((await world.result(application_id)).document))
    assert notification.waiting_list.code == done["waiting_list"]


async def test_a_head_key_revoked_before_the_dispatch_sends_nothing_and_returns_the_case_to_the_head(
    world: World, karaganda: Staff
) -> None:
    number, application_id = await registered_case(world)
    await karaganda.resolve(number)
    await karaganda.ok(
        "specialist", f"/api/v1/cases/{number}/preparation", {"decision": "register", "waiting_list": "employees"}
    )
    await karaganda.sign_protocol(await karaganda.meeting(number))
    draft = await karaganda.ok("specialist", f"/api/v1/cases/{number}/result/draft")
    head_iin = (await karaganda.get("head", "/api/v1/staff/me")).json()["iin"]
    soon_revoked = await employee_key(world, head_iin)
    await karaganda.ok("head", f"/api/v1/cases/{number}/result", {"signed": sign(draft["document"], soon_revoked)})
    await world.pki.revoke(soon_revoked)
    world.provider_app.state.runtime.verifier.forget()  # what step 8 learnt of the certificate is not reused
    refused = await karaganda.post("specialist", f"/api/v1/cases/{number}/dispatch")
    assert refused.json()["error"]["code"] == "EDS_CERT_REVOKED", refused.text
    assert refused.json()["error"]["details"]["returned_to_step"] == 8
    case = (await karaganda.get("head", f"/api/v1/cases/{number}")).json()
    assert (case["step"], case["result"]) == (8, None) and not world.results.get(application_id)
    await karaganda.ok(
        "head", f"/api/v1/cases/{number}/result", {"signed": sign(case["draft"], await karaganda.key("head"))}
    )
    assert (await karaganda.ok("specialist", f"/api/v1/cases/{number}/dispatch"))["status"] == "QUEUED"
