"""A service's enrollment token: what lets it, and only it, have the NCA certify its own system key
(architecture §5). The registration authority's token (``NCA_RA_TOKEN``) may issue any certificate and
stays with the NCA; each service holds instead ``NCA_ENROLLMENT_TOKEN_<SERVICE>``, derived from the RA
token and its BIN, which the NCA accepts for one thing: a system SIGN certificate of that BIN. A
service taken over can then mint no certificate of a person, nor of another organisation.

    token = HMAC-SHA256(key = NCA_RA_TOKEN, message = "system-enrollment:" + BIN), hex

``python -m client nca-enrollment-token --bin <BIN>`` (with ``NCA_RA_TOKEN`` set) prints one."""

from __future__ import annotations

import hashlib
import hmac


def enrollment_token(ra_token: str, bin_: str) -> str:
    """The enrollment token of the organisation ``bin_`` under ``ra_token``."""
    return hmac.new(ra_token.encode(), f"system-enrollment:{bin_}".encode(), hashlib.sha256).hexdigest()


def is_enrollment_token(ra_token: str, bin_: str | None, bearer: str | None) -> bool:
    """Whether ``bearer`` is the enrollment token of ``bin_`` (constant time); never without an RA token."""
    if not ra_token or not bin_ or not bearer:
        return False
    return hmac.compare_digest(bearer.encode(), enrollment_token(ra_token, bin_).encode())
