"""Consents for registry queries as the suites make them (`shared.consent`): a ``registry/consent@1``
attestation signed by a service's system credentials (`tests.support.services.InProcess.credentials`, or
any `SignerSource`), valid now or at a moment a test chooses (an expired one), and the forgeries a test
needs (signed by another signer, naming another requester)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.calendar import utcnow
from shared.consent import ATTESTATION_TTL, ConsentAttestation, Method, attestation
from shared.eds.credentials import SignerSource
from shared.eds.document import Author
from shared.eds.signing import Signer, sign
from shared.participants import BY_SERVICE


async def attested(
    credentials: SignerSource | Signer,
    subject_iin: str,
    *,
    service: str = "portal_gateway",
    identified_by: Method = "eds",
    issued_at: datetime | None = None,
    ttl: timedelta = ATTESTATION_TTL,
    requester_bin: str | None = None,
) -> dict[str, Any]:
    """``service``'s attestation that ``subject_iin`` consents (identified ``identified_by``), issued at
    ``issued_at`` (now) for ``ttl``, signed with ``credentials`` (its system credentials; or any signer, to
    forge). ``requester_bin`` names another requester than ``service`` (a forgery: the author is that BIN)."""
    document = attestation(
        subject_iin=subject_iin, requester=BY_SERVICE[service], identified_by=identified_by, now=issued_at or utcnow()
    )
    if requester_bin is not None or ttl != ATTESTATION_TTL:
        values = document.model_dump()
        bin_ = requester_bin or document.requester_bin
        values.update(author=Author(bin=bin_), requester_bin=bin_, expires_at=document.issued_at + ttl)
        document = ConsentAttestation.model_validate(values)
    signer = credentials if isinstance(credentials, Signer) else await credentials.signer()
    return sign(document, signer)
