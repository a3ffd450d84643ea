"""`python -m client operator …`: the Public Service Center's operators and branch heads on the Center's
operator API (§19 Processes 1–6 and 9, §12 item 3, §13, §14 item 1, §16, §17, Annex 1 steps 1, 2 and 10),
signing here with their employee PKCS#12:

python -m client operator login --login operator-1.karaganda-1   # password: $OPERATOR_PASSWORD or prompt
python -m client operator me
python -m client operator nca-key --out operator.p12             # this operator's employee SIGN key from the NCA
python -m client operator ticket                                 # take a ticket, as the hall's terminal does
python -m client operator call --window 1                        # the next visitor to my window
python -m client operator done TICKET                            # the window is free again
python -m client operator queue                                  # the hall's board
python -m client operator figures [--day 2026-03-02]             # the day's figures (the branch's head)
python -m client operator intake --recipient IIN [--representative IIN --poa NUMBER] [--ticket ID] --consent
python -m client operator present INTAKE --scan identity_document=id.pdf …   # Process 5: hashed here, not uploaded
python -m client operator refuse INTAKE --p12 operator.p12       # §16: the Annex 5 refusal, signed here
python -m client operator accept INTAKE --p12 operator.p12       # Process 6: the application, then the receipt
python -m client operator intakes | show INTAKE | journal
python -m client operator originals-schedule                     # Annex 1 step 2: today's register times, who waits
python -m client operator originals-register --p12 operator.p12 [--district D]   # at a register time: to the provider
python -m client operator originals-registers                    # the registers sent; the provider's acceptance
python -m client operator results [--custody AT_BRANCH] | result ID | unclaimed   # §19 Process 9, §14 item 1
python -m client operator issue ID --receipt NUMBER --iin IIN [--representative IIN] [--out result.json]   # §17
python -m client operator unclaimed-register --p12 head.p12 [--district D]   # the head: the Annex 4 register
python -m client operator unclaimed-registers                    # the Annex 4 registers; the provider's acceptance
python -m client operator recall ID --receipt NUMBER --iin IIN   # §14 item 1: a late visitor's, asked back

A recalled result comes back when the provider answers (custody RETURNED, who sent it back): then `issue`.
The registers go to the provider as signed; `originals-registers` and `unclaimed-registers` show who there
accepted each. `login` keeps the token in the session file under ``operator`` (the citizen's and the staff's
sessions stay); every other command uses it. Keys: $P12_PASSWORD or a prompt. ``--json``: the Center's JSON
as it is. Exit codes as for the citizen's commands: 0 done, 2 an error (the Center refused: its code and
details)."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from client import session
from client.operator import (
    DEFAULT_CENTER,
    OperatorClient,
    employee_key,
    receipt_to_sign,
    scan_of,
    sha256_of,
    sign_application,
    sign_receipt,
    sign_refusal,
    sign_register,
)
from client.sdk import DEFAULT_NCA, NcaClient, load_signer, read_signed
from client.text import NONE, compact, fields, table, text, when
from shared.calendar import in_kazakhstan

DECLARABLE = ("emergency_dwelling", "substandard_dwelling", "cosmonaut")
"""The categories a recipient may declare beyond the registries' (the Center's `DECLARABLE_CATEGORIES`)."""
STATES = ("CHECKING", "OPEN", "UNAVAILABLE", "REFUSED", "ACCEPTED")
"""An intake's states (the Center's `IntakeState`)."""
CUSTODY = ("AT_BRANCH", "ISSUED", "WITH_PROVIDER", "RECALLED", "RETURNED")
"""Where a result is (the Center's `Custody`)."""


def add_parser(commands: Any) -> None:
    """The ``operator`` command and its subcommands, on the CLI's subparsers."""
    raw = argparse.ArgumentParser(add_help=False)
    raw.add_argument("--json", action="store_true", help="the Center's JSON as it is")
    key = argparse.ArgumentParser(add_help=False)
    key.add_argument("--p12", type=Path, required=True, help="your employee SIGN key ($P12_PASSWORD or prompt)")
    operator = commands.add_parser(
        "operator",
        help="the Public Service Center's operators: the queue, the intake, the registers to the provider and the "
        "results (§19 Processes 1–6 and 9)",
    )
    sub = operator.add_subparsers(dest="operator_command", required=True, metavar="COMMAND")

    login = sub.add_parser("login", help="sign in ($OPERATOR_PASSWORD or prompt); the token goes to the session file")
    login.add_argument("--login", required=True, help="e.g. operator-1.karaganda-1")
    login.add_argument("--center", default=os.environ.get("CENTER_URL", DEFAULT_CENTER))
    sub.add_parser("me", parents=[raw], help="who I am: role, branch, IIN")
    nca_key = sub.add_parser("nca-key", help="my employee SIGN key and certificate (PKCS#12) from the test NCA")
    nca_key.add_argument("--out", type=Path, required=True, help="where to write the PKCS#12 (mode 0600)")
    nca_key.add_argument("--nca", default=os.environ.get("NCA_URL", DEFAULT_NCA))
    nca_key.add_argument("--surname", help="default: from the account's name")
    nca_key.add_argument("--given-name", help="default: from the account's name")
    nca_key.add_argument(
        "--ra-token", default=os.environ.get("NCA_RA_TOKEN", ""), help="the RA's token; not needed in test mode"
    )

    sub.add_parser("ticket", parents=[raw], help="take a ticket of my branch, as the hall's terminal does")
    call = sub.add_parser("call", parents=[raw], help="call the next waiting ticket to my window")
    call.add_argument("--window", type=int, required=True, help="the window's number at the branch, from 1")
    done = sub.add_parser("done", parents=[raw], help="finish the ticket at my window")
    done.add_argument("ticket", help="the ticket's id")
    sub.add_parser("queue", parents=[raw], help="my branch's queue: who waits, for how long; who is at a window")
    figures = sub.add_parser("figures", parents=[raw], help="the day's figures of my branch (the branch's head)")
    figures.add_argument("--day", help="YYYY-MM-DD, a Kazakhstan day (default: today)")

    intake = sub.add_parser(
        "intake", parents=[raw], help="Processes 2–4: take in a recipient with their written consent; the checklist"
    )
    intake.add_argument("--recipient", required=True, metavar="IIN", help="the person the application is for")
    intake.add_argument(
        "--consent",
        action="store_true",
        help="the recipient's written consent (§14 item 1) is given: required, recorded before any registry is asked",
    )
    intake.add_argument("--ticket", metavar="ID", help="the visitor's ticket, called to your window (§13 runs from it)")
    intake.add_argument("--district", help="the city or district whose department decides (default: the recipient's)")
    intake.add_argument(
        "--category", action="append", dest="categories", choices=DECLARABLE, help="a category the recipient declares"
    )
    intake.add_argument("--representative", metavar="IIN", help="who applies for the recipient, if anyone")
    poa = intake.add_mutually_exclusive_group()
    poa.add_argument("--poa", metavar="NUMBER", help="the representative's notarised power of attorney (from БНАЖ)")
    poa.add_argument("--poa-typed", metavar="NUMBER", help="a power of attorney certified otherwise, typed in")
    intake.add_argument("--poa-issued-on", metavar="YYYY-MM-DD", help="the typed power of attorney's date")
    intake.add_argument("--poa-valid-until", metavar="YYYY-MM-DD", help="the typed power of attorney's last day")
    intake.add_argument("--poa-certified-by", metavar="WHO", help="who certified the typed one (an employer, …)")
    intake.add_argument("--poa-scan", type=Path, metavar="FILE", help="the typed one's scan (hashed here)")

    present = sub.add_parser(
        "present",
        parents=[raw],
        help="Process 5: mark the documents presented, with their scans (hashed here; the bytes are not sent)",
    )
    present.add_argument("intake")
    present.add_argument(
        "--scan", action="append", default=[], metavar="KIND=FILE", help="a document presented and its scan"
    )
    present.add_argument(
        "--kind",
        action="append",
        default=[],
        metavar="KIND",
        help="a document presented (each needs its --scan; the scanned ones count as presented anyway)",
    )
    refuse = sub.add_parser("refuse", parents=[raw, key], help="§16: sign the Annex 5 refusal naming what is missing")
    refuse.add_argument("intake")
    accept = sub.add_parser(
        "accept", parents=[raw, key], help="Process 6: sign the application and send it, then sign the receipt"
    )
    accept.add_argument("intake")
    intakes = sub.add_parser("intakes", parents=[raw], help="my branch's intakes, the newest first")
    intakes.add_argument("--state", choices=STATES)
    intakes.add_argument("--limit", type=int, default=20)
    show = sub.add_parser("show", parents=[raw], help="one intake: the checklist, the application, the receipt")
    show.add_argument("intake")
    journal = sub.add_parser("journal", parents=[raw], help="my branch's journal (Annex 1 step 1), the newest first")
    journal.add_argument("--limit", type=int, default=20)

    sub.add_parser(
        "originals-schedule",
        parents=[raw],
        help="Annex 1 step 2: today's register times (none on a day off), the next one, the applications waiting "
        "for the register (due, late) and the registers sent today",
    )
    originals = sub.add_parser(
        "originals-register",
        parents=[raw, key],
        help="Annex 1 step 2, at a register time: sign the register of the applications accepted before it; it goes to "
        "the provider",
    )
    originals.add_argument(
        "--district", help="whose authorized body (needed when the applications waiting are of several)"
    )
    originals_sent = sub.add_parser(
        "originals-registers",
        parents=[raw],
        help="the registers of originals sent, the latest first, with the provider's acceptance (Annex 1 step 3)",
    )
    originals_sent.add_argument("--limit", type=int, default=20)

    presenting = argparse.ArgumentParser(add_help=False)
    presenting.add_argument("application", metavar="ID", help="the result's application id")
    presenting.add_argument("--receipt", required=True, metavar="NUMBER", help="the acceptance receipt's number")
    presenting.add_argument("--iin", required=True, metavar="IIN", help="the recipient's IIN, as the receipt names it")
    presenting.add_argument(
        "--representative", metavar="IIN", help="the representative takes it (their identity document shown)"
    )
    results = sub.add_parser("results", parents=[raw], help="§19 Process 9: the results my branch received")
    results.add_argument("--custody", choices=CUSTODY)
    results.add_argument("--limit", type=int, default=20)
    result = sub.add_parser("result", parents=[raw], help="one result: its days, custody, issue, recall")
    result.add_argument("application", metavar="ID", help="the result's application id")
    issue = sub.add_parser(
        "issue", parents=[raw, presenting], help="§17, Annex 1 step 10: hand the result over against the receipt"
    )
    issue.add_argument("--out", type=Path, help="write the citizen's copy of the signed result (JWS JSON) here")
    sub.add_parser("unclaimed", parents=[raw], help="§14 item 1: results unclaimed a month after the receipt's day")
    register = sub.add_parser(
        "unclaimed-register",
        parents=[raw, key],
        help="the head: sign the Annex 4 register; its unclaimed results go to the provider",
    )
    register.add_argument("--district", help="whose authorized body (needed when unclaimed results are of several)")
    unclaimed_sent = sub.add_parser(
        "unclaimed-registers",
        parents=[raw],
        help="the Annex 4 registers signed, the latest first, with the provider's acceptance («Қабылдады»)",
    )
    unclaimed_sent.add_argument("--limit", type=int, default=20)
    sub.add_parser(
        "recall",
        parents=[raw, presenting],
        help="§14 item 1: a late visitor's result, asked back from the provider (its answer brings it back)",
    )


# -- what a person reads ------------------------------------------------------------------------------


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _wait(seconds: object, over: object = False) -> str:
    if not isinstance(seconds, int | float):
        return NONE
    minutes, rest = divmod(round(seconds), 60)
    shown = (f"{minutes} min {rest} s" if rest else f"{minutes} min") if minutes else f"{rest} s"
    return shown + (" (over 15 minutes)" if over else "")


def _limit(seconds: object) -> str:
    """§12 item 3's longest wait, in words: ``15 minutes``."""
    return f"{int(seconds) // 60} minutes" if isinstance(seconds, int) and seconds % 60 == 0 else _wait(seconds)


def _name(person: object) -> str:
    """A person as the registries name them, with the IIN."""
    if not isinstance(person, Mapping):
        return NONE
    name = " ".join(str(person[k]) for k in ("surname", "given_name", "patronymic") if person.get(k))
    iin = person.get("iin")
    return f"{name} (IIN {iin})" if name and iin else text(name or iin)


def _power_of_attorney(poa: object) -> str:
    if not isinstance(poa, Mapping):
        return NONE
    kind = "notarised" if poa.get("kind") == "notarised" else f"certified by {text(poa.get('certified_by'))}"
    shown = f"{text(poa.get('number'))} ({kind})"
    if poa.get("valid_until"):
        shown += f", valid until {poa['valid_until']}"
    return shown


def render_me(me: Mapping[str, Any]) -> str:
    branch = _mapping(me.get("branch"))
    return fields(
        [
            ("Login", text(me.get("login"))),
            ("Name", text(me.get("full_name"))),
            ("Role", text(me.get("role"))),
            ("IIN", text(me.get("iin"))),
            ("Branch", f"{text(branch.get('code'))}: {text(branch.get('name_kk'))} (No. {text(branch.get('number'))})"),
            ("Address", text(branch.get("address"))),
            ("Serves", ", ".join(branch.get("districts") or []) or NONE),
            ("Windows", text(branch.get("windows"))),
            ("BIN", text(branch.get("bin"))),
        ]
    )


def render_ticket(ticket: Mapping[str, Any]) -> str:
    return fields(
        [
            ("Ticket", f"{text(ticket.get('number'))} (id {text(ticket.get('id'))})"),
            ("Status", text(ticket.get("status"))),
            ("Window", text(ticket.get("window"))),
            ("Issued", when(ticket.get("issued_at"))),
            ("Called", when(ticket.get("called_at"))),
            ("Done", when(ticket.get("done_at"))),
            ("Wait", _wait(ticket.get("wait_s"), ticket.get("over_limit"))),
        ]
    )


def render_taken(ticket: Mapping[str, Any]) -> str:
    return (
        f"ticket {text(ticket.get('number'))} (id {text(ticket.get('id'))}), {text(ticket.get('status'))}\n"
        "next: python -m client operator call --window N"
    )


def render_called(ticket: Mapping[str, Any]) -> str:
    number, ticket_id = text(ticket.get("number")), text(ticket.get("id"))
    return (
        f"{number} to window {text(ticket.get('window'))} (ticket {ticket_id}), waited "
        f"{_wait(ticket.get('wait_s'), ticket.get('over_limit'))}\n"
        f"next: python -m client operator intake --recipient IIN --ticket {ticket_id} --consent; "
        f"then python -m client operator done {ticket_id}"
    )


def render_done(ticket: Mapping[str, Any]) -> str:
    return (
        f"{text(ticket.get('number'))}: {text(ticket.get('status'))} at {when(ticket.get('done_at'))}, "
        f"window {text(ticket.get('window'))} free"
    )


def render_queue(board: Mapping[str, Any]) -> str:
    shown = fields(
        [
            ("Branch", text(board.get("branch"))),
            ("Day", text(board.get("day"))),
            ("At", when(board.get("at"))),
            ("Longest wait allowed", _limit(board.get("limit_s"))),
        ]
    )
    waiting = [t for t in board.get("waiting") or [] if isinstance(t, Mapping)]
    called = [t for t in board.get("called") or [] if isinstance(t, Mapping)]
    if waiting:
        rows = [
            [
                text(t.get("number")),
                text(t.get("id")),
                when(t.get("issued_at")),
                _wait(t.get("wait_s"), t.get("over_limit")),
            ]
            for t in waiting
        ]
        shown += "\n\nWaiting\n" + table(["TICKET", "ID", "ISSUED", "WAITING"], rows)
    else:
        shown += "\n\nnobody waits"
    if called:
        rows = [
            [
                text(t.get("number")),
                text(t.get("id")),
                text(t.get("window")),
                when(t.get("called_at")),
                _wait(t.get("wait_s"), t.get("over_limit")),
            ]
            for t in called
        ]
        shown += "\n\nAt a window\n" + table(["TICKET", "ID", "WINDOW", "CALLED", "WAITED"], rows)
    return shown


def render_figures(figures: Mapping[str, Any]) -> str:
    share = figures.get("share_over_limit")
    over = text(figures.get("over_limit"))
    if isinstance(share, int | float):
        over += f" ({share:.0%})"
    return fields(
        [
            ("Branch", text(figures.get("branch"))),
            ("Day", text(figures.get("day"))),
            ("At", when(figures.get("at"))),
            ("Tickets", text(figures.get("tickets"))),
            ("Called", text(figures.get("called"))),
            ("Done", text(figures.get("done"))),
            ("Never called", text(figures.get("waiting"))),
            ("Mean wait", _wait(figures.get("mean_wait_s"))),
            ("Longest wait", _wait(figures.get("longest_wait_s"))),
            (f"Over {_limit(figures.get('limit_s'))}", over),
        ]
    )


def render_checklist(intake: Mapping[str, Any]) -> str:
    """The §14 checklist: each document, original or copy, why, and whether it was presented; what is missing."""
    items = [i for i in intake.get("checklist") or [] if isinstance(i, Mapping)]
    if not items:
        return "no checklist"
    rows = [
        [
            text(i.get("kind")),
            "original" if i.get("original") else "copy",
            "yes" if i.get("presented") else "no",
            text(i.get("name")),
        ]
        for i in items
    ]
    shown = "Checklist (§14 item 1)\n" + table(["KIND", "SHOWN AS", "PRESENTED", "DOCUMENT"], rows)
    missing = [m for m in intake.get("missing") or [] if isinstance(m, Mapping)]
    shown += "\n\nMissing: " + (", ".join(text(m.get("kind")) for m in missing) if missing else "nothing")
    return shown


def _next(intake: Mapping[str, Any]) -> str | None:
    intake_id, state = text(intake.get("id")), intake.get("state")
    if state == "OPEN":
        kinds = " ".join(f"--scan {m.get('kind')}=FILE" for m in intake.get("missing") or [] if isinstance(m, Mapping))
        if kinds:
            return (
                f"python -m client operator present {intake_id} {kinds}; "
                f"or python -m client operator refuse {intake_id} --p12 KEY.p12"
            )
        return f"python -m client operator accept {intake_id} --p12 KEY.p12"
    if state == "ACCEPTED":
        receipt = intake.get("receipt")
        if isinstance(receipt, Mapping) and receipt.get("document") and not receipt.get("signed"):
            return f"python -m client operator accept {intake_id} --p12 KEY.p12   (signs the receipt)"
    return None


def _application(intake: Mapping[str, Any]) -> list[tuple[str, str]]:
    application = _mapping(intake.get("application"))
    if not application:
        return []
    pairs = [("Application", text(application.get("id")))]
    if application.get("accepted_at"):
        status = text(application.get("status"))
        if application.get("status_at"):
            status += f" since {when(application['status_at'])}"
        pairs += [
            ("Accepted", f"{when(application.get('accepted_at'))} by {text(application.get('accepted_by'))}"),
            ("Status", status),
            ("Registration", text(application.get("registration_number"))),
            ("Case number", text(application.get("case_number"))),
        ]
        if application.get("delivery_state"):
            delivered = text(application.get("delivery_state"))
            error = application.get("delivery_error")
            if isinstance(error, Mapping) and error:
                delivered += f" ({error.get('code') or compact(dict(error))})"
            pairs.append(("Delivery", delivered))
    return pairs


def render_intake(intake: Mapping[str, Any]) -> str:
    """One intake for a person: its state, the recipient and the representative, the checklist, the refusal
    or the application with its statuses, the receipt, §13's time, the result. Never a signed document's
    base64."""
    pairs = [
        ("Intake", text(intake.get("id"))),
        ("State", text(intake.get("state"))),
        ("Branch", text(intake.get("branch"))),
        ("Operator", text(intake.get("operator"))),
        ("Ticket", text(intake.get("ticket_id"))),
        ("Recipient", _name(intake.get("recipient"))),
    ]
    representative = intake.get("representative")
    if isinstance(representative, Mapping):
        pairs.append(("Representative", _name(representative)))
        pairs.append(("Power of attorney", _power_of_attorney(representative.get("power_of_attorney"))))
    consent = intake.get("consent")
    if isinstance(consent, Mapping):
        pairs.append(("Consent", f"recorded {when(consent.get('recorded_at'))} by {text(consent.get('recorded_by'))}"))
    pairs += [
        ("District", text(intake.get("district"))),
        ("Categories", ", ".join(intake.get("categories") or []) or NONE),
    ]
    error = intake.get("error")
    if isinstance(error, Mapping) and error:
        pairs.append(
            ("Not obtained", f"{text(error.get('code'))}: {text(error.get('message') or compact(dict(error)))}")
        )
    if intake.get("journal_number"):
        pairs.append(("Journal entry", text(intake.get("journal_number"))))
    if isinstance(intake.get("refusal"), Mapping):
        pairs.append(("Refused", "§16, the Annex 5 receipt signed: missing " + ", ".join(_refused_kinds(intake))))
    pairs += _application(intake)
    receipt = intake.get("receipt")
    if isinstance(receipt, Mapping):
        signed = "signed" if receipt.get("signed") else "not signed yet"
        pairs.append(("Receipt", f"{text(receipt.get('number'))}, {signed}"))
        pairs.append(("Result ready on", text(receipt.get("result_ready_on"))))
    acceptance = intake.get("acceptance")
    if isinstance(acceptance, Mapping) and acceptance.get("seconds") is not None:
        pairs.append(("Acceptance (§13)", _acceptance(acceptance)))
    result = intake.get("result")
    if isinstance(result, Mapping):
        pairs.append(("Result", f"{text(result.get('type'))}, received {when(result.get('received_at'))}"))
    following = _next(intake)
    if following:
        pairs.append(("Next", following))
    shown = fields(pairs)
    if intake.get("checklist"):
        shown += "\n\n" + render_checklist(intake)
    rows = [
        [text(h.get("status")), when(h.get("at")), compact(h["details"]) if h.get("details") else ""]
        for h in _mapping(intake.get("application")).get("history") or []
        if isinstance(h, Mapping)
    ]
    if rows:
        shown += "\n\nHistory\n" + table(["STATUS", "WHEN", "DETAILS"], rows)
    return shown


def _acceptance(acceptance: Mapping[str, Any]) -> str:
    limit = "within 15 minutes" if acceptance.get("within_limit") else "over 15 minutes"
    return f"{_wait(acceptance.get('seconds'))} from {when(acceptance.get('started_at'))} ({limit})"


def _refused_missing(intake: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    refusal = intake.get("refusal")
    if not isinstance(refusal, Mapping):
        return []
    document, _ = read_signed(refusal)
    return [m for m in document.get("missing") or [] if isinstance(m, Mapping)]


def _refused_kinds(intake: Mapping[str, Any]) -> list[str]:
    return [text(m.get("kind")) for m in _refused_missing(intake)]


def render_refused(intake: Mapping[str, Any]) -> str:
    """After `refuse`: the journal entry and the documents the signed Annex 5 receipt lists as missing."""
    rows = [[text(m.get("kind")), text(m.get("name"))] for m in _refused_missing(intake)]
    return (
        f"{text(intake.get('id'))}: refused to accept (§16), journal entry {text(intake.get('journal_number'))}; "
        "nothing is sent to the provider\n\nThe receipt (Annex 5) lists as missing\n"
        + table(["KIND", "DOCUMENT"], rows)
    )


def render_accepted(intake: Mapping[str, Any]) -> str:
    """After `accept`: the application on its way, the journal entry, the receipt and the result's day."""
    application, receipt = _mapping(intake.get("application")), _mapping(intake.get("receipt"))
    lines = [
        f"{text(intake.get('id'))}: accepted, application {text(application.get('id'))} "
        f"({text(application.get('status'))}), journal entry {text(intake.get('journal_number'))}",
        f"the receipt is {'signed' if receipt.get('signed') else 'not signed yet'}; "
        f"the result is ready on {text(receipt.get('result_ready_on'))} (§12 item 2)",
    ]
    acceptance = intake.get("acceptance")
    if isinstance(acceptance, Mapping) and acceptance.get("seconds") is not None:
        lines.append(f"acceptance (§13): {_acceptance(acceptance)}")
    return "\n".join(lines)


def render_intakes(intakes: Sequence[Mapping[str, Any]]) -> str:
    items = [i for i in intakes if isinstance(i, Mapping)]
    if not items:
        return "no intakes"
    rows = []
    for i in items:
        application = _mapping(i.get("application"))
        missing = [m for m in i.get("missing") or [] if isinstance(m, Mapping)]
        rows.append(
            [
                text(i.get("id")),
                text(i.get("state")),
                _name(i.get("recipient")),
                text(i.get("operator")),
                ", ".join(text(m.get("kind")) for m in missing) if i.get("state") == "OPEN" and missing else "",
                text(i.get("journal_number")),
                text(application.get("status")),
            ]
        )
    return table(["INTAKE", "STATE", "RECIPIENT", "OPERATOR", "MISSING", "JOURNAL", "APPLICATION"], rows)


def render_journal(entries: Sequence[Mapping[str, Any]]) -> str:
    items = [e for e in entries if isinstance(e, Mapping)]
    if not items:
        return "no journal entries"
    rows = [
        [
            text(e.get("number")),
            text(e.get("kind")),
            when(e.get("at")),
            text(e.get("recipient_iin")),
            text(e.get("operator")),
            text(e.get("intake_id")),
        ]
        for e in items
    ]
    return table(["ENTRY", "KIND", "WHEN", "RECIPIENT", "OPERATOR", "INTAKE"], rows)


def _person(person: object) -> str:
    """A person as a result names them: the full name (Т.А.Ә.) with the IIN."""
    if not isinstance(person, Mapping):
        return NONE
    name, iin = person.get("full_name"), person.get("iin")
    return f"{name} (IIN {iin})" if name and iin else text(name or iin)


def _arrived(result: Mapping[str, Any]) -> str:
    arrived = result.get("arrived_in_time")
    return NONE if arrived is None else ("in time" if arrived else "late")


def _issued(issued: object) -> str:
    if not isinstance(issued, Mapping):
        return NONE
    return (
        f"{when(issued.get('at'))} by {text(issued.get('by'))} to the {text(issued.get('presented_by'))} "
        f"(IIN {text(issued.get('iin'))}), journal entry {text(issued.get('journal_number'))}"
    )


def _recall(recall: Mapping[str, Any]) -> str:
    shown = (
        f"asked {when(recall.get('asked_at'))} by {text(recall.get('asked_by'))} "
        f"(the {text(recall.get('presented_by'))} came on {text(recall.get('visit_on'))}); "
        f"ask the provider by {text(recall.get('ask_by'))}, back by {text(recall.get('return_by'))}"
    )
    if recall.get("returned_at"):
        late = "in time" if recall.get("returned_in_time") else "late"
        shown += (
            f"; sent back by the provider's {text(recall.get('returned_by'))} {when(recall['returned_at'])} ({late})"
        )
    else:
        shown += "; the provider has not sent it back yet"
    return shown


def _result_next(result: Mapping[str, Any]) -> str | None:
    custody, issue = result.get("custody"), text(result.get("application_id"))
    receipt = (
        f"--receipt {text(result.get('journal_number'))} --iin {text(_mapping(result.get('recipient')).get('iin'))}"
    )
    if custody in ("AT_BRANCH", "RETURNED"):
        return f"python -m client operator issue {issue} {receipt}"
    if custody == "WITH_PROVIDER":
        return f"python -m client operator recall {issue} {receipt}   (a late visitor)"
    if custody == "RECALLED":
        back_by = text(_mapping(result.get("recall")).get("return_by"))
        return (
            f"wait for the provider to send it back (by {back_by}); then python -m client operator issue {issue} "
            f"{receipt}"
        )
    return None


def render_result(result: Mapping[str, Any]) -> str:
    """One result at the branch: whose, its days (the receipt's, the provider's, unclaimed from), where it is,
    who took it, the register it went with, the late recall. Never the signed result's base64."""
    unclaimed = text(result.get("unclaimed_from"))
    if result.get("unclaimed"):
        unclaimed += " (unclaimed)"
    pairs = [
        ("Result", text(result.get("application_id"))),
        ("Intake", text(result.get("intake_id"))),
        ("Receipt", text(result.get("journal_number"))),
        ("Recipient", _person(result.get("recipient"))),
    ]
    if isinstance(result.get("representative"), Mapping):
        pairs.append(("Representative", _person(result.get("representative"))))
    pairs += [
        ("District", text(result.get("district"))),
        ("Type", text(result.get("type"))),
        ("Case number", text(result.get("case_number"))),
        ("Registration", text(result.get("registration_number"))),
        ("Result registration", text(result.get("result_registration_number"))),
        ("Signed", when(result.get("signed_at"))),
        ("Received", when(result.get("received_at"))),
        ("Result ready on", text(result.get("result_ready_on"))),
        ("Provider's day", f"{text(result.get('provider_delivers_on'))} (it came {_arrived(result)})"),
        ("Custody", text(result.get("custody"))),
        ("Unclaimed from", unclaimed),
        ("Issued", _issued(result.get("issued"))),
    ]
    handed = result.get("handed_over")
    if isinstance(handed, Mapping):
        pairs.append(("Handed over", f"register {text(handed.get('register_id'))}, {when(handed.get('at'))}"))
    recall = result.get("recall")
    if isinstance(recall, Mapping):
        pairs.append(("Recall", _recall(recall)))
    following = _result_next(result)
    if following:
        pairs.append(("Next", following))
    return fields(pairs)


def render_results(results: Sequence[Mapping[str, Any]], empty: str = "no results") -> str:
    items = [r for r in results if isinstance(r, Mapping)]
    if not items:
        return empty
    rows = [
        [
            text(r.get("application_id")),
            _person(r.get("recipient")),
            text(r.get("journal_number")),
            text(r.get("result_ready_on")),
            _arrived(r),
            text(r.get("custody")),
            text(r.get("unclaimed_from")) + (" (unclaimed)" if r.get("unclaimed") else ""),
        ]
        for r in items
    ]
    return table(["RESULT", "RECIPIENT", "RECEIPT", "READY ON", "CAME", "CUSTODY", "UNCLAIMED FROM"], rows)


def render_unclaimed(results: Sequence[Mapping[str, Any]]) -> str:
    return render_results(results, "nothing unclaimed")


def render_issued(answer: Mapping[str, Any]) -> str:
    """After `issue`: the journal entry (Annex 1 step 10), who took it."""
    result = _mapping(answer.get("result"))
    issued = _mapping(result.get("issued"))
    return (
        f"{text(result.get('application_id'))}: issued to the {text(issued.get('presented_by'))} "
        f"(IIN {text(issued.get('iin'))}) at {when(issued.get('at'))} by {text(issued.get('by'))}, "
        f"journal entry {text(issued.get('journal_number'))}"
    )


def _accepted(row: Mapping[str, Any]) -> str:
    """Who at the provider accepted a register (Annex 4's «Қабылдады», Annex 1 step 3), and when."""
    if not row.get("accepted_by") and not row.get("accepted_at"):
        return "not accepted yet"
    return f"{text(row.get('accepted_by'))} at {when(row.get('accepted_at'))}"


def render_register(register: Mapping[str, Any]) -> str:
    """After `unclaimed-register`: the signed Annex 4 register, its entries and total, and whether the
    provider accepted it."""
    document: Mapping[str, Any] = {}
    if isinstance(register.get("signed"), Mapping):
        document, _ = read_signed(register["signed"])
    shown = fields(
        [
            ("Register", text(register.get("id"))),
            ("Branch", text(register.get("branch"))),
            ("District", text(register.get("district"))),
            ("Authority", text(document.get("authority"))),
            ("Formed", when(register.get("formed_at"))),
            ("Signed", f"{when(register.get('signed_at'))} by {text(register.get('signed_by'))}"),
            ("Handed over by", text(document.get("handed_over_by"))),
            ("Total", text(register.get("total"))),
            ("Accepted by", _accepted(register)),
        ]
    )
    entries = [e for e in document.get("entries") or [] if isinstance(e, Mapping)]
    rows = [
        [
            text(e.get("no")),
            text(e.get("identifier")),
            text(e.get("recipient")),
            text(e.get("accepted_on")),
            text(e.get("planned_issue_on")),
            "; ".join(str(d) for d in e.get("documents") or []) or NONE,
        ]
        for e in entries
    ]
    shown += "\n\nHanded to the provider (Annex 4)\n" + table(
        ["NO", "IDENTIFIER", "RECIPIENT", "ACCEPTED", "PLANNED ISSUE", "DOCUMENTS"], rows
    )
    return shown


def render_registers(registers: Sequence[Mapping[str, Any]]) -> str:
    """The Annex 4 registers signed, the latest first: each with who at the provider accepted it."""
    items = [r for r in registers if isinstance(r, Mapping)]
    if not items:
        return "no Annex 4 register signed yet"
    rows = [
        [
            text(r.get("id")),
            text(r.get("district")),
            text(r.get("total")),
            when(r.get("signed_at")),
            text(r.get("signed_by")),
            _accepted(r),
        ]
        for r in items
    ]
    return table(["REGISTER", "DISTRICT", "TOTAL", "SIGNED", "BY", "ACCEPTED BY THE PROVIDER"], rows)


# -- the register of originals (Annex 1 step 2) ------------------------------------------------------------


def _kz(value: object, *, day: bool = True) -> str:
    """An RFC 3339 time from the API in Kazakhstan time (the register times are): ``2026-03-18 12:00``, or only
    the time (``day`` false)."""
    if not isinstance(value, str):
        return text(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return in_kazakhstan(moment).strftime("%Y-%m-%d %H:%M" if day else "%H:%M")


def _due(pending: Mapping[str, Any], slot: object) -> bool:
    """The application goes with the register of the current register time ``slot`` (it was due by then)."""
    if not isinstance(slot, str) or not isinstance(pending.get("due_at"), str):
        return False
    return datetime.fromisoformat(str(pending["due_at"])) <= datetime.fromisoformat(slot)


def render_schedule(schedule: Mapping[str, Any]) -> str:
    """`originals-schedule`: today's register times (Kazakhstan time), whether today is a working day, the
    current and the next register time, the applications waiting (due, late), the registers sent today."""
    now, slots = schedule.get("now"), [s for s in schedule.get("slots_today") or [] if isinstance(s, str)]
    pending = [p for p in schedule.get("pending") or [] if isinstance(p, Mapping)]
    sent = [str(r) for r in schedule.get("sent_today") or []]
    current = schedule.get("current_slot")
    today = _kz(now)[:10]
    day = f"{today}, a working day" if schedule.get("working_day") else f"{today}, a day off: no register today"
    waiting = str(len(pending))
    if schedule.get("late"):
        waiting += f" ({schedule['late']} late)"
    shown = fields(
        [
            ("Branch", text(schedule.get("branch"))),
            ("Now", f"{_kz(now)} (Kazakhstan time)"),
            ("Today", day),
            ("Register times", ", ".join(str(t) for t in schedule.get("register_times") or []) + " (Kazakhstan time)"),
            ("Today's registers", ", ".join(_kz(s, day=False) for s in slots) or NONE),
            ("Current register time", _kz(current, day=False) if current else "none yet"),
            ("Next register time", _kz(schedule.get("next_at"))),
            ("Waiting", waiting),
            ("Sent today", ", ".join(sent) or "none"),
        ]
    )
    if pending:
        rows = [
            [
                text(p.get("intake_id")),
                text(p.get("application_id")),
                text(p.get("district")),
                _kz(p.get("accepted_at")),
                _kz(p.get("due_at")),
                "LATE" if p.get("late") else "",
            ]
            for p in pending
        ]
        shown += "\n\nWaiting for the register (Annex 1 step 2)\n" + table(
            ["INTAKE", "APPLICATION", "DISTRICT", "ACCEPTED", "DUE", "LATE"], rows
        )
    else:
        shown += "\n\nnothing waits for the register"
    due = sorted({str(p.get("district") or "") for p in pending if _due(p, current)})
    if due:
        districts = due if len(due) > 1 else []
        shown += "\n\nnext: " + "; ".join(
            [f"python -m client operator originals-register --p12 KEY.p12 --district {d}" for d in districts]
            or ["python -m client operator originals-register --p12 KEY.p12"]
        )
    elif pending:
        shown += f"\n\nnext: the register at {_kz(schedule.get('next_at'))} (Kazakhstan time)"
    return shown


def render_originals_register(register: Mapping[str, Any]) -> str:
    """After `originals-register`: the register as sent (its register time, entries, total, who handed it over)
    and whether the provider accepted it."""
    document: Mapping[str, Any] = {}
    if isinstance(register.get("signed"), Mapping):
        document, _ = read_signed(register["signed"])
    shown = fields(
        [
            ("Register", text(register.get("id"))),
            ("Branch", text(register.get("branch"))),
            ("District", text(register.get("district"))),
            ("Authority", text(document.get("authority"))),
            ("Register time", f"{_kz(register.get('slot_at'))} (Kazakhstan time)"),
            ("Formed", when(register.get("formed_at"))),
            ("Signed", f"{when(register.get('signed_at'))} by {text(register.get('signed_by'))}"),
            ("Handed over by", text(document.get("handed_over_by"))),
            ("Total", text(register.get("total"))),
            ("Accepted by", _accepted(register)),
        ]
    )
    entries = [e for e in document.get("entries") or [] if isinstance(e, Mapping)]
    rows = [
        [
            text(e.get("no")),
            text(e.get("application_id")),
            text(e.get("identifier")),
            text(e.get("recipient")),
            when(e.get("accepted_at")),
            "; ".join(str(d) for d in e.get("documents") or []) or NONE,
        ]
        for e in entries
    ]
    shown += "\n\nHanded to the provider (Annex 1 step 2)\n" + table(
        ["NO", "APPLICATION", "IDENTIFIER", "RECIPIENT", "ACCEPTED", "DOCUMENTS"], rows
    )
    return shown


def render_originals_registers(registers: Sequence[Mapping[str, Any]]) -> str:
    """The registers of originals sent, the latest first: each with who at the provider accepted it."""
    items = [r for r in registers if isinstance(r, Mapping)]
    if not items:
        return "no register of originals sent yet"
    rows = [
        [
            text(r.get("id")),
            text(r.get("district")),
            _kz(r.get("slot_at")),
            text(r.get("total")),
            text(r.get("signed_by")),
            _accepted(r),
        ]
        for r in items
    ]
    return table(["REGISTER", "DISTRICT", "REGISTER TIME", "TOTAL", "SIGNED BY", "ACCEPTED BY THE PROVIDER"], rows)


# -- the commands -------------------------------------------------------------------------------------


def _password(variable: str, prompt: str) -> str:
    return os.environ.get(variable) or getpass.getpass(prompt)


def _client(transport: httpx.BaseTransport | None) -> OperatorClient:
    saved = session.operator()
    center = saved.get("center") or os.environ.get("CENTER_URL", DEFAULT_CENTER)
    return OperatorClient(str(center), token=saved.get("token"), transport=transport)


def _show(args: argparse.Namespace, answer: Any, render: Any) -> int:
    print(json.dumps(answer, ensure_ascii=False, indent=2) if args.json else render(answer))
    return 0


def _representative(args: argparse.Namespace) -> dict[str, Any] | None:
    """``--representative`` with its power of attorney: notarised (``--poa``) or typed (``--poa-typed`` …)."""
    typed = (args.poa_issued_on, args.poa_valid_until, args.poa_certified_by, args.poa_scan)
    if args.representative is None:
        if args.poa or args.poa_typed or any(v is not None for v in typed):
            raise ValueError("a power of attorney is a representative's: give --representative IIN")
        return None
    if args.poa:
        return {"iin": args.representative, "power_of_attorney": {"kind": "notarised", "number": args.poa}}
    if not args.poa_typed:
        raise ValueError("a representative needs a power of attorney: --poa NUMBER (notarised) or --poa-typed NUMBER …")
    if any(v is None for v in typed):
        raise ValueError(
            "a typed power of attorney needs --poa-issued-on, --poa-valid-until, --poa-certified-by and --poa-scan"
        )
    poa = {
        "kind": "other",
        "number": args.poa_typed,
        "issued_on": args.poa_issued_on,
        "valid_until": args.poa_valid_until,
        "certified_by": args.poa_certified_by,
        "scan_sha256": sha256_of(args.poa_scan),
    }
    return {"iin": args.representative, "power_of_attorney": poa}


def _scans(items: Sequence[str]) -> list[dict[str, Any]]:
    scans = []
    for item in items:
        kind, equals, path = item.partition("=")
        if not equals or not kind or not path:
            raise ValueError(f"--scan {item}: give KIND=FILE, e.g. identity_document=passport.pdf")
        scans.append(scan_of(Path(path), kind))
    return scans


def run(
    args: argparse.Namespace,
    transport: httpx.BaseTransport | None = None,
    nca_transport: httpx.BaseTransport | None = None,
) -> int:
    """One ``operator`` command; 0 on success (errors are raised, for `client.cli.main` to report)."""
    command = args.operator_command
    if command == "login":
        client = OperatorClient(args.center, transport=transport)
        client.login(args.login, _password("OPERATOR_PASSWORD", f"Password of {args.login}: "))
        session.save_operator({"center": args.center, "token": client.token, "login": args.login})
        me = client.me()
        print(f"signed in as {me.get('login')}: {me.get('role')}, branch {_mapping(me.get('branch')).get('code')}")
        return 0
    client = _client(transport)
    if command == "me":
        return _show(args, client.me(), render_me)
    if command == "nca-key":
        nca = NcaClient(args.nca, ra_token=args.ra_token, transport=nca_transport or transport)
        issued = employee_key(client, nca, surname=args.surname, given_name=args.given_name)
        issued.save(args.out)
        print(json.dumps({"serial": issued.serial, "pkcs12": str(args.out), "password": issued.password}))
        return 0
    if command == "ticket":
        return _show(args, client.take_ticket(), render_taken)
    if command == "call":
        return _show(args, client.call(args.window), render_called)
    if command == "done":
        return _show(args, client.done(args.ticket), render_done)
    if command == "queue":
        return _show(args, client.queue(), render_queue)
    if command == "figures":
        return _show(args, client.figures(args.day), render_figures)
    if command == "intake":
        if not args.consent:
            raise ValueError(
                "the recipient's written consent to use legally protected information (§14 item 1) comes first: "
                "with it given, add --consent (without it no registry is asked)"
            )
        started = client.start_intake(
            args.recipient,
            consent=True,
            representative=_representative(args),
            ticket_id=args.ticket,
            district=args.district,
            categories=args.categories or (),
        )
        return _show(args, started, render_intake)
    if command == "present":
        scans = _scans(args.scan)
        presented = list(dict.fromkeys([*args.kind, *(s["kind"] for s in scans)]))
        return _show(args, client.present(args.intake, scans, presented), render_intake)
    if command == "refuse":
        signer = load_signer(args.p12, _password("P12_PASSWORD", "PKCS#12 password: "))
        drafted = client.refusal_draft(args.intake)
        return _show(args, client.refuse(args.intake, sign_refusal(drafted, signer)), render_refused)
    if command == "accept":
        return _accept(args, client)
    if command == "intakes":
        return _show(args, client.intakes(state=args.state, limit=args.limit), render_intakes)
    if command == "show":
        return _show(args, client.intake(args.intake), render_intake)
    if command == "journal":
        return _show(args, client.journal(limit=args.limit), render_journal)
    if command == "originals-schedule":
        return _show(args, client.originals_schedule(), render_schedule)
    if command == "originals-register":
        signer = load_signer(args.p12, _password("P12_PASSWORD", "PKCS#12 password: "))
        return _show(args, client.originals_register(signer, args.district), render_originals_register)
    if command == "originals-registers":
        return _show(args, client.originals_registers(limit=args.limit), render_originals_registers)
    return _results(args, client)


def _results(args: argparse.Namespace, client: OperatorClient) -> int:
    """The results at the window (§19 Process 9, §17, §14 item 1)."""
    command = args.operator_command
    if command == "results":
        return _show(args, client.results(custody=args.custody, limit=args.limit), render_results)
    if command == "result":
        return _show(args, client.result(args.application), render_result)
    if command == "unclaimed":
        return _show(args, client.unclaimed(), render_unclaimed)
    if command == "unclaimed-register":
        signer = load_signer(args.p12, _password("P12_PASSWORD", "PKCS#12 password: "))
        drafted = client.register_draft(args.district)
        return _show(args, client.hand_over(sign_register(drafted, signer)), render_register)
    if command == "unclaimed-registers":
        return _show(args, client.registers(limit=args.limit), render_registers)
    presented = {"receipt_number": args.receipt, "recipient_iin": args.iin, "representative_iin": args.representative}
    if command == "recall":
        return _show(args, client.recall(args.application, **presented), render_result)
    issued = client.issue(args.application, **presented)
    if args.out:
        args.out.write_text(json.dumps(issued.get("signed"), ensure_ascii=False, indent=2))
    _show(args, issued, render_issued)
    if args.out:
        print(
            f"the citizen's copy of the signed result is in {args.out} (python -m client verify {args.out})",
            file=sys.stderr,
        )
    return 0


def _accept(args: argparse.Namespace, client: OperatorClient) -> int:
    """Process 6 and Annex 1 step 1: the application drafted, signed here and sent; then the acceptance
    receipt it answers signed here and posted. An intake accepted before whose receipt is not signed yet
    has only its receipt signed (an `accept` cut short is run again)."""
    signer = load_signer(args.p12, _password("P12_PASSWORD", "PKCS#12 password: "))
    intake = client.intake(args.intake)
    if intake.get("state") != "ACCEPTED":
        drafted = client.application_draft(args.intake)
        intake = client.accept(args.intake, sign_application(drafted, signer))
    receipt = intake.get("receipt")
    if not (isinstance(receipt, Mapping) and receipt.get("signed")):
        intake = client.sign_receipt(args.intake, sign_receipt(receipt_to_sign(intake), signer))
    return _show(args, intake, render_accepted)
