"""The directory of the participants on the e-government gateway (architecture §3): each system's
organisation (BIN, name), its subsystem, and so its address ``KZ/GOV/<BIN>/<subsystem>``, as X-Road
names members and subsystems; the responsible officer whom its system certificate names; and the user
id of a citizen (``KZ<IIN>``). Every address and BIN in the code comes from here.

The BINs are test numbers of this model (valid BINs of a state body, ``1404…``), not real ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.eds.credentials import SystemIdentity

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


def user_id(iin: str) -> str:
    """The gateway's user id of a person (architecture §3): ``KZ`` + IIN."""
    return f"KZ{iin}"
