"""The staff's SDK: the provider's staff API (architecture §6 and §10, Annex 1 steps 4–9) over HTTP, and
signing here, on the staff member's side, with their employee PKCS#12 — as NCALayer signs: the private
key never reaches the provider.

    staff = StaffClient("http://127.0.0.1:8004")
    staff.login("head.karaganda", password)
    signer = employee_key(staff, NcaClient("http://127.0.0.1:8005")).signer()
    staff.resolve(number, sign_resolution(staff.resolution_draft(number), signer))

Who signs what: the head signs the resolution (step 4) and the result (step 8) as the author
(`shared.eds.signing.sign`); at the commission's meeting (step 6) the chair signs the protocol first, as its
author, and every other member present countersigns the signatures so far (``role="approval"``):
`sign_protocol` does the one or the other from the meeting as the provider shows it. What the Public Service
Center hands the department (its registers of originals and of unclaimed results, its late recalls) the
specialist (or the head) acknowledges by signing the drafted answer as its author (`acknowledge`: draft, sign
here, post)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from client.sdk import IssuedKey, NcaClient, ServiceError, _json
from shared.eds.signing import Signer, countersign, sign
from shared.participants import PROVIDER

DEFAULT_PROVIDER = "http://127.0.0.1:8004"

STEP_ACTORS = {4: "head", 5: "specialist", 6: "commission", 7: "specialist", 8: "head", 9: "specialist"}
"""Who acts at each Annex 1 step the provider's staff take (the provider's `domain.steps`, as its API says)."""
STEP_ACTIONS = {
    4: "the head's resolution (бұрыштама)",
    5: "the executor prepares the case for the commission",
    6: "the housing commission's meeting and protocol",
    7: "the executor drafts the result",
    8: "the head signs the result",
    9: "the executor dispatches the result",
}


class StaffClient:
    """A staff member of one district's housing department on the provider's API: login (`login`, or a
    ``token`` kept from before), the case register, Annex 1 steps 4–9, the commission's meetings, the Center's
    handovers and their acknowledgment, and the SLA view. Every method answers the provider's JSON as it is, or
    raises `ServiceError` with its code."""

    def __init__(
        self,
        base_url: str = DEFAULT_PROVIDER,
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
            raise ServiceError(401, {"error": {"code": "UNAUTHORIZED", "message": "log in first (staff login)"}})
        return {"Authorization": f"Bearer {self.token}"}

    def _get(self, path: str, **params: Any) -> Any:
        query = {k: v for k, v in params.items() if v is not None}
        return _json(self.http.get(path, params=query, headers=self._auth()))

    def _post(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        return _json(self.http.post(path, json=dict(body or {}), headers=self._auth()))

    # -- who I am --------------------------------------------------------------------------------------
    def login(self, login: str, password: str) -> str:
        """``POST /api/v1/staff/token``: keeps the token (``token``) and answers it."""
        answer = _json(self.http.post("/api/v1/staff/token", json={"login": login, "password": password}))
        self.token = str(answer["access_token"])
        return self.token

    def me(self) -> dict[str, Any]:
        """``{"login","role","position","district","iin","full_name"}``."""
        return self._get("/api/v1/staff/me")  # type: ignore[no-any-return]

    # -- the case register -----------------------------------------------------------------------------
    def cases(
        self, *, step: int | None = None, status: str | None = None, limit: int | None = None, offset: int | None = None
    ) -> dict[str, Any]:
        """One page of my district's cases: ``{"items": [summary], "total", "limit", "offset"}``."""
        return self._get("/api/v1/cases", step=step, status=status, limit=limit, offset=offset)  # type: ignore[no-any-return]

    def all_cases(self, *, step: int | None = None, status: str | None = None, page: int = 100) -> list[dict[str, Any]]:
        """Every case of the register (with ``step`` / ``status``), page by page."""
        items: list[dict[str, Any]] = []
        while True:
            answer = self.cases(step=step, status=status, limit=page, offset=len(items))
            batch = list(answer.get("items", []))
            items += batch
            if not batch or len(items) >= int(answer.get("total", 0)):
                return items

    def case(self, number: str) -> dict[str, Any]:
        return self._get(f"/api/v1/cases/{number}")  # type: ignore[no-any-return]

    # -- step 4, the head: the resolution --------------------------------------------------------------
    def resolution_draft(self, number: str, executor: str | None = None) -> dict[str, Any]:
        """The unsigned resolution to sign: ``{"document"}`` (executor: the district's specialist by default)."""
        return self._post(f"/api/v1/cases/{number}/resolution/draft", {"executor": executor})  # type: ignore[no-any-return]

    def resolve(self, number: str, signed: Mapping[str, Any]) -> dict[str, Any]:
        return self._post(f"/api/v1/cases/{number}/resolution", {"signed": dict(signed)})  # type: ignore[no-any-return]

    # -- step 5, the executor: the preparation ---------------------------------------------------------
    def prepare(self, number: str, **proposal: Any) -> dict[str, Any]:
        """Put the case to the commission: ``decision`` (register | refuse), ``waiting_list`` (a code),
        ``grounds`` (``[{"paragraph","item","text"}]``), ``reasons``; none of them accepts the suggestion."""
        body = {k: v for k, v in proposal.items() if v is not None}
        return self._post(f"/api/v1/cases/{number}/preparation", body)  # type: ignore[no-any-return]

    # -- step 6, the commission: meetings ---------------------------------------------------------------
    def meetings(self, *, status: str | None = None) -> dict[str, Any]:
        """``{"items": [meeting], "total", …}``; ``status``: signing | signed."""
        return self._get("/api/v1/meetings", status=status)  # type: ignore[no-any-return]

    def create_meeting(
        self,
        present: Sequence[str],
        cases: Sequence[str] | None = None,
        decisions: Sequence[Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The chair or the secretary opens a meeting: who is present (logins), its agenda (default: every
        case of the district at step 6) and any decisions that differ from the proposals."""
        body: dict[str, Any] = {"present": list(present)}
        if cases:
            body["cases"] = list(cases)
        if decisions:
            body["decisions"] = [dict(d) for d in decisions]
        return self._post("/api/v1/meetings", body)  # type: ignore[no-any-return]

    def meeting(self, meeting_id: str) -> dict[str, Any]:
        return self._get(f"/api/v1/meetings/{meeting_id}")  # type: ignore[no-any-return]

    def sign_meeting(self, meeting_id: str, signed: Mapping[str, Any]) -> dict[str, Any]:
        return self._post(f"/api/v1/meetings/{meeting_id}/signatures", {"signed": dict(signed)})  # type: ignore[no-any-return]

    # -- steps 7–9: the result -------------------------------------------------------------------------
    def result_draft(self, number: str) -> dict[str, Any]:
        """The executor draws up the result (step 7): ``{"document"}``, unsigned, kept as the case's draft."""
        return self._post(f"/api/v1/cases/{number}/result/draft")  # type: ignore[no-any-return]

    def sign_result(self, number: str, signed: Mapping[str, Any]) -> dict[str, Any]:
        """The head's signed result (step 8): the draft exactly, signed."""
        return self._post(f"/api/v1/cases/{number}/result", {"signed": dict(signed)})  # type: ignore[no-any-return]

    def dispatch(self, number: str) -> dict[str, Any]:
        """The executor sends the signed result (step 9): the case is done."""
        return self._post(f"/api/v1/cases/{number}/dispatch")  # type: ignore[no-any-return]

    # -- what the Public Service Center hands the department ----------------------------------------------
    def handovers(
        self, *, state: str | None = None, kind: str | None = None, limit: int | None = None
    ) -> dict[str, Any]:
        """My district's handovers, newest first: ``{"items": [summary], "total", "limit"}``; ``state``:
        RECEIVED | ACKNOWLEDGED, ``kind``: originals | unclaimed | recall."""
        return self._get("/api/v1/handovers", state=state, kind=kind, limit=limit)  # type: ignore[no-any-return]

    def handover(self, handover_id: str) -> dict[str, Any]:
        """One handover: the Center's document, its applications with the provider's cases, the acknowledgment."""
        return self._get(f"/api/v1/handovers/{handover_id}")  # type: ignore[no-any-return]

    def acknowledgment_draft(self, handover_id: str) -> dict[str, Any]:
        """The unsigned acknowledgment to sign: ``{"document"}`` (kept by the provider as the one to sign)."""
        return self._post(f"/api/v1/handovers/{handover_id}/acknowledgment/draft")  # type: ignore[no-any-return]

    def send_acknowledgment(self, handover_id: str, signed: Mapping[str, Any]) -> dict[str, Any]:
        """The signed acknowledgment (the draft exactly): the handover as it is now."""
        return self._post(f"/api/v1/handovers/{handover_id}/acknowledgment", {"signed": dict(signed)})  # type: ignore[no-any-return]

    def acknowledge(self, handover_id: str, signer: Signer) -> dict[str, Any]:
        """Acknowledge a handover: the draft, signed here with ``signer`` (my employee key), posted; the
        handover as it is now (ACKNOWLEDGED, the answer on its way to the Center)."""
        draft = self.acknowledgment_draft(handover_id)
        return self.send_acknowledgment(handover_id, sign_acknowledgment(draft, signer))

    # -- the head's view -------------------------------------------------------------------------------
    def sla(self) -> dict[str, Any]:
        return self._get("/api/v1/sla")  # type: ignore[no-any-return]


# -- signing, here ------------------------------------------------------------------------------------


def _document(draft: Mapping[str, Any]) -> dict[str, Any]:
    """The document in a draft answer (``{"document": …}``) or the document itself."""
    inner = draft.get("document")
    return dict(inner) if isinstance(inner, Mapping) and "type" not in draft else dict(draft)


def sign_resolution(draft: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    """The head's resolution signed as its author (``draft``: the draft answer or its document)."""
    return sign(_document(draft), signer)


def sign_draft_result(draft: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    """The head's result (notification or refusal) signed as its author, byte for byte the draft."""
    return sign(_document(draft), signer)


def sign_acknowledgment(draft: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    """The staff member's acknowledgment of a handover signed as its author, byte for byte the draft."""
    return sign(_document(draft), signer)


def sign_protocol(meeting: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    """One present member's signature on a meeting's protocol: the chair's first (the author's, on the
    unsigned ``document``), then every other member's approval over the signatures so far (``signed``)."""
    so_far = meeting.get("signed")
    if isinstance(so_far, Mapping) and so_far.get("signatures"):
        return countersign(so_far, signer, role="approval")
    document = meeting.get("document")
    if not isinstance(document, Mapping):
        raise ValueError("the meeting shows no protocol to sign")
    return sign(dict(document), signer)


POSITION_NAMES = {"specialist": "Маман", "head": "Басшы", "chair": "Төраға", "secretary": "Хатшы", "member": "Мүше"}
"""What a demo account's certificate calls its holder, who has a title and a place but no person's name."""
MAX_COMMON_NAME = 64
"""Bytes of a certificate's CN (``SURNAME GIVEN NAME``, UTF-8: RFC 5280's upper bound)."""


def certificate_names(me: Mapping[str, Any]) -> tuple[str, str]:
    """A staff member's surname and given name for a certificate: a person's name from the account's full
    name; for a demo account (``Title, Place``) the position's word (with the seat's number: ``Мүше-2``) and
    the place. Cut so that the CN fits its 64 bytes."""
    login = str(me.get("login") or "")
    title, comma, place = str(me.get("full_name") or "").partition(",")
    if comma:
        word = POSITION_NAMES.get(str(me.get("position")), title.strip() or login)
        seat = login.split(".", 1)[0]
        number = seat.rsplit("-", 1)[-1] if seat[-1:].isdigit() else ""
        surname, given = (f"{word}-{number}" if number else word), place.strip() or login
    else:
        words = title.split()
        surname, given = (words[0], " ".join(words[1:2]) or login) if words else (login, login)
    while len(f"{surname} {given}".upper().encode()) > MAX_COMMON_NAME:
        if len(given) > 1:
            given = given[:-1].rstrip() or given[:1]
        else:
            surname = surname[:-1]
    return surname, given


def employee_key(
    staff: StaffClient,
    nca: NcaClient,
    *,
    me: Mapping[str, Any] | None = None,
    surname: str | None = None,
    given_name: str | None = None,
) -> IssuedKey:
    """An employee SIGN certificate and key (PKCS#12) from the NCA for the staff member signed in on
    ``staff``: their IIN (`StaffClient.me`), the department's BIN and name (`shared.participants.PROVIDER`).
    In the NCA's test mode anyone may have one; otherwise ``nca`` needs the RA token."""
    me = me if me is not None else staff.me()
    iin = me.get("iin")
    if not iin:
        raise ValueError(f"the account {me.get('login')} has no IIN: it cannot have an employee certificate")
    names = certificate_names(me)
    return nca.request_pkcs12(
        iin=str(iin),
        surname=surname or names[0],
        given_name=given_name or names[1],
        profile="sign",
        holder="employee",
        bin=PROVIDER.bin,
        organization=PROVIDER.organization,
    )
