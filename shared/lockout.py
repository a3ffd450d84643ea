"""The one login-lockout policy (§18 Condition 1 and Process 2 — a wrong password is refused; we
limit guessing on every login, the portal's, the Center's and the provider's): 5 wrong passwords
within 15 minutes of the first lock the account for 15 minutes, during which even the right password
is refused (AUTH_LOCKED, with ``locked_until``). A right password forgets the failures. Pure: the
caller keeps the `LoginState` with the account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.errors import AppError

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class LoginState:
    """What an account remembers of failed logins."""

    failures: int = 0
    first_failure_at: datetime | None = None
    locked_until: datetime | None = None


def is_locked(state: LoginState, now: datetime) -> bool:
    return state.locked_until is not None and now < state.locked_until


def after_failure(state: LoginState, now: datetime) -> LoginState:
    """The state after a wrong password at ``now``: counted within the window that began with the
    first failure (a failure after the window, or after a lock ran out, starts a new count); the
    `MAX_FAILURES`-th in one window locks the account for `LOCK_FOR`."""
    lock_ran_out = state.locked_until is not None and now >= state.locked_until
    fresh = state.first_failure_at is None or now - state.first_failure_at > WINDOW or lock_ran_out
    failures, first = (1, now) if fresh else (state.failures + 1, state.first_failure_at)
    if failures >= MAX_FAILURES:
        return LoginState(failures, first, now + LOCK_FOR)
    return LoginState(failures, first, None)


def after_success() -> LoginState:
    """A right password (on an account not locked) forgets the failures."""
    return LoginState()


def locked_error(state: LoginState) -> AppError:
    """AUTH_LOCKED, saying until when."""
    until = state.locked_until
    return AppError("AUTH_LOCKED", {"locked_until": until.isoformat() if until else None})
