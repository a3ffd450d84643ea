"""The results at the Center (§19 Process 9), the issuance window (§17, Annex 1 step 10), unclaimed results and
the Annex 4 register, the late recall (§14 item 1), against the registries, the test NCA and the regional gateway
in process (tests.support.center): each result is the provider's head's, registered and stamped by the gateway,
for an application accepted with the Center's clock at a chosen moment — in 2026 around Nauryz (21–25 March
2026 are days off) and in 2014 (21–25 March 2014) — and every date is judged on the Center's clock. Each test
works at a branch of its own, so that no other test's results are unclaimed with its own; the signatures and
the registries run on wall time, so the results come "late" unless accepted shortly before it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from services.con_intake.domain.issuance import (
    Presentation,
    arrived_in_time,
    authority_kk,
    full_name_tao,
    is_unclaimed,
    presentation_misfit,
    recall_dates,
)
from shared.calendar import utcnow
from shared.eds.signing import payload_of, sign
from shared.housing.application import SERVICE_NAMES
from shared.housing.relayed import verify_result
from shared.participants import CENTER
from tests.center.harness import local
from tests.support.center import Desk, intake_view, result_accepted_at, set_clock, spare

on_the_package_loop = pytest.mark.asyncio(loop_scope="package")


def presenting(intake: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The recipient at the window with their acceptance receipt (and ``changes``)."""
    body = {"receipt_number": intake["journal_number"], "recipient_iin": intake["recipient"]["iin"]}
    return {**body, "presented_by": "recipient", **changes}


async def result_of(desk: Desk, login: str, intake: dict[str, Any]) -> dict[str, Any]:
    response = await desk.call(login, "GET", f"/api/v1/results/{intake['application']['id']}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def unclaimed_ids(desk: Desk, login: str) -> list[str]:
    response = await desk.call(login, "GET", "/api/v1/results/unclaimed")
    assert response.status_code == 200, response.text
    return [r["application_id"] for r in response.json()]


async def hand_over(desk: Desk, head: str, district: str | None = None) -> dict[str, Any]:
    """The head's Annex 4 register of the branch's unclaimed results (of ``district``), drafted and signed."""
    body = {"json": {"district": district}} if district is not None else {}
    drafted = await desk.post(head, "/api/v1/results/unclaimed/register/draft", **body)
    assert drafted.status_code == 200, drafted.text
    signed = await desk.post(
        head, "/api/v1/results/unclaimed/register", json={"signed": await desk.sign(head, drafted.json())}
    )
    assert signed.status_code == 200, signed.text
    return signed.json()  # type: ignore[no-any-return]


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status and response.json()["error"]["code"] == code, response.text
    return response.json()["error"]["details"]  # type: ignore[no-any-return]


# -- §19 Process 9 and the window (§17) -----------------------------------------------------------------------


@on_the_package_loop
async def test_a_result_is_issued_at_the_window_against_the_receipt(desk: Desk) -> None:
    login = "operator-1.zhezkazgan"
    # accepted on Friday 20 February 2026: thirty days on is Sunday 22 March, in Nauryz; the receipt names
    # Thursday 26 March, and the provider's day is the working day before it, Friday 20 March
    intake = await result_accepted_at(desk, login, local(date(2026, 2, 20), 10))
    assert intake["receipt"]["result_ready_on"] == "2026-03-26"
    recipient, issue = intake["recipient"]["iin"], intake["application"]["id"]
    set_clock(desk.clock, local(date(2026, 3, 26), 11))

    listed = (await desk.call(login, "GET", "/api/v1/results")).json()
    row = next(r for r in listed if r["application_id"] == issue)
    assert (row["result_ready_on"], row["provider_delivers_on"]) == ("2026-03-26", "2026-03-20")
    assert row["arrived_in_time"] is False  # it came on the wall clock's day, long after: flagged late
    assert row["custody"] == "AT_BRANCH" and row["unclaimed"] is False and row["unclaimed_from"] == "2026-04-26"
    assert row["journal_number"] == intake["journal_number"] and row["recipient"]["iin"] == recipient
    assert row["registration_number"] == intake["application"]["registration_number"]
    assert row["type"] == "housing-queue/notification@1" and row["issued"] is None

    path = f"/api/v1/results/{issue}/issue"
    someone = await desk.stranger(recipient)
    for wrong, field in (
        (presenting(intake, receipt_number="ХҚО-zhezkazgan-2026-999999"), "receipt_number"),
        (presenting(intake, recipient_iin=someone), "recipient_iin"),
        (presenting(intake, presented_by="representative", representative_iin=someone), "presented_by"),
    ):
        assert refused(await desk.post(login, path, json=wrong), 403, "FORBIDDEN")["field"] == field
    refused(await desk.post(login, path, json=presenting(intake, representative_iin=someone)), 422, "VALIDATION_FAILED")
    assert (await result_of(desk, login, intake))["custody"] == "AT_BRANCH"

    issued = await desk.post(login, path, json=presenting(intake))
    assert issued.status_code == 200, issued.text
    answer = issued.json()
    # the citizen's copy: the head's signed result with the gateway's stamp, as any verifier checks it
    verified = await verify_result(desk.env.verifier(), answer["signed"])
    assert verified.document.application_id == issue and payload_of(answer["signed"])["applicant_iin"] == recipient
    done = answer["result"]
    assert done["custody"] == "ISSUED" and done["issued"]["presented_by"] == "recipient"
    assert done["issued"]["iin"] == recipient and done["issued"]["by"] == login
    journal = (await desk.call(login, "GET", "/api/v1/journal")).json()
    entry = next(e for e in journal if e["number"] == done["issued"]["journal_number"])
    assert entry["kind"] == "issued" and entry["application_id"] == issue and entry["recipient_iin"] == recipient
    assert entry["document_id"] == verified.document.id

    issued_ones = (await desk.call(login, "GET", "/api/v1/results", params={"custody": "ISSUED"})).json()
    assert [r["application_id"] for r in issued_ones] == [issue]

    again = await desk.post(login, path, json=presenting(intake))
    assert refused(again, 409, "CONFLICT")["custody"] == "ISSUED"


@on_the_package_loop
async def test_a_result_is_not_issued_before_it_came(desk: Desk) -> None:
    login = "operator-1.abay"
    intake = await result_accepted_at(desk, login, utcnow(), deliver=False)
    issue = intake["application"]["id"]
    refused(await desk.post(login, f"/api/v1/results/{issue}/issue", json=presenting(intake)), 409, "CONFLICT")
    refused(await desk.call(login, "GET", f"/api/v1/results/{issue}"), 404, "NOT_FOUND")
    listed = (await desk.call(login, "GET", "/api/v1/results")).json()
    assert all(r["application_id"] != issue for r in listed)


@on_the_package_loop
async def test_a_representative_takes_a_result_that_came_in_time(desk: Desk) -> None:
    login = "operator-2.shakhtinsk"
    representative = await spare(desk)
    intake = await result_accepted_at(desk, login, utcnow() - timedelta(days=20), representative=representative)
    row = await result_of(desk, login, intake)
    assert row["arrived_in_time"] is True and row["representative"]["iin"] == representative
    path = f"/api/v1/results/{intake['application']['id']}/issue"
    stranger = await desk.stranger(intake["recipient"]["iin"], representative)
    wrong = presenting(intake, presented_by="representative", representative_iin=stranger)
    assert refused(await desk.post(login, path, json=wrong), 403, "FORBIDDEN")["field"] == "representative_iin"
    right = presenting(intake, presented_by="representative", representative_iin=representative)
    issued = await desk.post(login, path, json=right)
    assert issued.status_code == 200, issued.text
    assert issued.json()["result"]["issued"]["presented_by"] == "representative"
    assert issued.json()["result"]["issued"]["iin"] == representative


# -- §14 item 1: unclaimed after a month, the Annex 4 register, the late recall ------------------------------


@on_the_package_loop
async def test_an_unclaimed_result_goes_to_the_provider_with_the_annex_4_register_and_is_recalled(
    desk: Desk,
) -> None:
    login, head = "operator-1.temirtau", "head.temirtau"
    # ready on Wednesday 18 February 2026: unclaimed from Wednesday 18 March; the other one only from 4 April
    unclaimed = await result_accepted_at(desk, login, local(date(2026, 1, 19), 10))
    waiting = await result_accepted_at(desk, login, local(date(2026, 2, 2), 10))
    assert (unclaimed["receipt"]["result_ready_on"], waiting["receipt"]["result_ready_on"]) == (
        "2026-02-18",
        "2026-03-04",
    )
    issue, district = unclaimed["application"]["id"], unclaimed["district"]
    draft_path, sign_path = "/api/v1/results/unclaimed/register/draft", "/api/v1/results/unclaimed/register"

    set_clock(desk.clock, local(date(2026, 3, 17), 23, 30))
    assert await unclaimed_ids(desk, login) == []
    refused(await desk.post(head, draft_path, json={"district": district}), 409, "CONFLICT")
    set_clock(desk.clock, local(date(2026, 3, 18), 9))
    assert await unclaimed_ids(desk, login) == [issue]
    assert (await result_of(desk, login, unclaimed))["unclaimed"] is True

    refused(await desk.post(login, draft_path, json={"district": district}), 403, "FORBIDDEN")
    drafted = await desk.post(head, draft_path, json={"district": district})
    assert drafted.status_code == 200, drafted.text
    register = drafted.json()["document"]
    assert register["type"] == "housing-queue/unclaimed@1" and register["total"] == 1
    assert register["branch"]["branch"] == "Теміртау қаласы бойынша бөлімше" and register["authority"]
    assert register["handed_over_by"] == "Бөлімше басшысы, Теміртау қаласы бойынша бөлімше"
    assert register["author"]["iin"] == await desk.iin_of(head) and register["formed_at"].startswith("2026-03-18")
    recipient = unclaimed["recipient"]
    assert register["entries"] == [
        {
            "no": 1,
            "identifier": unclaimed["application"]["registration_number"],
            "recipient": " ".join(recipient[k] for k in ("surname", "given_name", "patronymic") if recipient.get(k)),
            "service": SERVICE_NAMES["kk"][:200],
            "accepted_on": "2026-01-19",
            "planned_issue_on": "2026-02-18",
            "documents": [f"Есепке қою туралы хабарлама (тіркеу № {unclaimed['result']['registration_number']})"],
        }
    ]

    # the head signs it: not an operator, not with another person's key, not another document
    by_operator = await desk.post(login, sign_path, json={"signed": await desk.sign(login, drafted.json())})
    refused(by_operator, 403, "FORBIDDEN")
    operators_key = await desk.post(head, sign_path, json={"signed": await desk.sign(login, drafted.json())})
    refused(operators_key, 422, "EDS_IIN_MISMATCH")
    changed = {**register, "handed_over_by": "another name"}
    refused(
        await desk.post(head, sign_path, json={"signed": sign(changed, await desk.key(head))}), 422, "VALIDATION_FAILED"
    )
    assert (await result_of(desk, login, unclaimed))["custody"] == "AT_BRANCH"
    signed = await desk.sign(head, drafted.json())
    handed = await desk.post(head, sign_path, json={"signed": signed})
    assert handed.status_code == 200, handed.text
    assert handed.json()["application_ids"] == [issue] and handed.json()["signed_by"] == head
    assert payload_of(handed.json()["signed"]) == register
    assert (await desk.post(head, sign_path, json={"signed": signed})).status_code == 200  # the same again
    # the signed register went to the district's authorized body, which answers who accepted it (Annex 4)
    sent = await desk.handed_over(register["id"])
    assert sent.routing_key == f"handover.{district}" and sent.envelope.document == signed
    assert sum(payload_of(d.envelope.document)["id"] == register["id"] for d in desk.handed.deliveries) == 1
    await desk.answer(sent, at=local(date(2026, 3, 18), 11))
    accepted = (await desk.call(login, "GET", "/api/v1/results/unclaimed/registers")).json()[0]
    assert accepted["accepted_by"] == "Маман Тұрғын үй бөлімі" and accepted["accepted_at"].startswith("2026-03-18")
    row = await result_of(desk, login, unclaimed)
    assert row["custody"] == "WITH_PROVIDER" and row["handed_over"]["register_id"] == register["id"]
    assert await unclaimed_ids(desk, login) == []
    registers = (await desk.call(login, "GET", "/api/v1/results/unclaimed/registers")).json()
    assert [r["id"] for r in registers] == [register["id"]]
    path = f"/api/v1/results/{issue}"
    assert refused(await desk.post(login, f"{path}/issue", json=presenting(unclaimed)), 409, "CONFLICT")["custody"] == (
        "WITH_PROVIDER"
    )

    # the recipient comes on Friday 20 March 2026: the Center asks the provider by Thursday 26 March (Nauryz
    # between), the provider sends it back by Friday 27 March
    set_clock(desk.clock, local(date(2026, 3, 20), 15))
    someone = await desk.stranger(recipient["iin"])
    refused(
        await desk.post(login, f"{path}/recall", json=presenting(unclaimed, recipient_iin=someone)), 403, "FORBIDDEN"
    )
    asked = await desk.post(login, f"{path}/recall", json=presenting(unclaimed))
    assert asked.status_code == 201, asked.text
    recall = asked.json()["recall"]
    assert (recall["visit_on"], recall["ask_by"], recall["return_by"]) == ("2026-03-20", "2026-03-26", "2026-03-27")
    assert asked.json()["custody"] == "RECALLED"
    refused(await desk.post(login, f"{path}/recall", json=presenting(unclaimed)), 409, "CONFLICT")
    refused(await desk.post(login, f"{path}/issue", json=presenting(unclaimed)), 409, "CONFLICT")
    # the request went to the district's authorized body, signed by the Center's system
    request = await desk.handed_over(recall["id"])
    assert request.routing_key == f"handover.{district}"
    asked_for = payload_of(request.envelope.document)
    assert asked_for["type"] == "housing-queue/recall@1" and asked_for["application_id"] == issue
    assert asked_for["unclaimed_register"] == register["id"] and asked_for["return_by"] == "2026-03-27"
    assert asked_for["author"] == {"bin": CENTER.bin}
    await desk.answer(request, at=local(date(2026, 3, 30), 10))  # sent back on Monday: later than it was due
    back = await result_of(desk, login, unclaimed)
    assert back["custody"] == "RETURNED" and back["recall"]["returned_in_time"] is False
    assert back["recall"]["returned_by"] == "Маман Тұрғын үй бөлімі"
    issued = await desk.post(login, f"{path}/issue", json=presenting(unclaimed))
    assert issued.status_code == 200 and issued.json()["result"]["custody"] == "ISSUED", issued.text


@on_the_package_loop
async def test_unclaimed_and_recalled_on_the_2014_calendar(desk: Desk) -> None:
    login, head = "operator-1.satpayev", "head.satpayev"
    # accepted on Friday 17 January 2014: thirty days on is Sunday 16 February, so the receipt names Monday 17
    # February, the provider's day is Friday 14 February, and it is unclaimed from Monday 17 March 2014
    intake = await result_accepted_at(desk, login, local(date(2014, 1, 17), 10))
    row = await result_of(desk, login, intake)
    assert (row["result_ready_on"], row["provider_delivers_on"], row["unclaimed_from"]) == (
        "2014-02-17",
        "2014-02-14",
        "2014-03-17",
    )
    path = f"/api/v1/results/{intake['application']['id']}"
    set_clock(desk.clock, local(date(2014, 3, 16), 18))
    assert await unclaimed_ids(desk, login) == []
    set_clock(desk.clock, local(date(2014, 3, 17), 9))
    assert await unclaimed_ids(desk, login) == [intake["application"]["id"]]
    handed = await hand_over(desk, head)  # one district's results only: no need to name it
    assert handed["total"] == 1 and payload_of(handed["signed"])["entries"][0]["accepted_on"] == "2014-01-17"
    # Thursday 20 March 2014: 21–25 March are days off, so asked by Wednesday 26, back by Thursday 27 March
    set_clock(desk.clock, local(date(2014, 3, 20), 12))
    asked = await desk.post(login, f"{path}/recall", json=presenting(intake))
    assert asked.status_code == 201, asked.text
    assert (asked.json()["recall"]["ask_by"], asked.json()["recall"]["return_by"]) == ("2014-03-26", "2014-03-27")
    await desk.answer(await desk.handed_over(asked.json()["recall"]["id"]), at=local(date(2014, 3, 27), 16))
    back = await result_of(desk, login, intake)
    assert back["custody"] == "RETURNED" and back["recall"]["returned_in_time"] is True
    issued = await desk.post(login, f"{path}/issue", json=presenting(intake))
    assert issued.status_code == 200, issued.text
    assert issued.json()["result"]["issued"]["journal_number"].startswith("ХҚО-satpayev-2014-")


# -- the branch ------------------------------------------------------------------------------------------------


@on_the_package_loop
async def test_another_branch_sees_nothing(desk: Desk) -> None:
    login, head, elsewhere, their_head = "operator-1.karkaraly", "head.karkaraly", "operator-1.nura", "head.nura"
    intake = await result_accepted_at(desk, login, local(date(2026, 4, 6), 10))
    issue = intake["application"]["id"]
    set_clock(desk.clock, local(date(2026, 6, 15), 10))  # unclaimed by now
    assert await unclaimed_ids(desk, login) == [issue]
    path = f"/api/v1/results/{issue}"
    for method, suffix, body in (
        ("GET", "", None),
        ("POST", "/issue", presenting(intake)),
        ("POST", "/recall", presenting(intake)),
    ):
        refused(await desk.call(elsewhere, method, f"{path}{suffix}", json=body), 404, "NOT_FOUND")
    assert all(r["application_id"] != issue for r in (await desk.call(elsewhere, "GET", "/api/v1/results")).json())
    assert issue not in await unclaimed_ids(desk, elsewhere)
    draft_path = "/api/v1/results/unclaimed/register/draft"
    refused(await desk.post(their_head, draft_path, json={"district": intake["district"]}), 409, "CONFLICT")
    drafted = await desk.post(head, draft_path, json={"district": intake["district"]})
    assert drafted.status_code == 200, drafted.text
    # the other branch's head cannot hand this branch's register over: signed by this branch's head, it is no
    # draft of theirs; signed with their own key, it is not the document's author's
    sign_path = "/api/v1/results/unclaimed/register"
    ours = await desk.sign(head, drafted.json())
    refused(await desk.post(their_head, sign_path, json={"signed": ours}), 409, "CONFLICT")
    theirs = await desk.sign(their_head, drafted.json())
    refused(await desk.post(their_head, sign_path, json={"signed": theirs}), 422, "EDS_IIN_MISMATCH")
    assert (await result_of(desk, "operator-2.karkaraly", intake))["custody"] == "AT_BRANCH"  # a colleague's view
    assert (await intake_view(desk, login, intake["id"]))["result"] is not None


# -- the pure rules (domain/issuance.py) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("visit", "ask_by", "return_by"),
    [
        (date(2026, 3, 20), date(2026, 3, 26), date(2026, 3, 27)),  # Friday before Nauryz 2026
        (date(2014, 3, 20), date(2014, 3, 26), date(2014, 3, 27)),  # Thursday before Nauryz 2014
        (date(2026, 4, 7), date(2026, 4, 8), date(2026, 4, 9)),  # an ordinary Tuesday
        (date(2026, 4, 10), date(2026, 4, 13), date(2026, 4, 14)),  # a Friday: over the weekend
        (date(2026, 3, 22), date(2026, 3, 26), date(2026, 3, 27)),  # a visit on a day off counts from it
    ],
)
def test_the_late_recall_takes_one_working_day_and_one_more(visit: date, ask_by: date, return_by: date) -> None:
    dates = recall_dates(visit)
    assert (dates.visit_on, dates.ask_by, dates.return_by) == (visit, ask_by, return_by)


def test_a_result_is_unclaimed_from_the_same_day_a_month_on_and_only_at_the_branch() -> None:
    assert not is_unclaimed("AT_BRANCH", date(2026, 1, 31), date(2026, 2, 27))
    assert is_unclaimed("AT_BRANCH", date(2026, 1, 31), date(2026, 2, 28))  # no 31 February: its last day
    assert is_unclaimed("AT_BRANCH", date(2014, 2, 17), date(2014, 3, 17))
    for custody in ("ISSUED", "WITH_PROVIDER", "RECALLED", "RETURNED"):
        assert not is_unclaimed(custody, date(2014, 2, 17), date(2014, 6, 1))


def test_a_result_that_came_after_the_providers_day_came_late() -> None:
    accepted = local(date(2026, 2, 20), 10)  # the provider's day: Friday 20 March 2026
    assert arrived_in_time(date(2026, 3, 20), accepted) and not arrived_in_time(date(2026, 3, 26), accepted)


def test_who_may_take_a_result() -> None:
    entitled = {"journal_number": "ХҚО-x-2026-000001", "recipient_iin": "1" * 12, "representative_iin": "2" * 12}
    recipient = Presentation("ХҚО-x-2026-000001", "1" * 12, "recipient")
    assert presentation_misfit(recipient, **entitled) is None
    representative = Presentation("ХҚО-x-2026-000001", "1" * 12, "representative", "2" * 12)
    assert presentation_misfit(representative, **entitled) is None
    assert representative.presenter_iin == "2" * 12
    cases = [
        (Presentation("ХҚО-x-2026-000002", "1" * 12, "recipient"), "receipt_number"),
        (Presentation("ХҚО-x-2026-000001", "3" * 12, "recipient"), "recipient_iin"),
        (Presentation("ХҚО-x-2026-000001", "1" * 12, "representative", "3" * 12), "representative_iin"),
    ]
    for presentation, field in cases:
        misfit = presentation_misfit(presentation, **entitled)
        assert misfit is not None and misfit[0] == field
    alone = presentation_misfit(
        representative, journal_number="ХҚО-x-2026-000001", recipient_iin="1" * 12, representative_iin=None
    )
    assert alone is not None and alone[0] == "presented_by"


def test_annex_4_names_the_recipient_and_the_authority() -> None:
    assert full_name_tao({"surname": "Ахметов", "given_name": "Асқар", "patronymic": None}) == "Ахметов Асқар"
    assert authority_kk("Қарағанды қаласы", district_code="karaganda").startswith("«Қарағанды қаласының")
    assert "«Саран қаласының тұрғын үй-коммуналдық" in authority_kk("Саран қаласы", district_code="saran")
