"""Command line for citizens and testers:

python -m client nca-issue --iin 900101300017 --surname ТЕСТОВ --given-name ТЕСТ --out me.p12
python -m client nca-revoke --p12 me.p12 --reason keyCompromise    # the holder, signing the request locally
python -m client nca-revoke --serial 1f0e… --reason superseded     # the RA: --ra-token or $NCA_RA_TOKEN
python -m client nca-enrollment-token --service provider           # NCA_ENROLLMENT_TOKEN_PROVIDER, from the RA token
python -m client sign --p12 me.p12 document.json --out signed.json     # password: $P12_PASSWORD or prompt
python -m client verify signed.json                                   # exit 0 when valid
python -m client register --iin 900101300017 [--email E]              # password: $PORTAL_PASSWORD or prompt
python -m client login --iin 900101300017 [--p12 auth.p12]            # password; or EDS with an AUTH key (proves)
python -m client sms-code --iin 900101300017                          # a one-time code to the number on record
python -m client prove --iin 900101300017 [--code 123456]             # the code (else prompt): identity proven
python -m client apply --p12 me.p12 [--attach KIND=FILE]              # draft, sign locally, submit (proven only)
python -m client status [APPLICATION_ID] [--json]                     # for a person; --json: the portal's JSON
python -m client result APPLICATION_ID [--out result.json] [--json]   # a summary; --out: the signed document
python -m client staff login --login head.karaganda                   # the staff: python -m client staff --help
python -m client operator login --login operator-1.karaganda-1        # the Center: python -m client operator --help

A password account is unproven until its person proves it (the portal gives no draft until then:
IDENTITY_NOT_PROVEN): by `login --p12` with an AUTH key, or by `sms-code`, then `prove` with the code the
SMS brought (`prove` reads the password to keep or set as `register` does: $PORTAL_PASSWORD or a prompt;
`--no-password` sends none). `login` and `prove` keep the token in the session file.

Exit codes: 0 done; 1 a valid "no" (the signature does not verify, attachments are missing); 2 an error
(the service refused, no result yet, a file could not be read, the service could not be reached).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, get_args

import httpx

from client import operator_cli, session, staff_cli
from client.sdk import (
    DEFAULT_NCA,
    DEFAULT_PORTAL,
    NcaClient,
    PortalClient,
    ServiceError,
    SignatureInfo,
    load_signer,
    read_signed,
    sign_document,
    signed_result,
)
from client.text import NONE
from client.text import compact as _compact
from client.text import fields as _fields
from client.text import ground as _ground
from client.text import table as _table
from client.text import text as _text
from client.text import when as _when
from shared.eds.certs import holder_iin
from shared.eds.enrollment import enrollment_token
from shared.eds.revocation_request import Reason
from shared.participants import BY_SERVICE
from shared.settings import enrollment_variable


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m client", description="e-gov housing queue client")
    commands = parser.add_subparsers(dest="command", required=True)

    issue = commands.add_parser("nca-issue", help="get a key and certificate (PKCS#12) from the test NCA")
    issue.add_argument("--nca", default=os.environ.get("NCA_URL", DEFAULT_NCA))
    issue.add_argument("--iin", required=True)
    issue.add_argument("--surname", required=True)
    issue.add_argument("--given-name", required=True)
    issue.add_argument("--patronymic")
    issue.add_argument("--profile", choices=["sign", "auth"], default="sign")
    issue.add_argument("--holder", choices=["individual", "employee"], default="individual")
    issue.add_argument("--bin")
    issue.add_argument("--organization")
    issue.add_argument("--out", type=Path, required=True, help="where to write the PKCS#12 (mode 0600)")
    ra_help = "the registration authority's token (default: $NCA_RA_TOKEN)"
    issue.add_argument(
        "--ra-token", default=os.environ.get("NCA_RA_TOKEN", ""), help=f"{ra_help}; not needed in test mode"
    )

    revoke = commands.add_parser("nca-revoke", help="revoke a certificate: your own (--p12), or as the RA (--serial)")
    revoke.add_argument("--nca", default=os.environ.get("NCA_URL", DEFAULT_NCA))
    whose = revoke.add_mutually_exclusive_group(required=True)
    whose.add_argument("--p12", type=Path, help="your key: the request is signed with it, here")
    whose.add_argument("--serial", help="the certificate's serial (hex), with the RA token")
    revoke.add_argument("--reason", choices=list(get_args(Reason)), default="unspecified")
    revoke.add_argument("--ra-token", default=os.environ.get("NCA_RA_TOKEN", ""), help=ra_help)

    enroll = commands.add_parser(
        "nca-enrollment-token",
        help="a service's enrollment token under the RA token: what it has its system key certified with",
    )
    enroll.add_argument("--service", required=True, choices=sorted(BY_SERVICE))
    enroll.add_argument("--ra-token", default=os.environ.get("NCA_RA_TOKEN", ""), help=ra_help)

    sign = commands.add_parser("sign", help="sign a JSON e-document with a PKCS#12, locally")
    sign.add_argument("--p12", type=Path, required=True)
    sign.add_argument("document", type=Path)
    sign.add_argument("--out", type=Path, help="default: standard output")

    verify = commands.add_parser("verify", help="check a signed e-document with the portal's public verification")
    verify.add_argument("signed", type=Path)
    verify.add_argument("--portal", default=os.environ.get("PORTAL_URL", DEFAULT_PORTAL))
    portal = os.environ.get("PORTAL_URL", DEFAULT_PORTAL)
    register = commands.add_parser("register", help="create a portal account (IIN and password)")
    register.add_argument("--iin", required=True)
    register.add_argument("--email")
    register.add_argument("--portal", default=portal)
    login = commands.add_parser("login", help="sign in; the token goes to the session file")
    login.add_argument("--iin", required=True)
    login.add_argument(
        "--p12", type=Path, help="EDS login with this AUTH key ($P12_PASSWORD or prompt); proves your identity"
    )
    login.add_argument("--portal", default=portal)
    sms_code = commands.add_parser("sms-code", help="have the portal text a one-time code to your number on record")
    sms_code.add_argument("--iin", required=True)
    sms_code.add_argument("--portal", default=portal)
    prove = commands.add_parser(
        "prove", help="prove your identity with the SMS code and sign in; the token goes to the session file"
    )
    prove.add_argument("--iin", required=True)
    prove.add_argument("--code", help="the code the SMS brought (default: asked for)")
    prove.add_argument(
        "--no-password",
        action="store_true",
        help="send no password (a proven account keeps its own; an unproven one is left with none)",
    )
    prove.add_argument("--portal", default=portal)
    apply = commands.add_parser("apply", help="draft (pre-filled from the registries), sign locally, submit")
    apply.add_argument("--p12", type=Path, required=True)
    apply.add_argument("--attach", action="append", default=[], metavar="KIND=FILE", help="an e-copy to attach")
    apply.add_argument("--email")
    status = commands.add_parser("status", help="your applications, or one with its history")
    status.add_argument("application_id", nargs="?")
    status.add_argument("--json", action="store_true", help="the portal's full JSON (with the signed documents)")
    result = commands.add_parser("result", help="the signed result of an application: a summary")
    result.add_argument("application_id")
    result.add_argument("--out", type=Path, help="write the signed document (JWS JSON) here, for `verify`")
    result.add_argument("--json", action="store_true", help="the portal's full JSON instead of the summary")
    staff_cli.add_parser(commands)
    operator_cli.add_parser(commands)
    return parser


def _password(variable: str, prompt: str) -> str:
    return os.environ.get(variable) or getpass.getpass(prompt)


def _ask(prompt: str) -> str:
    try:
        return input(prompt).strip()
    except EOFError:
        raise ValueError("nothing to read the answer from: give it as an option") from None


def _portal(transport: httpx.BaseTransport | None = None) -> PortalClient:
    saved = session.load()
    return PortalClient(saved.get("portal", DEFAULT_PORTAL), token=saved.get("token"), transport=transport)


def _print(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


# What a person reads: aligned fields, small tables, local times, and never the signed documents.


def _reason(details: object) -> str:
    """Why a status was given, in a few words: the code, the missing documents, the person concerned."""
    if not isinstance(details, Mapping):
        return ""
    reason = details.get("reason", details.get("error"))
    if reason is None:
        return ""
    if not isinstance(reason, Mapping):
        return str(reason)
    parts = [str(reason["code"])] if reason.get("code") else []
    missing = reason.get("missing")
    if isinstance(missing, list) and missing:
        kinds = [str(m.get("kind", m)) if isinstance(m, Mapping) else str(m) for m in missing]
        parts.append("missing: " + ", ".join(kinds))
    if reason.get("who") or reason.get("why"):
        parts.append(" ".join(str(reason[k]) for k in ("who", "iin", "why") if reason.get(k)))
    if reason.get("message") and not parts:
        parts.append(str(reason["message"]))
    return "; ".join(parts) if parts else _compact(dict(reason))


def render_applications(applications: Sequence[Mapping[str, Any]]) -> str:
    """The cabinet's list: one line per application, newest first as the portal gives them."""
    if not applications:
        return "no applications yet (python -m client apply --p12 FILE)"
    rows = [
        [
            _text(a.get("id")),
            _text(a.get("status")),
            _when(a.get("submitted_at")),
            _text(a.get("expected_result_date")),
            _text(a.get("registration_number")),
            "ready" if a.get("result_ready") else "not yet",
        ]
        for a in applications
    ]
    return _table(["APPLICATION", "STATUS", "SUBMITTED", "RESULT DUE", "REGISTRATION NO.", "RESULT"], rows)


def render_application(application: Mapping[str, Any]) -> str:
    """One application as the cabinet shows it, with its status history; not the signed documents."""
    registration = application.get("registration")
    number = application.get("registration_number") or (
        registration.get("number") if isinstance(registration, Mapping) else None
    )
    if isinstance(registration, Mapping) and registration.get("registered_at"):
        number = f"{_text(number)} (registered {_when(registration['registered_at'])})"
    delivery = application.get("delivery")
    if isinstance(delivery, Mapping):
        delivered = f"{_text(delivery.get('state'))} {_when(delivery.get('at'))}".strip()
        error = delivery.get("error")
        if isinstance(error, Mapping) and error:
            delivered += f" ({error.get('code') or _compact(dict(error))})"
    else:
        delivered = "not yet delivered to the provider"
    status = _text(application.get("status"))
    if application.get("status_at"):
        status += f" since {_when(application['status_at'])}"
    ready = application.get("result_ready", application.get("result") is not None)
    pairs = [
        ("Application", _text(application.get("id"))),
        ("Status", status),
        ("Registration number", _text(number)),
        ("Case number", _text(application.get("case_number"))),
        ("Expected result date", _text(application.get("expected_result_date"))),
        ("Delivery", delivered),
    ]
    queue = application.get("queue")
    if isinstance(queue, Mapping):
        listed = queue.get("list")
        if isinstance(listed, Mapping):  # {"code", "name"}
            listed = f"{_text(listed.get('name'))} ({_text(listed.get('code'))})"
        pairs.append(("Queue", f"{_text(listed)}, position {_text(queue.get('position'))}"))
    result_line = f"ready: python -m client result {application.get('id')}" if ready else "not yet"
    pairs.append(("Result", result_line))
    history = application.get("history")
    rows = [
        [_text(h.get("status")), _when(h.get("at")), _reason(h.get("details"))]
        for h in (history if isinstance(history, list) else [])
        if isinstance(h, Mapping)
    ]
    text = _fields(pairs)
    if rows:
        text += "\n\nHistory\n" + _table(["STATUS", "DATE/TIME", "REASON"], rows)
    return text


RESULT_TYPES = {
    "housing-queue/notification@1": "registered in the waiting list (notification)",
    "housing-queue/refusal@1": "refused (reasoned refusal)",
}
ROLES = {"author": "signed by", "registration": "registration stamp", "approval": "approved by", "registry": "registry"}


def _signer(info: SignatureInfo) -> str:
    ids = ", ".join(f"{label} {value}" for label, value in (("IIN", info.iin), ("BIN", info.bin)) if value)
    who = _text(info.name)
    if info.organization:
        who += f", {info.organization}"
    return f"{who} ({ids})" if ids else who


def render_result(signed: Mapping[str, Any]) -> str:
    """A signed result for a person: what was decided, the numbers, the grounds, and who signed when.
    Read from the document as it is; `python -m client verify` checks the signatures."""
    document, signatures = read_signed(signed)
    kind = str(document.get("type", ""))
    pairs = [("Result", f"{RESULT_TYPES.get(kind, kind)} [{kind}]" if kind in RESULT_TYPES else _text(kind))]
    pairs += [("Document", _text(document.get("id"))), ("Created", _when(document.get("created_at")))]
    if document.get("application_id"):
        pairs.append(("Application", str(document["application_id"])))
    pairs.append(("Case number", _text(document.get("case_number"))))
    waiting_list = document.get("waiting_list")
    if isinstance(waiting_list, Mapping):
        pairs.append(("Waiting list", f"{_text(waiting_list.get('name'))} ({_text(waiting_list.get('code'))})"))
    elif waiting_list is not None:
        pairs.append(("Waiting list", str(waiting_list)))
    if "queue_number" in document:
        pairs.append(("Queue number", _text(document.get("queue_number"))))
    if "queued_at" in document:
        pairs.append(("Queued at", _when(document.get("queued_at"))))
    grounds = document.get("grounds")
    if isinstance(grounds, list):
        lines = [_ground(g) for g in grounds] or [NONE]
        pairs.append(("Grounds", lines[0]))
        pairs += [("", line) for line in lines[1:]]
    text = _fields(pairs)
    if signatures:
        rows = [[ROLES.get(str(s.role), _text(s.role)), _signer(s), _when(s.signed_at)] for s in signatures]
        text += "\n\nSignatures (as the document states them; to check: result ID --out FILE, then verify FILE)\n"
        text += _table(["", "WHO", "WHEN"], rows)
    return text


def _result(client: PortalClient, args: argparse.Namespace) -> int:
    try:
        answer = client.result(args.application_id)
    except ServiceError as error:
        if error.code != "NOT_FOUND" or not error.details.get("reason"):
            raise
        print(
            f"no result yet for {args.application_id} ({error.code}: {error.details['reason']}); "
            f"see python -m client status {args.application_id}",
            file=sys.stderr,
        )
        return 2
    signed = signed_result(answer)
    if args.out:
        args.out.write_text(json.dumps(signed, ensure_ascii=False, indent=2))
    if args.json:
        _print(answer)
    else:
        print(render_result(signed))
    if args.out:
        print(f"the signed document is in {args.out} (python -m client verify {args.out})", file=sys.stderr)
    return 0


def _signed_in(client: PortalClient, args: argparse.Namespace) -> int:
    """Keep the token in the session file, and say whether it is proven (and how to prove it when not)."""
    session.save_citizen({"portal": args.portal, "token": client.token, "iin": args.iin})
    if client.identity_proven:
        print(f"signed in as {args.iin}, identity proven")
    else:
        print(f"signed in as {args.iin}")
        print(
            "your identity is not proven yet, so the portal gives no draft: python -m client sms-code --iin "
            f"{args.iin}, then prove --iin {args.iin}; or login --iin {args.iin} --p12 YOUR-AUTH-KEY.p12",
            file=sys.stderr,
        )
    return 0


def _citizen(args: argparse.Namespace, transport: httpx.BaseTransport | None = None) -> int:
    """The citizen's commands; 0 on success."""
    if args.command == "register":
        portal = PortalClient(args.portal, transport=transport)
        _print(portal.register(args.iin, _password("PORTAL_PASSWORD", "New password: "), args.email))
        return 0
    if args.command == "login":
        client = PortalClient(args.portal, transport=transport)
        if args.p12 is not None:
            signer = load_signer(args.p12, _password("P12_PASSWORD", "PKCS#12 password: "))
            if holder_iin(signer.chain[0]) != args.iin:
                raise ValueError(f"{args.p12} is not a key of IIN {args.iin}")
            client.login_eds(signer)
        else:
            client.login(args.iin, _password("PORTAL_PASSWORD", "Password: "))
        return _signed_in(client, args)
    if args.command == "sms-code":
        sent = PortalClient(args.portal, transport=transport).request_sms_code(args.iin)
        print(
            f"a code was sent by SMS to {sent.get('phone')} (valid {sent.get('expires_in_s')} s, "
            f"{sent.get('max_tries')} tries): python -m client prove --iin {args.iin}"
        )
        return 0
    if args.command == "prove":
        code = args.code or _ask("Code from the SMS: ")
        password = None if args.no_password else _password("PORTAL_PASSWORD", "Password (new, or your current one): ")
        client = PortalClient(args.portal, transport=transport)
        client.confirm_sms_code(args.iin, code, password)
        return _signed_in(client, args)
    client = _portal(transport)
    if args.command == "apply":
        signer = load_signer(args.p12, _password("P12_PASSWORD", "PKCS#12 password: "))
        attachments = []
        for item in args.attach:
            kind, _, path = item.partition("=")
            attachments.append(client.upload(Path(path), kind))
        fields: dict[str, object] = {"attachments": attachments} if attachments else {}
        if args.email:
            fields["email"] = args.email
        draft = client.draft(**fields)
        if draft.get("missing_attachments"):
            print("attach these first (--attach KIND=FILE):", file=sys.stderr)
            _print(draft["missing_attachments"])
            return 1
        _print(client.submit(sign_document(draft["document"], signer)))
        return 0
    if args.command == "status":
        if args.application_id:
            application = client.application(args.application_id)
            shown = (
                json.dumps(application, ensure_ascii=False, indent=2) if args.json else render_application(application)
            )
        else:
            applications = client.applications()
            shown = (
                json.dumps(applications, ensure_ascii=False, indent=2)
                if args.json
                else render_applications(applications)
            )
        print(shown)
        return 0
    return _result(client, args)


def main(argv: list[str] | None = None, *, transport: httpx.BaseTransport | None = None) -> int:
    """The command line; ``transport`` replaces the network (tests give an `httpx.MockTransport`)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "nca-enrollment-token":
            if not args.ra_token:
                print("error: the RA token is needed (--ra-token or $NCA_RA_TOKEN)", file=sys.stderr)
                return 2
            bin_ = BY_SERVICE[args.service].bin
            print(f"{enrollment_variable(args.service)}={enrollment_token(args.ra_token, bin_)}")
            return 0
        if args.command == "nca-issue":
            issued = NcaClient(args.nca, ra_token=args.ra_token, transport=transport).request_pkcs12(
                iin=args.iin,
                surname=args.surname,
                given_name=args.given_name,
                patronymic=args.patronymic,
                profile=args.profile,
                holder=args.holder,
                bin=args.bin,
                organization=args.organization,
            )
            issued.save(args.out)
            print(json.dumps({"serial": issued.serial, "pkcs12": str(args.out), "password": issued.password}))
            return 0
        if args.command == "nca-revoke":
            nca = NcaClient(args.nca, ra_token=args.ra_token, transport=transport)
            if args.p12 is not None:
                signer = load_signer(args.p12, _password("P12_PASSWORD", "PKCS#12 password: "))
                answer = nca.revoke(f"{signer.chain[0].serial_number:x}", args.reason, signer=signer)
            else:
                answer = nca.revoke(args.serial, args.reason)
            print(json.dumps(answer, ensure_ascii=False))
            return 0
        if args.command == "sign":
            password = os.environ.get("P12_PASSWORD") or getpass.getpass("PKCS#12 password: ")
            signed = sign_document(json.loads(args.document.read_text()), load_signer(args.p12, password))
            text = json.dumps(signed, ensure_ascii=False, indent=2)
            if args.out:
                args.out.write_text(text)
            else:
                print(text)
            return 0
        if args.command == "verify":
            answer = PortalClient(args.portal, transport=transport).verify(json.loads(args.signed.read_text()))
            print(json.dumps(answer, ensure_ascii=False, indent=2))
            return 0 if answer.get("valid") else 1
        if args.command == "staff":
            return staff_cli.run(args, transport)
        if args.command == "operator":
            return operator_cli.run(args, transport)
        return _citizen(args, transport)
    except ServiceError as error:
        print(f"error: {error.code}: {error.message} {json.dumps(error.details, ensure_ascii=False)}", file=sys.stderr)
        return 2
    except httpx.HTTPError as error:
        print(
            f"error: cannot reach the service: {error} "
            "(is it running? see PORTAL_URL, PROVIDER_URL, CENTER_URL, NCA_URL)",
            file=sys.stderr,
        )
        return 2
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
