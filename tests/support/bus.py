from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from shared.bus.envelope import Envelope
from shared.bus.port import Delivery

SENDER = "KZ/GOV/140440000100/portal"


def envelope(message_type: str, document: dict[str, Any] | None = None) -> Envelope:
    return Envelope(message_type=message_type, sender=SENDER, user_id="KZ900101300017", document=document or {})


class Collector:
    """A handler that records deliveries and fails the first ``fail_times`` of them."""

    def __init__(self, fail_times: int = 0) -> None:
        self.deliveries: list[Delivery] = []
        self.fail_times = fail_times
        self.succeeded = 0

    async def __call__(self, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        if len(self.deliveries) <= self.fail_times:
            raise RuntimeError(f"handler crash #{len(self.deliveries)}")
        self.succeeded += 1

    def __len__(self) -> int:
        return len(self.deliveries)


async def wait_until(condition: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
