"""The autopilot (architecture §6) against the provider in process, over its public API only: it plays
one district's demo staff through every Annex 1 step a case waits at, one step a pass (a meeting: one
signature a pass), signs with employee keys it got from the NCA once per person, leaves other districts
alone, signs in again when a token is refused, and stops at a wrong password rather than lock the accounts."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from typing import Any

import pytest

from client.autopilot import CHAIR, HEAD, MEMBERS, SECRETARY, SPECIALIST, Autopilot, Moves, WrongPassword, demo_login
from client.sdk import NcaClient, read_signed
from client.staff import StaffClient, employee_key, sign_resolution
from shared.eds.signing import b64url_decode
from tests.client.harness import NCA, PROVIDER, Bridge, hand_over, open_case
from tests.support.provider import DEMO_PASSWORD, World, deliver_registered

pytestmark = pytest.mark.asyncio(loop_scope="package")

ISSUE = ("POST", "/nca/v1/certificates")


class Reader:
    """The staff's view of the provider, for the test to look with (tokens cached)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.tokens: dict[str, str] = {}

    async def get(self, login: str, path: str, **params: Any) -> Any:
        if login not in self.tokens:
            self.tokens[login] = await self.world.token(login)
        answer = await self.world.provider.get(
            path, params=params, headers={"Authorization": f"Bearer {self.tokens[login]}"}
        )
        assert answer.status_code == 200, answer.text
        return answer.json()


def pilot_of(bridge: Bridge, district: str, password: str = DEMO_PASSWORD) -> Autopilot:
    return Autopilot(PROVIDER, NCA, password, districts=[district], interval=0, transport=bridge, nca_transport=bridge)


async def tick(pilot: Autopilot) -> Moves:
    moves = await asyncio.to_thread(pilot.tick)
    assert not [r for r in moves.refused if r[3] != "CONFLICT"], moves.refused
    return moves


def roles(signed: dict[str, Any]) -> list[str]:
    return [json.loads(b64url_decode(s["protected"]))["role"] for s in signed["signatures"]]


async def test_the_autopilot_decides_every_case_of_its_district(world: World, bridge: Bridge) -> None:
    district, elsewhere = "satpayev", "abay"
    queued = await open_case(world, district, "eligible")
    refused = await open_case(world, district, "ground:alienation")
    documents = await open_case(world, district, "marriage_before_2008")  # §14 copies missing: Process 7
    untouched = await open_case(world, elsewhere, "eligible")
    reader = Reader(world)
    head = demo_login(HEAD, district)
    pilot = pilot_of(bridge, district)

    passes: list[Moves] = []
    for _ in range(20):
        passes.append(await tick(pilot))
        cases = {n: await reader.get(head, f"/api/v1/cases/{n}") for n in (queued, refused, documents)}
        if all(c["step"] is None for c in cases.values()):
            break
    else:
        raise AssertionError(f"not done: {[(n, c['step']) for n, c in cases.items()]}")

    # Each case moved one step a pass, as a person would.
    for moves in passes:
        moved = Counter(what for _, step, what in moves.done if step != 6)
        assert all(count == 1 for count in moved.values()), moves.done
    assert len(passes) >= 9, "4, 5, the meeting and three signatures, 7, 8, 9"

    assert cases[queued]["status"] == "QUEUED" and cases[queued]["queue_number"] >= 1
    assert cases[refused]["status"] == "REFUSED"
    assert cases[documents]["status"] == "REFUSED_DOCUMENTS"
    assert [s["step"] for s in cases[queued]["steps"]] == [4, 5, 6, 7, 8, 9]
    assert [s["step"] for s in cases[documents]["steps"]] == [7, 8, 9], "Process 7 skips the head and commission"

    me = await reader.get(head, "/api/v1/staff/me")
    for number, kind in ((queued, "notification"), (refused, "refusal"), (documents, "refusal")):
        document, signatures = read_signed(cases[number]["result"])
        assert document["type"] == f"housing-queue/{kind}@1"
        assert [(s.role, s.iin) for s in signatures] == [("author", me["iin"])], "the head signed the result"
        assert cases[number]["steps"][-2]["actor"] == head
        assert cases[number]["steps"][-1]["actor"] == demo_login(SPECIALIST, district)
    assert read_signed(cases[refused]["result"])[0]["grounds"][0]["item"] == 2
    assert read_signed(cases[documents]["result"])[0]["grounds"][0]["paragraph"] == "§14"

    # One meeting, the chair, the secretary and a member present, each of whom signed (the chair first).
    meetings = await reader.get(demo_login(CHAIR, district), "/api/v1/meetings")
    assert meetings["total"] == 1
    meeting = meetings["items"][0]
    present = [demo_login(seat, district) for seat in (CHAIR, SECRETARY, MEMBERS[0])]
    assert meeting["status"] == "signed" and meeting["present"] == present and meeting["signed_by"] == present
    assert sorted(meeting["agenda"]) == sorted([queued, refused])
    assert roles(meeting["signed"]) == ["author", "approval", "approval"]

    # Keys: one employee certificate per person who signs, from the NCA, never again.
    assert bridge.count(*ISSUE) == 4
    signers = {login for login, person in pilot.people.items() if person.signer is not None}
    assert signers == {head, *present}
    await tick(pilot)
    assert bridge.count(*ISSUE) == 4

    # Another district's case is another district's staff's.
    other = await reader.get(demo_login(HEAD, elsewhere), f"/api/v1/cases/{untouched}")
    assert other["step"] == 4 and other["steps"] == []
    pilot.close()


async def test_an_expired_token_is_replaced_by_signing_in_again(world: World, bridge: Bridge) -> None:
    district = "karazhal"
    number = await open_case(world, district, "eligible")
    pilot = pilot_of(bridge, district)
    await tick(pilot)  # the head resolves it
    head = pilot.people[demo_login(HEAD, district)]  # signed in (never sign in here: this thread serves the apps)
    head.client.token = "expired.or.forged"
    logins = bridge.count("POST", "/api/v1/staff/token")
    moves = await tick(pilot)  # the head reads the SLA view: 401, signs in again, reads it
    assert (demo_login(SPECIALIST, district), 5, number) in moves.done
    assert head.client.token != "expired.or.forged"
    assert bridge.count("POST", "/api/v1/staff/token") - logins == 2, "the head again, and the specialist"
    pilot.close()


async def test_a_wrong_password_stops_the_autopilot_at_the_first_login(world: World, bridge: Bridge) -> None:
    pilot = pilot_of(bridge, "ulytau", password="not the demo password")
    logins = bridge.count("POST", "/api/v1/staff/token")
    with pytest.raises(WrongPassword):
        await asyncio.to_thread(pilot.tick)
    stop = threading.Event()
    await asyncio.wait_for(asyncio.to_thread(pilot.run, stop), timeout=10)  # returns by itself
    assert not stop.is_set()
    assert bridge.count("POST", "/api/v1/staff/token") - logins == 2, "one attempt a start: no lockout"
    assert (
        await world.provider.post("/api/v1/staff/token", json={"login": "head.ulytau", "password": DEMO_PASSWORD})
    ).status_code == 200
    pilot.close()


async def test_the_autopilot_takes_a_case_on_where_a_person_left_it(world: World, bridge: Bridge) -> None:
    """A person resolved and prepared the case by hand; the autopilot convenes, signs and sends it."""
    district = "nura"
    number = await open_case(world, district, "eligible")

    def by_hand() -> None:
        head = StaffClient(PROVIDER, transport=bridge)
        head.login(demo_login(HEAD, district), DEMO_PASSWORD)
        signer = employee_key(head, NcaClient(NCA, transport=bridge)).signer()
        head.resolve(number, sign_resolution(head.resolution_draft(number), signer))
        specialist = StaffClient(PROVIDER, transport=bridge)
        specialist.login(demo_login(SPECIALIST, district), DEMO_PASSWORD)
        assert specialist.prepare(number)["step"] == 6

    await asyncio.to_thread(by_hand)
    pilot = pilot_of(bridge, district)
    first = await tick(pilot)
    assert [(step, login) for login, step, _ in first.done] == [(6, demo_login(SECRETARY, district))]
    for _ in range(8):
        await tick(pilot)
    case = await Reader(world).get(demo_login(HEAD, district), f"/api/v1/cases/{number}")
    assert case["status"] == "QUEUED" and case["steps"][0]["actor"] == demo_login(HEAD, district)
    pilot.close()


async def no_social_status(world: World, trait: str) -> str:
    """A persona with ``trait`` whom the social-status registry shows in no group: declaring no category,
    they fit no list."""
    for iin in await world.personas(trait):
        if not (await world.registry_result(f"/api/v1/persons/{iin}/social-status"))["statuses"]:
            return iin
    raise AssertionError(f"every {trait} persona has a social status")


async def test_a_case_the_suggestion_does_not_decide_is_left_to_a_person(world: World, bridge: Bridge) -> None:
    """No 2014 list fits the applicant's categories and no ground of §15: the autopilot does not make up a
    decision; a person puts one, and the autopilot goes on from there."""
    district = "osakarovka"
    iin = await no_social_status(world, "employee:military")
    application = await world.application(
        iin, district=district, categories=[], vulnerable_groups=[], employment_categories=[]
    )
    await deliver_registered(world, application)
    number = (await world.status(application.id)).case_number
    assert number is not None
    pilot = pilot_of(bridge, district)
    await tick(pilot)  # 4
    left = await asyncio.to_thread(pilot.tick)
    assert left.done == [] and left.refused == [(demo_login(SPECIALIST, district), 5, number, "VALIDATION_FAILED")]
    again = await asyncio.to_thread(pilot.tick)
    assert again.refused == [], "not tried again at once"

    def by_hand() -> None:
        specialist = StaffClient(PROVIDER, transport=bridge)
        specialist.login(demo_login(SPECIALIST, district), DEMO_PASSWORD)
        assert specialist.prepare(number, decision="register", waiting_list="vulnerable")["step"] == 6

    await asyncio.to_thread(by_hand)
    for _ in range(8):
        await tick(pilot)
    case = await Reader(world).get(demo_login(HEAD, district), f"/api/v1/cases/{number}")
    assert case["status"] == "QUEUED" and case["waiting_list"] == "vulnerable"
    pilot.close()


async def test_the_autopilot_command_stops_with_an_error_when_the_password_is_refused(
    world: World, bridge: Bridge, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from client import staff_cli
    from client.cli import _parser

    monkeypatch.setenv("STAFF_PASSWORD", "not the demo password")
    args = _parser().parse_args(["staff", "autopilot", "--provider", PROVIDER, "--nca", NCA, "--district", "ulytau"])
    code = await asyncio.wait_for(asyncio.to_thread(staff_cli.run, args, bridge, bridge), timeout=20)
    assert code == 2 and "refused the demo staff's password" in capsys.readouterr().err
    assert (
        await world.provider.post("/api/v1/staff/token", json={"login": "head.ulytau", "password": DEMO_PASSWORD})
    ).status_code == 200  # one attempt, no lockout


async def test_the_autopilot_acknowledges_the_centers_handovers_of_its_district(world: World, bridge: Bridge) -> None:
    import uuid

    district, elsewhere = "priozersk", "zhezkazgan"
    ours = await hand_over(world, district, str(uuid.uuid4()), str(uuid.uuid4()))
    theirs = await hand_over(world, elsewhere, str(uuid.uuid4()))
    specialist = demo_login(SPECIALIST, district)
    pilot = pilot_of(bridge, district)

    moves = await tick(pilot)
    assert (specialist, 3, ours.id) in moves.done
    reader = Reader(world)
    shown = await reader.get(specialist, f"/api/v1/handovers/{ours.id}")
    assert (shown["state"], shown["acknowledged_by"], shown["total"]) == ("ACKNOWLEDGED", specialist, 2)
    me = await reader.get(specialist, "/api/v1/staff/me")
    document, signatures = read_signed(shown["signed_ack"])
    assert document["accepted_by"] == me["full_name"] and [s.iin for s in signatures] == [me["iin"]]
    assert (await reader.get(demo_login(HEAD, district), "/api/v1/sla"))["handovers_unacknowledged"] == 0

    again = await tick(pilot)
    assert not [move for move in again.done if move[1] == 3], "nothing left to acknowledge"
    other = await reader.get(demo_login(HEAD, elsewhere), f"/api/v1/handovers/{theirs.id}")
    assert other["state"] == "RECEIVED", "another district's handover is its own staff's"
    pilot.close()
