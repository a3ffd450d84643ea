"""Command line for citizens and testers:

python -m client nca-issue --iin 900101300017 --surname ТЕСТОВ --given-name ТЕСТ --out me.p12
python -m client sign --p12 me.p12 document.json --out signed.json     # password: $P12_PASSWORD or prompt
python -m client verify signed.json                                   # exit 0 when valid
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from client import session
from client.sdk import DEFAULT_NCA, DEFAULT_PORTAL, NcaClient, PortalClient, ServiceError, load_signer, sign_document


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
    login.add_argument("--portal", default=portal)
    apply = commands.add_parser("apply", help="draft (pre-filled from the registries), sign locally, submit")
    apply.add_argument("--p12", type=Path, required=True)
    apply.add_argument("--attach", action="append", default=[], metavar="KIND=FILE", help="an e-copy to attach")
    apply.add_argument("--email")
    status = commands.add_parser("status", help="your applications, or one with its history")
    status.add_argument("application_id", nargs="?")
    result = commands.add_parser("result", help="the signed result of an application")
    result.add_argument("application_id")
    result.add_argument("--out", type=Path)
    return parser


def _password(variable: str, prompt: str) -> str:
    return os.environ.get(variable) or getpass.getpass(prompt)


def _portal() -> PortalClient:
    saved = session.load()
    return PortalClient(saved.get("portal", DEFAULT_PORTAL), token=saved.get("token"))


def _print(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def _citizen(args: argparse.Namespace) -> int:
    """The citizen's commands; 0 on success."""
    if args.command == "register":
        _print(PortalClient(args.portal).register(args.iin, _password("PORTAL_PASSWORD", "New password: "), args.email))
        return 0
    if args.command == "login":
        client = PortalClient(args.portal)
        client.login(args.iin, _password("PORTAL_PASSWORD", "Password: "))
        session.save({"portal": args.portal, "token": client.token, "iin": args.iin})
        print(f"signed in as {args.iin}")
        return 0
    client = _portal()
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
        _print(client.application(args.application_id) if args.application_id else client.applications())
        return 0
    signed = client.result(args.application_id)
    if args.out:
        args.out.write_text(json.dumps(signed, ensure_ascii=False, indent=2))
    else:
        _print(signed)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "nca-issue":
            issued = NcaClient(args.nca).request_pkcs12(
                iin=args.iin, surname=args.surname, given_name=args.given_name, patronymic=args.patronymic,
                profile=args.profile, holder=args.holder, bin=args.bin, organization=args.organization,
            )  # fmt: skip
            issued.save(args.out)
            print(json.dumps({"serial": issued.serial, "pkcs12": str(args.out), "password": issued.password}))
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
            answer = PortalClient(args.portal).verify(json.loads(args.signed.read_text()))
            print(json.dumps(answer, ensure_ascii=False, indent=2))
            return 0 if answer.get("valid") else 1
        return _citizen(args)
    except ServiceError as error:
        print(f"error: {error.code}: {error.message} {json.dumps(error.details, ensure_ascii=False)}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
