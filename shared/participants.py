"""The directory of the participants on the e-government gateway (architecture §3): each system's
organisation (BIN, name), its subsystem, and so its address ``KZ/GOV/<BIN>/<subsystem>``, as X-Road
names members and subsystems; the responsible officer whom its system certificate names; what each
may publish (architecture §9: the receiver checks it, and the broker's topic permissions say the same);
and the user id of a citizen (``KZ<IIN>``). Every address and BIN in the code comes from here.

The BINs are test numbers of this model (valid BINs of a state body, ``1404…``), not real ones.
Standard library only (and `shared.bus.topic`): ``deploy/rabbitmq/make_definitions.py`` reads the
publishing table to write the broker's permissions.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.bus.topic import topic_matches


@dataclass(frozen=True)
class SystemIdentity:
    """Whom a system certificate names: the organisation (BIN, name) and its responsible officer (IIN)."""

    bin: str
    organization: str
    officer_iin: str
    surname: str
    given_name: str


GOVERNMENT = "KZ/GOV"
"""The gateway's member class of state bodies."""


@dataclass(frozen=True, slots=True)
class Participant:
    """A system on the gateway: the service that plays it, its subsystem, and whom its system
    certificate names (the organisation and the responsible officer)."""

    service: str
    subsystem: str
    identity: SystemIdentity

    @property
    def bin(self) -> str:
        return self.identity.bin

    @property
    def organization(self) -> str:
        return self.identity.organization

    @property
    def address(self) -> str:
        """``KZ/GOV/<BIN>/<subsystem>``: the sender of everything it sends."""
        return f"{GOVERNMENT}/{self.bin}/{self.subsystem}"


_DIRECTORY = (
    # A table, kept as one: service, subsystem, BIN, organisation, the officer's IIN, surname, given name.
    ("portal_gateway", "portal", "140440000100", "Электрондық үкімет порталы (ТЕСТ)", "780612300018", "ПОРТАЛ", "ЭҮП"),
    ("con_intake", "con", "140440000207", "Халыққа қызмет көрсету орталығы (ТЕСТ)", "780612300018", "ОРТАЛЫҚ", "ХҚО"),
    ("regional_gateway", "gateway", "140440000309", "Қарағанды облысының өңірлік ЭҮШ (ТЕСТ)", "780612300018",
     "ӨҢІРЛІК", "ШЛЮЗ"),
    ("provider", "provider", "140440000408", "Тұрғын үй бөлімі (ТЕСТ)", "780612300018", "ТҰРҒЫН ҮЙ", "БӨЛІМІ"),
    ("registry_stub", "registry", "140440000507", "Мемлекеттік тіркелімдер (ТЕСТ)", "800101300016", "ТІРКЕЛІМДЕР",
     "ЖҮЙЕСІ"),
)  # fmt: skip

PARTICIPANTS: tuple[Participant, ...] = tuple(
    Participant(service, subsystem, SystemIdentity(*identity)) for service, subsystem, *identity in _DIRECTORY
)
PORTAL, CENTER, GATEWAY, PROVIDER, REGISTRIES = PARTICIPANTS
BY_SERVICE = {p.service: p for p in PARTICIPANTS}
BY_ADDRESS = {p.address: p for p in PARTICIPANTS}


PUBLISHES: dict[str, tuple[str, ...]] = {
    # service: the message types (AMQP topic patterns: ``*`` one word) it may send. A message of another
    # type from it is refused by every receiver, and its broker user may not publish it.
    "portal_gateway": ("document.submitted", "registry.*.get"),
    "con_intake": ("document.submitted", "registry.*.get", "handover.*"),
    "regional_gateway": ("receipt.*", "status.*", "result.*", "document.delivered.*"),
    "provider": ("case.status", "case.result", "registry.*.get", "handover.ack.con"),
    "registry_stub": ("registry.answer", "error"),  # its answers on the sync channel
}
"""Who may publish what (architecture §9), beside the directory (shared/housing/messages.py draws the
flows)."""
REPLAYS: dict[str, tuple[str, ...]] = {
    "regional_gateway": ("document.submitted", "case.status", "case.result"),
}
"""What a service may put on the bus again as it came, under its original sender's signature, without
being allowed to send it itself: the gateway's workstation replays the dead letters of its queues. Only
the broker's permissions need this; a receiver judges the original sender."""


CONSUMES: dict[str, tuple[str, ...]] = {
    # service: the binding keys of its queues (its handler tables and sync-channel entries say the same).
    "portal_gateway": ("receipt.portal", "status.portal", "result.portal"),
    "con_intake": ("receipt.con", "status.con", "result.con", "handover.ack.con"),
    "regional_gateway": ("document.submitted", "case.status", "case.result"),
    "provider": ("document.delivered.*", "handover.*"),
    "registry_stub": ("registry.*.get",),
}
"""What each service may bind its queues to: its broker user's topic read permission."""


def may_publish(service: str, message_type: str) -> bool:
    """Whether ``service`` may send messages of ``message_type``."""
    return any(topic_matches(pattern, message_type) for pattern in PUBLISHES.get(service, ()))


def user_id(iin: str) -> str:
    """The gateway's user id of a person (architecture §3): ``KZ`` + IIN."""
    return f"KZ{iin}"


def _topic_regex(patterns: tuple[str, ...], *, binding: bool) -> str:
    """An anchored regex of the routing keys (or, ``binding``, the binding keys) ``patterns`` allow:
    ``*`` stands for one word, and for a binding key also for a literal ``*``."""
    word = r"(\*|[^.]+)" if binding else r"[^.]+"
    alternatives = ["\\.".join(word if part == "*" else part for part in p.split(".")) for p in patterns]
    return "^(" + "|".join(alternatives) + ")$" if alternatives else "^$"


def broker_permissions(service: str, namespace: str) -> dict[str, str]:
    """The RabbitMQ permissions of ``service``'s broker user on the bus ``namespace`` (architecture
    §9): ``configure``, ``write`` and ``read``, regexes over exchange and queue names — the namespace's
    exchanges (the topic exchange and the dead-letter exchange), its own queues
    ``<namespace>.<service>.…`` and the sync channel's reply queues (the registries also write to the
    default exchange, where replies go) — and ``topic_write`` / ``topic_read`` on the namespace's topic
    exchange: the routing keys it may publish (`PUBLISHES` and `REPLAYS`), the keys it may bind
    (`CONSUMES`)."""
    ns = namespace.replace(".", "\\.")
    own = f"{ns}\\.{service}\\..*"
    replies = f"{ns}\\.reply\\..*"
    exchanges = f"{ns}|{ns}\\.dlx"
    answers = "|amq\\.default" if "error" in PUBLISHES.get(service, ()) else ""
    return {
        "configure": f"^({exchanges}|{own}|{replies})$",
        # the dead-letter exchange too: RabbitMQ asks for write on it from whoever declares a queue
        # that dead-letters there
        "write": f"^({exchanges}|{own}|{replies}{answers})$",
        "read": f"^({exchanges}|{own}|{replies})$",
        "topic_write": _topic_regex(PUBLISHES.get(service, ()) + REPLAYS.get(service, ()), binding=False),
        "topic_read": _topic_regex(CONSUMES.get(service, ()), binding=True),
    }
