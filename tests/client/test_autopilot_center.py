"""The autopilot's Center back office (`client.autopilot`, ``AUTOPILOT=1``) against the Center in process with
the registries, the test NCA and the regional gateway (tests.support.center), over the Center's operator API
only, with the Center's clock at chosen moments: at a register time the branch's demo operator sends the
register of originals of what was accepted before it (one register a district, nothing twice, what came after
it at the next register time), and the head hands the unclaimed results over with the Annex 4 register; a
branch without work is only read (the head never signs in, no key is issued); a refused password is tried once
and leaves the Center to people, and a missing one is said once. Each test works at a branch no other test of
the world takes in at."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from typing import Any

import pytest

from client.autopilot import BRANCH_HEAD, CLERK, ORIGINALS, UNCLAIMED, Autopilot, Moves, demo_login
from shared.eds.signing import payload_of
from tests.center.harness import local
from tests.client.harness import NCA, PROVIDER, Bridge
from tests.support.center import DEMO_PASSWORD, Desk, result_accepted_at, set_clock, spare

pytestmark = pytest.mark.asyncio(loop_scope="package")

CENTER = "http://center"
TOKEN = ("POST", "/api/v1/operators/token")
ISSUE = ("POST", "/nca/v1/certificates")
SCHEDULE = ("GET", "/api/v1/registers/originals/schedule")


def pilot_of(bridge: Bridge, *branches: str, password: str | None = DEMO_PASSWORD, **kwargs: Any) -> Autopilot:
    """The autopilot of the Center's ``branches`` only (no district of the provider's)."""
    return Autopilot(
        PROVIDER,
        NCA,
        "the provider's staff are not played here",
        districts=[],
        interval=0,
        transport=bridge,
        nca_transport=bridge,
        center_url=CENTER,
        center_password=password,
        branches=branches,
        **kwargs,
    )


async def tick(pilot: Autopilot) -> Moves:
    moves = await asyncio.to_thread(pilot.tick)
    assert not [r for r in moves.refused if r[3] != "CONFLICT"], moves.refused
    return moves


async def accepted_for(desk: Desk, login: str, at: datetime, district: str) -> dict[str, Any]:
    set_clock(desk.clock, at)
    intake = await desk.started(login, await spare(desk), district=district)
    await desk.present(login, intake)
    return await desk.accept(login, intake)


async def read(desk: Desk, login: str, path: str) -> Any:
    response = await desk.call(login, "GET", path)
    assert response.status_code == 200, response.text
    return response.json()


def entries(register: dict[str, Any]) -> list[str]:
    return [e["application_id"] for e in payload_of(register["signed"])["entries"]]


async def test_at_a_register_time_the_autopilot_sends_the_originals_and_hands_unclaimed_results_over(
    center_world: Desk, center_bridge: Bridge
) -> None:
    branch, person = "nura", "operator-2.nura"  # a person takes the applications in; the autopilot plays the rest
    clerk, head = demo_login(CLERK, branch), demo_login(BRANCH_HEAD, branch)
    day = date(2026, 3, 18)  # a Wednesday
    # ready on 18 February (accepted on Monday 19 January): unclaimed from 18 March, and its originals never sent
    unclaimed = await result_accepted_at(center_world, person, local(date(2026, 1, 19), 10))
    morning = await accepted_for(center_world, person, local(day, 11), "nura")
    waiting = {unclaimed["application"]["id"], morning["application"]["id"]}
    pilot = pilot_of(center_bridge, branch, look_every=0)

    set_clock(center_world.clock, local(day, 12, 5))
    moves = await tick(pilot)
    sent = await read(center_world, person, "/api/v1/registers/originals")
    assert sent and {a for r in sent for a in entries(r)} == waiting, "every one accepted before 12:00, late or not"
    assert all(r["signed_by"] == clerk and r["slot_at"].startswith("2026-03-18T07:00:00") for r in sent)
    assert {r["district"] for r in sent} == {unclaimed["district"], "nura"}, "one register a district"
    for register in sent:
        assert (clerk, ORIGINALS, register["id"]) in moves.done
        handed = await center_world.handed_over(register["id"])
        assert handed.routing_key == f"handover.{register['district']}"
    annex_4 = await read(center_world, person, "/api/v1/results/unclaimed/registers")
    assert [(r["signed_by"], r["application_ids"]) for r in annex_4] == [(head, [unclaimed["application"]["id"]])]
    assert (head, UNCLAIMED, annex_4[0]["id"]) in moves.done
    await center_world.handed_over(annex_4[0]["id"])
    result = await read(center_world, person, f"/api/v1/results/{unclaimed['application']['id']}")
    assert result["custody"] == "WITH_PROVIDER" and result["handed_over"]["register_id"] == annex_4[0]["id"]
    assert await read(center_world, person, "/api/v1/results/unclaimed") == []
    # the two who signed: signed in once, one employee certificate each
    assert center_bridge.count(*TOKEN) == 2 and center_bridge.count(*ISSUE) == 2
    assert {login for login, desk in pilot.operators.items() if desk.signer is not None} == {clerk, head}

    # the same register time again: nothing sent twice; one accepted after it waits for 17:00
    set_clock(center_world.clock, local(day, 12, 20))
    again = await tick(pilot)
    assert again.done == [] and again.refused == [], "nothing sent twice, nothing refused"
    afternoon = await accepted_for(center_world, person, local(day, 12, 30), "nura")
    set_clock(center_world.clock, local(day, 16, 55))
    assert (await tick(pilot)).done == []
    schedule = await read(center_world, person, "/api/v1/registers/originals/schedule")
    assert [p["application_id"] for p in schedule["pending"]] == [afternoon["application"]["id"]]
    set_clock(center_world.clock, local(day, 17, 1))
    moves = await tick(pilot)
    assert [(login, kind) for login, kind, _ in moves.done] == [(clerk, ORIGINALS)]
    latest = (await read(center_world, person, "/api/v1/registers/originals"))[0]
    assert entries(latest) == [afternoon["application"]["id"]] and latest["slot_at"].startswith("2026-03-18T12:00")
    assert center_bridge.count(*TOKEN) == 2 and center_bridge.count(*ISSUE) == 2, "no login, no key again"
    pilot.close()


async def test_a_branch_without_work_is_read_at_its_register_times_only(
    center_world: Desk, center_bridge: Bridge
) -> None:
    set_clock(center_world.clock, local(date(2026, 5, 13), 12, 5))  # a Wednesday
    pilot = pilot_of(center_bridge, "karkaraly")
    assert (await tick(pilot)).done == []
    assert center_bridge.count(*TOKEN) == 1, "its operator once; its head never"
    assert center_bridge.count(*SCHEDULE) == 1 and center_bridge.count(*ISSUE) == 0, "nothing signed"
    for _ in range(3):
        await tick(pilot)
    assert center_bridge.count(*SCHEDULE) == 1, "not read again before its next register time"
    assert center_bridge.count(*TOKEN) == 1
    pilot.close()


async def test_a_refused_password_leaves_the_center_to_people_after_one_attempt(
    center_world: Desk, center_bridge: Bridge, caplog: pytest.LogCaptureFixture
) -> None:
    pilot = pilot_of(center_bridge, "ulytau", "shet", password="not the demo password")
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            await tick(pilot)
    assert center_bridge.count(*TOKEN) == 1, "one attempt a run: no lockout"
    said = [r.msg for r in caplog.records if isinstance(r.msg, dict) and "refused its demo" in str(r.msg["event"])]
    assert len(said) == 1 and said[0]["login"] == "operator-1.ulytau" and "CON_INTAKE_DEMO_PASSWORD" in said[0]["event"]
    login = await center_world.client.post(
        "/api/v1/operators/token", json={"login": "operator-1.ulytau", "password": DEMO_PASSWORD}
    )
    assert login.status_code == 200, "the account is not locked"
    pilot.close()


async def test_without_the_centers_password_the_autopilot_says_so_once_and_leaves_the_center(
    center_bridge: Bridge, caplog: pytest.LogCaptureFixture
) -> None:
    pilot = pilot_of(center_bridge, "ulytau", password=None)
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            await tick(pilot)
    assert center_bridge.sent == [], "nothing asked of the Center"
    said = [r.msg for r in caplog.records if isinstance(r.msg, dict) and "left to people" in str(r.msg["event"])]
    assert len(said) == 1 and "CON_INTAKE_DEMO_PASSWORD" in said[0]["event"]
    pilot.close()
