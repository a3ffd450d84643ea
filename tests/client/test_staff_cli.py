"""`python -m client staff …` against the provider and the NCA in process: a case taken through Annex 1
steps 4–9 by the district's demo staff from the command line, each with an employee key the CLI got from
the NCA, signing on this side; what a person reads at each step, and what the provider refuses."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from client.cli import main
from client.sdk import read_signed
from tests.client.harness import NCA, PROVIDER, Bridge, hand_over, open_case
from tests.support.provider import DEMO_PASSWORD, World, deliver_registered

pytestmark = pytest.mark.asyncio(loop_scope="package")

DISTRICT = "shet"
HEAD, SPECIALIST = f"head.{DISTRICT}", f"specialist.{DISTRICT}"
CHAIR, SECRETARY, MEMBER = (f"commission-{seat}.{DISTRICT}" for seat in ("chair", "secretary", "member-1"))


class Cli:
    def __init__(self, bridge: Bridge, capsys: pytest.CaptureFixture[str], keys: Path) -> None:
        self.bridge, self.capsys, self.keys = bridge, capsys, keys
        self.passwords: dict[str, str] = {}

    async def __call__(self, *argv: str, p12_password: str | None = None) -> tuple[int, str, str]:
        self.capsys.readouterr()
        with pytest.MonkeyPatch.context() as patch:
            if p12_password is not None:
                patch.setenv("P12_PASSWORD", p12_password)
            code = await asyncio.to_thread(main, ["staff", *argv], transport=self.bridge)
        out, err = self.capsys.readouterr()
        return code, out, err

    async def ok(self, *argv: str, p12_password: str | None = None) -> str:
        code, out, err = await self(*argv, p12_password=p12_password)
        assert code == 0, err
        return out

    async def as_(self, login: str) -> None:
        assert f"signed in as {login}" in await self.ok("login", "--login", login, "--provider", PROVIDER)

    def mode(self, login: str) -> int:
        return (self.keys / f"{login}.p12").stat().st_mode & 0o777

    def key(self, login: str) -> str:
        return str(self.keys / f"{login}.p12")

    async def get_key(self, login: str) -> None:
        out = await self.ok("nca-key", "--out", self.key(login), "--nca", NCA)
        self.passwords[login] = json.loads(out)["password"]

    async def signing(self, login: str, *argv: str) -> tuple[int, str, str]:
        return await self(*argv, "--p12", self.key(login), p12_password=self.passwords[login])


@pytest.fixture
def cli(bridge: Bridge, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("EGOV_SESSION", str(tmp_path / "session.json"))
    monkeypatch.setenv("STAFF_PASSWORD", DEMO_PASSWORD)
    return Cli(bridge, capsys, tmp_path)


def no_base64(out: str, *signed: dict[str, Any]) -> None:
    for each in signed:
        assert each["payload"] not in out
        for signature in each["signatures"]:
            assert signature["protected"] not in out and signature["signature"] not in out


async def test_a_case_through_steps_4_to_9_from_the_command_line(world: World, cli: Cli) -> None:
    number = await open_case(world, DISTRICT, "eligible")

    # Step 4, the head: the register, the case, the resolution signed here.
    await cli.as_(HEAD)
    me = json.loads(await cli.ok("me", "--json"))
    assert me["login"] == HEAD and me["position"] == "head" and me["iin"]
    assert HEAD in await cli.ok("me")
    await cli.get_key(HEAD)
    assert cli.mode(HEAD) == 0o600
    listed = await cli.ok("cases", "--step", "4")
    assert number in listed and "head" in listed and "CASE" in listed
    shown = await cli.ok("case", number)
    assert "Waiting at step  4 (head): the head's resolution" in shown
    assert f"python -m client staff resolve {number}" in shown
    code, _, err = await cli("prepare", number)
    assert code == 2 and "FORBIDDEN" in err, "step 5 is the specialist's"
    code, out, _ = await cli.signing(HEAD, "resolve", number)
    assert code == 0 and f"{number}: now at step 5 (specialist)" in out
    code, _, err = await cli.signing(HEAD, "resolve", number)
    assert code == 2 and "CONFLICT" in err

    # Step 5, the executor: the suggestion accepted.
    await cli.as_(SPECIALIST)
    shown = await cli.ok("case", number)
    assert "Suggestion       register in" in shown and f"executor {SPECIALIST}" in shown
    assert "now at step 6 (commission)" in await cli.ok("prepare", number)

    # Step 6: the secretary convenes; the chair signs first, then the others.
    await cli.as_(SECRETARY)
    created = json.loads(
        await cli.ok("meeting", "create", "--present", CHAIR, SECRETARY, MEMBER, "--case", number, "--json")
    )
    meeting = created["id"]
    assert created["awaiting"] == [CHAIR, SECRETARY, MEMBER]
    shown = await cli.ok("meeting", "show", meeting)
    assert f"Awaiting   {CHAIR}, {SECRETARY}, {MEMBER}" in shown and number in shown and "register in" in shown
    await cli.get_key(SECRETARY)
    code, _, err = await cli.signing(SECRETARY, "meeting", "sign", meeting)
    assert code == 2 and "EDS_IIN_MISMATCH" in err, "the chair is the protocol's author: the first signature"
    for login in (CHAIR, SECRETARY, MEMBER):
        await cli.as_(login)
        if login not in cli.passwords:
            await cli.get_key(login)
        code, out, err = await cli.signing(login, "meeting", "sign", meeting)
        assert code == 0, err
    assert "Status     signed" in out and f"Signed by  {CHAIR}, {SECRETARY}, {MEMBER}" in out
    assert meeting in await cli.ok("meeting", "list", "--status", "signed")

    # Step 7, the executor drafts; step 8, the head signs it; step 9, the executor sends it.
    await cli.as_(SPECIALIST)
    drafted = await cli.ok("draft", number)
    assert "draft result: housing-queue/notification@1" in drafted and "queue number 1" in drafted
    await cli.as_(HEAD)
    code, out, err = await cli.signing(HEAD, "sign", number)
    assert code == 0 and "now at step 9 (specialist)" in out, err
    await cli.as_(SPECIALIST)
    assert f"{number}: done, QUEUED" in await cli.ok("dispatch", number)

    case = json.loads(await cli.ok("case", number, "--json"))
    assert case["status"] == "QUEUED" and case["step"] is None
    assert [s["actor"] for s in case["steps"]][:2] == [HEAD, SPECIALIST]
    document, signatures = read_signed(case["result"])
    assert document["type"] == "housing-queue/notification@1" and [s.iin for s in signatures] == [me["iin"]]
    shown = await cli.ok("case", number)
    assert "Waiting at step  done" in shown and "Steps" in shown and "History" in shown
    no_base64(shown, case["result"], *(s["document"] for s in case["steps"] if s["document"]))
    sla = await cli.ok("sla")
    assert f"District   {DISTRICT}" in sla and number not in sla


async def test_a_key_of_someone_else_is_refused(world: World, cli: Cli) -> None:
    number = await open_case(world, DISTRICT, "eligible")
    await cli.as_(SPECIALIST)
    await cli.get_key(SPECIALIST)  # an employee certificate of the department, but the specialist's
    await cli.as_(HEAD)
    cli.passwords[HEAD] = cli.passwords[SPECIALIST]
    code, out, err = await cli("resolve", number, "--p12", cli.key(SPECIALIST), p12_password=cli.passwords[HEAD])
    assert code == 2 and out == "" and "EDS_IIN_MISMATCH" in err


async def test_another_districts_case_is_not_found(world: World, cli: Cli) -> None:
    theirs = await open_case(world, "balkhash", "eligible")
    await cli.as_(HEAD)
    code, out, err = await cli("case", theirs)
    assert code == 2 and out == "" and "NOT_FOUND" in err


async def test_a_handover_of_the_center_is_acknowledged_from_the_command_line(world: World, cli: Cli) -> None:
    district = "saran"
    specialist, member = f"specialist.{district}", f"commission-member-1.{district}"
    application = await world.application(await world.persona("eligible"), district=district)
    await deliver_registered(world, application)
    number = (await world.status(application.id)).case_number
    assert number is not None
    register = await hand_over(world, district, application.id)

    await cli.as_(specialist)
    listed = await cli.ok("handovers")
    assert register.id in listed and "originals" in listed and "RECEIVED" in listed and "HANDOVER" in listed
    shown = await cli.ok("handover", register.id)
    assert number in shown and application.id in shown
    assert f"python -m client staff acknowledge {register.id}" in shown
    assert "Handovers  1 awaiting an answer, 0 recalls overdue" in await cli.ok("sla")

    await cli.as_(member)
    await cli.get_key(member)
    code, out, err = await cli.signing(member, "acknowledge", register.id)
    assert code == 2 and out == "" and "FORBIDDEN" in err

    await cli.as_(specialist)
    await cli.get_key(specialist)
    code, out, err = await cli.signing(specialist, "acknowledge", register.id)
    me = json.loads(await cli.ok("me", "--json"))
    assert code == 0 and f"{register.id}: ACKNOWLEDGED by {me['full_name']}" in out, err
    code, _, err = await cli.signing(specialist, "acknowledge", register.id)
    assert code == 2 and "CONFLICT" in err, "acknowledged once"

    detail = json.loads(await cli.ok("handover", register.id, "--json"))
    document, signatures = read_signed(detail["signed_ack"])
    assert document["handover"] == register.id and [s.iin for s in signatures] == [me["iin"]]
    shown = await cli.ok("handover", register.id)
    assert f"ACKNOWLEDGED by {me['full_name']} ({specialist})" in shown and "acknowledge" not in shown
    no_base64(shown, detail["signed_ack"], detail["document"])
    assert register.id in await cli.ok("handovers", "--state", "ACKNOWLEDGED")
    assert register.id not in await cli.ok("handovers", "--state", "RECEIVED")
    assert "Handovers  0 awaiting an answer" in await cli.ok("sla")
