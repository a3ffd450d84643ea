"""The CLI's `status` and `result` for a person: the numbers, the status history and the decision, never
the signed documents' base64 (unless asked: --json, --out). Signing in and proving one's identity: `login`
(password, or EDS with an AUTH key), `sms-code` and `prove`, each keeping the token in the session file. The
portal is an httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID

from client.cli import main
from client.sdk import read_signed, signed_result
from shared.eds.signing import Signer, countersign, payload_of, sign

APPLICATION_ID = "6f1c2a7e-3b1d-4c55-9a77-1f0e2d3c4b5a"
TOKEN = "token-of-the-citizen"
PORTAL = "http://portal.test"


def _signer(
    common_name: str, *, iin: str | None = None, bin: str | None = None, organization: str | None = None
) -> Signer:
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name), x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ")]
    if iin:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"))
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if bin:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"BIN{bin}"))
    name = x509.Name(attributes)
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return Signer(key, (certificate,))


HEAD = _signer("ЖАНДОСОВ АРМАН", iin="780412300123", bin="120340012345", organization="ЖКХ ОТДЕЛ КАРАГАНДЫ")
GATEWAY = _signer("REGIONAL GATEWAY KARAGANDA", bin="990740000111")
CITIZEN = _signer("ТЕСТОВ ТЕСТ", iin="900101300017")


def _result(document: dict[str, Any]) -> dict[str, Any]:
    signed = sign(document, HEAD, role="author", signed_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    return countersign(signed, GATEWAY, role="registration", signed_at=datetime(2026, 3, 2, 9, 31, tzinfo=UTC))


NOTIFICATION = _result(
    {
        "type": "housing-queue/notification@1",
        "id": "0b5f7a2c-8d4e-4f1a-b2c3-d4e5f6a7b8c9",
        "created_at": "2026-03-02T09:30:00Z",
        "author": {"iin": "780412300123", "bin": "120340012345"},
        "application_id": APPLICATION_ID,
        "case_number": "KRG-2026-000123",
        "waiting_list": {"code": "vulnerable", "name": "Socially vulnerable groups"},
        "queue_number": 417,
        "queued_at": "2026-02-01T10:15:00Z",
    }
)
REFUSAL = _result(
    {
        "type": "housing-queue/refusal@1",
        "id": "1c6a8b3d-9e5f-4a2b-83d4-e5f6a7b8c9d0",
        "created_at": "2026-03-02T09:30:00Z",
        "author": {"iin": "780412300123", "bin": "120340012345"},
        "case_number": "KRG-2026-000124",
        "grounds": [{"paragraph": "§15", "item": 2, "text": "owns a dwelling in the region"}],
    }
)
APPLICATION_SIGNED = sign(
    {
        "type": "housing-queue/application@1",
        "id": APPLICATION_ID,
        "created_at": "2026-02-01T10:00:00Z",
        "author": {"iin": "900101300017"},
        "district": "karaganda",
    },
    CITIZEN,
)

DETAIL: dict[str, Any] = {
    "id": APPLICATION_ID,
    "status": "QUEUED",
    "district": "karaganda",
    "submitted_at": "2026-02-01T10:00:05Z",
    "expected_result_date": "2026-03-03",
    "registration_number": "KRG-GW-2026-00042",
    "result_ready": True,
    "status_at": "2026-03-02T09:31:00Z",
    "history": [
        {"status": "SUBMITTED", "at": "2026-02-01T10:00:05Z", "details": None},
        {
            "status": "REGISTERED_AT_GATEWAY",
            "at": "2026-02-01T10:00:07Z",
            "details": {"registration_number": "KRG-GW-2026-00042"},
        },
        {"status": "REGISTERED", "at": "2026-02-01T10:01:00Z", "details": {"case_number": "KRG-2026-000123"}},
        {
            "status": "REFUSED_DOCUMENTS",
            "at": "2026-02-01T10:02:00Z",
            "details": {
                "reason": {
                    "code": "DOCS_INCOMPLETE",
                    "paragraph": "§14",
                    "missing": [{"kind": "marriage_certificate", "reason": "old", "paragraph": "§14"}],
                }
            },
        },
        {"status": "QUEUED", "at": "2026-03-02T09:31:00Z", "details": None},
    ],
    "registration": {"number": "KRG-GW-2026-00042", "registered_at": "2026-02-01T10:00:07Z"},
    "delivery": {"state": "DELIVERED", "at": "2026-02-01T10:00:09Z", "error": None},
    "case_number": "KRG-2026-000123",
    "result": NOTIFICATION,
    "document": APPLICATION_SIGNED,
}
SUMMARY = {
    k: DETAIL[k]
    for k in ("id", "status", "district", "submitted_at", "expected_result_date", "registration_number", "result_ready")
}
BASE64 = [NOTIFICATION["payload"], APPLICATION_SIGNED["payload"], NOTIFICATION["signatures"][0]["protected"]]

Handler = Callable[[httpx.Request], httpx.Response]


def _error(status: int, code: str, details: dict[str, Any] | None = None) -> httpx.Response:
    body = {"error": {"code": code, "message": "Сұралған ресурс табылмады", "details": details or {}}}
    return httpx.Response(status, json=body)


def portal(result: dict[str, Any] | None = None) -> Handler:
    """The portal's cabinet for one citizen and one application; ``result``: the result endpoint's answer."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return _error(401, "UNAUTHORIZED")
        path = request.url.path
        if path == "/api/v1/applications":
            return httpx.Response(200, json=[SUMMARY])
        if path == f"/api/v1/applications/{APPLICATION_ID}":
            return httpx.Response(200, json=DETAIL)
        if path == f"/api/v1/applications/{APPLICATION_ID}/result":
            if result is None:
                return _error(404, "NOT_FOUND", {"reason": "the result is not ready yet"})
            return httpx.Response(200, json=result)
        return _error(404, "NOT_FOUND")

    return handle


@pytest.fixture(autouse=True)
def _session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "session.json"
    path.write_text(json.dumps({"portal": PORTAL, "token": TOKEN, "iin": "900101300017"}))
    monkeypatch.setenv("EGOV_SESSION", str(path))
    return path


def run(capsys: pytest.CaptureFixture[str], handler: Handler, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), transport=httpx.MockTransport(handler))
    out, err = capsys.readouterr()
    return code, out, err


def test_status_of_one_application_is_for_a_person(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, portal(), "status", APPLICATION_ID)
    assert code == 0
    for shown in (APPLICATION_ID, "QUEUED", "KRG-GW-2026-00042", "KRG-2026-000123", "2026-03-03", "DELIVERED"):
        assert shown in out
    history = out[out.index("History") :]
    for status in ("SUBMITTED", "REGISTERED_AT_GATEWAY", "REGISTERED", "REFUSED_DOCUMENTS", "QUEUED"):
        assert status in history
    assert "DOCS_INCOMPLETE" in history and "marriage_certificate" in history
    assert f"python -m client result {APPLICATION_ID}" in out
    for encoded in BASE64:
        assert encoded not in out
    assert "signatures" not in out and "{" not in out


def test_status_json_is_the_portals_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, portal(), "status", APPLICATION_ID, "--json")
    assert code == 0 and json.loads(out) == DETAIL


def test_status_lists_the_applications(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, portal(), "status")
    assert code == 0
    assert APPLICATION_ID in out and "QUEUED" in out and "KRG-GW-2026-00042" in out and "ready" in out
    code, out, _ = run(capsys, portal(), "status", "--json")
    assert code == 0 and json.loads(out) == [SUMMARY]


@pytest.mark.parametrize("answer", [{"document": NOTIFICATION}, NOTIFICATION], ids=["wrapped", "bare"])
def test_result_is_a_summary_of_the_notification(capsys: pytest.CaptureFixture[str], answer: dict[str, Any]) -> None:
    code, out, _ = run(capsys, portal(answer), "result", APPLICATION_ID)
    assert code == 0
    expected = ["notification", "KRG-2026-000123", "417", "Socially vulnerable groups", "vulnerable"]
    expected += ["ЖАНДОСОВ АРМАН", "780412300123", "120340012345", "REGIONAL GATEWAY KARAGANDA"]
    expected += ["signed by", "registration stamp", "2026-"]
    for shown in expected:
        assert shown in out
    for encoded in BASE64:
        assert encoded not in out


def test_result_of_a_refusal_gives_its_grounds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, portal({"document": REFUSAL}), "result", APPLICATION_ID)
    assert code == 0
    assert "refus" in out and "KRG-2026-000124" in out and "§15 item 2: owns a dwelling in the region" in out
    assert REFUSAL["payload"] not in out


def test_result_out_writes_the_signed_document(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    code, out, err = run(capsys, portal({"document": NOTIFICATION}), "result", APPLICATION_ID, "--out", str(target))
    assert code == 0 and str(target) in err
    written = json.loads(target.read_text())
    assert written == NOTIFICATION, "the signed document itself, ready for `python -m client verify`"
    assert read_signed(written)[0]["queue_number"] == 417
    assert "KRG-2026-000123" in out and NOTIFICATION["payload"] not in out


def test_result_json_is_the_portals_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, portal({"document": NOTIFICATION}), "result", APPLICATION_ID, "--json")
    assert code == 0 and json.loads(out) == {"document": NOTIFICATION}


def test_no_result_yet_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, portal(None), "result", APPLICATION_ID)
    assert code == 2 and out == ""
    assert "no result yet" in err and "NOT_FOUND" in err and APPLICATION_ID in err


def test_an_unknown_application_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, portal(), "status", "00000000-0000-4000-8000-000000000000")
    assert code == 2 and "NOT_FOUND" in err


def test_without_a_session_it_asks_to_log_in(capsys: pytest.CaptureFixture[str], _session: Path) -> None:
    _session.unlink()
    code, _, err = run(capsys, portal(), "status")
    assert code == 2 and "UNAUTHORIZED" in err


def test_a_portal_that_is_not_running_is_an_error_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    code, _, err = run(capsys, refuse, "status")
    assert code == 2 and "cannot reach" in err


def test_signed_result_takes_the_document_out_of_either_answer() -> None:
    assert signed_result({"document": REFUSAL}) == REFUSAL == signed_result(REFUSAL)


# Signing in and proving one's identity (README, Design: "Identity proof").

IIN = "900101300017"
PASSWORD = "a good long password"
SMS_CODE = "123456"
PROVEN = "token-proven-by-sms"
UNPROVEN = "token-of-a-password-login"
BY_EDS = "token-proven-by-eds"
CHALLENGE = {
    "type": "auth/challenge@1",
    "id": "2d7b9c4e-0f6a-4b3c-94e5-f6a7b8c9d0e1",
    "created_at": "2026-03-02T09:30:00Z",
    "author": {"iin": IIN},
    "nonce": "nonce-of-the-challenge",
    "expires_at": "2026-03-02T09:35:00Z",
}


def _token(access_token: str, proven: bool) -> httpx.Response:
    return httpx.Response(200, json={"access_token": access_token, "expires_in": 900, "identity_proven": proven})


class Auth:
    """The portal's /api/v1/auth routes for one person with a number on record; keeps what it was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else {}
        path = request.url.path
        self.sent.append((path, body))
        if body.get("iin", IIN) != IIN:
            return _error(404, "MOBILE_PHONE_NOT_FOUND", {"iin": body["iin"]})
        if path == "/api/v1/auth/token":
            return _token(UNPROVEN, False) if body["password"] == PASSWORD else _error(401, "AUTH_INVALID_CREDENTIALS")
        if path == "/api/v1/auth/sms-code":
            return httpx.Response(202, json={"phone": "+7 7** *** **12", "expires_in_s": 300, "max_tries": 5})
        if path == "/api/v1/auth/sms-code/confirm":
            if body["code"] != SMS_CODE:
                return _error(401, "SMS_CODE_INVALID", {"tries_left": 4})
            return _token(PROVEN, True)
        if path == "/api/v1/auth/challenge":
            return httpx.Response(200, json={"challenge": CHALLENGE})
        if path == "/api/v1/auth/eds":
            if payload_of(body["signed"]) != CHALLENGE:
                return _error(401, "AUTH_INVALID_CREDENTIALS")
            return _token(BY_EDS, True)
        return _error(404, "NOT_FOUND")


def _saved(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def test_sms_code_asks_the_portal_to_text_a_code(capsys: pytest.CaptureFixture[str]) -> None:
    portal = Auth()
    code, out, _ = run(capsys, portal, "sms-code", "--iin", IIN, "--portal", PORTAL)
    assert code == 0 and portal.sent == [("/api/v1/auth/sms-code", {"iin": IIN})]
    assert "+7 7** *** **12" in out and f"python -m client prove --iin {IIN}" in out


def test_sms_code_for_someone_with_no_number_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, Auth(), "sms-code", "--iin", "871008401427", "--portal", PORTAL)
    assert code == 2 and out == "" and "MOBILE_PHONE_NOT_FOUND" in err


def test_prove_with_the_code_keeps_the_proven_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, _session: Path
) -> None:
    monkeypatch.setenv("PORTAL_PASSWORD", PASSWORD)
    portal = Auth()
    code, out, _ = run(capsys, portal, "prove", "--iin", IIN, "--code", SMS_CODE, "--portal", PORTAL)
    assert code == 0 and "identity proven" in out
    assert portal.sent == [("/api/v1/auth/sms-code/confirm", {"iin": IIN, "code": SMS_CODE, "password": PASSWORD})]
    assert _saved(_session) == {"portal": PORTAL, "token": PROVEN, "iin": IIN}


def test_prove_asks_for_the_code_and_the_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, _session: Path
) -> None:
    monkeypatch.delenv("PORTAL_PASSWORD", raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: f" {SMS_CODE}\n" if "Code" in prompt else "")
    monkeypatch.setattr("getpass.getpass", lambda prompt: PASSWORD)
    portal = Auth()
    code, _, _ = run(capsys, portal, "prove", "--iin", IIN, "--portal", PORTAL)
    assert code == 0 and portal.sent[-1][1] == {"iin": IIN, "code": SMS_CODE, "password": PASSWORD}
    assert _saved(_session)["token"] == PROVEN


def test_prove_without_a_password_sends_none(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_PASSWORD", PASSWORD)
    portal = Auth()
    code, _, _ = run(capsys, portal, "prove", "--iin", IIN, "--code", SMS_CODE, "--no-password", "--portal", PORTAL)
    assert code == 0 and portal.sent == [("/api/v1/auth/sms-code/confirm", {"iin": IIN, "code": SMS_CODE})]


def test_a_wrong_code_is_an_error_and_the_session_stays(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, _session: Path
) -> None:
    monkeypatch.setenv("PORTAL_PASSWORD", PASSWORD)
    before = _saved(_session)
    code, out, err = run(capsys, Auth(), "prove", "--iin", IIN, "--code", "000000", "--portal", PORTAL)
    assert code == 2 and out == "" and "SMS_CODE_INVALID" in err and "tries_left" in err
    assert _saved(_session) == before


def test_prove_with_no_code_and_nothing_to_read_it_from_is_an_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def closed(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr("builtins.input", closed)
    portal = Auth()
    code, _, err = run(capsys, portal, "prove", "--iin", IIN, "--no-password", "--portal", PORTAL)
    assert code == 2 and portal.sent == [] and "option" in err


def test_a_password_login_says_how_to_prove_the_identity(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, _session: Path
) -> None:
    monkeypatch.setenv("PORTAL_PASSWORD", PASSWORD)
    code, out, err = run(capsys, Auth(), "login", "--iin", IIN, "--portal", PORTAL)
    assert code == 0 and f"signed in as {IIN}" in out and "proven" not in out
    assert f"sms-code --iin {IIN}" in err and f"prove --iin {IIN}" in err
    assert _saved(_session) == {"portal": PORTAL, "token": UNPROVEN, "iin": IIN}


def _p12(path: Path, signer: Signer, password: str) -> Path:
    cert, *extra = signer.chain
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"auth", signer.key, cert, extra or None, BestAvailableEncryption(password.encode())
        )
    )
    return path


def test_login_with_an_auth_key_signs_the_challenge_here(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, _session: Path
) -> None:
    monkeypatch.setenv("P12_PASSWORD", "p12-password")
    key = _p12(tmp_path / "auth.p12", CITIZEN, "p12-password")
    portal = Auth()
    code, out, err = run(capsys, portal, "login", "--iin", IIN, "--p12", str(key), "--portal", PORTAL)
    assert code == 0 and "identity proven" in out and err == ""
    assert [path for path, _ in portal.sent] == ["/api/v1/auth/challenge", "/api/v1/auth/eds"]
    signed = portal.sent[1][1]["signed"]
    assert read_signed(signed)[1][0].iin == IIN, "signed with the key's certificate"
    assert _saved(_session) == {"portal": PORTAL, "token": BY_EDS, "iin": IIN}


def test_login_with_someone_elses_key_is_refused_here(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("P12_PASSWORD", "p12-password")
    key = _p12(tmp_path / "auth.p12", HEAD, "p12-password")
    portal = Auth()
    code, _, err = run(capsys, portal, "login", "--iin", IIN, "--p12", str(key), "--portal", PORTAL)
    assert code == 2 and "not a key of IIN" in err and portal.sent == []
