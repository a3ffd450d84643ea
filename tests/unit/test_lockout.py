"""The one login-lockout policy every login uses (shared.lockout; §18 Condition 1 and Process 2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.lockout import LOCK_FOR, WINDOW, LoginState, after_failure, after_success, is_locked, locked_error

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fail(times: int, start: datetime = T0, every: timedelta = timedelta(minutes=1)) -> LoginState:
    state = LoginState()
    for n in range(times):
        state = after_failure(state, start + n * every)
    return state


def test_five_wrong_passwords_within_fifteen_minutes_lock_the_account_for_fifteen_minutes() -> None:
    assert not is_locked(fail(4), T0 + timedelta(minutes=4))
    locked = fail(5)
    assert is_locked(locked, T0 + timedelta(minutes=5))
    assert locked.locked_until == T0 + timedelta(minutes=4) + LOCK_FOR
    assert not is_locked(locked, T0 + timedelta(minutes=4) + LOCK_FOR)


def test_failures_further_apart_than_the_window_do_not_add_up() -> None:
    state = fail(5, every=WINDOW / 4 + timedelta(seconds=1))
    assert not is_locked(state, T0 + WINDOW * 2) and state.failures < 5


def test_after_a_lock_runs_out_the_count_starts_again() -> None:
    state = after_failure(fail(5), T0 + timedelta(minutes=4) + LOCK_FOR)
    assert state.failures == 1 and not is_locked(state, T0 + timedelta(minutes=4) + LOCK_FOR)


def test_a_right_password_forgets_the_failures() -> None:
    assert after_success() == LoginState()


def test_a_locked_account_says_until_when() -> None:
    error = locked_error(fail(5))
    assert error.code == "AUTH_LOCKED" and error.details == {"locked_until": (T0 + timedelta(minutes=19)).isoformat()}
