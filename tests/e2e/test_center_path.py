"""The Center's path end to end (§19 Processes 2–9, §17, §12–§14, §16, Annex 1 steps 1–10, Annexes 4 and 5), all
five services running as `make run` runs them (one process, the in-memory bus, SQLite) and one process each on
RabbitMQ and PostgreSQL, with the Center's and the provider's business clocks set through the test clock
(TEST_CLOCK=1):

- a representative under a notarised power of attorney applies for the recipient about a month ago, from a terminal
  with `python -m client operator …` (login, the employee key from the test NCA, a ticket called to the window, the
  intake with the written consent, the documents scanned, the application and the receipt signed); the receipt
  names the day §12 item 2 gives; the register of originals goes at that day's 12:00 and the provider's specialist
  accepts it by name; the provider opens a case whose deliver-by day is the working day before its term; the
  district's staff decide it; the result is at the branch on the provider's day (today, the day before the term),
  is issued at the window against the receipt to the representative, and the citizen's copy verifies at the portal;
- a result not collected goes back with the Annex 4 register a month after the receipt's day, accepted at the
  provider by name; the recipient comes later, the recall brings it back in one plus one working days, issued;
- the register waits over days off for the next working day's 12:00 and goes twice that day; over Nauryz 2026 and
  2014 there is no register time; a ticket waiting sixteen minutes is flagged and counted in the head's figures;
- the Annex 5 refusal names exactly the income certificate of a vulnerable-group persona, the marriage
  certificate of one married before 2008;
- a recipient the individuals database does not know (Process 4), a power of attorney expired or revoked, each
  refused with its code; an operator of another branch sees nothing of the intake."""

from __future__ import annotations

import json
import signal
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any

import httpx
import pytest

from client.operator import (
    OperatorClient,
    employee_key,
    scan_of,
    sign_application,
    sign_refusal,
    sign_register,
)
from client.sdk import NcaClient, PortalClient, ServiceError
from services.con_intake.branches import BRANCHES
from services.con_intake.domain.schedule import provider_delivers_on, result_ready_on
from shared.calendar import KAZAKHSTAN, add_working_days, is_working_day, local_day
from shared.eds.signing import Signer, payload_of
from shared.participants import GATEWAY, PROVIDER
from tests.support.department import Department
from tests.support.pki import new_iin
from tests.support.processes import base_env, client_cli, start_services, stop, wait_ready
from tests.support.region import STAFF_PASSWORD, Region, start_region
from tests.support.servers import broker_users, purge_namespace

DEMO_PASSWORD = "e2e-center-demo-password"


# -- the registries, as a tester reads them ------------------------------------------------------------------


def principal_of(region: Region, trait: str) -> str:
    """The first persona with a ``poa:…`` trait: the principal of the power of attorney it names."""
    found = httpx.get(f"{region.url('registry_stub')}/api/v1/personas", params={"trait": trait, "limit": 5}).json()
    assert found, f"no persona with {trait}"
    return str(found[0]["iin"])


def power_of_attorney(region: Region, principal: str, trait: str) -> tuple[str, str]:
    """The (attorney's IIN, number) of ``principal``'s power of attorney (a persona with ``trait``), as the
    personas listing gives it."""
    found = httpx.get(f"{region.url('registry_stub')}/api/v1/personas", params={"trait": trait, "limit": 5}).json()
    given = next((p["powers_of_attorney"] for p in found if p["iin"] == principal), [])
    assert given, f"{principal}: no power of attorney"
    return str(given[0]["attorney_iin"]), str(given[0]["number"])


def district_of(region: Region, iin: str) -> str:
    answer = httpx.get(f"{region.url('registry_stub')}/api/v1/persons/{iin}", params={"consent": "test"})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["answer"]["result"]["address"]["district"])


def branches_for(district: str) -> tuple[str, str]:
    """A branch serving ``district`` and one that does not."""
    serving = next(b.code for b in BRANCHES if district in b.districts)
    other = next(b.code for b in BRANCHES if district not in b.districts)
    return serving, other


# -- the Center's API, where the SDK has no method -----------------------------------------------------------


def center_call(center: OperatorClient, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return center.http.request(method, path, headers={"Authorization": f"Bearer {center.token}"}, **kwargs)


def operator(region: Region, login: str) -> OperatorClient:
    center = OperatorClient(region.url("con_intake"))
    center.login(login, DEMO_PASSWORD)
    return center


def until(what: str, probe: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := probe()):
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.3)
    return found


def refused(call: Any) -> tuple[int, str, dict[str, Any]]:
    with pytest.raises(ServiceError) as caught:
        call()
    return caught.value.status, caught.value.code, caught.value.details


# -- the desk, from a terminal -------------------------------------------------------------------------------


def at_the_desk(
    region: Region, tmp_path: Path, login: str, recipient: str, attorney: str, number: str
) -> tuple[str, Signer]:
    """The operator at the window with `python -m client operator …`: signed in, their key from the NCA, the
    visitor's ticket called, the intake with the representative, the documents scanned, the application and
    the receipt signed. The intake's id, and the operator's key."""
    env = {
        **base_env(tmp_path),
        "CENTER_URL": region.url("con_intake"),
        "NCA_URL": region.url("registry_stub"),
        "EGOV_SESSION": str(tmp_path / "operator.session.json"),
        "OPERATOR_PASSWORD": DEMO_PASSWORD,
    }
    cli = client_cli(env)

    def run(*args: str, **extra: str) -> str:
        done = cli("operator", *args, **extra)
        assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
        return done.stdout

    assert login in run("login", "--login", login)
    key = tmp_path / "operator.p12"
    password = json.loads(run("nca-key", "--out", str(key)))["password"]
    ticket = json.loads(run("ticket", "--json"))
    called = json.loads(run("call", "--window", "1", "--json"))
    assert called["id"] == ticket["id"], called

    started = json.loads(
        run(
            "intake",
            "--recipient",
            recipient,
            "--representative",
            attorney,
            "--poa",
            number,
            "--ticket",
            ticket["id"],
            "--consent",
            "--json",
        )
    )
    assert started["state"] == "OPEN", started
    assert started["recipient"]["iin"] == recipient and started["representative"]["iin"] == attorney
    assert started["representative"]["power_of_attorney"]["notary"], started["representative"]
    assert [c["role"] for c in started["consent"]["attestations"]] == ["representative", "recipient"]
    kinds = [item["kind"] for item in started["checklist"]]
    assert kinds and kinds[0] == "identity_document"

    scans = []
    for kind in kinds:
        scan = tmp_path / f"{kind}.pdf"
        scan.write_bytes(b"%PDF-1.4\n% " + kind.encode() + b"\n%%EOF\n")
        scans += ["--scan", f"{kind}={scan}"]
    marked = json.loads(run("present", started["id"], *scans, "--json"))
    assert marked["missing"] == [], marked["missing"]

    accepted = run("accept", started["id"], "--p12", str(key), P12_PASSWORD=password)
    assert "accepted" in accepted and "the receipt is signed" in accepted, accepted
    run("done", ticket["id"])

    shown = json.loads(run("show", started["id"], "--json"))
    assert shown["state"] == "ACCEPTED" and shown["receipt"]["signed"], shown["receipt"]
    day = result_ready_on(datetime.fromisoformat(shown["application"]["accepted_at"])).isoformat()
    assert shown["receipt"]["result_ready_on"] == day and shown["receipt"]["document"]["result_ready_on"] == day
    assert day in accepted
    assert shown["receipt"]["document"]["representative"]["iin"] == attorney
    assert shown["receipt"]["document"]["power_of_attorney"] == number
    assert shown["acceptance"]["within_limit"] is True
    return str(shown["id"]), Signer.from_pkcs12(key.read_bytes(), password)


# -- the path ------------------------------------------------------------------------------------------------


def set_clocks(region: Region, at: datetime | None) -> None:
    """The Center's and the provider's business clocks at ``at`` (TEST_CLOCK=1), or the wall clock again."""
    for service in ("con_intake", "provider"):
        answer = httpx.put(f"{region.url(service)}/api/v1/test/clock", json={"at": at.isoformat() if at else None})
        assert answer.status_code == 200, answer.text


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """``day`` at ``hour:minute`` Kazakhstan time."""
    return datetime.combine(day, dt_time(hour, minute), KAZAKHSTAN)


def accepted_so_that_the_provider_delivers_today() -> datetime:
    """A working day's 10:00 about a month ago whose application's result the provider delivers today (the
    working day before the term, §12 item 2); on a day off, the first such day after today."""
    today = local_day(datetime.now(UTC))
    candidates = [at(today - timedelta(days=back), 10) for back in range(26, 45)]
    return min(
        (c for c in candidates if is_working_day(c.date()) and provider_delivers_on(c) >= today),
        key=lambda c: (provider_delivers_on(c), -c.timestamp()),
    )


def the_center_path(region: Region, tmp_path: Path) -> None:
    recipient = principal_of(region, "poa:valid")
    attorney, number = power_of_attorney(region, recipient, "poa:valid")
    TAKEN.update((recipient, attorney))
    district = district_of(region, recipient)
    branch, elsewhere = branches_for(district)
    login = f"operator-1.{branch}"

    # accepted about a month ago, on the Center's and the provider's clocks (TEST_CLOCK), so that the result is
    # due at the branch today
    accepted = accepted_so_that_the_provider_delivers_today()
    set_clocks(region, accepted)
    intake_id, key = at_the_desk(region, tmp_path, login, recipient, attorney, number)

    center = operator(region, login)
    department = Department(region, district)
    try:
        # Process 7 and 8: registered at the gateway, a case opened by the provider
        def with_its_case() -> dict[str, Any] | None:
            found = center.intake(intake_id)
            application = found["application"]
            return found if application["status"] == "REGISTERED" and application["case_number"] else None

        registered = until("the intake REGISTERED with a case number", with_its_case)
        application = registered["application"]
        assert application["registration_number"], application
        assert {"SUBMITTED", "REGISTERED_AT_GATEWAY", "REGISTERED"} <= {e["status"] for e in application["history"]}
        case = department.case_of(application["id"])
        assert case == application["case_number"]
        # a Center case: the provider delivers the working day before its term (§12 item 2), counted from the
        # gateway's registration; the Center's own day counts from its acceptance
        delivers_on = provider_delivers_on(accepted)
        item = next(i for i in department("head").sla()["items"] if i["case_number"] == case)
        assert item["deliver_by"] == add_working_days(date.fromisoformat(item["term_end"]), -1).isoformat(), item

        # Annex 1 step 2: the register of originals at the day's first register time, accepted by the provider
        the_register_goes_and_is_accepted(region, center, department, key, district, accepted.date(), application)
        set_clocks(region, None)

        # Annex 1 steps 4–9: the district's staff decide it
        decided = department.decide(case)
        assert (decided["status"], decided["step"]) == ("QUEUED", None), decided  # a group II invalid: queued

        # Process 9: the signed result at the branch
        listed = until(
            "the result at the branch",
            lambda: [
                r
                for r in center_call(center, "GET", "/api/v1/results").raise_for_status().json()
                if r["application_id"] == application["id"]
            ],
        )
        result = listed[0]
        assert result["intake_id"] == intake_id and result["custody"] == "AT_BRANCH", result
        assert result["provider_delivers_on"] == delivers_on.isoformat(), result
        if delivers_on == local_day(datetime.now(UTC)):  # on a working day: the day before the term, today
            assert local_day(datetime.fromisoformat(result["received_at"])) == delivers_on
        assert result["journal_number"] == registered["journal_number"]
        assert result["result_ready_on"] == registered["receipt"]["result_ready_on"]
        assert result["case_number"] == case and result["result_registration_number"], result
        assert result["representative"]["iin"] == attorney and result["recipient"]["iin"] == recipient
        assert result["type"] == "housing-queue/notification@1" and result["arrived_in_time"] is True, result

        # §17, Annex 1 step 10: issued at the window against the receipt, to the representative
        presentation = {
            "receipt_number": registered["journal_number"],
            "recipient_iin": recipient,
            "presented_by": "representative",
            "representative_iin": attorney,
        }
        path = f"/api/v1/results/{application['id']}/issue"
        wrong = center_call(center, "POST", path, json={**presentation, "receipt_number": "ХҚО-0-000000"})
        assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "FORBIDDEN", wrong.text
        issued = center_call(center, "POST", path, json=presentation)
        assert issued.status_code == 200, issued.text
        shown = issued.json()["result"]
        assert shown["custody"] == "ISSUED" and shown["issued"]["iin"] == attorney, shown
        assert shown["issued"]["presented_by"] == "representative" and shown["issued"]["journal_number"]
        again = center_call(center, "POST", path, json=presentation)
        assert again.status_code == 409 and again.json()["error"]["code"] == "CONFLICT", again.text
        journal = {e["number"]: e["kind"] for e in center.journal()}
        assert journal[registered["journal_number"]] == "accepted"
        assert journal[shown["issued"]["journal_number"]] == "issued"

        # the citizen's copy verifies at the portal: the provider's head, the gateway's stamp
        portal = PortalClient(region.url("portal_gateway"))
        try:
            verdict = portal.verify(issued.json()["signed"])
        finally:
            portal.http.close()
        assert verdict["valid"] is True, verdict
        notification = payload_of(issued.json()["signed"])
        assert notification["case_number"] == case and notification["queue_number"] >= 1, notification
        head = department("head").me()
        author, stamp = verdict["signatures"][0], verdict["signatures"][1]
        assert (author["iin"], author["role"], author["bin"]) == (head["iin"], "author", PROVIDER.bin), author
        assert (stamp["role"], stamp["bin"]) == ("registration", GATEWAY.bin), stamp

        another_branch_sees_nothing(region, f"operator-1.{elsewhere}", intake_id, application["id"], presentation)
    finally:
        department.close()
        center.close()


def the_register_goes_and_is_accepted(
    region: Region,
    center: OperatorClient,
    department: Department,
    key: Signer,
    district: str,
    day: date,
    application: dict[str, Any],
) -> None:
    """At 12:05 of ``day`` (both clocks) the operator sends the district's register of originals with the
    application in it; the provider's specialist finds it with the case and accepts it; the Center shows who."""
    set_clocks(region, at(day, 12, 5))
    schedule = center.originals_schedule()
    assert schedule["working_day"] is True and schedule["current_slot"], schedule
    assert application["id"] in {p["application_id"] for p in schedule["pending"]}
    sent = center.originals_register(key, district)
    entries = payload_of(sent["signed"])["entries"]
    assert application["id"] in {e["application_id"] for e in entries}, entries
    specialist = department("specialist")

    def received() -> list[dict[str, Any]]:
        return [h for h in specialist.handovers(kind="originals")["items"] if h["id"] == sent["id"]]

    until("the register at the provider", received)
    shown = specialist.handover(sent["id"])
    assert {a["application_id"]: a["case_number"] for a in shown["applications"]}[application["id"]] == (
        application["case_number"]
    ), shown["applications"]
    specialist.acknowledge(sent["id"], department.key("specialist"))
    accepted = until(
        "the provider's acceptance at the Center",
        lambda: [r for r in center.originals_registers() if r["id"] == sent["id"] and r["accepted_by"]],
    )[0]
    assert accepted["accepted_at"].startswith(day.isoformat()), accepted


def another_branch_sees_nothing(
    region: Region, login: str, intake_id: str, application_id: str, presentation: dict[str, Any]
) -> None:
    other = operator(region, login)
    try:
        assert refused(lambda: other.intake(intake_id))[:2] == (404, "NOT_FOUND")
        assert all(i["id"] != intake_id for i in other.intakes(limit=200))
        assert all(e["intake_id"] != intake_id for e in other.journal(limit=500))
        results = center_call(other, "GET", "/api/v1/results").raise_for_status().json()
        assert all(r["application_id"] != application_id for r in results)
        one = center_call(other, "GET", f"/api/v1/results/{application_id}")
        assert one.status_code == 404 and one.json()["error"]["code"] == "NOT_FOUND", one.text
        issue = center_call(other, "POST", f"/api/v1/results/{application_id}/issue", json=presentation)
        assert issue.status_code == 404 and issue.json()["error"]["code"] == "NOT_FOUND", issue.text
    finally:
        other.close()


TAKEN: set[str] = set()
"""The recipients taken in by this module's scenarios (one region per test, personas never taken twice)."""


def newcomer(region: Region, trait: str = "eligible") -> str:
    """A persona with ``trait`` no scenario of this region has taken in."""
    found = httpx.get(f"{region.url('registry_stub')}/api/v1/personas", params={"trait": trait, "limit": 100}).json()
    for persona in found:
        if persona["iin"] not in TAKEN:
            TAKEN.add(persona["iin"])
            return str(persona["iin"])
    raise AssertionError(f"no {trait} persona left")


def taken_in(center: OperatorClient, tmp_path: Path, recipient: str, *, skip: str | None = None) -> dict[str, Any]:
    """The recipient's intake with every document of the checklist scanned but ``skip``."""
    intake = center.start_intake(recipient, consent=True)
    scans = []
    for item in intake["checklist"]:
        if item["kind"] != skip:
            scan = tmp_path / f"{intake['id']}-{item['kind']}.pdf"
            scan.write_bytes(b"%PDF-1.4\n% " + item["kind"].encode() + b"\n%%EOF\n")
            scans.append(scan_of(scan, item["kind"]))
    return center.present(intake["id"], scans)


def registered_case(center: OperatorClient, intake_id: str) -> str | None:
    """The provider's case number of the intake's application once registered (a refusal fails here)."""
    application = center.intake(intake_id)["application"]
    assert application["status"] not in ("REFUSED_AT_GATEWAY", "REFUSED_DOCUMENTS", "REFUSED"), application
    return application["case_number"]  # type: ignore[no-any-return]


def accepted_by(center: OperatorClient, key: Signer, intake: dict[str, Any]) -> dict[str, Any]:
    return center.accept(intake["id"], sign_application(center.application_draft(intake["id"]), key))


def unclaimed_then_recalled(region: Region, tmp_path: Path) -> None:
    """§14 item 1 on the clocks: a result not collected goes back to the provider with the Annex 4 register a month
    after the receipt's day, accepted there by name; the recipient comes later, the Center asks, the provider sends
    it back within one plus one working days, and it is issued at the window."""
    recipient = newcomer(region)
    district = district_of(region, recipient)
    branch = branches_for(district)[0]
    center, head = operator(region, f"operator-2.{branch}"), operator(region, f"head.{branch}")
    department = Department(region, district)
    nca = NcaClient(region.url("registry_stub"))
    try:
        key, heads_key = employee_key(center, nca).signer(), employee_key(head, nca).signer()
        # accepted ten days ago or so (the registries honour the written consent for a while only)
        today = local_day(datetime.now(UTC))
        day = next(d for d in (today - timedelta(days=10 + i) for i in range(10)) if is_working_day(d))
        set_clocks(region, at(day, 10))
        intake = accepted_by(center, key, taken_in(center, tmp_path, recipient))
        ready = date.fromisoformat(intake["receipt"]["result_ready_on"])
        issue = intake["application"]["id"]
        set_clocks(region, None)
        case = until("the case", lambda: registered_case(center, intake["id"]))
        department.decide(case)
        until("the result at the branch", lambda: [r for r in center.results() if r["application_id"] == issue])

        unclaimed_from = date.fromisoformat(center.result(issue)["unclaimed_from"])
        set_clocks(region, at(unclaimed_from - timedelta(days=1), 17))
        assert issue not in {r["application_id"] for r in center.unclaimed()}
        set_clocks(region, at(unclaimed_from, 10))
        assert issue in {r["application_id"] for r in center.unclaimed()}
        handed = head.hand_over(sign_register(head.register_draft(district), heads_key))
        assert issue in handed["application_ids"] and center.result(issue)["custody"] == "WITH_PROVIDER"
        entries = payload_of(handed["signed"])["entries"]
        assert {e["planned_issue_on"] for e in entries} >= {ready.isoformat()}, entries
        specialist = department("specialist")
        until(
            "the Annex 4 register at the provider",
            lambda: specialist.handovers(kind="unclaimed", state="RECEIVED")["items"],
        )
        specialist.acknowledge(handed["id"], department.key("specialist"))
        accepted = until(
            "the provider's name on the Annex 4 register",
            lambda: [r for r in head.registers() if r["id"] == handed["id"] and r["accepted_by"]],
        )[0]
        assert accepted["accepted_at"].startswith(unclaimed_from.isoformat()), accepted

        visit = next(d for d in (unclaimed_from + timedelta(days=i) for i in range(3, 12)) if is_working_day(d))
        set_clocks(region, at(visit, 11))
        asked = center.recall(issue, receipt_number=intake["journal_number"], recipient_iin=recipient)
        recall = asked["recall"]
        assert asked["custody"] == "RECALLED" and recall["visit_on"] == visit.isoformat()
        assert recall["ask_by"] == add_working_days(visit, 1).isoformat()
        assert recall["return_by"] == add_working_days(visit, 2).isoformat()
        request = until(
            "the recall at the provider",
            lambda: [h for h in specialist.handovers(kind="recall")["items"] if h["state"] == "RECEIVED"],
        )[0]
        set_clocks(region, at(add_working_days(visit, 1), 15))  # the provider sends it back the next working day
        specialist.acknowledge(request["id"], department.key("specialist"))
        back = until(
            "the result back at the branch", lambda: (r := center.result(issue))["custody"] == "RETURNED" and r
        )
        assert back["recall"]["returned_in_time"] is True and back["recall"]["returned_by"], back["recall"]
        issued = center.issue(issue, receipt_number=intake["journal_number"], recipient_iin=recipient)
        assert issued["result"]["custody"] == "ISSUED"
    finally:
        set_clocks(region, None)
        department.close()
        center.close()
        head.close()
        nca.http.close()


def registers_skip_the_days_off(region: Region, tmp_path: Path) -> None:
    """Annex 1 step 2 on the clocks: an application accepted on the last working day before days off, after its
    last register time, waits for the next working day's 12:00, and that day has its second register at 17:00;
    over Nauryz 2026 (21–25 March) and 2014 (21–25 March 2014) the register skips the holidays. A ticket waiting
    past 15 minutes is flagged and counted in the head's figures (§12 item 3)."""
    recipient = newcomer(region)
    branch = branches_for(district_of(region, recipient))[0]
    center = operator(region, f"operator-1.{branch}")
    nca = NcaClient(region.url("registry_stub"))
    try:
        key = employee_key(center, nca).signer()
        # within the registries' consent window: the latest working day, a week or more ago, before a day off
        today = local_day(datetime.now(UTC))
        before = next(
            d
            for d in (today - timedelta(days=7 + i) for i in range(14))
            if is_working_day(d) and not is_working_day(d + timedelta(days=1))
        )
        after = add_working_days(before, 1)
        set_clocks(region, at(before, 17, 30))
        ticket = center.take_ticket()
        set_clocks(region, at(before, 17, 46))  # sixteen minutes on
        called = center.call(2)
        assert called["id"] == ticket["id"] and called["over_limit"] is True and called["wait_s"] > 15 * 60
        head = operator(region, f"head.{branch}")
        try:
            figures = head.figures()  # the branch head's figures of the day
        finally:
            head.close()
        assert figures["over_limit"] >= 1 and figures["share_over_limit"] > 0, figures
        center.done(ticket["id"])
        late = accepted_by(center, key, taken_in(center, tmp_path, recipient))
        noon = at(after, 12).astimezone(UTC).isoformat()[:19]
        waiting = next(p for p in center.originals_schedule()["pending"] if p["intake_id"] == late["id"])
        assert waiting["due_at"].startswith(noon), waiting
        set_clocks(region, at(before + timedelta(days=1), 12, 30))
        status, code, details = refused(lambda: center.originals_draft(late["district"]))
        assert (status, code) == (409, "CONFLICT") and details["next_at"].startswith(noon), details
        assert center.originals_schedule()["working_day"] is False
        set_clocks(region, at(after, 12, 5))
        first = center.originals_register(key, late["district"])
        assert late["application"]["id"] in {e["application_id"] for e in payload_of(first["signed"])["entries"]}
        set_clocks(region, at(after, 13))
        other = accepted_by(center, key, taken_in(center, tmp_path, newcomer(region)))
        set_clocks(region, at(after, 17, 5))
        second = center.originals_register(key, other["district"])
        assert other["application"]["id"] in {e["application_id"] for e in payload_of(second["signed"])["entries"]}
        sent = center.originals_schedule()
        assert {first["id"], second["id"]} <= set(sent["sent_today"]) and len(sent["slots_today"]) == 2

        for day_off, next_at in (
            (date(2026, 3, 23), "2026-03-26T07:00:00"),
            (date(2014, 3, 21), "2014-03-26T06:00:00"),
        ):
            set_clocks(region, at(day_off, 12, 30))
            shown = center.originals_schedule()
            assert shown["working_day"] is False and shown["next_at"].startswith(next_at), shown
            status, code, details = refused(lambda: center.originals_draft(late["district"]))
            assert (status, code) == (409, "CONFLICT") and details["next_at"].startswith(next_at), details
    finally:
        set_clocks(region, None)
        center.close()
        nca.http.close()


def annex_5_lists_exactly_what_is_missing(region: Region, tmp_path: Path) -> None:
    """§16: a vulnerable-group persona without the income certificate, a marriage-before-2008 one without the
    marriage certificate's copy: the Annex 5 receipt names exactly that document; nothing is sent."""
    for trait, missing in (
        ("vulnerable:large_family", "income_certificate"),
        ("marriage_before_2008", "marriage_certificate"),
    ):
        recipient = newcomer(region, trait)
        center = operator(region, f"operator-2.{branches_for(district_of(region, recipient))[0]}")
        nca = NcaClient(region.url("registry_stub"))
        try:
            key = employee_key(center, nca).signer()
            intake = taken_in(center, tmp_path, recipient, skip=missing)
            assert [m["kind"] for m in intake["missing"]] == [missing], intake["missing"]
            draft = center.refusal_draft(intake["id"])
            assert [m["kind"] for m in draft["document"]["missing"]] == [missing]
            refused_intake = center.refuse(intake["id"], sign_refusal(draft, key))
            assert refused_intake["state"] == "REFUSED" and refused_intake["journal_number"], refused_intake
            assert refused_intake["application"]["status"] is None, refused_intake["application"]
        finally:
            center.close()
            nca.http.close()


def refusals_with_their_codes(region: Region) -> None:
    """Process 4 and the powers of attorney that cannot be relied on, each with its code, the intake kept
    UNAVAILABLE (its id in the error's details)."""
    district = district_of(region, principal_of(region, "poa:valid"))
    center = operator(region, f"operator-2.{branches_for(district)[0]}")
    try:
        status, code, details = refused(lambda: center.start_intake(new_iin(), consent=True))
        assert (status, code) == (404, "PERSON_NOT_FOUND") and details["role"] == "recipient", details
        unknown = center.intake(details["intake"])
        assert unknown["state"] == "UNAVAILABLE" and unknown["error"]["code"] == "PERSON_NOT_FOUND"
        for trait, expected in (("poa:expired", "POA_EXPIRED"), ("poa:revoked", "POA_REVOKED")):
            principal = principal_of(region, trait)
            attorney, number = power_of_attorney(region, principal, trait)
            representative = {"iin": attorney, "power_of_attorney": {"kind": "notarised", "number": number}}
            status, code, details = refused(
                lambda p=principal, r=representative: center.start_intake(p, consent=True, representative=r)
            )
            assert (status, code) == (422, expected), (trait, details)
            kept = center.intake(details["intake"])
            assert kept["state"] == "UNAVAILABLE" and kept["error"]["code"] == expected and kept["checklist"] == []
    finally:
        center.close()


def test_the_center_path_in_the_embedded_default(tmp_path: Path) -> None:
    process, region = start_region(tmp_path, CON_INTAKE_DEMO_PASSWORD=DEMO_PASSWORD, TEST_CLOCK="1")
    TAKEN.clear()
    try:
        the_center_path(region, tmp_path)
        unclaimed_then_recalled(region, tmp_path)
        registers_skip_the_days_off(region, tmp_path)
        annex_5_lists_exactly_what_is_missing(region, tmp_path)
        refusals_with_their_codes(region)
    finally:
        code, err = stop(process)
    assert code == 0, err[-3000:]


@pytest.mark.rabbitmq
@pytest.mark.postgres
def test_the_center_path_on_rabbitmq_and_postgresql(
    tmp_path: Path, amqp_url: str, postgres_databases: dict[str, str]
) -> None:
    namespace = f"e2e.{uuid.uuid4().hex[:8]}"
    with broker_users(namespace, amqp_url) as users:
        processes, ports = start_services(
            tmp_path,
            amqp_urls=users,
            databases=postgres_databases,
            BUS_NAMESPACE=namespace,
            NCA_TEST_MODE="1",
            REGISTRY_STUB_POPULATION_SIZE="300",
            PROVIDER_DEMO_PASSWORD=STAFF_PASSWORD,
            CON_INTAKE_DEMO_PASSWORD=DEMO_PASSWORD,
            TEST_CLOCK="1",
        )
        try:
            wait_ready(list(ports.values()), "/ready", timeout=90)
            region = Region(ports, var_dir=tmp_path / "var")
            TAKEN.clear()
            the_center_path(region, tmp_path)
            unclaimed_then_recalled(region, tmp_path)
            registers_skip_the_days_off(region, tmp_path)
            annex_5_lists_exactly_what_is_missing(region, tmp_path)
            refusals_with_their_codes(region)
        finally:
            results = {name: stop(process, signal.SIGTERM) for name, process in processes.items()}
            purge_namespace(namespace)
    for name, (code, err) in results.items():
        assert code == 0, f"{name}: {err[-3000:]}"
