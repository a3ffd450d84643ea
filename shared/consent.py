"""The consent a registry query rests on (§14; architecture §9): a signed e-document the registries
check against the requester and the subject before they answer (services/registry_stub/registries/desk.py),
verified by the one `shared.eds.verify.Verifier` (purpose SIGN). Two kinds:

1. **the citizen's own signature**: the signed application (``housing-queue/application@1``, Annex 3,
   whose ``consents.legally_protected_information`` is true), as the provider received it (signed by the
   applicant on the portal, or by a Center operator at the Center; the gateway's stamp beside it). It is
   addressed to the housing department, so it is consent for the provider's queries only (`PROVIDER`'s
   BIN), about the applicant, the household members it lists and the applicant's family as the
   individuals registry links them, for `APPLICATION_VALIDITY` after it was made;
2. **a system's attestation**, ``registry/consent@1`` (`ConsentAttestation`): the requesting service
   states, under its own system certificate, that the person (``subject_iin``) asked it, now, for their
   own data for this service (``purpose``), and how it established who they are (``identified_by``):
   ``eds`` (an EDS login), ``sms`` (a one-time code to the number the mobile-citizens database holds) or
   ``claimed`` (nobody proved anything: the IIN as typed, e.g. registering an account or asking for an
   SMS code), or ``document`` (the Center only: the person's identity document shown to the operator in
   the original, §14 item 1, «түпнұсқасы ұсынылады»; it proves as much as ``eds`` or ``sms`` do). Valid at
   most `ATTESTATION_TTL` (15 minutes) from ``issued_at``. The portal attests for the citizen's own data at
   their own request (the draft's pre-fill, the registration check); the Center for the recipient (and a
   representative) whose written consent its operator recorded at the desk (services/con_intake/intake.py).

`check_consent` checks what the document itself says (it verifies, it is one of the two kinds, for this
service, signed by whom it must be, not expired) and answers the `Consent` it establishes; whether that
covers a query (the requester, the subject, the query) is the registries' (`Consent.covers_requester`
here; the subject against the family they know, there). `reference` is what the query log keeps: the
consent's type, id and the SHA-256 of its payload, never the document.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from shared.calendar import utcnow
from shared.eds.credentials import SignerSource
from shared.eds.document import Author, EDocument
from shared.eds.signing import b64url_decode, payload_of, sign
from shared.eds.verify import CLOCK_SKEW, D, Verified, Verifier
from shared.errors import AppError, is_transient
from shared.housing.application import APPLICATION_TYPE, SERVICE_ID, ApplicationDocument, Iin
from shared.participants import CENTER, PROVIDER, Participant

CONSENT_TYPE = "registry/consent@1"
PURPOSE = SERVICE_ID
"""What every consent here is for: this state service (the housing queue)."""
ATTESTATION_TTL = timedelta(minutes=15)
"""The longest an attestation may be valid: it is made for one request of the person's, now."""
APPLICATION_VALIDITY = timedelta(days=60)
"""How long the signed application stands as consent for the provider's queries: the §12 term (30
calendar days) with room for redeliveries after an outage."""
Method = Literal["eds", "sms", "claimed", "document"]
PROVEN_METHODS: tuple[str, ...] = ("eds", "sms", "document")
"""An attestation's ``identified_by`` that says the person proved who they are."""
DOCUMENT_REQUESTERS: frozenset[str] = frozenset({CENTER.bin})
"""Who may attest ``document``: a desk where an operator sees the identity document in the original (the
Center); a system that never sees one (the portal) cannot."""
CLAIMED_QUERIES = frozenset({"person", "mobile-phone"})
"""All an unproven (``claimed``) attestation covers, about the subject alone: whether the IIN is a living
person (registration) and the number to send a one-time code to (which the asker never shows in full)."""
SELF_ONLY_QUERIES = frozenset({"mobile-phone"})
"""Queries about the consenting person alone, never a family member."""
MAX_REFERENCE = 200


class ConsentAttestation(EDocument):
    """``registry/consent@1``: a requesting system's signed statement that ``subject_iin`` asked it for
    their own data for ``purpose``, identified ``identified_by``; valid from ``issued_at`` to ``expires_at``."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["registry/consent@1"] = CONSENT_TYPE  # type: ignore[assignment]
    subject_iin: Iin = Field(description="the person whose data may be asked for (and whose family's)")
    requester_bin: str = Field(pattern=r"^\d{12}$", description="the system asking: its BIN, its certificate signs")
    purpose: Literal["housing-queue"] = "housing-queue"
    identified_by: Method = Field(
        description="how the requester established the person: eds, sms, claimed, or document (the Center: the "
        "identity document shown in the original)"
    )
    issued_at: datetime
    expires_at: datetime

    @model_validator(mode="after")
    def _coherent(self) -> ConsentAttestation:
        if self.author.bin != self.requester_bin or self.author.iin is not None:
            raise ValueError("the author is the requesting system: {bin: requester_bin}")
        if self.identified_by == "document" and self.requester_bin not in DOCUMENT_REQUESTERS:
            raise ValueError("only the Center, whose operator sees the identity document, attests 'document'")
        if not self.issued_at < self.expires_at <= self.issued_at + ATTESTATION_TTL:
            raise ValueError(f"an attestation is valid after issued_at, for at most {ATTESTATION_TTL}")
        return self


def attestation(
    *, subject_iin: str, requester: Participant, identified_by: Method, now: datetime | None = None
) -> ConsentAttestation:
    """An attestation by ``requester`` for ``subject_iin``, valid `ATTESTATION_TTL` from ``now``."""
    issued = (now or utcnow()).replace(microsecond=0)
    return ConsentAttestation(
        author=Author(bin=requester.bin),
        created_at=issued,
        subject_iin=subject_iin,
        requester_bin=requester.bin,
        identified_by=identified_by,
        issued_at=issued,
        expires_at=issued + ATTESTATION_TTL,
    )


async def attest(
    credentials: SignerSource, *, subject_iin: str, requester: Participant, identified_by: Method
) -> dict[str, Any]:
    """The signed attestation, with ``requester``'s system credentials (SERVICE_UNAVAILABLE while it has
    no certificate)."""
    document = attestation(subject_iin=subject_iin, requester=requester, identified_by=identified_by)
    return sign(document, await credentials.signer())


def reference(signed: Any) -> str | None:
    """What the query log keeps of a consent (at most 200 characters): ``<type> <id> sha256:<payload's
    hash>`` for a signed document (unverified: the outcome beside it says whether it held), anything else
    as text, cut short (a test-mode mirror's consent string, or what a refused query carried); None for none."""
    if not signed:
        return None
    if isinstance(signed, Mapping) and isinstance(signed.get("payload"), str):
        try:
            payload = b64url_decode(signed["payload"])
            document = payload_of(signed)
        except ValueError:
            return "unreadable signed document"
        digest = hashlib.sha256(payload).hexdigest()
        return f"{str(document.get('type'))[:40]} {str(document.get('id'))[:40]} sha256:{digest}"[:MAX_REFERENCE]
    return str(signed)[:MAX_REFERENCE]


@dataclass(frozen=True)
class Consent:
    """What a checked consent establishes: whose it is (``person``), for which requester (BIN), of which
    kind, how the person was identified (``application`` for a signed application), the household members
    it names (an application's), and its `reference`."""

    kind: Literal["application", "attestation"]
    person: str
    requester_bin: str
    identified_by: str
    household: frozenset[str]
    reference: str
    expires_at: datetime

    @property
    def proven(self) -> bool:
        return self.kind == "application" or self.identified_by in PROVEN_METHODS

    def require_requester(self, requester_bin: str | None) -> None:
        """CONSENT_NOT_APPLICABLE unless the consent was given to ``requester_bin``."""
        if requester_bin is None or requester_bin != self.requester_bin:
            raise AppError(
                "CONSENT_NOT_APPLICABLE",
                {"reason": "the consent was given to another requester", "consent_for": self.requester_bin},
            )

    def allows_query(self, query: str, subject: str) -> bool:
        """Whether the consent's kind and method let ``query`` be asked about ``subject`` at all, before the
        family is looked at: an unproven attestation only `CLAIMED_QUERIES` about the person; a
        `SELF_ONLY_QUERIES` query only about the person."""
        if not self.proven:
            return query in CLAIMED_QUERIES and subject == self.person
        return subject == self.person or query not in SELF_ONLY_QUERIES


def _invalid(reason: str, **details: Any) -> AppError:
    return AppError("CONSENT_INVALID", {"reason": reason, **details})


async def check_consent(verifier: Verifier, signed: Any, *, now: datetime | None = None) -> Consent:
    """The consent ``signed`` establishes, or the refusal: CONSENT_REQUIRED (none), CONSENT_INVALID (not a
    signed consent of either kind, its signature fails — with the verifier's code —, the wrong signer),
    CONSENT_EXPIRED. A transient verification failure (revocation status unknown) is raised as it is: the
    query may pass later."""
    if not signed or (isinstance(signed, str) and not signed.strip()):
        raise AppError("CONSENT_REQUIRED", {"reason": "the query carries no consent"})
    if not isinstance(signed, Mapping) or not isinstance(signed.get("payload"), str):
        raise _invalid("the consent is not a signed e-document (a registry/consent@1 or the signed application)")
    try:
        kind = payload_of(signed).get("type")
    except ValueError:
        raise _invalid("the consent's payload is not a JSON object") from None
    ref = reference(signed) or ""
    now = now or utcnow()
    if kind == CONSENT_TYPE:
        return _attested(await _verified(verifier, signed, ConsentAttestation), ref, now)
    if kind == APPLICATION_TYPE:
        return _applied(await _verified(verifier, signed, ApplicationDocument), ref, now)
    raise _invalid(f"not a kind of consent: {str(kind)[:60]!r}", kinds=[CONSENT_TYPE, APPLICATION_TYPE])


async def _verified(verifier: Verifier, signed: Any, model: type[D]) -> Verified[D]:
    """The one verification (purpose SIGN) into ``model``; CONSENT_INVALID with the verifier's code, but a
    transient failure raised as it is."""
    try:
        return await verifier.verify(signed, purpose="sign", model=model)
    except AppError as exc:
        if is_transient(exc.code):
            raise
        raise _invalid("the consent does not verify", code=exc.code, details=exc.details) from None


def _attested(verified: Verified[ConsentAttestation], ref: str, now: datetime) -> Consent:
    document, author = verified.document, verified.author
    if author.holder != "system" or author.bin != document.requester_bin:
        raise _invalid(
            "an attestation is signed by the requesting service's own system certificate",
            signer={"holder": author.holder, "bin": author.bin},
        )
    if document.issued_at > now + CLOCK_SKEW:
        raise _invalid("the attestation is issued in the future", issued_at=document.issued_at.isoformat())
    if document.expires_at <= now:
        raise AppError("CONSENT_EXPIRED", {"expires_at": document.expires_at.isoformat(), "reference": ref})
    return Consent(
        "attestation",
        document.subject_iin,
        document.requester_bin,
        document.identified_by,
        frozenset(),
        ref,
        document.expires_at,
    )


def _applied(verified: Verified[ApplicationDocument], ref: str, now: datetime) -> Consent:
    application, author = verified.document, verified.author
    if application.channel == "portal":
        signed_by_applicant = author.holder == "individual" and author.iin == application.applicant.iin
        if not signed_by_applicant:
            raise _invalid(
                "a portal application consents by the applicant's own signature",
                signer={"holder": author.holder, "iin": author.iin},
            )
    elif author.holder != "employee" or author.bin != CENTER.bin:
        raise _invalid(
            "a Center application is signed by the Center's operator",
            signer={"holder": author.holder, "bin": author.bin},
        )
    if not application.consents.legally_protected_information:  # pragma: no cover - the type requires it
        raise _invalid("the application gives no §14 consent to use legally protected information")
    if application.created_at > now + CLOCK_SKEW:
        raise _invalid("the application is made in the future", created_at=application.created_at.isoformat())
    expires = application.created_at + APPLICATION_VALIDITY
    if expires <= now:
        raise AppError("CONSENT_EXPIRED", {"expires_at": expires.isoformat(), "reference": ref})
    household = frozenset(m.iin for m in application.household)
    return Consent("application", application.applicant.iin, PROVIDER.bin, "application", household, ref, expires)
