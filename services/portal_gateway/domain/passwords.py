"""The password policy of portal accounts (§18 step 1: registration with IIN and password). The
lockout after repeated failures is the one of every login, `shared.lockout`."""

from __future__ import annotations

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


def password_problems(password: str, *, iin: str) -> list[str]:
    """What is wrong with a new password (empty when acceptable): at least 8 characters, at most 128,
    not only digits, and not containing the IIN."""
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
