"""`python -m client staff …`: what each command sends the provider (and the NCA), what it signs here and
how, what a person reads (tables and fields, never the signed documents' base64) and ``--json``; the
staff's session kept beside the citizen's. The provider is an httpx.MockTransport."""

from __future__ import annotations

import json
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
from client.staff import certificate_names
from shared.eds.jcs import canonical
from shared.eds.signing import Signer, b64url, b64url_decode, payload_of, sign
from shared.participants import PROVIDER as PROVIDER_PARTICIPANT

PROVIDER = "http://provider.test"
TOKEN = "staff-token"
CITIZEN = {"portal": "http://portal.test", "token": "citizen-token", "iin": "900101300017"}
NUMBER = "ТҮ-karaganda-2026-000017"
MEETING = "5b0c8f6e-1d2a-4c3b-9e8f-7a6b5c4d3e2f"
P12_PASSWORD = "p12-password"


def _signer(iin: str) -> Signer:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "БАСШЫ ҚАРАҒАНДЫ"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"BIN{PROVIDER_PARTICIPANT.bin}"),
        ]
    )
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


HEAD = _signer("750101390109")
MEMBER = _signer("750101390307")

ME = {
    "login": "head.karaganda",
    "role": "head",
    "position": "head",
    "district": "karaganda",
    "iin": "750101390109",
    "full_name": "Бөлім басшысы, Қарағанды қаласы",
}
SUMMARY: dict[str, Any] = {
    "number": NUMBER,
    "application_id": "6f1c2a7e-3b1d-4c55-9a77-1f0e2d3c4b5a",
    "district": "karaganda",
    "applicant_iin": "900101300017",
    "applicant_name": "Тестов Тест",
    "channel": "portal",
    "status": "REGISTERED",
    "registration_number": "KRG-20260302-000001",
    "registered_at": "2026-03-02T09:00:00Z",
    "opened_at": "2026-03-02T09:00:01Z",
    "updated_at": "2026-03-02T09:00:01Z",
    "step": 4,
    "actor": "head",
    "executor": None,
    "since": "2026-03-02T09:00:01Z",
    "due_at": "2026-03-03T09:00:01Z",
    "overdue": True,
    "waiting_list": None,
    "queue_number": None,
}
DRAFT = {
    "type": "housing-queue/notification@1",
    "id": "0b5f7a2c-8d4e-4f1a-b2c3-d4e5f6a7b8c9",
    "created_at": "2026-03-02T09:30:00Z",
    "author": {"iin": "750101390109", "bin": PROVIDER_PARTICIPANT.bin},
    "case_number": NUMBER,
    "waiting_list": {"code": "vulnerable", "name": "Халықтың әлеуметтік осал топтары"},
    "queue_number": 3,
}
RESOLUTION = sign(
    {
        "type": "housing-queue/resolution@1",
        "id": "1c6a8b3d-9e5f-4a2b-83d4-e5f6a7b8c9d0",
        "created_at": "2026-03-02T09:10:00Z",
        "author": {"iin": "750101390109", "bin": PROVIDER_PARTICIPANT.bin},
        "case_number": NUMBER,
        "executor": {"login": "specialist.karaganda", "iin": "750101390000"},
    },
    HEAD,
)
RESULT = sign(DRAFT, HEAD)
DETAIL: dict[str, Any] = {
    **SUMMARY,
    "history": [
        {"status": "REGISTERED", "at": "2026-03-02T09:00:01Z", "actor": "KZ/GOV/140440000408/provider", "reason": None}
    ],
    "steps": [
        {"step": 4, "actor": "head.karaganda", "at": "2026-03-02T09:10:00Z", "document": RESOLUTION, "note": None},
        {"step": 5, "actor": "specialist.karaganda", "at": "2026-03-02T09:20:00Z", "document": None, "note": {}},
    ],
    "suggestion": {
        "decision": "register",
        "settled": True,
        "waiting_list": {"code": "vulnerable", "name": "Халықтың әлеуметтік осал топтары"},
        "grounds": [],
        "reasons": "No ground of §15 in the five years",
    },
    "proposal": None,
    "decision": None,
    "draft": DRAFT,
    "result": RESULT,
    "application": {},
    "registry_answers": [],
}
PROTOCOL = {
    "type": "housing-queue/protocol@1",
    "id": "2d7b9c4e-0f6a-4b3c-94e5-f6a7b8c9d0e1",
    "created_at": "2026-03-05T10:00:00Z",
    "author": {"iin": "750101390109", "bin": PROVIDER_PARTICIPANT.bin},
    "number": "ТК-karaganda-2026-001",
    "decisions": [
        {
            "case_number": NUMBER,
            "application_id": "6f1c2a7e",
            "decision": "refuse",
            "grounds": [{"paragraph": "§15", "item": 2, "text": "sold a dwelling"}],
            "reasons": "",
        }
    ],
}


def meeting_view(signed: dict[str, Any] | None, signed_by: list[str]) -> dict[str, Any]:
    present = ["commission-chair.karaganda", "commission-secretary.karaganda", "commission-member-1.karaganda"]
    return {
        "id": MEETING,
        "number": "ТК-karaganda-2026-001",
        "district": "karaganda",
        "held_at": "2026-03-05T10:00:00Z",
        "status": "signing",
        "created_by": "commission-secretary.karaganda",
        "present": present,
        "agenda": [NUMBER],
        "document": PROTOCOL,
        "signed": signed,
        "signed_by": signed_by,
        "awaiting": [p for p in present if p not in signed_by],
    }


def _error(status: int, code: str, details: dict[str, Any] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": "...", "details": details or {}}})


class Provider:
    """The provider's staff API for one head; keeps every request (method, path, query, body)."""

    def __init__(self, meeting: dict[str, Any] | None = None) -> None:
        self.sent: list[tuple[str, str, dict[str, str], Any]] = []
        self.meeting = meeting or meeting_view(None, [])

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body: Any = json.loads(request.content) if request.content else None
        path, method = request.url.path, request.method
        self.sent.append((method, path, dict(request.url.params), body))
        if path == "/api/v1/staff/token":
            if body["password"] != "staff-password":
                return _error(401, "AUTH_INVALID_CREDENTIALS")
            return httpx.Response(200, json={"access_token": TOKEN, "token_type": "bearer", "expires_in": 900})
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return _error(401, "UNAUTHORIZED")
        moved = {**DETAIL, "step": 5, "actor": "specialist", "status": "IN_REVIEW"}
        routes: dict[tuple[str, str], Any] = {
            ("GET", "/api/v1/staff/me"): ME,
            ("GET", "/api/v1/cases"): {"items": [SUMMARY], "total": 45, "limit": 20, "offset": 0},
            ("GET", f"/api/v1/cases/{NUMBER}"): DETAIL,
            ("POST", f"/api/v1/cases/{NUMBER}/resolution/draft"): {"document": payload_of(RESOLUTION)},
            ("POST", f"/api/v1/cases/{NUMBER}/resolution"): moved,
            ("POST", f"/api/v1/cases/{NUMBER}/preparation"): {**DETAIL, "step": 6, "actor": "commission"},
            ("POST", f"/api/v1/cases/{NUMBER}/result/draft"): {"document": DRAFT},
            ("POST", f"/api/v1/cases/{NUMBER}/result"): {**DETAIL, "step": 9, "actor": "specialist"},
            ("POST", f"/api/v1/cases/{NUMBER}/dispatch"): {**DETAIL, "step": None, "status": "QUEUED"},
            ("POST", "/api/v1/meetings"): self.meeting,
            ("GET", "/api/v1/meetings"): {"items": [self.meeting], "total": 1},
            ("GET", f"/api/v1/meetings/{MEETING}"): self.meeting,
            ("POST", f"/api/v1/meetings/{MEETING}/signatures"): self.meeting,
            ("GET", "/api/v1/sla"): {
                "district": "karaganda",
                "now": "2026-03-04T10:00:00Z",
                "open": 1,
                "overdue": 1,
                "due_today": 0,
                "items": [
                    {
                        "case_number": NUMBER,
                        "step": 4,
                        "actor": "head",
                        "executor": None,
                        "since": "2026-03-02T09:00:01Z",
                        "due_at": "2026-03-03T09:00:01Z",
                        "overdue": True,
                        "due_today": False,
                    }
                ],
            },
        }
        if (method, path) == ("GET", "/api/v1/cases/ТҮ-shet-2026-000001"):
            return _error(404, "NOT_FOUND", {"case": "ТҮ-shet-2026-000001"})
        if (method, path) not in routes:
            return _error(404, "NOT_FOUND")
        return httpx.Response(201 if (method, path) == ("POST", "/api/v1/meetings") else 200, json=routes[method, path])

    def body(self, method: str, path: str) -> Any:
        return next(b for m, p, _, b in self.sent if (m, p) == (method, path))


@pytest.fixture(autouse=True)
def _session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "session.json"
    path.write_text(json.dumps({**CITIZEN, "staff": {"provider": PROVIDER, "token": TOKEN, "login": "head.karaganda"}}))
    monkeypatch.setenv("EGOV_SESSION", str(path))
    monkeypatch.setenv("P12_PASSWORD", P12_PASSWORD)
    return path


def run(capsys: pytest.CaptureFixture[str], handler: Any, *argv: str) -> tuple[int, str, str]:
    code = main(["staff", *argv], transport=httpx.MockTransport(handler))
    out, err = capsys.readouterr()
    return code, out, err


def p12(tmp_path: Path, signer: Signer, name: str = "key.p12") -> str:
    path = tmp_path / name
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"key", signer.key, signer.chain[0], None, BestAvailableEncryption(P12_PASSWORD.encode())
        )
    )
    return str(path)


def header(signature: dict[str, Any]) -> dict[str, Any]:
    return json.loads(b64url_decode(signature["protected"]))  # type: ignore[no-any-return]


# -- the session ---------------------------------------------------------------------------------------


def test_login_keeps_the_staff_token_beside_the_citizens(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, _session: Path
) -> None:
    _session.write_text(json.dumps(CITIZEN))
    monkeypatch.setenv("STAFF_PASSWORD", "staff-password")
    provider = Provider()
    code, out, _ = run(capsys, provider, "login", "--login", "head.karaganda", "--provider", PROVIDER)
    assert code == 0 and "signed in as head.karaganda: head (head), karaganda" in out
    assert provider.body("POST", "/api/v1/staff/token") == {"login": "head.karaganda", "password": "staff-password"}
    saved = json.loads(_session.read_text())
    assert saved == {**CITIZEN, "staff": {"provider": PROVIDER, "token": TOKEN, "login": "head.karaganda"}}


def test_login_asks_for_the_password_and_a_wrong_one_is_an_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, _session: Path
) -> None:
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: "wrong")
    before = _session.read_text()
    code, out, err = run(capsys, Provider(), "login", "--login", "head.karaganda", "--provider", PROVIDER)
    assert code == 2 and out == "" and "AUTH_INVALID_CREDENTIALS" in err
    assert _session.read_text() == before


def test_a_citizens_login_keeps_the_staff_session(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, _session: Path
) -> None:
    def portal(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"access_token": "new-citizen-token", "expires_in": 900, "identity_proven": True}
        )

    monkeypatch.setenv("PORTAL_PASSWORD", "x")
    code = main(
        ["login", "--iin", "900101300017", "--portal", "http://portal.test"], transport=httpx.MockTransport(portal)
    )
    capsys.readouterr()
    saved = json.loads(_session.read_text())
    assert code == 0 and saved["token"] == "new-citizen-token" and saved["staff"]["token"] == TOKEN


def test_without_a_staff_session_it_asks_to_log_in(capsys: pytest.CaptureFixture[str], _session: Path) -> None:
    _session.write_text(json.dumps(CITIZEN))
    code, _, err = run(capsys, Provider(), "cases")
    assert code == 2 and "UNAUTHORIZED" in err and "staff login" in err


def test_a_provider_that_is_not_running_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    code, _, err = run(capsys, refuse, "sla")
    assert code == 2 and "cannot reach" in err and "PROVIDER_URL" in err


# -- reading ---------------------------------------------------------------------------------------------


def test_cases_is_a_table_and_says_what_is_overdue(capsys: pytest.CaptureFixture[str]) -> None:
    provider = Provider()
    code, out, _ = run(capsys, provider, "cases", "--step", "4")
    assert code == 0
    assert provider.sent[-1][2] == {"step": "4", "limit": "20", "offset": "0"}
    lines = out.splitlines()
    assert lines[0].split() == ["CASE", "STATUS", "STEP", "ACTOR", "EXECUTOR", "APPLICANT", "SINCE", "DUE"]
    assert NUMBER in lines[1] and "OVERDUE" in lines[1] and "Тестов Тест" in lines[1]
    assert "1–1 of 45 (--offset 1 for more)" in out
    code, out, _ = run(capsys, provider, "cases", "--json")
    assert code == 0 and json.loads(out)["total"] == 45


def test_cases_takes_only_the_staffs_steps(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["staff", "cases", "--step", "3"], transport=httpx.MockTransport(Provider()))
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_a_case_is_for_a_person(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, Provider(), "case", NUMBER)
    assert code == 0
    for shown in (
        f"Case             {NUMBER}",
        "Тестов Тест (IIN 900101300017)",
        "Waiting at step  4 (head): the head's resolution (бұрыштама)",
        "(OVERDUE)",
        "Suggestion       register in Халықтың әлеуметтік осал топтары (vulnerable) — No ground of §15",
        "Draft result     housing-queue/notification@1, list Халықтың әлеуметтік осал топтары (vulnerable), "
        "queue number 3",
        f"Next             python -m client staff resolve {NUMBER} --p12 HEAD.p12",
        "housing-queue/resolution@1, executor specialist.karaganda",
    ):
        assert shown in out
    assert "Steps" in out and "History" in out and "REGISTERED" in out
    for signed in (RESULT, RESOLUTION):
        assert signed["payload"] not in out and signed["signatures"][0]["protected"] not in out
    code, out, _ = run(capsys, Provider(), "case", NUMBER, "--json")
    assert code == 0 and json.loads(out) == DETAIL


def test_another_districts_case_is_not_found(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, Provider(), "case", "ТҮ-shet-2026-000001")
    assert code == 2 and out == "" and "NOT_FOUND" in err


def test_sla_shows_the_counts_and_the_cases(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, Provider(), "sla")
    assert code == 0
    assert "Open       1" in out and "Overdue    1" in out and NUMBER in out and "OVERDUE" in out


def test_me(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, Provider(), "me")
    assert code == 0 and "IIN       750101390109" in out and "Position  head" in out


# -- the steps: what is sent, what is signed here -----------------------------------------------------------


def test_resolve_signs_the_draft_here_as_its_author(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    provider = Provider()
    argv = ("resolve", NUMBER, "--p12", p12(tmp_path, HEAD), "--executor", "specialist.karaganda")
    code, out, _ = run(capsys, provider, *argv)
    assert code == 0 and f"{NUMBER}: now at step 5 (specialist)" in out and "staff prepare" in out
    assert provider.body("POST", f"/api/v1/cases/{NUMBER}/resolution/draft") == {"executor": "specialist.karaganda"}
    signed = provider.body("POST", f"/api/v1/cases/{NUMBER}/resolution")["signed"]
    assert signed["payload"] == b64url(canonical(payload_of(RESOLUTION)))
    assert [header(s)["role"] for s in signed["signatures"]] == ["author"]


def test_prepare_accepts_the_suggestion_or_puts_the_specialists_own(capsys: pytest.CaptureFixture[str]) -> None:
    provider = Provider()
    code, out, _ = run(capsys, provider, "prepare", NUMBER)
    assert code == 0 and "now at step 6 (commission)" in out
    assert provider.body("POST", f"/api/v1/cases/{NUMBER}/preparation") == {}
    provider = Provider()
    argv = ("prepare", NUMBER, "--decision", "refuse", "--ground", "2", "--ground", "5", "--reasons", "sold it")
    assert run(capsys, provider, *argv)[0] == 0
    body = provider.body("POST", f"/api/v1/cases/{NUMBER}/preparation")
    assert body["decision"] == "refuse" and body["reasons"] == "sold it"
    assert [(g["paragraph"], g["item"]) for g in body["grounds"]] == [("§15", 2), ("§15", 5)]
    assert "иелiгiнен шығару" in body["grounds"][0]["text"]
    provider = Provider()
    assert run(capsys, provider, "prepare", NUMBER, "--decision", "register", "--list", "orphans")[0] == 0
    assert provider.body("POST", f"/api/v1/cases/{NUMBER}/preparation") == {
        "decision": "register",
        "waiting_list": "orphans",
    }


def test_meeting_create_sends_who_is_present_and_the_agenda(capsys: pytest.CaptureFixture[str]) -> None:
    provider = Provider()
    present = ["commission-chair.karaganda", "commission-secretary.karaganda", "commission-member-1.karaganda"]
    code, out, _ = run(capsys, provider, "meeting", "create", "--present", *present, "--case", NUMBER)
    assert code == 0
    assert provider.body("POST", "/api/v1/meetings") == {"present": present, "cases": [NUMBER]}
    assert f"Awaiting   {', '.join(present)}" in out and "Decisions" in out
    assert "refuse: §15 item 2: sold a dwelling" in out
    assert "commission-chair.karaganda: python -m client staff meeting sign" in out
    run(capsys, provider, "meeting", "create", "--present", *present)
    assert provider.sent[-1][3] == {"present": present}


def test_the_chair_signs_the_protocol_first_as_its_author(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    provider = Provider(meeting_view(None, []))
    assert run(capsys, provider, "meeting", "sign", MEETING, "--p12", p12(tmp_path, HEAD))[0] == 0
    signed = provider.body("POST", f"/api/v1/meetings/{MEETING}/signatures")["signed"]
    assert signed["payload"] == b64url(canonical(PROTOCOL))
    assert [header(s)["role"] for s in signed["signatures"]] == ["author"]


def test_a_member_countersigns_the_protocol_as_it_stands(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    by_chair = sign(PROTOCOL, HEAD)
    provider = Provider(meeting_view(by_chair, ["commission-chair.karaganda"]))
    code, out, _ = run(capsys, provider, "meeting", "sign", MEETING, "--p12", p12(tmp_path, MEMBER))
    assert code == 0 and "Signed by  commission-chair.karaganda" in out
    signed = provider.body("POST", f"/api/v1/meetings/{MEETING}/signatures")["signed"]
    assert signed["payload"] == by_chair["payload"]
    assert signed["signatures"][0] == by_chair["signatures"][0]
    assert [header(s)["role"] for s in signed["signatures"]] == ["author", "approval"]


def test_draft_shows_the_result_to_sign(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, Provider(), "draft", NUMBER)
    assert code == 0 and out.startswith("draft result: housing-queue/notification@1") and "queue number 3" in out


def test_sign_signs_exactly_the_draft(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    provider = Provider()
    code, out, _ = run(capsys, provider, "sign", NUMBER, "--p12", p12(tmp_path, HEAD))
    assert code == 0 and "now at step 9" in out
    signed = provider.body("POST", f"/api/v1/cases/{NUMBER}/result")["signed"]
    assert signed["payload"] == b64url(canonical(DRAFT)) and len(signed["signatures"]) == 1


def test_dispatch(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, Provider(), "dispatch", NUMBER)
    assert code == 0 and out.strip() == f"{NUMBER}: done, QUEUED"


def test_a_wrong_key_password_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = p12(tmp_path, HEAD)
    monkeypatch.setenv("P12_PASSWORD", "not it")
    provider = Provider()
    code, _, err = run(capsys, provider, "sign", NUMBER, "--p12", key)
    assert code == 2 and err.startswith("error:") and provider.sent == []


# -- the key ---------------------------------------------------------------------------------------------------


def test_nca_key_asks_for_an_employee_certificate_of_the_department(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    provider = Provider()
    asked: list[dict[str, Any]] = []
    issued = pkcs12.serialize_key_and_certificates(
        b"key", HEAD.key, HEAD.chain[0], None, BestAvailableEncryption(b"issued-password")
    )

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/nca/v1/certificates":
            asked.append(json.loads(request.content))
            body = {"serial": "ab12", "certificate_pem": "", "chain_pem": "", "pkcs12_password": "issued-password"}
            import base64

            return httpx.Response(201, json={**body, "pkcs12_b64": base64.b64encode(issued).decode()})
        return provider(request)

    out_file = tmp_path / "head.p12"
    code, out, _ = run(capsys, handle, "nca-key", "--out", str(out_file), "--nca", "http://nca.test")
    assert code == 0 and json.loads(out) == {"serial": "ab12", "pkcs12": str(out_file), "password": "issued-password"}
    assert out_file.stat().st_mode & 0o777 == 0o600 and out_file.read_bytes() == issued
    assert asked == [
        {
            "subject": {
                "iin": ME["iin"],
                "surname": "Басшы",
                "given_name": "Қарағанды қаласы",
                "bin": PROVIDER_PARTICIPANT.bin,
                "organization": PROVIDER_PARTICIPANT.organization,
            },
            "profile": "sign",
            "holder": "employee",
        }
    ]


@pytest.mark.parametrize(
    ("me", "names"),
    [
        ({"login": "commission-member-2.bukhar-zhyrau", "position": "member",
          "full_name": "Мүшесі, Бұқар жырау ауданы"}, ("Мүше-2", "Бұқар жырау ауданы")),
        ({"login": "a.b", "position": "specialist", "full_name": "Жандосов Арман Серікұлы"}, ("Жандосов", "Арман")),
        ({"login": "a.b", "position": "head", "full_name": ""}, ("a.b", "a.b")),
    ],
)  # fmt: skip
def test_certificate_names(me: dict[str, Any], names: tuple[str, str]) -> None:
    assert certificate_names(me) == names


def test_certificate_names_fit_the_common_names_64_bytes() -> None:
    surname, given = certificate_names({"login": "x.y", "full_name": "Ж" * 40 + " " + "Қ" * 40})
    assert len(f"{surname} {given}".upper().encode()) <= 64 and surname and given
