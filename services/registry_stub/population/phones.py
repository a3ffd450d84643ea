"""The mobile-citizens database (база мобильных граждан, БМГ): the mobile number a citizen registered for
their IIN with their operator or at a Public Service Center, to which e-gov sends one-time codes.

Deterministic from the population's seed and the person's IIN alone (SHA-256 of both, never the
generator's random streams), so that adding phones left every other record of a population as it was,
and a database populated before phones existed gets exactly the numbers a new one would
(`loader.ensure_phones`). About one living person in ten (`WITHOUT_PHONE_PERCENT`) has no number on
record, and nobody dead has one: testers find the living ones without a number by the persona trait
`NO_PHONE_TRAIT`. Pure: no I/O."""

from __future__ import annotations

import hashlib

PREFIXES = ("700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778")
"""Kazakh mobile operators' codes (Kcell/Activ, Beeline, Tele2/Altel): every number is +7 7xx xxx xx xx."""
WITHOUT_PHONE_PERCENT = 10
NO_PHONE_TRAIT = "mobile:none"
"""The persona trait of a living person with no number on record (`GET /api/v1/personas?trait=mobile:none`)."""


def phone_of(seed: int, iin: str, *, alive: bool = True) -> str | None:
    """The number on record for ``iin`` in the population made from ``seed`` (E.164: ``+77011234567``),
    or None when there is none."""
    if not alive:
        return None
    digest = hashlib.sha256(f"mobile-citizens:{seed}:{iin}".encode()).digest()
    draw = int.from_bytes(digest[:8], "big")
    if draw % 100 < WITHOUT_PHONE_PERCENT:
        return None
    draw //= 100
    prefix = PREFIXES[draw % len(PREFIXES)]
    draw //= len(PREFIXES)
    return f"+7{prefix}{draw % 10_000_000:07d}"
