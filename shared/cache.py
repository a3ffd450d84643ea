"""A cache bounded in time and in size, for every cache of the kernel and the services (verdicts,
OCSP answers, CRLs, registry answers): nothing a caller can make grow without bound."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

CACHE_ENTRIES = 10_000
"""The default size bound: far more distinct keys than one freshness window sees, and a few tens of
MB at most for entries of a few KB."""


class BoundedCache(Generic[K, V]):
    """A cache bounded in time (each entry until its own expiry) and in size (beyond ``max_entries``
    the least recently used entry goes). Expiry is on ``clock``, monotonic seconds by default."""

    def __init__(self, max_entries: int = CACHE_ENTRIES, *, clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries < 1:
            raise ValueError("a cache holds at least one entry")
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        """The live value under ``key`` (now the most recently used), or None; an expired one is dropped."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock() >= entry[0]:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: K, value: V, ttl: float) -> None:
        """Keep ``value`` for ``ttl`` seconds (not at all when ``ttl`` is not positive)."""
        if ttl <= 0:
            self._entries.pop(key, None)
            return
        self._entries[key] = (self._clock() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
