"""`python -m client operator …` against the Center in process with the registries, the test NCA and the
regional gateway (tests.support.center): a visitor's ticket taken and called, the recipient taken in with
their consent, the documents presented by reference (hashed here), the application and the acceptance
receipt signed here with an employee key the CLI got from the NCA, the receipt dated by §12 item 2; the
Annex 5 refusal listing the missing documents; the branch's head's figures; another branch's intake not
found; another person's key refused with its code; the operator's session kept beside the others; a result
issued at the window against the receipt (a wrong number refused), and the head's Annex 4 register of the
results unclaimed a month on, signed here; the register of originals at the register times (none before the
day's first, none on a day off, one a district), the provider's acceptance of the registers shown, and a late
recall the provider's answer brings back (no `recall-returned` any more)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from client.cli import main
from client.text import when
from services.con_intake.domain.schedule import result_ready_on
from shared.calendar import utcnow
from shared.eds.signing import payload_of
from shared.housing.relayed import verify_result
from tests.center.harness import local
from tests.client.harness import Bridge
from tests.support.center import (
    COLLEAGUE,
    DEMO_PASSWORD,
    ELSEWHERE,
    OPERATOR,
    Desk,
    result_accepted_at,
    set_clock,
    spare,
)

pytestmark = pytest.mark.asyncio(loop_scope="package")

CENTER = "http://center"
NCA = "http://nca"
HEAD = "head.karaganda-1"
MEDIA = {"identity_document": ".jpg", "income_certificate": ".png"}
"""Scans of these kinds are images here (the others PDFs): the media type follows the extension."""


class Cli:
    def __init__(self, bridge: Bridge, capsys: pytest.CaptureFixture[str], files: Path) -> None:
        self.bridge, self.capsys, self.files = bridge, capsys, files
        self.passwords: dict[str, str] = {}

    async def __call__(self, *argv: str, p12_password: str | None = None) -> tuple[int, str, str]:
        self.capsys.readouterr()
        with pytest.MonkeyPatch.context() as patch:
            if p12_password is not None:
                patch.setenv("P12_PASSWORD", p12_password)
            code = await asyncio.to_thread(main, ["operator", *argv], transport=self.bridge)
        out, err = self.capsys.readouterr()
        return code, out, err

    async def ok(self, *argv: str, p12_password: str | None = None) -> str:
        code, out, err = await self(*argv, p12_password=p12_password)
        assert code == 0, err
        return out

    async def json(self, *argv: str) -> Any:
        return json.loads(await self.ok(*argv, "--json"))

    async def as_(self, login: str) -> None:
        assert f"signed in as {login}" in await self.ok("login", "--login", login, "--center", CENTER)

    def key(self, login: str) -> str:
        return str(self.files / f"{login}.p12")

    async def get_key(self, login: str) -> None:
        out = await self.ok("nca-key", "--out", self.key(login), "--nca", NCA)
        self.passwords[login] = json.loads(out)["password"]

    async def signing(self, login: str, *argv: str, key_of: str | None = None) -> tuple[int, str, str]:
        """``argv`` with ``login``'s key (or ``key_of``'s), its password given as $P12_PASSWORD."""
        owner = key_of or login
        return await self(*argv, "--p12", self.key(owner), p12_password=self.passwords[owner])

    def scan(self, kind: str) -> Path:
        """A file standing for the scan of ``kind``: its bytes its own."""
        path = self.files / f"{kind}{MEDIA.get(kind, '.pdf')}"
        if not path.exists():
            path.write_bytes(f"%scan of {kind}\n".encode() + os.urandom(512))
        return path

    def scans(self, kinds: list[str]) -> list[str]:
        return [arg for kind in kinds for arg in ("--scan", f"{kind}={self.scan(kind)}")]


@pytest.fixture
def cli(
    center_bridge: Bridge, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Cli:
    monkeypatch.setenv("EGOV_SESSION", str(tmp_path / "session.json"))
    monkeypatch.setenv("OPERATOR_PASSWORD", DEMO_PASSWORD)
    return Cli(center_bridge, capsys, tmp_path)


def kinds(items: list[dict[str, Any]]) -> list[str]:
    return [i["kind"] for i in items]


def field(shown: str, label: str) -> str:
    """The value of the field ``label`` in what a command printed (`client.text.fields`)."""
    for line in shown.splitlines():
        if line.startswith(label + "  "):
            return line[len(label) :].strip()
    raise AssertionError(f"no field {label!r} in:\n{shown}")


async def started(cli: Cli, recipient: str, *argv: str) -> dict[str, Any]:
    intake: dict[str, Any] = await cli.json("intake", "--recipient", recipient, "--consent", *argv)
    assert intake["state"] == "OPEN" and intake["recipient"]["iin"] == recipient
    return intake


async def test_a_visitor_from_the_ticket_to_the_signed_receipt(center_world: Desk, cli: Cli, tmp_path: Path) -> None:
    session = tmp_path / "session.json"
    staff = {"provider": "http://provider", "token": "staff-token", "login": "head.karaganda"}
    session.write_text(json.dumps({"portal": "http://portal", "token": "citizen-token", "staff": staff}))
    await cli.as_(OPERATOR)
    kept = json.loads(session.read_text())
    assert kept["token"] == "citizen-token" and kept["staff"] == staff and kept["operator"]["login"] == OPERATOR
    me = await cli.json("me")
    assert me["login"] == OPERATOR and me["role"] == "operator" and me["branch"]["code"] == "karaganda-1"
    assert field(await cli.ok("me"), "IIN") == me["iin"]
    await cli.get_key(OPERATOR)
    assert (tmp_path / f"{OPERATOR}.p12").stat().st_mode & 0o777 == 0o600

    # The hall's terminal gives the visitor a ticket; the operator calls it to window 1.
    taken = await cli.ok("ticket")
    assert taken.startswith("ticket H-") and "waiting" in taken
    number = taken.split()[1]
    ticket = next(t for t in (await cli.json("queue"))["waiting"] if t["number"] == number)
    assert f"(id {ticket['id']})" in taken
    board = await cli.ok("queue")
    assert "Waiting" in board and ticket["number"] in board and ticket["id"] in board
    called = await cli.ok("call", "--window", "1")
    assert f"{ticket['number']} to window 1 (ticket {ticket['id']})" in called
    assert f"--ticket {ticket['id']} --consent" in called
    code, _, err = await cli("call", "--window", "1")
    assert code == 2 and "CONFLICT" in err, "the window still serves the visitor"

    # Processes 2–4: the recipient's consent, the registries, the checklist.
    recipient = await center_world.fresh("eligible")
    code, out, err = await cli("intake", "--recipient", recipient, "--ticket", ticket["id"])
    assert code == 2 and out == "" and "--consent" in err, "no consent, nothing is sent"
    assert cli.bridge.count("POST", "/api/v1/intakes") == 0
    intake = await started(cli, recipient, "--ticket", ticket["id"])
    assert intake["ticket_id"] == ticket["id"] and kinds(intake["missing"]) == kinds(intake["checklist"])
    checklist = kinds(intake["checklist"])
    assert checklist[0] == "identity_document"
    shown = await cli.ok("show", intake["id"])
    assert field(shown, "State") == "OPEN" and field(shown, "Recipient").endswith(f"(IIN {recipient})")
    assert field(shown, "Ticket") == ticket["id"] and "Checklist (§14 item 1)" in shown
    assert f"python -m client operator present {intake['id']} --scan identity_document=FILE" in shown

    # Process 5: the scans hashed here and given by reference; the bytes stay here.
    marked = await cli.ok("present", intake["id"], *cli.scans(checklist))
    assert "Missing: nothing" in marked and f"python -m client operator accept {intake['id']}" in marked
    scans = {s["kind"]: s for s in (await cli.json("show", intake["id"]))["scans"]}
    for kind in checklist:
        data = cli.scan(kind).read_bytes()
        assert scans[kind]["sha256"] == hashlib.sha256(data).hexdigest() and scans[kind]["size"] == len(data)
        assert scans[kind]["name"] == cli.scan(kind).name
    assert scans["identity_document"]["media_type"] == "image/jpeg"
    assert {scans[k]["media_type"] for k in checklist if k not in MEDIA} <= {"application/pdf"}

    # Process 6: the application and then the receipt, both signed here; §13 from the ticket's call.
    center_world.clock.advance(minutes=3)
    code, out, err = await cli.signing(OPERATOR, "accept", intake["id"])
    assert code == 0, err
    accepted = await cli.json("show", intake["id"])
    assert accepted["state"] == "ACCEPTED" and accepted["application"]["status"] == "SUBMITTED"
    ready = result_ready_on(datetime.fromisoformat(accepted["application"]["accepted_at"])).isoformat()
    assert accepted["receipt"]["result_ready_on"] == ready
    assert f"the result is ready on {ready} (§12 item 2)" in out and "the receipt is signed" in out
    assert f"journal entry {accepted['journal_number']}" in out
    assert "acceptance (§13): 3 min" in out and "(within 15 minutes)" in out
    assert payload_of(accepted["receipt"]["signed"]) == accepted["receipt"]["document"]
    application = payload_of(accepted["application"]["signed"])
    assert application["author"]["iin"] == me["iin"] and application["applicant"]["iin"] == recipient
    assert [(a["kind"], a["sha256"]) for a in application["attachments"]] == [
        (k, scans[k]["sha256"]) for k in checklist
    ]
    # run again, nothing is signed twice
    code, again, _ = await cli.signing(OPERATOR, "accept", intake["id"])
    assert code == 0 and f"the result is ready on {ready}" in again
    assert cli.bridge.count("POST", f"/api/v1/intakes/{intake['id']}/application") == 1
    assert cli.bridge.count("POST", f"/api/v1/intakes/{intake['id']}/receipt") == 1

    shown = await cli.ok("show", intake["id"])
    assert field(shown, "Result ready on") == ready and field(shown, "State") == "ACCEPTED"
    assert field(shown, "Receipt") == f"{accepted['journal_number']}, signed"
    assert "History" in shown and "SUBMITTED" in shown
    for signed in (accepted["receipt"]["signed"], accepted["application"]["signed"]):
        assert signed["payload"] not in shown and signed["signatures"][0]["signature"] not in shown
    journal = await cli.ok("journal")
    assert accepted["journal_number"] in journal and "accepted" in journal and intake["id"] in journal
    assert intake["id"] in await cli.ok("intakes", "--state", "ACCEPTED")
    finished = await cli.ok("done", ticket["id"])
    assert f"{ticket['number']}: done" in finished and "window 1 free" in finished

    # The branch's head reads the day's figures; an operator may not.
    code, _, err = await cli("figures")
    assert code == 2 and "FORBIDDEN" in err
    await cli.as_(HEAD)
    figures = await cli.json("figures")
    assert figures["branch"] == "karaganda-1" and figures["tickets"] >= 1 and figures["done"] >= 1
    shown = await cli.ok("figures", "--day", figures["day"])
    assert field(shown, "Day") == figures["day"] and field(shown, "Tickets") == str(figures["tickets"])


async def test_the_annex_5_refusal_lists_the_missing_documents(center_world: Desk, cli: Cli) -> None:
    await cli.as_(OPERATOR)
    await cli.get_key(OPERATOR)
    recipient = await center_world.fresh("marriage_before_2008")
    intake = await started(cli, recipient)
    checklist = kinds(intake["checklist"])
    assert "marriage_certificate" in checklist
    name = next(i["name"] for i in intake["checklist"] if i["kind"] == "marriage_certificate")
    marked = await cli.ok("present", intake["id"], *cli.scans([k for k in checklist if k != "marriage_certificate"]))
    assert "Missing: marriage_certificate" in marked and f"python -m client operator refuse {intake['id']}" in marked

    code, out, err = await cli.signing(OPERATOR, "accept", intake["id"])
    assert code == 2 and out == "" and "CONFLICT" in err and "marriage_certificate" in err
    code, out, err = await cli.signing(OPERATOR, "refuse", intake["id"])
    assert code == 0, err
    refused = await cli.json("show", intake["id"])
    assert refused["state"] == "REFUSED"
    assert kinds(payload_of(refused["refusal"])["missing"]) == ["marriage_certificate"]
    assert f"journal entry {refused['journal_number']}" in out and "The receipt (Annex 5) lists as missing" in out
    missing = out.split("lists as missing\n", 1)[1].splitlines()
    assert missing[0].split() == ["KIND", "DOCUMENT"] and len(missing) == 2
    assert missing[1].startswith("marriage_certificate") and name in missing[1]
    journal = await cli.json("journal")
    assert any(e["number"] == refused["journal_number"] and e["kind"] == "refused" for e in journal)
    shown = await cli.ok("show", intake["id"])
    assert "Refused" in shown and "the Annex 5 receipt signed: missing marriage_certificate" in shown


async def test_another_branchs_intake_is_not_found(center_world: Desk, cli: Cli) -> None:
    await cli.as_(OPERATOR)
    intake = await started(cli, await center_world.fresh("eligible"))
    await cli.as_(ELSEWHERE)
    for argv in (("show", intake["id"]), ("present", intake["id"], *cli.scans(["identity_document"]))):
        code, out, err = await cli(*argv)
        assert code == 2 and out == "" and "NOT_FOUND" in err, argv
    assert intake["id"] not in await cli.ok("intakes")
    await cli.as_(COLLEAGUE)
    assert intake["id"] in await cli.ok("show", intake["id"]), "the branch's colleague sees it"


async def test_a_key_of_someone_else_is_refused_with_its_code(center_world: Desk, cli: Cli) -> None:
    await cli.as_(COLLEAGUE)
    await cli.get_key(COLLEAGUE)  # an employee certificate of the Center, but the colleague's
    await cli.as_(OPERATOR)
    intake = await started(cli, await center_world.fresh("eligible"))
    await cli.ok("present", intake["id"], *cli.scans(kinds(intake["checklist"])))
    code, out, err = await cli.signing(OPERATOR, "accept", intake["id"], key_of=COLLEAGUE)
    assert code == 2 and out == "" and "EDS_IIN_MISMATCH" in err
    code, out, err = await cli("accept", intake["id"], "--p12", cli.key(COLLEAGUE), p12_password="not-its-password")
    assert code == 2 and out == "" and err.startswith("error: ")
    assert (await cli.json("show", intake["id"]))["state"] == "OPEN"


async def test_a_representative_under_a_power_of_attorney_notarised_or_typed(center_world: Desk, cli: Cli) -> None:
    await cli.as_(OPERATOR)
    notarised = await center_world.power_of_attorney("poa:valid")
    intake = await started(
        cli, notarised.principal_iin, "--representative", notarised.attorney_iin, "--poa", notarised.number
    )
    assert intake["representative"]["iin"] == notarised.attorney_iin
    shown = await cli.ok("show", intake["id"])
    assert field(shown, "Representative").endswith(f"(IIN {notarised.attorney_iin})")
    assert field(shown, "Power of attorney") == (
        f"{notarised.number} (notarised), valid until {notarised.valid_until.isoformat()}"
    )

    typed = await center_world.power_of_attorney("poa:not_notarised")  # certified otherwise: typed in
    paper = cli.scan("power_of_attorney")
    valid_until = (date.today() + timedelta(days=30)).isoformat()
    argv = [
        "--representative",
        typed.attorney_iin,
        "--poa-typed",
        "ЖҰМ-17",
        "--poa-issued-on",
        (date.today() - timedelta(days=300)).isoformat(),
        "--poa-valid-until",
        valid_until,
        "--poa-certified-by",
        "the employer",
    ]
    code, out, err = await cli("intake", "--recipient", typed.principal_iin, "--consent", *argv)
    assert code == 2 and out == "" and "--poa-scan" in err, "a typed power of attorney needs its scan"
    intake = await started(cli, typed.principal_iin, *argv, "--poa-scan", str(paper))
    poa = intake["representative"]["power_of_attorney"]
    assert poa["kind"] == "other" and poa["scan_sha256"] == hashlib.sha256(paper.read_bytes()).hexdigest()
    shown = await cli.ok("show", intake["id"])
    assert field(shown, "Power of attorney") == f"ЖҰМ-17 (certified by the employer), valid until {valid_until}"


async def test_what_is_wrong_on_this_side_is_said_before_anything_is_sent(cli: Cli, tmp_path: Path) -> None:
    await cli.as_(OPERATOR)
    sent = len(cli.bridge.sent)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a scan")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    for argv, says in (
        (("intake", "--recipient", "900101300017", "--consent", "--representative", "900101300017"), "--poa"),
        (("intake", "--recipient", "900101300017", "--consent", "--poa", "2026-1"), "--representative"),
        (("present", "some-intake", "--scan", "identity_document"), "KIND=FILE"),
        (("present", "some-intake", "--scan", f"identity_document={notes}"), "PDF, JPEG or PNG"),
        (("present", "some-intake", "--scan", f"identity_document={empty}"), "0 bytes"),
        (("present", "some-intake", "--scan", f"identity_document={tmp_path / 'absent.pdf'}"), "absent.pdf"),
    ):
        code, out, err = await cli(*argv)
        assert code == 2 and out == "" and err.startswith("error: ") and says in err, (argv, err)
    assert len(cli.bridge.sent) == sent


# -- the results at the window (§17, Annex 1 step 10) and the unclaimed ones (§14 item 1) ----------------------


async def test_a_result_is_issued_at_the_window_against_the_receipt(
    center_world: Desk, cli: Cli, tmp_path: Path
) -> None:
    login = "operator-1.balkhash"
    intake = await result_accepted_at(center_world, login, utcnow() - timedelta(days=20))
    issue, recipient, receipt = intake["application"]["id"], intake["recipient"]["iin"], intake["journal_number"]
    await cli.as_(login)
    listed = await cli.ok("results", "--custody", "AT_BRANCH")
    assert issue in listed and receipt in listed and "in time" in listed
    shown = await cli.ok("result", issue)
    assert field(shown, "Custody") == "AT_BRANCH" and field(shown, "Receipt") == receipt
    assert field(shown, "Recipient").endswith(f"(IIN {recipient})") and field(shown, "Issued") == "—"
    assert field(shown, "Next") == f"python -m client operator issue {issue} --receipt {receipt} --iin {recipient}"

    wrong = receipt[:-6] + ("999999" if not receipt.endswith("999999") else "999998")
    code, out, err = await cli("issue", issue, "--receipt", wrong, "--iin", recipient)
    assert code == 2 and out == "" and "FORBIDDEN" in err and '"field": "receipt_number"' in err
    assert (await cli.json("result", issue))["custody"] == "AT_BRANCH"

    copy = tmp_path / "result.json"
    code, out, err = await cli("issue", issue, "--receipt", receipt, "--iin", recipient, "--out", str(copy))
    assert code == 0, err
    done = await cli.json("result", issue)
    entry = done["issued"]["journal_number"]
    assert done["custody"] == "ISSUED" and done["issued"]["iin"] == recipient and done["issued"]["by"] == login
    assert out.startswith(f"{issue}: issued to the recipient (IIN {recipient})") and f"journal entry {entry}" in out
    assert str(copy) in err
    signed = json.loads(copy.read_text())
    verified = await verify_result(center_world.env.verifier(), signed)
    assert verified.document.application_id == issue and signed["payload"] not in out
    journal = await cli.json("journal")
    assert any(e["number"] == entry and e["kind"] == "issued" and e["application_id"] == issue for e in journal)
    code, out, err = await cli("issue", issue, "--receipt", receipt, "--iin", recipient)
    assert code == 2 and out == "" and "CONFLICT" in err, "issued once"


async def test_the_heads_annex_4_register_of_the_results_unclaimed_a_month_on(center_world: Desk, cli: Cli) -> None:
    login, head = "operator-1.priozersk", "head.priozersk"
    # ready on Wednesday 18 February 2026 (accepted on Monday 19 January): unclaimed from Wednesday 18 March
    intake = await result_accepted_at(center_world, login, local(date(2026, 1, 19), 10))
    assert intake["receipt"]["result_ready_on"] == "2026-02-18"
    issue, recipient = intake["application"]["id"], intake["recipient"]
    set_clock(center_world.clock, local(date(2026, 3, 17), 12))
    await cli.as_(login)
    assert await cli.ok("unclaimed") == "nothing unclaimed\n"
    set_clock(center_world.clock, local(date(2026, 3, 18), 9))
    unclaimed = await cli.ok("unclaimed")
    assert issue in unclaimed and "2026-03-18 (unclaimed)" in unclaimed
    assert field(await cli.ok("result", issue), "Unclaimed from") == "2026-03-18 (unclaimed)"

    await cli.get_key(login)
    code, out, err = await cli.signing(login, "unclaimed-register")
    assert code == 2 and out == "" and "FORBIDDEN" in err, "the branch's head's only"
    await cli.as_(head)
    await cli.get_key(head)
    code, out, err = await cli.signing(head, "unclaimed-register")
    assert code == 0, err
    registers = await cli.json("result", issue)
    assert registers["custody"] == "WITH_PROVIDER"
    register_id = registers["handed_over"]["register_id"]
    assert field(out, "Register") == register_id and field(out, "Total") == "1"
    assert field(out, "Signed").endswith(f"by {head}") and field(out, "District") == intake["district"]
    entries = out.split("Handed to the provider (Annex 4)\n", 1)[1].splitlines()
    assert entries[0].split()[:2] == ["NO", "IDENTIFIER"] and len(entries) == 2
    name = " ".join(recipient[k] for k in ("surname", "given_name", "patronymic") if recipient.get(k))
    row = entries[1]
    assert row.startswith("1 ") and intake["application"]["registration_number"] in row and name in row
    assert "2026-01-19" in row and "2026-02-18" in row
    assert await cli.ok("unclaimed") == "nothing unclaimed\n"
    code, out, err = await cli.signing(head, "unclaimed-register")
    assert code == 2 and "CONFLICT" in err, "nothing unclaimed any more"


# -- the register of originals (Annex 1 step 2), the provider's acceptance, the late recall (§14 item 1) -------


async def accepted_for(desk: Desk, login: str, at: datetime, district: str) -> dict[str, Any]:
    """A spare recipient's application accepted at ``login``'s branch at ``at`` (the Center's clock), for
    ``district``'s authorized body."""
    set_clock(desk.clock, at)
    intake = await desk.started(login, await spare(desk), district=district)
    await desk.present(login, intake)
    return await desk.accept(login, intake)


def rows_of(shown: str, heading: str) -> list[str]:
    """The rows of the table under ``heading`` in what a command printed (its header first)."""
    return shown.split(heading + "\n", 1)[1].split("\n\n", 1)[0].splitlines()


async def test_the_register_of_originals_at_the_register_times(center_world: Desk, cli: Cli) -> None:
    login = "operator-1.temirtau"
    day = date(2026, 4, 8)  # a Wednesday
    ours = await accepted_for(center_world, login, local(day, 10), "temirtau")
    theirs = await accepted_for(center_world, login, local(day, 10, 30), "abay")
    ids = {ours["application"]["id"]: "temirtau", theirs["application"]["id"]: "abay"}
    await cli.as_(login)
    await cli.get_key(login)

    # before the day's first register time: the two times, the next one, who waits; nothing to sign yet
    set_clock(center_world.clock, local(day, 11, 30))
    shown = await cli.ok("originals-schedule")
    assert field(shown, "Register times") == "12:00, 17:00 (Kazakhstan time)"
    assert field(shown, "Today") == "2026-04-08, a working day"
    assert field(shown, "Today's registers") == "12:00, 17:00"
    assert field(shown, "Current register time") == "none yet"
    assert field(shown, "Next register time") == "2026-04-08 12:00"
    assert field(shown, "Waiting") == "2" and field(shown, "Sent today") == "none"
    waiting = rows_of(shown, "Waiting for the register (Annex 1 step 2)")
    assert waiting[0].split() == ["INTAKE", "APPLICATION", "DISTRICT", "ACCEPTED", "DUE", "LATE"]
    assert [(row.split()[1], row.split()[2]) for row in waiting[1:]] == list(ids.items())
    assert all("2026-04-08 12:00" in row and "LATE" not in row for row in waiting[1:])
    assert "next: the register at 2026-04-08 12:00 (Kazakhstan time)" in shown
    code, out, err = await cli.signing(login, "originals-register")
    assert code == 2 and out == "" and "CONFLICT" in err and '"next_at": "2026-04-08T07:00:00' in err

    # at 12:00: one register a district; the schedule says which to sign
    set_clock(center_world.clock, local(day, 12, 5))
    shown = await cli.ok("originals-schedule")
    assert field(shown, "Current register time") == "12:00"
    assert field(shown, "Next register time") == "2026-04-08 17:00"
    for district in ("abay", "temirtau"):
        assert f"python -m client operator originals-register --p12 KEY.p12 --district {district}" in shown
    code, out, err = await cli.signing(login, "originals-register")
    assert code == 2 and out == "" and "VALIDATION_FAILED" in err and '"districts": ["abay", "temirtau"]' in err
    code, out, err = await cli.signing(login, "originals-register", "--district", "temirtau")
    assert code == 0, err
    me = await cli.json("me")
    register_id = field(out, "Register")
    assert field(out, "District") == "temirtau" and field(out, "Total") == "1"
    assert field(out, "Register time") == "2026-04-08 12:00 (Kazakhstan time)"
    assert field(out, "Signed").endswith(f"by {login}") and field(out, "Handed over by") == me["full_name"]
    assert field(out, "Accepted by") == "not accepted yet"
    entries = rows_of(out, "Handed to the provider (Annex 1 step 2)")
    assert entries[0].split()[:3] == ["NO", "APPLICATION", "IDENTIFIER"] and len(entries) == 2
    assert entries[1].split()[:2] == ["1", ours["application"]["id"]]
    handed = await center_world.handed_over(register_id)
    assert handed.routing_key == "handover.temirtau"
    code, out, err = await cli.signing(login, "originals-register", "--district", "temirtau")
    assert code == 2 and "CONFLICT" in err, "nothing of temirtau waits any more"
    code, out, err = await cli.signing(login, "originals-register", "--district", "abay")
    assert code == 0 and field(out, "District") == "abay", err
    second_id = field(out, "Register")
    shown = await cli.ok("originals-schedule")
    assert field(shown, "Waiting") == "0" and "nothing waits for the register" in shown
    assert field(shown, "Sent today") == f"{register_id}, {second_id}"

    # the registers sent: not accepted, until the provider's specialist answers (Annex 1 step 3)
    listed = await cli.ok("originals-registers")
    assert listed.splitlines()[0].split()[:3] == ["REGISTER", "DISTRICT", "REGISTER"]
    rows = {line.split()[0]: line for line in listed.splitlines()[1:]}
    assert rows[register_id].endswith("not accepted yet") and rows[second_id].endswith("not accepted yet")
    await center_world.answer(handed, at=local(day, 14))
    rows = {line.split()[0]: line for line in (await cli.ok("originals-registers")).splitlines()[1:]}
    at = next(r["accepted_at"] for r in await cli.json("originals-registers") if r["id"] == register_id)
    assert rows[register_id].endswith(f"Маман Тұрғын үй бөлімі at {when(at)}")
    assert rows[second_id].endswith("not accepted yet")

    # a Saturday: no register; the next on Monday
    set_clock(center_world.clock, local(date(2026, 4, 11), 12, 5))
    shown = await cli.ok("originals-schedule")
    assert field(shown, "Today") == "2026-04-11, a day off: no register today"
    assert field(shown, "Today's registers") == "—" and field(shown, "Next register time") == "2026-04-13 12:00"


async def test_the_provider_accepts_the_annex_4_register_and_sends_a_recalled_result_back(
    center_world: Desk, cli: Cli
) -> None:
    login, head = "operator-1.shakhtinsk", "head.shakhtinsk"
    # ready on Wednesday 18 February 2026 (accepted on Monday 19 January): unclaimed from Wednesday 18 March
    intake = await result_accepted_at(center_world, login, local(date(2026, 1, 19), 10))
    issue, iin, receipt = intake["application"]["id"], intake["recipient"]["iin"], intake["journal_number"]
    set_clock(center_world.clock, local(date(2026, 3, 18), 9))
    await cli.as_(head)
    await cli.get_key(head)
    assert await cli.ok("unclaimed-registers") == "no Annex 4 register signed yet\n"
    out = await cli.ok("unclaimed-register", "--p12", cli.key(head), p12_password=cli.passwords[head])
    register_id = field(out, "Register")
    assert field(out, "Accepted by") == "not accepted yet"
    assert field(out, "Handed over by") == (await cli.json("me"))["full_name"]
    listed = (await cli.ok("unclaimed-registers")).splitlines()
    assert listed[0].split() == ["REGISTER", "DISTRICT", "TOTAL", "SIGNED", "BY", "ACCEPTED", "BY", "THE", "PROVIDER"]
    assert listed[1].startswith(register_id) and listed[1].endswith("not accepted yet") and head in listed[1]

    # the provider's specialist accepts it: Annex 4's «Қабылдады»
    await center_world.answer(await center_world.handed_over(register_id), at=local(date(2026, 3, 18), 11))
    at = (await cli.json("unclaimed-registers"))[0]["accepted_at"]
    row = (await cli.ok("unclaimed-registers")).splitlines()[1]
    assert row.startswith(register_id) and row.endswith(f"Маман Тұрғын үй бөлімі at {when(at)}")

    # the recipient comes late: the result is asked back; the provider's answer brings it back
    set_clock(center_world.clock, local(date(2026, 3, 19), 10))
    await cli.as_(login)
    shown = await cli.ok("recall", issue, "--receipt", receipt, "--iin", iin)
    recall = (await cli.json("result", issue))["recall"]
    assert field(shown, "Custody") == "RECALLED"
    assert field(shown, "Recall").endswith("; the provider has not sent it back yet")
    assert field(shown, "Next") == (
        f"wait for the provider to send it back (by {recall['return_by']}); "
        f"then python -m client operator issue {issue} --receipt {receipt} --iin {iin}"
    )
    code, out, err = await cli("issue", issue, "--receipt", receipt, "--iin", iin)
    assert code == 2 and "CONFLICT" in err, "not back yet"
    await center_world.answer(await center_world.handed_over(recall["id"]), at=local(date(2026, 3, 20), 10))
    shown = await cli.ok("result", issue)
    back = (await cli.json("result", issue))["recall"]
    assert field(shown, "Custody") == "RETURNED"
    assert field(shown, "Recall").endswith(
        f"; sent back by the provider's Маман Тұрғын үй бөлімі {when(back['returned_at'])} (in time)"
    )
    assert field(shown, "Next") == f"python -m client operator issue {issue} --receipt {receipt} --iin {iin}"
    code, out, err = await cli("issue", issue, "--receipt", receipt, "--iin", iin)
    assert code == 0 and out.startswith(f"{issue}: issued to the recipient (IIN {iin})"), err


async def test_recall_returned_is_no_command_any_more(capsys: pytest.CaptureFixture[str]) -> None:
    """The provider's answer brings a recalled result back: there is nothing for the operator to mark."""
    with pytest.raises(SystemExit) as exited:
        main(["operator", "recall-returned", "some-result"])
    assert exited.value.code == 2 and "invalid choice: 'recall-returned'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["operator", "--help"])
    shown = capsys.readouterr().out
    assert "recall-returned" not in shown
    for command in ("originals-schedule", "originals-register", "originals-registers", "unclaimed-registers"):
        assert command in shown
