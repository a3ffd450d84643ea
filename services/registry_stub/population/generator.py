"""A deterministic synthetic population of the Karaganda region for the registry stub: persons,
families and civil status records, dwellings and their ownership, address registrations, social
status, employment, powers of attorney and court decisions (records.py), with personas that exercise
every rule (personas.py, checked by traits.py).

Pure Python, no I/O. The same (seed, people, today) gives the same batches, record for record: all
randomness comes from `random.Random` streams seeded from `seed` (never the global generator, `hash()`
or set order). A larger `people` only adds households after the ones a smaller one makes (the last
household may differ: it is cut to fit the count).
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from .builder import Builder
from .households import add_household
from .personas import add_personas
from .records import Population

FIRST_DAY, LAST_DAY = date(2014, 1, 1), date(2040, 12, 31)


def persona_count(today: date) -> int:
    """How many persons the personas (and the people around them) take: the smallest `people`."""
    builder = Builder(today, random.Random(0))
    add_personas(builder)
    return len(builder.batch.persons)


def generate(seed: int, people: int, *, today: date, batch_size: int = 5000) -> Iterator[Population]:
    """Yields the population in batches of about `batch_size` persons (a batch ends after the household
    that reaches it; a household is never split). Exactly `people` persons in all; the personas are in
    the first batch (which holds at least them, whatever `batch_size`). Every IIN and cadastral number
    a batch refers to belongs to a person or dwelling of that batch; IINs, record and document numbers
    are unique across the whole population. `today` is the day the registries describe (2014–2040);
    nothing is dated after it.

    Raises ValueError when `people` is smaller than the personas need (`persona_count(today)`)."""
    if not FIRST_DAY <= today <= LAST_DAY:
        raise ValueError(f"today must be between {FIRST_DAY} and {LAST_DAY}")
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    needed = persona_count(today)
    if people < needed:
        raise ValueError(f"people must be at least {needed}: the personas alone take that many")
    return _batches(seed, people, today, batch_size)


def _batches(seed: int, people: int, today: date, batch_size: int) -> Iterator[Population]:
    # Two streams, so that changing the personas leaves the households alone. A str seed is hashed
    # with SHA-512 by `random`, not with hash(): the same on every run.
    builder = Builder(today, random.Random(f"personas:{seed}"))
    add_personas(builder)
    builder.rng = random.Random(f"households:{seed}")
    made = len(builder.batch.persons)
    while made < people:
        with _collector_paused():
            persons = builder.batch.persons
            while made < people and len(persons) < batch_size:
                before = len(persons)
                add_household(builder, people - made)
                made += len(persons) - before
        yield builder.batch
        builder.batch = Population()
    if builder.batch.persons:
        yield builder.batch


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pauses the cyclic garbage collector while a batch is built (never across a yield): records
    hold no reference cycles, so it has nothing to find in them, and its passes over tens of
    thousands of new objects took a fifth of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
