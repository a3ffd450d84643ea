"""The visitor queue over HTTP (§12 item 3: at most 15 minutes' wait), with the clock in the test's
hand: tickets numbered per branch and Kazakhstan day, the oldest called first, the wait measured from
the ticket to its call, one ticket at a window at a time, the alert (log and flag) once a wait passes
15 minutes — at the call, or while the ticket still waits — the day's figures for the branch's head,
and nothing of another branch's (NOT_FOUND)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from services.con_intake.models import QueueTicket
from services.con_intake.tickets import QUEUE_WAIT_ALERT
from tests.center.harness import Center, local

pytestmark = pytest.mark.asyncio(loop_scope="package")


def alerts(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event") == QUEUE_WAIT_ALERT]


def code(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


async def test_tickets_are_numbered_per_branch_and_kazakhstan_day(center: Center) -> None:
    first = [(await center.issue("operator-1.saran"))["number"] for _ in range(3)]
    assert first == ["H-001", "H-002", "H-003"]
    assert (await center.issue("head.shakhtinsk"))["number"] == "H-001"  # another branch counts on its own

    monday = center.clock.now.date()
    center.clock.set(local(monday, 23, 59))
    late = await center.issue("operator-2.saran")
    center.clock.advance(minutes=2)  # 00:01 on Tuesday in Kazakhstan, still Monday in UTC
    early = await center.issue("operator-2.saran")
    assert (late["number"], late["day"]) == ("H-004", monday.isoformat())
    assert (early["number"], early["day"]) == ("H-001", (monday + timedelta(days=1)).isoformat())
    assert early["status"] == "waiting" and early["wait_s"] == 0 and early["over_limit"] is False


async def test_a_ticket_is_issued_only_for_the_housing_queue_service(center: Center) -> None:
    for body in ({"service": "passport"}, {}, {"service": "housing-queue", "visitor": "someone"}):
        response = await center.as_operator("operator-1.abay", "POST", "/api/v1/queue/tickets", json=body)
        assert code(response) == (422, "VALIDATION_FAILED")


async def test_the_oldest_waiting_ticket_is_called_first_and_its_wait_measured(center: Center) -> None:
    start = center.clock.now
    a = await center.issue("operator-1.temirtau")
    center.clock.advance(minutes=2)
    b = await center.issue("operator-1.temirtau")
    center.clock.advance(minutes=3)

    called = await center.call("operator-2.temirtau", 1)
    assert called.status_code == 200
    body = called.json()
    assert (body["id"], body["status"], body["window"], body["wait_s"]) == (a["id"], "called", 1, 300)
    assert body["called_at"] == (start + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    assert (await center.call("operator-1.temirtau", 2)).json()["id"] == b["id"]
    empty = await center.call("operator-1.temirtau", 3)
    assert code(empty) == (404, "NOT_FOUND") and "waiting" in empty.json()["error"]["details"]["reason"]

    center.clock.advance(minutes=30)  # a called ticket's wait stays the wait to its call
    again = await center.as_operator("head.temirtau", "GET", f"/api/v1/queue/tickets/{a['id']}")
    assert again.json()["wait_s"] == 300 and again.json()["over_limit"] is False


async def test_a_window_serves_one_ticket_at_a_time(center: Center) -> None:
    a, b = await center.issue("operator-1.satpayev"), await center.issue("operator-1.satpayev")
    assert (await center.call("operator-1.satpayev", 1)).json()["id"] == a["id"]
    busy = await center.call("operator-2.satpayev", 1)
    assert code(busy) == (409, "CONFLICT") and busy.json()["error"]["details"]["ticket"] == a["number"]

    finished = await center.done("operator-1.satpayev", a["id"])
    assert finished.status_code == 200 and finished.json()["status"] == "done"
    assert (await center.call("operator-1.satpayev", 1)).json()["id"] == b["id"]


async def test_two_calls_at_once_take_two_tickets_or_refuse_the_second_at_one_window(center: Center) -> None:
    issued = [await center.issue("operator-1.balkhash") for _ in range(4)]
    await center.token("operator-2.balkhash")
    two = await asyncio.gather(center.call("operator-1.balkhash", 1), center.call("operator-2.balkhash", 2))
    assert sorted(r.json()["number"] for r in two) == ["H-001", "H-002"]
    same = await asyncio.gather(center.call("operator-1.balkhash", 3), center.call("operator-2.balkhash", 3))
    assert sorted(r.status_code for r in same) == [200, 409]
    assert {r.json()["number"] for r in same if r.status_code == 200} == {issued[2]["number"]}


async def test_tickets_issued_at_once_get_distinct_numbers(center: Center) -> None:
    await center.token("operator-1.zhezkazgan")  # signed in first: eight logins at once would lock the account
    issued = await asyncio.gather(*(center.issue("operator-1.zhezkazgan") for _ in range(8)))
    assert sorted(t["number"] for t in issued) == [f"H-00{n}" for n in range(1, 9)]


async def test_a_window_the_branch_lacks_is_not_found(center: Center) -> None:
    await center.issue("operator-1.aktogay")  # a district branch: two windows
    assert code(await center.call("operator-1.aktogay", 3)) == (404, "NOT_FOUND")
    assert code(await center.call("operator-1.aktogay", 0)) == (422, "VALIDATION_FAILED")
    assert (await center.call("operator-1.aktogay", 2)).status_code == 200


async def test_only_a_called_ticket_is_finished_and_finishing_twice_answers_the_same(center: Center) -> None:
    ticket = await center.issue("operator-1.nura")
    assert code(await center.done("operator-1.nura", ticket["id"])) == (409, "CONFLICT")
    await center.call("operator-1.nura", 1)
    first = await center.done("operator-1.nura", ticket["id"])
    center.clock.advance(minutes=1)
    second = await center.done("operator-2.nura", ticket["id"])
    assert first.status_code == second.status_code == 200 and first.json() == second.json()
    assert code(await center.done("operator-1.nura", "no-such-ticket")) == (404, "NOT_FOUND")


async def test_another_branchs_ticket_is_not_found_and_never_called(center: Center) -> None:
    theirs = await center.issue("operator-1.karaganda-1")
    path = f"/api/v1/queue/tickets/{theirs['id']}"

    assert code(await center.as_operator("operator-1.karaganda-2", "GET", path)) == (404, "NOT_FOUND")
    assert code(await center.done("operator-1.karaganda-2", theirs["id"])) == (404, "NOT_FOUND")
    assert code(await center.call("operator-1.karaganda-2", 1)) == (404, "NOT_FOUND")  # nobody waits at theirs
    board = (await center.as_operator("operator-1.karaganda-2", "GET", "/api/v1/queue")).json()
    assert board["branch"] == "karaganda-2" and board["waiting"] == []

    own = await center.as_operator("operator-2.karaganda-1", "GET", path)
    assert own.status_code == 200 and own.json()["status"] == "waiting"


async def test_a_wait_of_more_than_15_minutes_at_the_call_is_flagged_and_alerted(
    center: Center, caplog: pytest.LogCaptureFixture
) -> None:
    on_time, late = await center.issue("operator-1.karkaraly"), await center.issue("operator-1.karkaraly")
    with caplog.at_level(logging.INFO):
        center.clock.advance(minutes=15)
        first = (await center.call("operator-1.karkaraly", 1)).json()
        center.clock.advance(seconds=1)
        second = (await center.call("operator-2.karkaraly", 2)).json()
    assert (first["id"], first["wait_s"], first["over_limit"]) == (on_time["id"], 900, False)  # 15 minutes: allowed
    assert (second["id"], second["wait_s"], second["over_limit"]) == (late["id"], 901, True)
    [alert] = alerts(caplog)
    assert alert["level"] == "error" and (alert["branch"], alert["number"]) == ("karkaraly", "H-002")
    assert (alert["waited_s"], alert["limit_s"], alert["status"]) == (901, 900, "called")
    async with center.db.sessions() as session:
        row = await session.get(QueueTicket, late["id"])
    assert row is not None and row.over_limit and row.alerted_at == center.clock.now


async def test_a_ticket_still_waiting_passes_the_limit_on_the_board_and_is_alerted_once(
    center: Center, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = await center.issue("operator-1.osakarovka"), await center.issue("operator-1.osakarovka")
    center.clock.advance(minutes=10)
    board = (await center.as_operator("operator-1.osakarovka", "GET", "/api/v1/queue")).json()
    assert [(t["number"], t["wait_s"], t["over_limit"]) for t in board["waiting"]] == [
        ("H-001", 600, False),
        ("H-002", 600, False),
    ]
    assert board["limit_s"] == 900 and board["called"] == []

    with caplog.at_level(logging.INFO):
        assert (await center.call("operator-1.osakarovka", 1)).json()["over_limit"] is False
        center.clock.advance(minutes=6)
        board = (await center.as_operator("head.osakarovka", "GET", "/api/v1/queue")).json()
        center.clock.advance(minutes=1)
        await center.as_operator("operator-2.osakarovka", "GET", "/api/v1/queue")  # seen again: no new alert
        late = (await center.call("operator-2.osakarovka", 2)).json()  # called at last: alerted already
    assert [(t["number"], t["wait_s"], t["over_limit"]) for t in board["waiting"]] == [("H-002", 960, True)]
    assert [(t["number"], t["window"]) for t in board["called"]] == [("H-001", 1)]
    assert (late["id"], late["wait_s"], late["over_limit"]) == (second["id"], 1020, True)
    [alert] = alerts(caplog)
    assert (alert["number"], alert["status"], alert["waited_s"]) == ("H-002", "waiting", 960)
    assert first["id"] != second["id"]


async def test_tickets_of_an_earlier_day_are_not_called_but_count_in_their_days_figures(center: Center) -> None:
    monday = center.clock.now.date()
    center.clock.set(local(monday, 18, 45))
    left = await center.issue("operator-1.ulytau")
    center.clock.set(local(monday + timedelta(days=1)))
    assert code(await center.call("operator-1.ulytau", 1)) == (404, "NOT_FOUND")
    assert (await center.as_operator("operator-1.ulytau", "GET", "/api/v1/queue")).json()["waiting"] == []
    kept = (await center.as_operator("operator-1.ulytau", "GET", f"/api/v1/queue/tickets/{left['id']}")).json()
    assert kept["status"] == "waiting" and kept["over_limit"] is True  # it waited all night

    figures = await center.as_operator("head.ulytau", "GET", "/api/v1/queue/figures", params={"day": str(monday)})
    assert (figures.json()["tickets"], figures.json()["waiting"], figures.json()["over_limit"]) == (1, 1, 1)


async def test_the_days_figures_for_the_branchs_head(center: Center) -> None:
    monday = center.clock.now.date()
    a, b = await center.issue("operator-1.zhanaarka"), await center.issue("operator-1.zhanaarka")
    center.clock.advance(minutes=4)
    assert (await center.call("operator-1.zhanaarka", 1)).json()["id"] == a["id"]  # 4 minutes
    center.clock.advance(minutes=1)
    await center.done("operator-1.zhanaarka", a["id"])
    center.clock.advance(minutes=5)
    await center.issue("operator-1.zhanaarka")  # at 10 minutes: 30 minutes waiting at the figures
    center.clock.advance(minutes=10)
    assert (await center.call("operator-2.zhanaarka", 2)).json()["id"] == b["id"]  # 20 minutes: over
    center.clock.advance(minutes=10)
    await center.issue("operator-1.zhanaarka")  # at 30 minutes: 10 minutes waiting at the figures
    center.clock.advance(minutes=10)

    figures = await center.as_operator("head.zhanaarka", "GET", "/api/v1/queue/figures")
    assert figures.status_code == 200
    body = figures.json()
    assert (body["branch"], body["day"], body["limit_s"]) == ("zhanaarka", monday.isoformat(), 900)
    assert (body["tickets"], body["called"], body["done"], body["waiting"]) == (4, 2, 1, 2)
    assert (body["mean_wait_s"], body["longest_wait_s"]) == (720.0, 1200)
    assert (body["over_limit"], body["share_over_limit"]) == (2, 0.5)

    same = await center.as_operator("head.zhanaarka", "GET", "/api/v1/queue/figures", params={"day": str(monday)})
    assert same.json() == body
    quiet = await center.as_operator(
        "head.zhanaarka", "GET", "/api/v1/queue/figures", params={"day": str(monday - timedelta(days=1))}
    )
    assert quiet.json()["tickets"] == 0 and quiet.json()["mean_wait_s"] is None
    assert quiet.json()["share_over_limit"] is None
    other = await center.as_operator("head.shet", "GET", "/api/v1/queue/figures", params={"day": str(monday)})
    assert other.json()["branch"] == "shet" and other.json()["tickets"] == 0  # its own branch's, never another's


async def test_the_figures_are_the_heads_not_an_operators(center: Center) -> None:
    refused = await center.as_operator("operator-1.priozersk", "GET", "/api/v1/queue/figures")
    assert code(refused) == (403, "FORBIDDEN")
    wrong = await center.as_operator("head.priozersk", "GET", "/api/v1/queue/figures", params={"day": "Monday"})
    assert code(wrong) == (422, "VALIDATION_FAILED")


async def test_the_database_holds_one_called_ticket_per_window(center: Center) -> None:
    """The partial unique index behind the window's CONFLICT when two calls commit at once (PostgreSQL: both
    see the window free; the second commit fails and its call is judged again)."""
    a, b = await center.issue("operator-1.bukhar-zhyrau"), await center.issue("operator-1.bukhar-zhyrau")
    await center.call("operator-1.bukhar-zhyrau", 1)
    with pytest.raises(IntegrityError):
        async with center.db.transaction() as session:
            row = await session.get(QueueTicket, b["id"])
            assert row is not None
            row.status, row.window, row.called_at = "called", 1, center.clock.now
            session.add(row)
    await center.done("operator-1.bukhar-zhyrau", a["id"])
    assert (await center.call("operator-1.bukhar-zhyrau", 1)).json()["id"] == b["id"]
