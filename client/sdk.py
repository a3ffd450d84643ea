"""The SDK: talk to the services over HTTP and sign locally with `shared.eds.signing`."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography import x509
from cryptography.x509.oid import NameOID

from shared.eds.certs import holder_bin, holder_iin, holder_name
from shared.eds.document import EDocument
from shared.eds.revocation_request import Reason, revocation_request
from shared.eds.signing import Signer, b64url_decode, payload_of, sign

DEFAULT_NCA = "http://127.0.0.1:8005"
DEFAULT_PORTAL = "http://127.0.0.1:8001"


class ServiceError(Exception):
    """A service answered with the error format of architecture §7."""

    def __init__(self, status: int, body: Any) -> None:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        self.status = status
        self.code = error.get("code", f"HTTP_{status}")
        self.message = error.get("message", str(body))
        self.details = error.get("details", {})
        super().__init__(f"{self.code}: {self.message}")


def _json(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        body = response.text
    if response.status_code >= 400:
        raise ServiceError(response.status_code, body)
    return body


@dataclass(frozen=True)
class IssuedKey:
    serial: str
    pkcs12: bytes
    password: str

    def save(self, path: Path) -> None:
        """Write the PKCS#12 readable by its owner only."""
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        path.write_bytes(self.pkcs12)

    def signer(self) -> Signer:
        """The key and its chain, to sign with here (kept in memory only)."""
        return Signer.from_pkcs12(self.pkcs12, self.password)


class NcaClient:
    """The test NCA: ask for a key pair and certificate as a PKCS#12, revoke one. ``ra_token``: the
    registration authority's token (``NCA_RA_TOKEN``), which issuing needs outside the NCA's test mode
    (and for system certificates), and revoking needs unless the holder signs the request."""

    def __init__(
        self,
        base_url: str = DEFAULT_NCA,
        *,
        ra_token: str | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)
        self.ra_token = ra_token or None

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.ra_token}"} if self.ra_token else {}

    def request_pkcs12(
        self,
        *,
        iin: str,
        surname: str,
        given_name: str,
        patronymic: str | None = None,
        profile: str = "sign",
        holder: str = "individual",
        bin: str | None = None,
        organization: str | None = None,
    ) -> IssuedKey:
        subject = {
            "iin": iin,
            "surname": surname,
            "given_name": given_name,
            "patronymic": patronymic,
            "bin": bin,
            "organization": organization,
        }
        body = {"subject": {k: v for k, v in subject.items() if v is not None}, "profile": profile, "holder": holder}
        answer = _json(self.http.post("/nca/v1/certificates", json=body, headers=self._auth()))
        return IssuedKey(answer["serial"], base64.b64decode(answer["pkcs12_b64"]), answer["pkcs12_password"])

    def revoke(self, serial: str, reason: Reason, *, signer: Signer | None = None) -> dict[str, Any]:
        """Revoke ``serial``: as the RA (``ra_token``), or, given the certificate's own ``signer``, by the
        holder's revocation request signed here with its key."""
        body: dict[str, Any] = {"reason": reason}
        if signer is not None:
            body["signed"] = sign(revocation_request(signer.chain[0], reason), signer)
        path = f"/nca/v1/certificates/{serial}/revoke"
        return _json(self.http.post(path, json=body, headers=self._auth()))  # type: ignore[no-any-return]


class PortalClient:
    """The e-gov portal (architecture §6): a citizen's account, the form, the cabinet, verification.

    Signing in keeps the token (``token``) and whether it says the account's identity is proven
    (``identity_proven``): a password account is unproven until its person proves it, by EDS login
    (`login_eds`) or by a one-time code sent by SMS to the number on record for the IIN (`request_sms_code`,
    then `confirm_sms_code`); until then the portal gives no draft (IDENTITY_NOT_PROVEN)."""

    def __init__(
        self,
        base_url: str = DEFAULT_PORTAL,
        *,
        token: str | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)
        self.token = token
        self.identity_proven: bool | None = None

    def _sign_in(self, answer: Mapping[str, Any]) -> str:
        self.token = str(answer["access_token"])
        self.identity_proven = answer.get("identity_proven") is True
        return self.token

    def _auth(self) -> dict[str, str]:
        if not self.token:
            raise ServiceError(401, {"error": {"code": "UNAUTHORIZED", "message": "log in first"}})
        return {"Authorization": f"Bearer {self.token}"}

    def verify(self, signed: dict[str, Any]) -> dict[str, Any]:
        return _json(self.http.post("/api/v1/edocs/verify", json=signed))  # type: ignore[no-any-return]

    def register(self, iin: str, password: str, email: str | None = None) -> dict[str, Any]:
        body = {"iin": iin, "password": password, **({"email": email} if email else {})}
        return _json(self.http.post("/api/v1/auth/register", json=body))  # type: ignore[no-any-return]

    def login(self, iin: str, password: str) -> str:
        return self._sign_in(_json(self.http.post("/api/v1/auth/token", json={"iin": iin, "password": password})))

    def login_eds(self, signer: Signer) -> str:
        """EDS login with an AUTH key (``signer``: its PKCS#12): the portal's challenge for the certificate's IIN,
        signed here and sent back; proves the account's identity (an EDS-only account on the first one)."""
        iin = holder_iin(signer.chain[0])
        if iin is None:
            raise ValueError("the certificate names no IIN: not an individual's AUTH key")
        challenge = _json(self.http.post("/api/v1/auth/challenge", json={"iin": iin}))["challenge"]
        return self._sign_in(_json(self.http.post("/api/v1/auth/eds", json={"signed": sign(challenge, signer)})))

    def request_sms_code(self, iin: str) -> dict[str, Any]:
        """Have the portal send a one-time code by SMS to the number the mobile-citizens database holds for
        ``iin``: ``{"phone": <masked>, "expires_in_s", "max_tries"}``."""
        return _json(self.http.post("/api/v1/auth/sms-code", json={"iin": iin}))  # type: ignore[no-any-return]

    def confirm_sms_code(self, iin: str, code: str, password: str | None = None) -> str:
        """Sign in with the code, proving the account's identity: ``password`` becomes the account's (needed
        when there is no account yet; without it, an account nobody had proven is left with no password, and
        a proven one keeps its own)."""
        body = {"iin": iin, "code": code, **({"password": password} if password is not None else {})}
        return self._sign_in(_json(self.http.post("/api/v1/auth/sms-code/confirm", json=body)))

    def account(self) -> dict[str, Any]:
        """The signed-in account: ``identity_proven``, ``proven_by``, ``identity_proven_at``, ``has_password``."""
        return _json(self.http.get("/api/v1/auth/account", headers=self._auth()))  # type: ignore[no-any-return]

    def upload(self, path: Path, kind: str) -> dict[str, Any]:
        media = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
        media_type = media.get(path.suffix.lower(), "application/octet-stream")
        response = self.http.post(
            "/api/v1/attachments",
            params={"kind": kind, "name": path.name},
            content=path.read_bytes(),
            headers={**self._auth(), "Content-Type": media_type},
        )
        return _json(response)  # type: ignore[no-any-return]

    def draft(self, **fields: Any) -> dict[str, Any]:
        return _json(self.http.post("/api/v1/applications/draft", json=fields, headers=self._auth()))  # type: ignore[no-any-return]

    def submit(self, signed: dict[str, Any]) -> dict[str, Any]:
        return _json(self.http.post("/api/v1/applications", json={"signed": signed}, headers=self._auth()))  # type: ignore[no-any-return]

    def applications(self) -> list[dict[str, Any]]:
        return _json(self.http.get("/api/v1/applications", headers=self._auth()))  # type: ignore[no-any-return]

    def application(self, application_id: str) -> dict[str, Any]:
        return _json(self.http.get(f"/api/v1/applications/{application_id}", headers=self._auth()))  # type: ignore[no-any-return]

    def result(self, application_id: str) -> dict[str, Any]:
        """The portal's answer as it is: ``{"document": <signed>}`` (or the signed document itself);
        `signed_result` takes the signed document out of either."""
        return _json(self.http.get(f"/api/v1/applications/{application_id}/result", headers=self._auth()))  # type: ignore[no-any-return]


def signed_result(answer: Mapping[str, Any]) -> dict[str, Any]:
    """The signed e-document in the result endpoint's answer, ``{"document": <signed>}`` or bare."""
    inner = answer.get("document")
    if "payload" not in answer and isinstance(inner, Mapping):
        return dict(inner)
    return dict(answer)


@dataclass(frozen=True)
class SignatureInfo:
    """What one signature of a signed e-document says about its signer (read, not verified: the
    portal's verification, `PortalClient.verify`, is what checks it)."""

    role: str | None
    signed_at: str | None
    name: str | None
    iin: str | None
    bin: str | None
    organization: str | None


def _signature_info(signature: Mapping[str, Any]) -> SignatureInfo:
    header = json.loads(b64url_decode(str(signature.get("protected", ""))))
    if not isinstance(header, dict):
        raise ValueError("a protected header is not a JSON object")
    name: str | None = None
    iin: str | None = None
    bin_: str | None = None
    organization: str | None = None
    chain = header.get("x5c")
    if isinstance(chain, list) and chain:
        certificate = x509.load_der_x509_certificate(base64.b64decode(str(chain[0])))
        name, iin, bin_ = holder_name(certificate), holder_iin(certificate), holder_bin(certificate)
        names = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        organization = str(names[0].value) if names else None
    role, signed_at = header.get("role"), header.get("sigT")
    return SignatureInfo(
        role=role if isinstance(role, str) else None,
        signed_at=signed_at if isinstance(signed_at, str) else None,
        name=name,
        iin=iin,
        bin=bin_,
        organization=organization,
    )


def read_signed(signed: Mapping[str, Any]) -> tuple[dict[str, Any], list[SignatureInfo]]:
    """The document inside a signed e-document and who signed it, in signing order (unverified)."""
    signatures = signed.get("signatures")
    if not isinstance(signatures, list):
        raise ValueError("not a signed e-document: no signatures")
    return payload_of(signed), [_signature_info(s) for s in signatures if isinstance(s, Mapping)]


def load_signer(path: Path, password: str) -> Signer:
    return Signer.from_pkcs12(path.read_bytes(), password)


def sign_document(document: dict[str, Any], signer: Signer) -> dict[str, Any]:
    """Sign a document as its author, after checking it has the common fields (type, id,
    created_at, author) and that the author is the key's holder would be the verifier's job."""
    return sign(EDocument.model_validate(document), signer)
