"""EDS across processes: the test NCA (registry_stub) and the portal run as separate services; a
citizen gets a PKCS#12 from the NCA over HTTP, signs on the client side, and the portal's public
verification judges the result, asking the NCA's OCSP responder and CRL over HTTP."""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.eds.document import Author, EDocument
from shared.eds.jcs import canonical
from shared.eds.signing import Signer, b64url, payload_of, sign
from shared.iin import make_iin
from tests.support.nca import RA
from tests.support.pki import foreign_signer, with_header
from tests.support.processes import ROOT, base_env, client_cli, free_port, stop, wait_ready

IINS = iter(i for n in range(100, 999) if (i := make_iin(date(1979, 11, 30), "F", n)))


class Services:
    def __init__(self, tmp: Path) -> None:
        self.nca_port, self.portal_port = free_port(), free_port()
        self.nca = subprocess.Popen(
            [sys.executable, "-m", "services.registry_stub"],
            cwd=ROOT,
            env=base_env(tmp, NCA_TEST_MODE="1", REGISTRY_STUB_PORT=str(self.nca_port)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.portal = subprocess.Popen(
            [sys.executable, "-m", "services.portal_gateway"],
            cwd=ROOT,
            env=base_env(
                tmp,
                PORTAL_GATEWAY_PORT=str(self.portal_port),
                NCA_URL=f"http://127.0.0.1:{self.nca_port}",
                REVOCATION_FRESHNESS_S="0",
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_ready([self.nca_port, self.portal_port], "/ready", timeout=45)

    def issue(self, iin: str, **extra: Any) -> Signer:
        body = {
            "subject": {"iin": iin, "surname": "ӘБІШЕВА", "given_name": "ДӘМЕШ"},
            "profile": "sign",
            "holder": "individual",
        }
        response = httpx.post(
            f"http://127.0.0.1:{self.nca_port}/nca/v1/certificates", json={**body, **extra}, timeout=30
        )
        assert response.status_code == 201, response.text
        return Signer.from_pkcs12(base64.b64decode(response.json()["pkcs12_b64"]), response.json()["pkcs12_password"])

    def verify(self, signed: Any) -> dict[str, Any]:
        response = httpx.post(f"http://127.0.0.1:{self.portal_port}/api/v1/edocs/verify", json=signed, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    running = Services(tmp_path_factory.mktemp("eds"))
    yield running
    for process in (running.portal, running.nca):
        if process.poll() is None:
            stop(process, signal.SIGTERM)


def document(iin: str, **extra: Any) -> EDocument:
    return EDocument(type="housing-queue/application@1", author=Author(iin=iin), district="temirtau", **extra)


def test_a_signed_document_is_valid_and_names_its_signer(services: Services) -> None:
    iin = next(IINS)
    answer = services.verify(sign(document(iin), services.issue(iin)))
    assert answer["valid"] is True and answer["code"] is None
    assert [(s["iin"], s["role"], s["revocation"]) for s in answer["signatures"]] == [(iin, "author", "ocsp")]


def test_each_bad_signature_gets_its_code(services: Services) -> None:
    iin, other = next(IINS), next(IINS)
    signer = services.issue(iin)
    good = sign(document(iin), signer)
    now = datetime.now(UTC)
    cases = {
        "EDS_SIGNATURE_INVALID": {**good, "payload": b64url(canonical({**payload_of(good), "district": "zhezkazgan"}))},
        "EDS_MALFORMED": {"payload": good["payload"]},
        "EDS_IIN_MISMATCH": sign(document(other), signer),
        "EDS_WRONG_KEY_USAGE": sign(document(iin), services.issue(iin, profile="auth")),
        "EDS_CERT_EXPIRED": sign(
            document(iin),
            services.issue(
                iin, not_before=(now - timedelta(days=90)).isoformat(), not_after=(now - timedelta(days=1)).isoformat()
            ),
            signed_at=now - timedelta(days=2),
        ),
    }
    thief = services.issue(other)
    cases["EDS_SIGNATURE_INVALID "] = sign(document(iin), Signer(thief.key, signer.chain))
    cases["EDS_SIGNATURE_INVALID  "] = with_header(good, role="author", note="added after signing")
    # sigT moved before the certificate's validity: the signature over the header is checked before sigT is believed
    before_validity = signer.chain[0].not_valid_before_utc - timedelta(days=1)
    cases["EDS_SIGNATURE_INVALID   "] = with_header(good, sigT=before_validity.strftime("%Y-%m-%dT%H:%M:%SZ"))
    cases["EDS_ALG_NOT_ALLOWED"] = {
        **with_header(good, alg="none"),
        "signatures": [{**with_header(good, alg="none")["signatures"][0], "signature": ""}],
    }
    cases["EDS_MALFORMED "] = with_header(good, x5c=["garbage"])
    cases["EDS_MALFORMED  "] = {**good, "payload": b64url(json.dumps(payload_of(good), indent=1).encode())}
    cases["EDS_CERT_UNTRUSTED"] = sign(document(iin), foreign_signer(iin))
    cases["EDS_CERT_NOT_YET_VALID"] = sign(
        document(iin),
        services.issue(
            iin, not_before=(now + timedelta(days=1)).isoformat(), not_after=(now + timedelta(days=9)).isoformat()
        ),
    )
    for code, signed in cases.items():
        answer = services.verify(signed)
        assert (answer["valid"], answer["code"]) == (False, code.strip()), code


def test_a_revoked_certificate_is_refused_at_once(services: Services) -> None:
    iin = next(IINS)
    signer = services.issue(iin)
    signed = sign(document(iin), signer)
    assert services.verify(signed)["valid"] is True
    serial = f"{signer.chain[0].serial_number:x}"
    url = f"http://127.0.0.1:{services.nca_port}/nca/v1/certificates/{serial}/revoke"
    refused = httpx.post(url, json={"reason": "keyCompromise"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "NCA_RA_TOKEN_REQUIRED"
    assert services.verify(signed)["valid"] is True
    revoked = httpx.post(url, json={"reason": "keyCompromise"}, headers=RA)
    assert revoked.status_code == 200

    answer = services.verify(signed)
    assert (answer["valid"], answer["code"]) == (False, "EDS_CERT_REVOKED")
    assert answer["details"]["source"] == "ocsp" and answer["details"]["reason"] == "key_compromise"


def test_a_citizen_signs_and_verifies_from_the_terminal(services: Services, tmp_path: Path) -> None:
    iin = next(IINS)
    env = {
        **base_env(tmp_path),
        "NCA_URL": f"http://127.0.0.1:{services.nca_port}",
        "PORTAL_URL": f"http://127.0.0.1:{services.portal_port}",
    }

    cli = client_cli(env, timeout=60)

    # Test mode: an individual's certificate needs no RA token.
    issued = cli(
        "nca-issue",
        *("--iin", iin, "--surname", "ӘБІШЕВА", "--given-name", "ДӘМЕШ", "--out", str(tmp_path / "me.p12")),
        NCA_RA_TOKEN="",
    )
    assert issued.returncode == 0, issued.stderr
    password = json.loads(issued.stdout)["password"]
    assert (tmp_path / "me.p12").stat().st_mode & 0o077 == 0
    (tmp_path / "doc.json").write_text(json.dumps(document(iin).to_json()))

    signed = cli(
        "sign",
        "--p12",
        str(tmp_path / "me.p12"),
        str(tmp_path / "doc.json"),
        "--out",
        str(tmp_path / "s.json"),
        P12_PASSWORD=password,
    )
    assert signed.returncode == 0, signed.stderr
    verified = cli("verify", str(tmp_path / "s.json"))
    assert verified.returncode == 0 and json.loads(verified.stdout)["signatures"][0]["iin"] == iin

    wrong = cli("sign", "--p12", str(tmp_path / "me.p12"), str(tmp_path / "doc.json"), P12_PASSWORD="not it")
    assert wrong.returncode == 2 and "error" in wrong.stderr
    bad_iin = cli(
        "nca-issue", "--iin", "123456789012", "--surname", "A", "--given-name", "B", "--out", str(tmp_path / "x.p12")
    )
    assert bad_iin.returncode == 2 and "IIN_INVALID" in bad_iin.stderr


def test_in_ra_mode_the_cli_issues_with_the_ra_token_and_the_holder_revokes_with_their_key(tmp_path: Path) -> None:
    """An NCA outside test mode (RA mode), as a process: `nca-issue` is refused without the RA token and
    works with it (``NCA_RA_TOKEN``); `nca-revoke --p12` revokes by the holder's signed request, without it."""
    port = free_port()
    nca = subprocess.Popen(
        [sys.executable, "-m", "services.registry_stub"],
        cwd=ROOT,
        env=base_env(tmp_path, NCA_TEST_MODE="0", REGISTRY_STUB_PORT=str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_ready([port], "/ready", timeout=45)
        cli = client_cli({**base_env(tmp_path), "NCA_URL": f"http://127.0.0.1:{port}"}, timeout=60)
        iin, p12 = next(IINS), str(tmp_path / "ra.p12")
        person = ("--iin", iin, "--surname", "ӘБІШЕВА", "--given-name", "ДӘМЕШ", "--out", p12)

        refused = cli("nca-issue", *person, NCA_RA_TOKEN="")
        assert refused.returncode == 2 and "NCA_RA_TOKEN_REQUIRED" in refused.stderr
        issued = cli("nca-issue", *person)  # NCA_RA_TOKEN from the environment
        assert issued.returncode == 0, issued.stderr
        serial, password = json.loads(issued.stdout)["serial"], json.loads(issued.stdout)["password"]

        not_theirs = cli("nca-revoke", "--serial", serial, "--reason", "keyCompromise", NCA_RA_TOKEN="")
        assert not_theirs.returncode == 2 and "NCA_RA_TOKEN_REQUIRED" in not_theirs.stderr
        own = cli("nca-revoke", "--p12", p12, "--reason", "keyCompromise", NCA_RA_TOKEN="", P12_PASSWORD=password)
        assert own.returncode == 0, own.stderr
        assert json.loads(own.stdout)["serial"] == serial
        status = httpx.get(f"http://127.0.0.1:{port}/nca/v1/certificates/{serial}").json()
        assert (status["status"], status["reason"]) == ("revoked", "keyCompromise")
    finally:
        stop(nca, signal.SIGTERM)


def test_verification_fails_closed_when_the_nca_cannot_be_asked(services: Services) -> None:
    """Last in this module: it stops the NCA."""
    iin = next(IINS)
    signed = sign(document(iin), services.issue(iin))
    stop(services.nca, signal.SIGTERM)

    answer = services.verify(signed)
    assert (answer["valid"], answer["code"]) == (False, "EDS_REVOCATION_UNKNOWN")
