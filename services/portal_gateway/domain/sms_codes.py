"""The one-time SMS code that proves an account's person, as egov.kz does (README, Design: "Identity
proof"): sent only to the number the mobile-citizens database (база мобильных граждан) holds for the IIN.

- A code is 6 digits, valid `CODE_TTL` (5 minutes), single use; only the newest code sent for an IIN
  counts (asking again supersedes the last one).
- `MAX_TRIES` (5) tries per code, each counted before it is checked (as `shared.lockout` counts a
  password): the fifth wrong one voids the code, however many arrive at once.
- `MAX_CODES` (3) codes per IIN within `CODE_WINDOW` (15 minutes): a code takes one of the IIN's
  `MAX_CODES` slots until `CODE_WINDOW` after it was sent, when it is purged.
- Only a keyed digest of the code is stored (`code_digest`: HMAC-SHA-256 under the portal's key, bound
  to the code's id and IIN). A 6-digit code cannot be protected by a slow hash (a million tries is
  cheap offline); the key, which the database does not hold, and the 5 tries are what protect it.

Pure: no I/O, no clock (``now`` is given)."""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import datetime, timedelta

CODE_LENGTH = 6
CODE_TTL = timedelta(minutes=5)
MAX_TRIES = 5
MAX_CODES = 3
CODE_WINDOW = timedelta(minutes=15)


def code_digest(key: bytes, *, code_id: str, iin: str, code: str) -> str:
    """The stored form of ``code`` (hex HMAC-SHA-256), bound to its row and IIN."""
    message = f"portal-sms-code\x00{code_id}\x00{iin}\x00{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def code_matches(key: bytes, *, code_id: str, iin: str, code: str, digest: str) -> bool:
    """Whether ``code`` is the one ``digest`` was made from (compared in constant time)."""
    return hmac.compare_digest(code_digest(key, code_id=code_id, iin=iin, code=code), digest)


def free_slot(taken: set[int]) -> int | None:
    """The first of the IIN's `MAX_CODES` slots no code sent within the window holds, or None."""
    return next((slot for slot in range(MAX_CODES) if slot not in taken), None)


def retry_after_s(oldest_sent_at: datetime, now: datetime) -> int:
    """Seconds until the oldest code within the window leaves it and frees its slot (at least 1)."""
    return max(1, math.ceil((oldest_sent_at + CODE_WINDOW - now).total_seconds()))


def mask_phone(phone: str) -> str:
    """``+77011234512`` → ``+7 7** *** **12``: enough for its owner to recognise, nothing for others."""
    digits = phone.removeprefix("+")
    if len(digits) != 11 or not digits.isdigit():
        return "+* *** *** ** **"
    return f"+{digits[0]} {digits[1]}** *** **{digits[-2:]}"


def sms_text(code: str) -> str:
    """The message (Kazakh, then Russian), as egov.kz's short number 1414 sends its codes."""
    return (
        f"egov.kz: бір реттік код {code}, 5 минут жарамды. Ешкімге айтпаңыз. "
        f"Одноразовый код {code}, действует 5 минут. Никому не сообщайте."
    )
