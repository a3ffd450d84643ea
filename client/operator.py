"""The Center operator's SDK: the Public Service Center's operator API (architecture §11; §19 Processes 1–6
and 9, §12 item 3, §13, §14 item 1, §16, §17, Annex 1 steps 1, 2 and 10) over HTTP, and signing here, on the
operator's side, with their employee PKCS#12 — as NCALayer signs: the private key never reaches the Center.

    center = OperatorClient("http://127.0.0.1:8002")
    center.login("operator-1.karaganda-1", password)
    signer = employee_key(center, NcaClient("http://127.0.0.1:8005")).signer()
    ticket = center.take_ticket(); center.call(1)
    intake = center.start_intake("900101300017", consent=True, ticket_id=ticket["id"])
    center.present(intake["id"], [scan_of(Path("id.pdf"), "identity_document"), …])
    accepted = center.accept(intake["id"], sign_application(center.application_draft(intake["id"]), signer))
    center.sign_receipt(intake["id"], sign_receipt(accepted, signer))
    center.originals_register(signer)            # at a register time: the register of originals to the provider
    issued = center.issue(application_id, receipt_number=accepted["journal_number"], recipient_iin=iin)
    center.hand_over(sign_register(center.register_draft(), head_signer))   # the head: the Annex 4 register

Every document the operator certifies — the Annex 5 refusal (§16), the Annex 3 application (Process 6), the
acceptance receipt (Annex 1 step 1), the register of originals (Annex 1 step 2), the head's Annex 4 register of
unclaimed results (§14 item 1) — is signed as its author over exactly the document the Center drafted and
keeps; the registers go on to the provider, whose specialist's acceptance comes back on them (``accepted_by``,
``accepted_at``). The scans are not uploaded: the Center takes them by reference (`scan_of`: kind, name, media
type, size, SHA-256 of the file, computed here)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from client.sdk import IssuedKey, NcaClient, ServiceError, _json
from client.staff import certificate_names
from shared.eds.signing import Signer, sign
from shared.participants import CENTER

DEFAULT_CENTER = "http://127.0.0.1:8002"
SERVICE = "housing-queue"
"""The state service a ticket is taken for (the Center's `TicketService`)."""

MEDIA_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
"""The scans' media types by the file's extension: the e-copies the portal takes too."""
MAX_SCAN = 20 * 1024 * 1024
"""The largest scan an attachment reference may name (`shared.housing.application.Attachment`)."""


class OperatorClient:
    """An operator (or a branch's head) of the Center on its API: login (`login`, or a ``token`` kept from
    before), the branch's visitor queue, the intake at the desk, the branch's journal and its results at the
    window. Every method answers the Center's JSON as it is, or raises `ServiceError` with its code."""

    def __init__(
        self,
        base_url: str = DEFAULT_CENTER,
        *,
        token: str | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)
        self.token = token

    def close(self) -> None:
        self.http.close()

    def _auth(self) -> dict[str, str]:
        if not self.token:
            raise ServiceError(401, {"error": {"code": "UNAUTHORIZED", "message": "log in first (operator login)"}})
        return {"Authorization": f"Bearer {self.token}"}

    def _get(self, path: str, **params: Any) -> Any:
        query = {k: v for k, v in params.items() if v is not None}
        return _json(self.http.get(path, params=query, headers=self._auth()))

    def _post(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        return _json(self.http.post(path, json=dict(body) if body is not None else None, headers=self._auth()))

    # -- who I am (§19 Process 1) ----------------------------------------------------------------------
    def login(self, login: str, password: str) -> str:
        """``POST /api/v1/operators/token``: keeps the token (``token``) and answers it."""
        answer = _json(self.http.post("/api/v1/operators/token", json={"login": login, "password": password}))
        self.token = str(answer["access_token"])
        return self.token

    def me(self) -> dict[str, Any]:
        """``{"login","role","iin","full_name","branch": {"code","number","department","bin","name_kk",
        "address","districts","windows"}}``."""
        return self._get("/api/v1/operators/me")  # type: ignore[no-any-return]

    # -- the branch's visitor queue (§12 item 3) -------------------------------------------------------
    def take_ticket(self, service: str = SERVICE) -> dict[str, Any]:
        """A waiting ticket of my branch, as the hall's terminal issues it (``H-007``)."""
        return self._post("/api/v1/queue/tickets", {"service": service})  # type: ignore[no-any-return]

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        return self._get(f"/api/v1/queue/tickets/{ticket_id}")  # type: ignore[no-any-return]

    def call(self, window: int) -> dict[str, Any]:
        """The branch's oldest waiting ticket of today to ``window``; its wait measured."""
        return self._post(f"/api/v1/queue/windows/{window}/call")  # type: ignore[no-any-return]

    def done(self, ticket_id: str) -> dict[str, Any]:
        return self._post(f"/api/v1/queue/tickets/{ticket_id}/done")  # type: ignore[no-any-return]

    def queue(self) -> dict[str, Any]:
        """The hall's board: ``{"branch","day","at","limit_s","waiting": [ticket],"called": [ticket]}``."""
        return self._get("/api/v1/queue")  # type: ignore[no-any-return]

    def figures(self, day: str | None = None) -> dict[str, Any]:
        """The day's figures of the branch (its head only: FORBIDDEN for an operator); ``day``: YYYY-MM-DD."""
        return self._get("/api/v1/queue/figures", day=day)  # type: ignore[no-any-return]

    # -- the intake at the desk (§19 Processes 2–6) ----------------------------------------------------
    def start_intake(
        self,
        recipient_iin: str,
        *,
        consent: bool,
        representative: Mapping[str, Any] | None = None,
        ticket_id: str | None = None,
        district: str | None = None,
        categories: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Processes 2–4: the recipient's written consent recorded, then the registries asked: the intake,
        OPEN, with the §14 checklist. ``representative``: ``{"iin", "power_of_attorney": {"kind": "notarised",
        "number"} | {"kind": "other", "number", "issued_on", "valid_until", "certified_by", "scan_sha256"}}``."""
        body: dict[str, Any] = {"recipient_iin": recipient_iin, "consent": consent}
        if representative is not None:
            body["representative"] = dict(representative)
        if ticket_id:
            body["ticket_id"] = ticket_id
        if district:
            body["district"] = district
        if categories:
            body["categories"] = list(categories)
        return self._post("/api/v1/intakes", body)  # type: ignore[no-any-return]

    def intakes(self, *, state: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """My branch's intakes, the newest first."""
        return self._get("/api/v1/intakes", state=state, limit=limit)  # type: ignore[no-any-return]

    def intake(self, intake_id: str) -> dict[str, Any]:
        return self._get(f"/api/v1/intakes/{intake_id}")  # type: ignore[no-any-return]

    def present(
        self, intake_id: str, scans: Sequence[Mapping[str, Any]], presented: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """Process 5: the documents presented on paper (default: those scanned) with their scans by reference
        (`scan_of`); it replaces the marking before. The intake answers what is still missing."""
        kinds = list(presented) if presented is not None else list(dict.fromkeys(str(s["kind"]) for s in scans))
        body = {"presented": kinds, "scans": [dict(s) for s in scans]}
        return self._post(f"/api/v1/intakes/{intake_id}/documents", body)  # type: ignore[no-any-return]

    def refusal_draft(self, intake_id: str) -> dict[str, Any]:
        """§16: ``{"document"}``, the Annex 5 refusal naming the documents not presented, to sign."""
        return self._post(f"/api/v1/intakes/{intake_id}/refusal/draft")  # type: ignore[no-any-return]

    def refuse(self, intake_id: str, signed: Mapping[str, Any]) -> dict[str, Any]:
        return self._post(f"/api/v1/intakes/{intake_id}/refusal", {"signed": dict(signed)})  # type: ignore[no-any-return]

    def application_draft(self, intake_id: str) -> dict[str, Any]:
        """Process 5: ``{"document"}``, the Annex 3 application (channel ``center``) to certify."""
        return self._post(f"/api/v1/intakes/{intake_id}/application/draft")  # type: ignore[no-any-return]

    def accept(self, intake_id: str, signed: Mapping[str, Any]) -> dict[str, Any]:
        """Process 6: the signed application sent; the intake answers the acceptance receipt to sign."""
        return self._post(f"/api/v1/intakes/{intake_id}/application", {"signed": dict(signed)})  # type: ignore[no-any-return]

    def sign_receipt(self, intake_id: str, signed: Mapping[str, Any]) -> dict[str, Any]:
        """Annex 1 step 1: the signed acceptance receipt (қолхат)."""
        return self._post(f"/api/v1/intakes/{intake_id}/receipt", {"signed": dict(signed)})  # type: ignore[no-any-return]

    def journal(self, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Annex 1 step 1: my branch's journal, the newest entry first."""
        return self._get("/api/v1/journal", limit=limit)  # type: ignore[no-any-return]

    # -- the register of originals to the provider (Annex 1 step 2, §13) --------------------------------
    def originals_schedule(self) -> dict[str, Any]:
        """Today's register times at my branch: ``{"branch","now","working_day","register_times","slots_today",
        "current_slot","next_at","pending": [{"intake_id","application_id","district","accepted_at","due_at",
        "late"}],"late","sent_today"}``."""
        return self._get("/api/v1/registers/originals/schedule")  # type: ignore[no-any-return]

    def originals_draft(self, district: str | None = None) -> dict[str, Any]:
        """``{"document"}``, the register of originals at the current register time of my branch's applications
        accepted before it (of ``district``, needed when they are of more than one), to sign. CONFLICT (with
        ``details.next_at``) before the day's first register time or on a day off, or when nothing waits."""
        body = {"district": district} if district else None
        return self._post("/api/v1/registers/originals/draft", body)  # type: ignore[no-any-return]

    def send_originals(self, signed: Mapping[str, Any]) -> dict[str, Any]:
        """The signed register of originals (exactly the draft); it goes to the district's authorized body."""
        return self._post("/api/v1/registers/originals", {"signed": dict(signed)})  # type: ignore[no-any-return]

    def originals_registers(self, *, limit: int | None = None) -> list[dict[str, Any]]:
        """My branch's registers of originals sent, the latest first, each with the provider's acceptance
        (``accepted_by``, ``accepted_at``: None until its specialist answered)."""
        return self._get("/api/v1/registers/originals", limit=limit)  # type: ignore[no-any-return]

    def originals_register(self, signer: Signer, district: str | None = None) -> dict[str, Any]:
        """Annex 1 step 2 in one go: the register drafted (`originals_draft`), signed here with ``signer`` (the
        operator's employee key) byte for byte, and sent (`send_originals`): the register as sent."""
        return self.send_originals(sign_originals(self.originals_draft(district), signer))

    # -- the results at the window (§19 Process 9, §17, Annex 1 step 10, §14 item 1) -------------------
    def results(self, *, custody: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """§19 Process 9: the results my branch received, the latest first; ``custody``: ``AT_BRANCH``,
        ``ISSUED``, ``WITH_PROVIDER``, ``RECALLED`` or ``RETURNED``."""
        return self._get("/api/v1/results", custody=custody, limit=limit)  # type: ignore[no-any-return]

    def result(self, application_id: str) -> dict[str, Any]:
        """One result of my branch, named by its application's id."""
        return self._get(f"/api/v1/results/{application_id}")  # type: ignore[no-any-return]

    def issue(
        self, application_id: str, *, receipt_number: str, recipient_iin: str, representative_iin: str | None = None
    ) -> dict[str, Any]:
        """§17, Annex 1 step 10: the result handed over at the window against the acceptance receipt (its
        number, the recipient's IIN; the representative's IIN when they take it): ``{"result", "signed"}``,
        ``signed`` the citizen's copy of the signed result (JWS JSON)."""
        body = presentation(receipt_number, recipient_iin, representative_iin)
        return self._post(f"/api/v1/results/{application_id}/issue", body)  # type: ignore[no-any-return]

    def unclaimed(self) -> list[dict[str, Any]]:
        """§14 item 1: my branch's results still at the branch a month after the receipt's day, the earliest
        first."""
        return self._get("/api/v1/results/unclaimed")  # type: ignore[no-any-return]

    def register_draft(self, district: str | None = None) -> dict[str, Any]:
        """Annex 4: ``{"document"}``, the register of the branch's unclaimed results (of ``district``, needed when
        they are of more than one) for the branch's head to sign."""
        body = {"district": district} if district else None
        return self._post("/api/v1/results/unclaimed/register/draft", body)  # type: ignore[no-any-return]

    def hand_over(self, signed: Mapping[str, Any]) -> dict[str, Any]:
        """§14 item 1: the signed Annex 4 register; its results are handed to the provider (``WITH_PROVIDER``) and
        the register goes to the district's authorized body."""
        return self._post("/api/v1/results/unclaimed/register", {"signed": dict(signed)})  # type: ignore[no-any-return]

    def registers(self, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Annex 4: my branch's signed registers, the latest first, each with the provider's acceptance
        (``accepted_by``: Annex 4's «Қабылдады», ``accepted_at``, ``ack``: None until its answer came)."""
        return self._get("/api/v1/results/unclaimed/registers", limit=limit)  # type: ignore[no-any-return]

    def recall(
        self, application_id: str, *, receipt_number: str, recipient_iin: str, representative_iin: str | None = None
    ) -> dict[str, Any]:
        """§14 item 1: a late visitor's result (handed to the provider) recalled, against the receipt as at the
        window; the request goes to the provider at once. The result, RECALLED, with ``recall.ask_by`` and
        ``recall.return_by``; the provider's signed answer brings it back (RETURNED, ``recall.returned_at``,
        ``recall.returned_by``: the provider's person), to be issued at the window."""
        body = presentation(receipt_number, recipient_iin, representative_iin)
        return self._post(f"/api/v1/results/{application_id}/recall", body)  # type: ignore[no-any-return]


def presentation(receipt_number: str, recipient_iin: str, representative_iin: str | None = None) -> dict[str, Any]:
    """Who is at the window (§17): the receipt's number, the recipient's IIN, and who takes it: the recipient,
    or the representative (``representative_iin``) the application was made through."""
    body: dict[str, Any] = {"receipt_number": receipt_number, "recipient_iin": recipient_iin}
    if representative_iin is None:
        return {**body, "presented_by": "recipient"}
    return {**body, "presented_by": "representative", "representative_iin": representative_iin}


# -- the scans, by reference ----------------------------------------------------------------------------


def scan_of(path: Path, kind: str) -> dict[str, Any]:
    """The reference of a scan the Center takes (`shared.housing.application.Attachment`): its kind, the file's
    name, its media type by the extension (PDF, JPEG, PNG), its size and SHA-256, read here; the bytes stay."""
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise ValueError(f"{path}: a scan is a PDF, JPEG or PNG file (.pdf, .jpg, .jpeg, .png)")
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 16), b""):
            digest.update(chunk)
            size += len(chunk)
    if not 1 <= size <= MAX_SCAN:
        raise ValueError(f"{path}: a scan is from 1 byte to {MAX_SCAN // (1024 * 1024)} MB ({size} bytes)")
    return {"kind": kind, "name": path.name, "media_type": media_type, "size": size, "sha256": digest.hexdigest()}


def sha256_of(path: Path) -> str:
    """The SHA-256 (hex) of a file: a typed power of attorney's scan."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- signing, here ----------------------------------------------------------------------------------------


def _document(draft: Mapping[str, Any]) -> dict[str, Any]:
    """The document in a draft answer (``{"document": …}``) or the document itself."""
    inner = draft.get("document")
    return dict(inner) if isinstance(inner, Mapping) and "type" not in draft else dict(draft)


def sign_refusal(draft: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    """The Annex 5 refusal signed as its author (``draft``: the draft answer or its document)."""
    return sign(_document(draft), signer)


def sign_application(draft: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    """The Annex 3 application certified by the operator as its author, byte for byte the draft."""
    return sign(_document(draft), signer)


def sign_register(draft: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    """The Annex 4 register of unclaimed results signed by the branch's head, byte for byte the draft."""
    return sign(_document(draft), signer)


def sign_originals(draft: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    """The register of originals (Annex 1 step 2) signed by the operator who hands it over, byte for byte the
    draft."""
    return sign(_document(draft), signer)


def receipt_to_sign(intake: Mapping[str, Any]) -> dict[str, Any]:
    """The acceptance receipt an accepted intake carries (``receipt.document``); ValueError without one."""
    receipt = intake.get("receipt")
    document = receipt.get("document") if isinstance(receipt, Mapping) else None
    if not isinstance(document, Mapping):
        raise ValueError(
            f"the intake {intake.get('id')} has no acceptance receipt to sign (it is {intake.get('state')})"
        )
    return dict(document)


def sign_receipt(intake: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    """The acceptance receipt of an accepted intake (or the receipt's document) signed as its author."""
    document = intake if intake.get("type") else receipt_to_sign(intake)
    return sign(dict(document), signer)


# -- the operator's key -------------------------------------------------------------------------------------

ROLE_NAMES = {"operator": "Оператор", "head": "Басшы"}
"""What a demo operator's certificate calls its holder, who has a title and a branch but no person's name."""


def operator_certificate_names(me: Mapping[str, Any]) -> tuple[str, str]:
    """An operator's surname and given name for a certificate: for a demo account (``Title, Branch``) the
    role's word with the seat's number (``Оператор-1``) and the branch's name; a person's name otherwise.
    Cut so that the CN fits its 64 bytes (`client.staff.certificate_names`)."""
    title, comma, place = str(me.get("full_name") or "").partition(",")
    if comma:
        word = ROLE_NAMES.get(str(me.get("role")), title.strip())
        return certificate_names({"login": me.get("login"), "full_name": f"{word}, {place.strip()}"})
    return certificate_names({"login": me.get("login"), "full_name": title})


def employee_key(
    operator: OperatorClient,
    nca: NcaClient,
    *,
    me: Mapping[str, Any] | None = None,
    surname: str | None = None,
    given_name: str | None = None,
) -> IssuedKey:
    """An employee SIGN certificate and key (PKCS#12) from the NCA for the operator signed in on ``operator``:
    their IIN (`OperatorClient.me`), the Center's BIN and name (`shared.participants.CENTER`). In the NCA's
    test mode anyone may have one; otherwise ``nca`` needs the RA token."""
    me = me if me is not None else operator.me()
    iin = me.get("iin")
    if not iin:
        raise ValueError(f"the account {me.get('login')} has no IIN: it cannot have an employee certificate")
    names = operator_certificate_names(me)
    return nca.request_pkcs12(
        iin=str(iin),
        surname=surname or names[0],
        given_name=given_name or names[1],
        profile="sign",
        holder="employee",
        bin=CENTER.bin,
        organization=CENTER.organization,
    )
