"""The one login-lockout policy every login uses (shared.lockout; §18 Condition 1 and Process 2):
attempts reserved before their passwords are checked, the window, the lock, and what a right
password forgets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.lockout import (
    LOCK_FOR,
    MAX_FAILURES,
    WINDOW,
    Locked,
    LoginState,
    Reservation,
    after_success,
    forget_on,
    is_locked,
    locked_error,
    reserve,
    reserve_on,
    state_of,
    wrong_password,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def granted(state: LoginState, now: datetime) -> Reservation:
    outcome = reserve(state, now)
    assert isinstance(outcome, Reservation), outcome
    return outcome


def fail(times: int, start: datetime = T0, every: timedelta = MINUTE) -> LoginState:
    """The state after ``times`` attempts reserved (and found wrong) ``every`` apart."""
    state = LoginState()
    for n in range(times):
        state = granted(state, start + n * every).state
    return state


def test_an_attempt_is_counted_when_it_is_reserved_before_its_password_is_checked() -> None:
    first = granted(LoginState(), T0)
    assert first.state == LoginState(1, T0, None) and not first.locks
    assert granted(first.state, T0 + MINUTE).state == LoginState(2, T0, None)


def test_the_fifth_attempt_in_the_window_is_granted_and_locks_for_fifteen_minutes() -> None:
    fifth = granted(fail(4), T0 + 4 * MINUTE)
    assert fifth.locks and fifth.state == LoginState(MAX_FAILURES, T0, T0 + 4 * MINUTE + LOCK_FOR)
    assert is_locked(fifth.state, T0 + 5 * MINUTE)
    assert not is_locked(fifth.state, T0 + 4 * MINUTE + LOCK_FOR)


def test_while_locked_attempts_are_refused_and_not_counted_even_the_right_password() -> None:
    locked = fail(5)
    for at in (T0 + 5 * MINUTE, T0 + 4 * MINUTE + LOCK_FOR - timedelta(microseconds=1)):
        outcome = reserve(locked, at)
        assert outcome == Locked(locked)  # nothing to store: the lock is not extended
        assert isinstance(outcome, Locked) and outcome.error().code == "AUTH_LOCKED"


def test_forty_attempts_at_once_get_five_checks_however_they_interleave() -> None:
    """The attack: every attempt is reserved, one after another under the row lock, before any
    password is checked; only the first five are granted."""
    state, outcomes = LoginState(), []
    for _ in range(40):
        outcome = reserve(state, T0)
        if isinstance(outcome, Reservation):
            state = outcome.state
        outcomes.append(outcome)
    assert sum(isinstance(o, Reservation) for o in outcomes) == MAX_FAILURES
    assert all(isinstance(o, Locked) for o in outcomes[MAX_FAILURES:])


def test_failures_further_apart_than_the_window_do_not_add_up() -> None:
    state = fail(5, every=WINDOW / 4 + timedelta(seconds=1))
    assert not is_locked(state, T0 + WINDOW * 2) and state.failures < 5


def test_after_a_lock_runs_out_the_count_starts_again() -> None:
    ran_out = T0 + 4 * MINUTE + LOCK_FOR
    state = granted(fail(5), ran_out).state
    assert state == LoginState(1, ran_out, None)


def test_a_wrong_password_is_invalid_credentials_or_locked_when_its_reservation_locked() -> None:
    assert wrong_password(granted(fail(3), T0 + 3 * MINUTE)).code == "AUTH_INVALID_CREDENTIALS"
    error = wrong_password(granted(fail(4), T0 + 4 * MINUTE))
    assert error.code == "AUTH_LOCKED" and error.details == {"locked_until": (T0 + 4 * MINUTE + LOCK_FOR).isoformat()}


def test_a_right_password_forgets_the_failures_and_the_lock_its_own_reservation_set() -> None:
    fifth = granted(fail(4), T0 + 4 * MINUTE)
    assert after_success(fifth.state, fifth) == LoginState()


def test_a_right_password_does_not_forget_an_attempt_reserved_after_it() -> None:
    right = granted(fail(2), T0 + 2 * MINUTE)
    guess = granted(right.state, T0 + 2 * MINUTE)  # still being checked, or already wrong
    assert after_success(guess.state, right) == guess.state == LoginState(4, T0, None)


def test_of_two_concurrent_right_passwords_the_last_reserved_forgets() -> None:
    first = granted(fail(3), T0 + 3 * MINUTE)
    second = granted(first.state, T0 + 3 * MINUTE)  # the fifth: it locks
    assert second.locks
    assert after_success(second.state, first) == second.state  # the first's success forgets nothing
    assert after_success(second.state, second) == LoginState()  # the second's forgets all
    assert after_success(LoginState(), first) == LoginState()  # in the other order: forgotten already


def test_a_locked_account_says_until_when() -> None:
    error = locked_error(fail(5))
    assert error.code == "AUTH_LOCKED" and error.details == {"locked_until": (T0 + timedelta(minutes=19)).isoformat()}


@dataclass
class Row:
    failures: int = 0
    first_failure_at: datetime | None = None
    locked_until: datetime | None = None


def test_the_row_helpers_keep_the_state_in_the_three_columns() -> None:
    row = Row()
    reservation = reserve_on(row, now=T0)
    assert isinstance(reservation, Reservation) and state_of(row) == reservation.state == LoginState(1, T0, None)
    for n in range(1, 5):
        reserve_on(row, now=T0 + n * MINUTE)
    before = state_of(row)
    assert isinstance(reserve_on(row, now=T0 + 5 * MINUTE), Locked) and state_of(row) == before  # unchanged
    assert not forget_on(row, reservation=reservation) and state_of(row) == before  # reserved since: kept
    last = Row(before.failures - 1, before.first_failure_at)
    fifth = reserve_on(last, now=T0 + 4 * MINUTE)
    assert isinstance(fifth, Reservation) and forget_on(last, reservation=fifth) and state_of(last) == LoginState()
