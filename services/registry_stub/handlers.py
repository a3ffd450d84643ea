"""registry_stub's handler table and its sync-channel entries (architecture §8). It consumes no
messages (the table is empty); it answers the registry queries of the sync channel
(`shared.registries`): every query type goes to the registries' desk, which checks, logs and signs
the answer."""

from __future__ import annotations

from services.registry_stub.registries.desk import RegistryDesk
from shared.handlers import MessageHandler, Responder
from shared.registries import QUERY_TYPES, routing_key

QUEUE = "registry_stub.queries"
"""The sync channel's queue of registry queries."""


def table(desk: RegistryDesk) -> list[MessageHandler]:
    """No message handlers: the registries only answer queries (see `responders`)."""
    return []


def responders(desk: RegistryDesk) -> list[Responder]:
    """The registry queries, one routing key per query type, answered by ``desk``."""
    return [Responder(QUEUE, [routing_key(query) for query in QUERY_TYPES], desk.respond)]
