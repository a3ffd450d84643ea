"""`python -m client staff …`: the housing department's staff and the housing commission on the provider's
staff API (Annex 1 steps 3–9), signing here with their employee PKCS#12:

python -m client staff login --login head.karaganda            # password: $STAFF_PASSWORD or prompt
python -m client staff me
python -m client staff nca-key --out head.p12                  # this staff member's employee SIGN key from the NCA
python -m client staff cases [--step 4]                        # my district's register
python -m client staff case ТҮ-karaganda-2026-000017           # one case: its step, the suggestion, the history
python -m client staff resolve NUMBER --p12 head.p12 [--executor specialist.karaganda]      # step 4, the head
python -m client staff prepare NUMBER [--decision refuse --ground 2 --reasons TEXT]         # step 5, the executor
python -m client staff meeting create --present commission-chair.karaganda … [--case NUMBER …]   # step 6
python -m client staff meeting show ID | meeting list | meeting sign ID --p12 member.p12
python -m client staff draft NUMBER                            # step 7, the executor: the result to sign
python -m client staff sign NUMBER --p12 head.p12              # step 8, the head signs it
python -m client staff dispatch NUMBER                         # step 9, the executor sends it
python -m client staff handovers [--state RECEIVED] [--kind recall]   # what the Public Service Center handed us
python -m client staff handover ID                             # one: the Center's register or recall, our cases
python -m client staff acknowledge ID --p12 specialist.p12     # step 3: sign our answer, sent back to the Center
python -m client staff sla                                     # what is due, what is overdue, what awaits an answer
python -m client staff autopilot                               # play every district's demo staff until Ctrl-C

`login` keeps the token in the session file under ``staff`` (the citizen's session stays); every other command
uses it. Keys: $P12_PASSWORD or a prompt. ``--json``: the provider's JSON as it is. Exit codes as for the
citizen's commands: 0 done, 2 an error (the provider refused: its code and details)."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from client import session
from client.sdk import DEFAULT_NCA, NcaClient, load_signer, read_signed
from client.staff import (
    DEFAULT_PROVIDER,
    STEP_ACTIONS,
    StaffClient,
    employee_key,
    sign_draft_result,
    sign_protocol,
    sign_resolution,
)
from client.text import NONE, compact, fields, ground, table, text, when

SECTION_15 = {
    1: "тұрғын үй-жайын ауыстыру",
    2: "өзiне меншiк құқығымен тиесiлi, тұру үшiн жарамды тұрғын үйдi иелiгiнен шығару",
    3: "өз кiнәсiнен тұрғын үйдiң бұзылуы немесе бүлiнуi",
    4: "мұқтаж болмаған кезде тұрғын үйден кету",
    5: "жұбайынан, кәмелетке толмаған және еңбекке жарамсыз балаларынан, сондай-ақ еңбекке жарамсыз "
    "ата-аналарынан басқа адамдарды тұрғызу",
}
"""The key words of each item of §15 (docs/regulation.md): the text of a ground given as ``--ground N``."""
WAITING_LISTS = ("ww2", "orphans", "vulnerable", "employees", "emergency")
"""The 2014 lists' codes (`shared.housing.decisions.WaitingListRef`)."""
HANDOVER_KINDS = {
    "originals": "the register of originals (Annex 1 step 2)",
    "unclaimed": "the register of unclaimed results (Annex 4)",
    "recall": "a recall of a result handed over (§14 item 1)",
}
"""What the Public Service Center hands the department, by the provider's kind."""
HANDOVER_STATES = ("RECEIVED", "ACKNOWLEDGED")


def add_parser(commands: Any) -> None:
    """The ``staff`` command and its subcommands, on the CLI's subparsers."""
    raw = argparse.ArgumentParser(add_help=False)
    raw.add_argument("--json", action="store_true", help="the provider's JSON as it is")
    key = argparse.ArgumentParser(add_help=False)
    key.add_argument("--p12", type=Path, required=True, help="your employee SIGN key ($P12_PASSWORD or prompt)")
    staff = commands.add_parser(
        "staff",
        help="the housing department's staff and commission (Annex 1 steps 3–9: the Center's handovers, the cases)",
    )
    sub = staff.add_subparsers(dest="staff_command", required=True, metavar="COMMAND")

    login = sub.add_parser("login", help="sign in ($STAFF_PASSWORD or prompt); the token goes to the session file")
    login.add_argument("--login", required=True, help="e.g. head.karaganda")
    login.add_argument("--provider", default=os.environ.get("PROVIDER_URL", DEFAULT_PROVIDER))
    sub.add_parser("me", parents=[raw], help="who I am: role, position, district, IIN")
    nca_key = sub.add_parser("nca-key", help="my employee SIGN key and certificate (PKCS#12) from the test NCA")
    nca_key.add_argument("--out", type=Path, required=True, help="where to write the PKCS#12 (mode 0600)")
    nca_key.add_argument("--nca", default=os.environ.get("NCA_URL", DEFAULT_NCA))
    nca_key.add_argument("--surname", help="default: from the account's name")
    nca_key.add_argument("--given-name", help="default: from the account's name")
    nca_key.add_argument(
        "--ra-token", default=os.environ.get("NCA_RA_TOKEN", ""), help="the RA's token; not needed in test mode"
    )

    cases = sub.add_parser("cases", parents=[raw], help="my district's cases, newest first")
    cases.add_argument("--step", type=int, choices=range(4, 10), metavar="4..9", help="only those waiting at it")
    cases.add_argument("--status", help="only those in this status (REGISTERED, IN_REVIEW, QUEUED, …)")
    cases.add_argument("--limit", type=int, default=20)
    cases.add_argument("--offset", type=int, default=0)
    case = sub.add_parser("case", parents=[raw], help="one case: where it waits, the suggestion, its history")
    case.add_argument("number")

    resolve = sub.add_parser("resolve", parents=[raw, key], help="step 4 (the head): sign the resolution")
    resolve.add_argument("number")
    resolve.add_argument("--executor", help="the specialist's login (default: the district's specialist)")
    prepare = sub.add_parser(
        "prepare", parents=[raw], help="step 5 (the executor): put the case to the commission (default: the suggestion)"
    )
    prepare.add_argument("number")
    prepare.add_argument("--decision", choices=["register", "refuse"])
    prepare.add_argument("--list", dest="waiting_list", choices=WAITING_LISTS, help="the waiting list (register)")
    prepare.add_argument(
        "--ground", type=int, action="append", choices=range(1, 6), metavar="1..5", help="a §15 item (refuse)"
    )
    prepare.add_argument("--reasons", help="the reasons, in words")

    meeting = sub.add_parser("meeting", help="step 6: the housing commission's meetings")
    meetings = meeting.add_subparsers(dest="meeting_command", required=True, metavar="COMMAND")
    create = meetings.add_parser("create", parents=[raw], help="open a meeting (the chair or the secretary)")
    create.add_argument("--present", nargs="+", required=True, metavar="LOGIN", help="the members present")
    create.add_argument("--case", nargs="+", dest="cases", metavar="NUMBER", help="the agenda (default: all at step 6)")
    listed = meetings.add_parser("list", parents=[raw], help="my district's meetings")
    listed.add_argument("--status", choices=["signing", "signed"])
    show = meetings.add_parser("show", parents=[raw], help="one meeting: its agenda, decisions and signatures")
    show.add_argument("id")
    signing = meetings.add_parser("sign", parents=[raw, key], help="sign the protocol (the chair first)")
    signing.add_argument("id")

    draft = sub.add_parser("draft", parents=[raw], help="step 7 (the executor): draw up the result for the head")
    draft.add_argument("number")
    sign = sub.add_parser("sign", parents=[raw, key], help="step 8 (the head): sign the drafted result")
    sign.add_argument("number")
    dispatch = sub.add_parser("dispatch", parents=[raw], help="step 9 (the executor): send the signed result")
    dispatch.add_argument("number")
    handovers = sub.add_parser(
        "handovers", parents=[raw], help="what the Public Service Center handed my district (registers, recalls)"
    )
    handovers.add_argument("--state", choices=HANDOVER_STATES, help="only those in this state")
    handovers.add_argument("--kind", choices=sorted(HANDOVER_KINDS), help="only those of this kind")
    handovers.add_argument("--limit", type=int, default=50)
    handover = sub.add_parser(
        "handover", parents=[raw], help="one handover: the Center's register or recall, our cases for its applications"
    )
    handover.add_argument("id")
    acknowledge = sub.add_parser(
        "acknowledge",
        parents=[raw, key],
        help="step 3 (the specialist, or the head): sign the acknowledgment of a handover; it goes to the Center",
    )
    acknowledge.add_argument("id")
    sub.add_parser(
        "sla", parents=[raw], help="the district's open cases against their limits; the handovers awaiting an answer"
    )
    pilot = sub.add_parser(
        "autopilot",
        help="play the demo staff of every district (or --district …) until Ctrl-C, as AUTOPILOT=1 make run does",
    )
    pilot.add_argument("--provider", default=os.environ.get("PROVIDER_URL", DEFAULT_PROVIDER))
    pilot.add_argument("--nca", default=os.environ.get("NCA_URL", DEFAULT_NCA))
    pilot.add_argument("--district", action="append", dest="districts", metavar="CODE", help="only these districts")
    pilot.add_argument("--interval", type=float, default=1.0, help="seconds between passes")
    pilot.add_argument(
        "--ra-token", default=os.environ.get("NCA_RA_TOKEN", ""), help="the RA's token; not needed in test mode"
    )


# -- what a person reads ------------------------------------------------------------------------------


def _flag(item: Mapping[str, Any]) -> str:
    if item.get("overdue"):
        return "OVERDUE"
    return "due today" if item.get("due_today") else ""


def _step(step: object, actor: object = None) -> str:
    if not isinstance(step, int):
        return "done" if step is None else text(step)
    action = STEP_ACTIONS.get(step)
    shown = f"{step} ({actor})" if actor else str(step)
    return f"{shown}: {action}" if action else shown


def _list_name(value: object) -> str:
    if isinstance(value, Mapping):
        name, code = value.get("name"), value.get("code")
        return f"{name} ({code})" if name and code else text(name or code)
    return text(value)


def render_proposal(proposal: object) -> str:
    """A suggestion, a proposal or a decision in one line: register in a list, or refuse on grounds."""
    if not isinstance(proposal, Mapping) or not proposal:
        return NONE
    decision = proposal.get("decision")
    if decision == "register":
        shown = f"register in {_list_name(proposal.get('waiting_list'))}"
    elif decision == "refuse":
        grounds = proposal.get("grounds") or []
        shown = "refuse" + (": " + "; ".join(ground(g) for g in grounds) if grounds else "")
    else:
        shown = text(decision) if decision else compact(dict(proposal))
    if proposal.get("reasons"):
        shown += f" — {proposal['reasons']}"
    protocol = proposal.get("protocol")
    if isinstance(protocol, Mapping):
        shown += f" (protocol {text(protocol.get('number'))} of {when(protocol.get('held_at'))})"
    return shown


def _document(value: object) -> Mapping[str, Any] | None:
    """A document from a draft, a signed e-document or a step's record (None: not a document)."""
    if not isinstance(value, Mapping):
        return None
    if "payload" in value:
        try:
            return read_signed(value)[0]
        except ValueError:
            return None
    inner = value.get("document")
    if isinstance(inner, Mapping) and "type" not in value:
        return _document(inner)
    return value if "type" in value else None


def render_document(value: object) -> str:
    """An e-document (a resolution, a result) in a line: its type, id and what it decides."""
    document = _document(value)
    if document is None:
        return text(value if not isinstance(value, Mapping) else compact(dict(value)))
    parts = [text(document.get("type"))]
    if document.get("waiting_list") is not None:
        parts.append(f"list {_list_name(document['waiting_list'])}")
    if document.get("queue_number") is not None:
        parts.append(f"queue number {document['queue_number']}")
    grounds = document.get("grounds")
    if isinstance(grounds, list) and grounds:
        parts.append("; ".join(ground(g) for g in grounds))
    executor = document.get("executor")
    if isinstance(executor, Mapping):
        parts.append(f"executor {text(executor.get('login'))}")
    if document.get("id"):
        parts.append(f"id {document['id']}")
    return ", ".join(parts)


def render_me(me: Mapping[str, Any]) -> str:
    return fields(
        [
            ("Login", text(me.get("login"))),
            ("Name", text(me.get("full_name"))),
            ("Role", text(me.get("role"))),
            ("Position", text(me.get("position"))),
            ("District", text(me.get("district"))),
            ("IIN", text(me.get("iin"))),
        ]
    )


def render_cases(page: Mapping[str, Any]) -> str:
    items = [c for c in page.get("items", []) if isinstance(c, Mapping)]
    if not items:
        return "no cases"
    rows = [
        [
            text(c.get("number")),
            text(c.get("status")),
            "done" if c.get("step") is None else text(c.get("step")),
            text(c.get("actor")),
            text(c.get("executor")),
            text(c.get("applicant_name")),
            when(c.get("since")),
            when(c.get("due_at")),
            _flag(c),
        ]
        for c in items
    ]
    headers = ["CASE", "STATUS", "STEP", "ACTOR", "EXECUTOR", "APPLICANT", "SINCE", "DUE", ""]
    shown = table(headers, rows)
    total, offset = int(page.get("total", len(items))), int(page.get("offset", 0))
    if total > offset + len(items):
        shown += f"\n{offset + 1}–{offset + len(items)} of {total} (--offset {offset + len(items)} for more)"
    return shown


NEXT = {
    4: "python -m client staff resolve {n} --p12 HEAD.p12",
    5: "python -m client staff prepare {n}",
    6: "python -m client staff meeting create --present LOGIN… --case {n}",
    7: "python -m client staff draft {n}",
    8: "python -m client staff sign {n} --p12 HEAD.p12",
    9: "python -m client staff dispatch {n}",
}


def render_case(case: Mapping[str, Any]) -> str:
    """One case for a person: where it waits and who acts, the proposals and decisions, the documents; the
    steps taken and the status history. Never the signed documents' base64."""
    number = text(case.get("number"))
    applicant = text(case.get("applicant_name"))
    if case.get("applicant_iin"):
        applicant += f" (IIN {case['applicant_iin']})"
    step = case.get("step")
    due = when(case.get("due_at"))
    if _flag(case):
        due += f" ({_flag(case)})"
    pairs = [
        ("Case", number),
        ("Application", text(case.get("application_id"))),
        ("Applicant", applicant),
        ("Status", text(case.get("status"))),
        ("Waiting at step", _step(step, case.get("actor"))),
        ("Executor", text(case.get("executor"))),
        ("Since", when(case.get("since"))),
        ("Due", due),
        ("Registration", f"{text(case.get('registration_number'))} at {when(case.get('registered_at'))}"),
        ("Suggestion", render_proposal(case.get("suggestion"))),
        ("Proposal", render_proposal(case.get("proposal"))),
        ("Decision", render_proposal(case.get("decision"))),
        ("Draft result", render_document(case["draft"]) if case.get("draft") else NONE),
        ("Result", render_document(case["result"]) if case.get("result") else NONE),
    ]
    if isinstance(step, int) and step in NEXT:
        pairs.append(("Next", NEXT[step].format(n=number)))
    shown = fields(pairs)
    steps = [s for s in case.get("steps") or [] if isinstance(s, Mapping)]
    if steps:
        rows = [[text(s.get("step")), text(s.get("actor")), when(s.get("at")), _what_was_done(s)] for s in steps]
        shown += "\n\nSteps\n" + table(["STEP", "BY", "WHEN", "SIGNED OR DECIDED"], rows)
    history = [h for h in case.get("history") or [] if isinstance(h, Mapping)]
    if history:
        rows = [
            [
                text(h.get("status")),
                when(h.get("at")),
                text(h.get("actor")),
                compact(h["reason"]) if h.get("reason") else "",
            ]
            for h in history
        ]
        shown += "\n\nHistory\n" + table(["STATUS", "WHEN", "BY", "REASON"], rows)
    return shown


def _what_was_done(step: Mapping[str, Any]) -> str:
    """A completed step's record: the document signed at it, else what was decided (step 5's proposal, the
    draft's type and id, the result sent)."""
    if step.get("document"):
        return render_document(step["document"])
    note = step.get("note")
    if not isinstance(note, Mapping) or not note:
        return NONE
    if note.get("decision"):
        return "proposal: " + render_proposal(note)
    if note.get("type"):
        return f"drafted {note['type']}" + (f", id {note['id']}" if note.get("id") else "")
    if note.get("result"):
        return f"sent result {note['result']}"
    return compact(dict(note))


def render_moved(case: Mapping[str, Any]) -> str:
    """After a step: where the case is now."""
    number = text(case.get("number"))
    step = case.get("step")
    if step is None:
        return f"{number}: done, {text(case.get('status'))}"
    line = f"{number}: now at step {_step(step, case.get('actor'))} ({text(case.get('status'))})"
    return line + (f"\nnext: {NEXT[step].format(n=number)}" if step in NEXT else "")


def render_meetings(page: Mapping[str, Any]) -> str:
    items = [m for m in page.get("items", []) if isinstance(m, Mapping)]
    if not items:
        return "no meetings"
    rows = [
        [
            text(m.get("id")),
            text(m.get("number")),
            when(m.get("held_at")),
            text(m.get("status")),
            str(len(m.get("agenda") or [])),
            ", ".join(m.get("awaiting") or []) or NONE,
        ]
        for m in items
    ]
    return table(["MEETING", "NUMBER", "HELD", "STATUS", "CASES", "AWAITING"], rows)


def render_meeting(meeting: Mapping[str, Any]) -> str:
    """A meeting: who is present, who has signed and who is yet to, and the decision on each case."""
    awaiting = list(meeting.get("awaiting") or [])
    pairs = [
        ("Meeting", text(meeting.get("id"))),
        ("Protocol", text(meeting.get("number"))),
        ("District", text(meeting.get("district"))),
        ("Held", when(meeting.get("held_at"))),
        ("Status", text(meeting.get("status"))),
        ("Present", ", ".join(meeting.get("present") or []) or NONE),
        ("Signed by", ", ".join(meeting.get("signed_by") or []) or NONE),
        ("Awaiting", ", ".join(awaiting) or NONE),
    ]
    if awaiting:
        pairs.append(("Next", f"{awaiting[0]}: python -m client staff meeting sign {meeting.get('id')} --p12 KEY.p12"))
    shown = fields(pairs)
    document = _document(meeting.get("document")) or {}
    decisions = [d for d in document.get("decisions") or [] if isinstance(d, Mapping)]
    if decisions:
        rows = [[text(d.get("case_number")), render_proposal(d)] for d in decisions]
        shown += "\n\nDecisions\n" + table(["CASE", "DECISION"], rows)
    elif meeting.get("agenda"):
        shown += "\n\nAgenda\n" + "\n".join(str(n) for n in meeting["agenda"])
    return shown


def _handover_flag(item: Mapping[str, Any]) -> str:
    if item.get("overdue"):
        return "OVERDUE"
    return "late" if item.get("returned_in_time") is False else ""


def render_handovers(page: Mapping[str, Any]) -> str:
    items = [h for h in page.get("items", []) if isinstance(h, Mapping)]
    if not items:
        return "no handovers"
    rows = [
        [
            text(h.get("id")),
            text(h.get("kind")),
            text(h.get("branch")),
            text(h.get("total")),
            when(h.get("received_at")),
            text(h.get("due_on")) if h.get("due_on") else "",
            text(h.get("state")),
            text(h.get("accepted_by")) if h.get("accepted_by") else "",
            _handover_flag(h),
        ]
        for h in items
    ]
    headers = ["HANDOVER", "KIND", "BRANCH", "TOTAL", "RECEIVED", "DUE", "STATE", "ACCEPTED BY", ""]
    shown = table(headers, rows)
    total = int(page.get("total", len(items)))
    if total > len(items):
        shown += f"\n{len(items)} of {total} (--limit for more)"
    return shown


def render_handover(handover: Mapping[str, Any]) -> str:
    """One handover for a person: what it is, from which branch, its state and who acknowledged it; the
    applications it names with our cases. Never the signed documents' base64."""
    payload = handover.get("payload")
    document: Mapping[str, Any] = payload if isinstance(payload, Mapping) else {}
    kind = str(handover.get("kind") or "")
    state = text(handover.get("state"))
    if handover.get("acknowledged_at"):
        state += f" by {text(handover.get('accepted_by'))} ({text(handover.get('acknowledged_by'))}) at "
        state += when(handover.get("acknowledged_at"))
    due = text(handover.get("due_on"))
    if handover.get("overdue"):
        due += " (OVERDUE)"
    elif handover.get("returned_in_time") is not None:
        due += " (sent back in time)" if handover["returned_in_time"] else " (sent back late)"
    pairs = [
        ("Handover", text(handover.get("id"))),
        ("Kind", HANDOVER_KINDS.get(kind, text(kind))),
        ("Branch", text(handover.get("branch"))),
        ("Handed over by", text(document.get("handed_over_by") or document.get("asked_by"))),
        ("Total", text(handover.get("total"))),
        ("Received", when(handover.get("received_at"))),
        ("State", state),
    ]
    if kind == "recall":
        pairs += [("Visit", text(document.get("visit_on"))), ("Send back by", due)]
    if handover.get("state") == "RECEIVED":
        pairs.append(("Next", f"python -m client staff acknowledge {text(handover.get('id'))} --p12 KEY.p12"))
    shown = fields(pairs)
    applications = [a for a in handover.get("applications") or [] if isinstance(a, Mapping)]
    if applications:
        rows = [
            [text(a.get("reference")), text(a.get("application_id")), text(a.get("case_number"))] for a in applications
        ]
        shown += "\n\nApplications\n" + table(["AS NAMED", "APPLICATION", "CASE"], rows)
    return shown


def render_acknowledged(handover: Mapping[str, Any]) -> str:
    """After the acknowledgment: what was acknowledged, by whom."""
    line = f"{text(handover.get('id'))}: {text(handover.get('state'))} by {text(handover.get('accepted_by'))}"
    line += f" ({text(handover.get('kind'))}, {text(handover.get('total'))} accepted); the answer goes to the Center"
    if handover.get("returned_in_time") is False:
        line += f"\nlate: the result was due back by {text(handover.get('due_on'))}"
    return line


def render_sla(sla: Mapping[str, Any]) -> str:
    pairs = [
        ("District", text(sla.get("district"))),
        ("Now", when(sla.get("now"))),
        ("Open", text(sla.get("open"))),
        ("Overdue", text(sla.get("overdue"))),
        ("Due today", text(sla.get("due_today"))),
        (
            "Handovers",
            f"{text(sla.get('handovers_unacknowledged'))} awaiting an answer, "
            f"{text(sla.get('recalls_overdue'))} recalls overdue",
        ),
    ]
    shown = fields(pairs)
    items = [i for i in sla.get("items") or [] if isinstance(i, Mapping)]
    if items:
        rows = [
            [
                text(i.get("case_number")),
                text(i.get("step")),
                text(i.get("actor")),
                when(i.get("since")),
                when(i.get("due_at")),
                _flag(i),
            ]
            for i in items
        ]
        shown += "\n\n" + table(["CASE", "STEP", "ACTOR", "SINCE", "DUE", ""], rows)
    return shown


# -- the commands -------------------------------------------------------------------------------------


def _password(variable: str, prompt: str) -> str:
    return os.environ.get(variable) or getpass.getpass(prompt)


def _client(transport: httpx.BaseTransport | None) -> StaffClient:
    saved = session.staff()
    provider = saved.get("provider") or os.environ.get("PROVIDER_URL", DEFAULT_PROVIDER)
    return StaffClient(str(provider), token=saved.get("token"), transport=transport)


def _show(args: argparse.Namespace, answer: Any, render: Any) -> int:
    print(json.dumps(answer, ensure_ascii=False, indent=2) if args.json else render(answer))
    return 0


def _grounds(items: Sequence[int] | None) -> list[dict[str, Any]] | None:
    if not items:
        return None
    return [{"paragraph": "§15", "item": item, "text": f"§15 {item}) {SECTION_15[item]}"} for item in items]


def run(
    args: argparse.Namespace,
    transport: httpx.BaseTransport | None = None,
    nca_transport: httpx.BaseTransport | None = None,
) -> int:
    """One ``staff`` command; 0 on success (errors are raised, for `client.cli.main` to report)."""
    command = args.staff_command
    if command == "login":
        client = StaffClient(args.provider, transport=transport)
        client.login(args.login, _password("STAFF_PASSWORD", f"Password of {args.login}: "))
        session.save_staff({"provider": args.provider, "token": client.token, "login": args.login})
        me = client.me()
        print(f"signed in as {me.get('login')}: {me.get('role')} ({me.get('position')}), {me.get('district')}")
        return 0
    if command == "autopilot":
        return _autopilot(args, transport, nca_transport)
    client = _client(transport)
    if command == "me":
        return _show(args, client.me(), render_me)
    if command == "nca-key":
        nca = NcaClient(args.nca, ra_token=args.ra_token, transport=nca_transport or transport)
        issued = employee_key(client, nca, surname=args.surname, given_name=args.given_name)
        issued.save(args.out)
        print(json.dumps({"serial": issued.serial, "pkcs12": str(args.out), "password": issued.password}))
        return 0
    if command == "cases":
        page = client.cases(step=args.step, status=args.status, limit=args.limit, offset=args.offset)
        return _show(args, page, render_cases)
    if command == "case":
        return _show(args, client.case(args.number), render_case)
    if command == "resolve":
        signer = load_signer(args.p12, _password("P12_PASSWORD", "PKCS#12 password: "))
        draft = client.resolution_draft(args.number, args.executor)
        return _show(args, client.resolve(args.number, sign_resolution(draft, signer)), render_moved)
    if command == "prepare":
        proposal = client.prepare(
            args.number,
            decision=args.decision,
            waiting_list=args.waiting_list,
            grounds=_grounds(args.ground),
            reasons=args.reasons,
        )
        return _show(args, proposal, render_moved)
    if command == "meeting":
        return _meeting(args, client)
    if command == "draft":
        return _show(args, client.result_draft(args.number), lambda d: "draft result: " + render_document(d))
    if command == "sign":
        signer = load_signer(args.p12, _password("P12_PASSWORD", "PKCS#12 password: "))
        to_sign = client.case(args.number).get("draft")
        if not isinstance(to_sign, Mapping) or not to_sign:
            raise ValueError(f"{args.number} has no draft result to sign (python -m client staff case {args.number})")
        return _show(args, client.sign_result(args.number, sign_draft_result(to_sign, signer)), render_moved)
    if command == "dispatch":
        return _show(args, client.dispatch(args.number), render_moved)
    if command == "handovers":
        return _show(args, client.handovers(state=args.state, kind=args.kind, limit=args.limit), render_handovers)
    if command == "handover":
        return _show(args, client.handover(args.id), render_handover)
    if command == "acknowledge":
        signer = load_signer(args.p12, _password("P12_PASSWORD", "PKCS#12 password: "))
        return _show(args, client.acknowledge(args.id, signer), render_acknowledged)
    return _show(args, client.sla(), render_sla)


def _autopilot(
    args: argparse.Namespace, transport: httpx.BaseTransport | None, nca_transport: httpx.BaseTransport | None
) -> int:
    """The autopilot against running services (e.g. the containers, with the NCA in test mode): the demo
    staff's password from $STAFF_PASSWORD (or asked); stops on Ctrl-C or when the password is refused."""
    import threading

    from client.autopilot import Autopilot

    pilot = Autopilot(
        args.provider,
        args.nca,
        _password("STAFF_PASSWORD", "The demo staff's password: "),
        districts=args.districts,
        ra_token=args.ra_token or None,
        interval=args.interval,
        transport=transport,
        nca_transport=nca_transport,
    )
    stop = threading.Event()
    try:
        played = pilot.run(stop)
    except KeyboardInterrupt:
        played = True
    finally:
        pilot.close()
    if not played:
        print("error: the provider refused the demo staff's password ($STAFF_PASSWORD)", file=sys.stderr)
        return 2
    return 0


def _meeting(args: argparse.Namespace, client: StaffClient) -> int:
    command = args.meeting_command
    if command == "create":
        return _show(args, client.create_meeting(args.present, cases=args.cases), render_meeting)
    if command == "list":
        return _show(args, client.meetings(status=args.status), render_meetings)
    if command == "show":
        return _show(args, client.meeting(args.id), render_meeting)
    signer = load_signer(args.p12, _password("P12_PASSWORD", "PKCS#12 password: "))
    signed = sign_protocol(client.meeting(args.id), signer)
    return _show(args, client.sign_meeting(args.id, signed), render_meeting)
