"""The one login-lockout policy (§18 Condition 1 and Process 2 — a wrong password is refused; we
limit guessing on every login, the portal's citizens', the provider's staff's, later the Center's
operators'): 5 wrong passwords within 15 minutes of the first lock the account for 15 minutes,
during which even the right password is refused (AUTH_LOCKED, with ``locked_until``). A right
password forgets the failures.

The policy, precisely. An account keeps a `LoginState`: ``failures``, the attempts counted in the
current window; ``first_failure_at``, when the window began (its first counted attempt);
``locked_until``, when set, the end of a lock.

1. **An attempt is reserved before its password is checked** (`reserve`), and the reservation counts
   it as a failure up front: a password still being checked has already used one of the window's
   `MAX_FAILURES` attempts. So however many logins run at once, no more than `MAX_FAILURES` passwords
   per window are ever checked — the flaw this closes was reading the lock before the (slow) hash
   check and counting failures after it, which let 40 parallel guesses all be checked.
2. **The window** is `WINDOW` from its first counted attempt. An attempt after it, or after a lock ran
   out, starts a new count at 1.
3. **The lock.** The reservation that makes the count `MAX_FAILURES` is still granted (that attempt
   is checked), and it locks the account for `LOCK_FOR` from then. Until ``locked_until`` every
   attempt is refused (`Locked`: AUTH_LOCKED) before any hashing, the right password included, and is
   not counted: attempts during a lock neither extend it nor write anything.
4. **A wrong password** needs nothing more written: it was counted when reserved. Its answer is
   AUTH_INVALID_CREDENTIALS, or AUTH_LOCKED when its own reservation locked the account
   (`wrong_password`).
5. **A right password** forgets the failures — the lock its own reservation set included — but only
   when the account's state is still the one its reservation left (`after_success`). If another
   attempt was reserved since, that one may be a guess still being checked, or already proven wrong,
   and its count stands: the right password is admitted, and its own reservation stays counted too.
   Of concurrent right passwords, the last one reserved forgets.
6. **An unknown login** (or one that may not sign in) reserves nothing and writes nothing; the caller
   still checks a decoy hash (`shared.passwords`) and answers AUTH_INVALID_CREDENTIALS, as for a
   wrong password.

Pure: the caller keeps the state with the account, on the row of any table that has the three
columns (`LockoutRow`; `reserve_on` and `forget_on` read and write it). A login is then three
steps, as architecture §8's calling convention has slow work outside transactions: (a) a short
transaction that locks the account's row (``with_for_update``; on SQLite the writer lock serialises
it) and either refuses (`Locked`, nothing written) or stores the reservation and commits; (b) the
password check, outside any transaction; (c) after a right password, a second short transaction,
again on the locked row, that forgets the failures if the state is still the reservation's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from shared.errors import AppError

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class LoginState:
    """What an account remembers of its login attempts (those counted as failures)."""

    failures: int = 0
    first_failure_at: datetime | None = None
    locked_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Reservation:
    """A granted attempt, counted before its password is checked: ``state`` is what it left on the
    account (locked when this attempt was the window's last)."""

    state: LoginState

    @property
    def locks(self) -> bool:
        """Whether this attempt used the window's last one and so locked the account."""
        return self.state.locked_until is not None


@dataclass(frozen=True, slots=True)
class Locked:
    """A refused attempt: the account is locked (``state.locked_until``); nothing was counted."""

    state: LoginState

    def error(self) -> AppError:
        return locked_error(self.state)


def is_locked(state: LoginState, now: datetime) -> bool:
    return state.locked_until is not None and now < state.locked_until


def _counted(state: LoginState, now: datetime) -> LoginState:
    """``state`` with one more attempt at ``now`` (rule 2 for the window, rule 3 for the lock)."""
    lock_ran_out = state.locked_until is not None and now >= state.locked_until
    fresh = state.first_failure_at is None or now - state.first_failure_at > WINDOW or lock_ran_out
    failures, first = (1, now) if fresh else (state.failures + 1, state.first_failure_at)
    return LoginState(failures, first, now + LOCK_FOR if failures >= MAX_FAILURES else None)


def reserve(state: LoginState, now: datetime) -> Reservation | Locked:
    """An attempt at ``now``: `Locked` while the account is locked (nothing to store), else the
    `Reservation` whose state the caller stores, in the transaction that read ``state`` under a row
    lock, before checking the password (rules 1–3)."""
    if is_locked(state, now):
        return Locked(state)
    return Reservation(_counted(state, now))


def after_success(state: LoginState, reservation: Reservation) -> LoginState:
    """The account's state after the right password of ``reservation``, given its state ``state``
    now: the failures forgotten when ``state`` is still the reservation's, else ``state`` as it is
    (another attempt was reserved since, or a concurrent right password forgot already; rule 5)."""
    return LoginState() if state == reservation.state else state


def wrong_password(reservation: Reservation) -> AppError:
    """The answer to a wrong password, already counted (rule 4): AUTH_LOCKED when its reservation
    locked the account, else AUTH_INVALID_CREDENTIALS."""
    return locked_error(reservation.state) if reservation.locks else AppError("AUTH_INVALID_CREDENTIALS")


def locked_error(state: LoginState) -> AppError:
    """AUTH_LOCKED, saying until when."""
    until = state.locked_until
    return AppError("AUTH_LOCKED", {"locked_until": until.isoformat() if until else None})


class LockoutRow(Protocol):
    """An account row that keeps a `LoginState` in three columns of these names (the portal's
    citizens, the provider's staff)."""

    failures: int
    first_failure_at: datetime | None
    locked_until: datetime | None


def state_of(row: LockoutRow) -> LoginState:
    return LoginState(row.failures, row.first_failure_at, row.locked_until)


def _keep(row: LockoutRow, state: LoginState) -> None:
    row.failures, row.first_failure_at, row.locked_until = state.failures, state.first_failure_at, state.locked_until


def reserve_on(row: LockoutRow, *, now: datetime) -> Reservation | Locked:
    """`reserve` an attempt on ``row`` (read under a row lock in the caller's transaction), storing
    the reservation on it; a `Locked` leaves it unchanged."""
    outcome = reserve(state_of(row), now)
    if isinstance(outcome, Reservation):
        _keep(row, outcome.state)
    return outcome


def forget_on(row: LockoutRow, *, reservation: Reservation) -> bool:
    """After the right password of ``reservation``: forget ``row``'s failures if its state (read
    under a row lock) is still the reservation's (`after_success`). Whether anything changed."""
    state = state_of(row)
    after = after_success(state, reservation)
    if after == state:
        return False
    _keep(row, after)
    return True
