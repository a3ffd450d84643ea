"""The Center's path end to end (§19 Processes 2–9, §17, Annex 1 steps 1–10), all five services running as
`make run` runs them (one process, the in-memory bus, SQLite): a representative under a notarised power of
attorney applies for the recipient at a branch of the recipient's district, from a terminal with
`python -m client operator …` (login, the employee key from the test NCA, a ticket called to the window, the
intake with the written consent, the documents scanned here, the application and the receipt signed here);
the receipt names the day §12 item 2 gives; the gateway registers the application and the provider opens a
case (the intake REGISTERED, with the case number); the district's staff decide it with the staff SDK; the
signed result comes to the branch, is issued at the window against the receipt to the representative, and the
citizen's copy verifies at the portal, naming the provider's head and the gateway's registration stamp. In the
same run: a recipient the individuals database does not know (Process 4), a power of attorney expired or
revoked, each refused with its code; an operator of another branch sees nothing of the intake."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from client.operator import OperatorClient
from client.sdk import PortalClient, ServiceError
from services.con_intake.branches import BRANCHES
from services.con_intake.domain.schedule import result_ready_on
from shared.eds.signing import payload_of
from shared.participants import GATEWAY, PROVIDER
from tests.support.department import Department
from tests.support.pki import new_iin
from tests.support.processes import base_env, client_cli, stop
from tests.support.region import Region, start_region

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


def at_the_desk(region: Region, tmp_path: Path, login: str, recipient: str, attorney: str, number: str) -> str:
    """The operator at the window with `python -m client operator …`: signed in, their key from the NCA, the
    visitor's ticket called, the intake with the representative, the documents scanned, the application and
    the receipt signed. The intake's id."""
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
    return str(shown["id"])


# -- the path ------------------------------------------------------------------------------------------------


def the_center_path(region: Region, tmp_path: Path) -> None:
    recipient = principal_of(region, "poa:valid")
    attorney, number = power_of_attorney(region, recipient, "poa:valid")
    district = district_of(region, recipient)
    branch, elsewhere = branches_for(district)
    login = f"operator-1.{branch}"

    intake_id = at_the_desk(region, tmp_path, login, recipient, attorney, number)

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
    process, region = start_region(tmp_path, CON_INTAKE_DEMO_PASSWORD=DEMO_PASSWORD)
    try:
        the_center_path(region, tmp_path)
        refusals_with_their_codes(region)
    finally:
        code, err = stop(process)
    assert code == 0, err[-3000:]
