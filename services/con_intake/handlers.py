"""The Center's handler table: the message types it consumes (none yet)."""

from __future__ import annotations

from shared.handlers import MessageHandler


def table() -> list[MessageHandler]:
    """What the kernel subscribes for this service."""
    return []
