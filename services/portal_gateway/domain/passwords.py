"""Portal accounts (SPEC §8 step 1, Process 1, Condition 1, Process 2): the password policy and the
lockout after repeated failures.

The lockout limits password guessing: 5 failed logins within 15 minutes lock the account for 15
minutes, during which even the right password is refused (AUTH_LOCKED). A successful login clears
the failures.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)


def password_problems(password: str, *, iin: str) -> list[str]:
    """What is wrong with a new password (empty when acceptable): at least 8 characters, at most 128,
    not only digits, and not the IIN itself."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"at most {MAX_PASSWORD_LENGTH} characters")
    if password.isdigit():
        problems.append("not only digits")
    if iin and iin in password:
        problems.append("must not contain the IIN")
    return problems


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def lock_after_failure(failures: Iterable[datetime], now: datetime) -> datetime | None:
    """Given the failure times recorded so far (this one included), the time the account is locked
    until, or None while fewer than 5 fell within the last 15 minutes."""
    recent = [at for at in failures if now - at < FAILURE_WINDOW]
    return now + LOCK_DURATION if len(recent) >= MAX_FAILURES else None
