"""The register (тізілім) of originals to the provider (Annex 1 step 2, §13: at least twice a working day) and the
provider's answers to what the Center hands it, against the registries, the test NCA and the regional gateway in
process (tests.support.center), with the Center's clock at chosen moments: a working day in 2026 with its two
register times (12:00 and 17:00 Kazakhstan time), Nauryz 2026 (21–25 March are days off) and Nauryz 2014 (21–25
March 2014). Each test works at a branch no other test of the world takes in at, so that the registers hold only
its applications."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.con_intake.domain.schedule import register_slots
from shared.eds.signing import payload_of, sign
from tests.center.harness import local
from tests.support.center import Desk, result_accepted_at, set_clock, until

on_the_package_loop = pytest.mark.asyncio(loop_scope="package")
DRAFT, SEND, SCHEDULE = (
    "/api/v1/registers/originals/draft",
    "/api/v1/registers/originals",
    "/api/v1/registers/originals/schedule",
)


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status and response.json()["error"]["code"] == code, response.text
    return response.json()["error"]["details"]  # type: ignore[no-any-return]


async def schedule(desk: Desk, login: str) -> dict[str, Any]:
    response = await desk.call(login, "GET", SCHEDULE)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def send(desk: Desk, login: str, **body: Any) -> dict[str, Any]:
    """The register at this register time, drafted and signed by ``login``, sent."""
    drafted = await desk.post(login, DRAFT, json=body or None)
    assert drafted.status_code == 200, drafted.text
    sent = await desk.post(login, SEND, json={"signed": await desk.sign(login, drafted.json())})
    assert sent.status_code == 200, sent.text
    return sent.json()  # type: ignore[no-any-return]


def applications(register: dict[str, Any]) -> list[str]:
    return [e["application_id"] for e in payload_of(register["signed"])["entries"]]


@on_the_package_loop
async def test_twice_a_working_day_each_register_holds_what_was_accepted_before_it(desk: Desk) -> None:
    login, colleague = "operator-1.karazhal", "operator-2.karazhal"
    day = date(2026, 3, 18)  # a Wednesday
    morning = await result_accepted_at(desk, login, local(day, 10), deliver=False)
    noon = await result_accepted_at(desk, login, local(day, 12, 10), deliver=False)
    ids = morning["application"]["id"], noon["application"]["id"]
    districts = {morning["district"], noon["district"]}

    set_clock(desk.clock, local(day, 11, 30))  # before the day's first register time: none to draft yet
    details = refused(await desk.post(login, DRAFT), 409, "CONFLICT")
    assert details["next_at"].startswith("2026-03-18T07:00:00")  # 12:00 in Kazakhstan (UTC+5)
    seen = await schedule(desk, login)
    assert seen["working_day"] is True and seen["register_times"] == ["12:00", "17:00"]
    assert [p["application_id"] for p in seen["pending"]] == list(ids)
    assert seen["pending"][0]["due_at"].startswith("2026-03-18T07:00:00") and seen["late"] == 0
    assert seen["pending"][1]["due_at"].startswith("2026-03-18T12:00:00")  # 17:00: accepted after 12:00

    registered = await until(desk, login, morning["id"], lambda i: i["application"]["registration_number"])
    set_clock(desk.clock, local(day, 12, 30))
    drafted = await desk.post(login, DRAFT, json={"district": morning["district"]})
    assert drafted.status_code == 200, drafted.text
    register = drafted.json()["document"]
    assert register["type"] == "housing-queue/originals@1" and register["district"] == morning["district"]
    assert register["slot_at"].startswith("2026-03-18T07:00:00") and register["total"] == 1
    entry = register["entries"][0]
    assert (entry["no"], entry["application_id"]) == (1, ids[0])
    assert entry["identifier"] == registered["application"]["registration_number"]
    assert entry["documents"] and register["handed_over_by"] and register["branch"]["department"]
    # the operator signs it: not with another person's key, not another document
    refused(
        await desk.post(login, SEND, json={"signed": await desk.sign(colleague, drafted.json())}),
        422,
        "EDS_IIN_MISMATCH",
    )
    changed = {**register, "total": 2}
    refused(
        await desk.post(login, SEND, json={"signed": sign(changed, await desk.key(login))}), 422, "VALIDATION_FAILED"
    )
    signed = await desk.sign(login, drafted.json())
    first = await desk.post(login, SEND, json={"signed": signed})
    assert first.status_code == 200, first.text
    assert (await desk.post(login, SEND, json={"signed": signed})).json()["id"] == register["id"]  # the same again
    sent = await desk.handed_over(register["id"])
    assert sent.routing_key == f"handover.{morning['district']}" and sent.envelope.document == signed
    assert sum(payload_of(d.envelope.document)["id"] == register["id"] for d in desk.handed.deliveries) == 1

    # at 17:00 the next one: the application accepted after noon, and nothing sent twice
    set_clock(desk.clock, local(day, 16, 59))
    refused(await desk.post(colleague, DRAFT, json={"district": noon["district"]}), 409, "CONFLICT")  # until 17:00
    set_clock(desk.clock, local(day, 17, 1))
    second = await send(desk, colleague, district=noon["district"])
    assert applications(second) == [ids[1]] and second["slot_at"].startswith("2026-03-18T12:00:00")
    seen = await schedule(desk, login)
    assert seen["pending"] == [] and seen["sent_today"] == [register["id"], second["id"]]
    for district in districts:
        refused(await desk.post(login, DRAFT, json={"district": district}), 409, "CONFLICT")  # nothing waits

    # the provider's specialist accepts the first (Annex 1 step 3): its name comes back with it
    await desk.answer(sent, at=local(day, 14))
    listed = (await desk.call(login, "GET", SEND)).json()
    accepted = {r["id"]: r for r in listed}
    assert accepted[register["id"]]["accepted_by"] == "Маман Тұрғын үй бөлімі"
    assert accepted[register["id"]]["accepted_at"].startswith("2026-03-18T09:00:00")
    assert accepted[second["id"]]["accepted_by"] is None


@on_the_package_loop
async def test_an_application_waiting_past_its_register_time_is_late(desk: Desk) -> None:
    login = "operator-2.karazhal"
    day = date(2026, 4, 7)  # a Tuesday
    intake = await result_accepted_at(desk, login, local(day, 9), deliver=False)
    set_clock(desk.clock, local(day, 16, 59))
    waiting = next(p for p in (await schedule(desk, login))["pending"] if p["intake_id"] == intake["id"])
    assert waiting["late"] is False  # due at 12:00, the 17:00 one not passed yet
    set_clock(desk.clock, local(day, 17, 0))
    waiting = next(p for p in (await schedule(desk, login))["pending"] if p["intake_id"] == intake["id"])
    assert waiting["late"] is True
    assert applications(await send(desk, login, district=intake["district"])) == [intake["application"]["id"]]


@on_the_package_loop
async def test_the_register_skips_the_days_off_of_nauryz_2026_and_2014(desk: Desk) -> None:
    login = "operator-1.shet"
    # accepted on Friday 20 March 2026 after the day's last register time: 21–25 March are days off, so it goes
    # on Thursday 26 March at 12:00
    late_friday = await result_accepted_at(desk, login, local(date(2026, 3, 20), 17, 30), deliver=False)
    for day_off in (date(2026, 3, 21), date(2026, 3, 23), date(2026, 3, 25)):
        assert register_slots(day_off) == []
        set_clock(desk.clock, local(day_off, 12, 30))
        details = refused(await desk.post(login, DRAFT), 409, "CONFLICT")
        assert details["next_at"].startswith("2026-03-26T07:00:00")
        seen = await schedule(desk, login)
        assert seen["working_day"] is False and seen["slots_today"] == [] and seen["current_slot"] is None
        assert seen["pending"][0]["due_at"].startswith("2026-03-26T07:00:00")
    set_clock(desk.clock, local(date(2026, 3, 26), 12, 5))
    assert applications(await send(desk, login, district=late_friday["district"])) == [late_friday["application"]["id"]]

    # 2014 (UTC+6 then): accepted on Thursday 20 March 2014 at 17:30; 21–25 March 2014 are days off (Nauryz and the
    # weekend), so Wednesday 26 March at 12:00
    in_2014 = await result_accepted_at(desk, login, local(date(2014, 3, 20), 17, 30), deliver=False)
    set_clock(desk.clock, local(date(2014, 3, 24), 12, 30))  # a Monday, a day off
    details = refused(await desk.post(login, DRAFT), 409, "CONFLICT")
    assert details["next_at"].startswith("2014-03-26T06:00:00")
    set_clock(desk.clock, local(date(2014, 3, 26), 12, 1))
    register = await send(desk, login, district=in_2014["district"])
    assert applications(register) == [in_2014["application"]["id"]]
    assert register["slot_at"].startswith("2014-03-26T06:00:00")


@on_the_package_loop
async def test_an_answer_is_believed_only_from_the_provider_and_to_what_was_sent(desk: Desk) -> None:
    login = "operator-1.karazhal"
    day = date(2026, 5, 13)  # a Wednesday
    intake = await result_accepted_at(desk, login, local(day, 10), deliver=False)
    set_clock(desk.clock, local(day, 12, 15))
    register = await send(desk, login, district=intake["district"])
    sent = await desk.handed_over(register["id"])
    # signed by someone of the Center, not the provider: refused, nothing recorded
    await desk.answer(sent, at=local(day, 13), by=(await desk.iin_of(login), await desk.key(login)))
    rows = {r["id"]: r for r in (await desk.call(login, "GET", SEND)).json()}
    assert rows[register["id"]]["accepted_by"] is None
    # another branch's operator sees none of it
    elsewhere = (await desk.call("operator-1.ulytau", "GET", SEND)).json()
    assert register["id"] not in {r["id"] for r in elsewhere}
    assert all(
        p["intake_id"] not in register["intake_ids"] for p in (await schedule(desk, "operator-1.ulytau"))["pending"]
    )
    # the provider's answer is taken
    await desk.answer(sent, at=local(day, 13))
    rows = {r["id"]: r for r in (await desk.call(login, "GET", SEND)).json()}
    assert rows[register["id"]]["accepted_by"] == "Маман Тұрғын үй бөлімі" and rows[register["id"]]["ack"]
