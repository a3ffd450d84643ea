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
    """A system on the gateway: the service that plays it, its organisation and subsystem."""

    service: str
    bin: str
    subsystem: str
    organization: str
    officer_iin: str
    officer_surname: str
    officer_given_name: str

    @property
    def address(self) -> str:
        """``KZ/GOV/<BIN>/<subsystem>``: the sender of everything it sends."""
        return f"{GOVERNMENT}/{self.bin}/{self.subsystem}"

    @property
    def identity(self) -> SystemIdentity:
        """Whom its system certificate names (the IIN is the responsible officer's)."""
        return SystemIdentity(
            bin=self.bin,
            organization=self.organization,
            officer_iin=self.officer_iin,
            surname=self.officer_surname,
            given_name=self.officer_given_name,
        )


PORTAL = Participant(
    "portal_gateway", "140440000100", "portal", "Электрондық үкімет порталы (ТЕСТ)", "780612300018", "ПОРТАЛ", "ЭҮП"
)
CENTER = Participant(
    "con_intake", "140440000207", "con", "Халыққа қызмет көрсету орталығы (ТЕСТ)", "780612300018", "ОРТАЛЫҚ", "ХҚО"
)
GATEWAY = Participant(
    "regional_gateway",
    "140440000309",
    "gateway",
    "Қарағанды облысының өңірлік ЭҮШ (ТЕСТ)",
    "780612300018",
    "ӨҢІРЛІК",
    "ШЛЮЗ",
)
PROVIDER = Participant(
    "provider", "140440000408", "provider", "Тұрғын үй бөлімі (ТЕСТ)", "780612300018", "ТҰРҒЫН ҮЙ", "БӨЛІМІ"
)
REGISTRIES = Participant(
    "registry_stub",
    "140440000507",
    "registry",
    "Мемлекеттік тіркелімдер (ТЕСТ)",
    "800101300016",
    "ТІРКЕЛІМДЕР",
    "ЖҮЙЕСІ",
)

PARTICIPANTS: tuple[Participant, ...] = (PORTAL, CENTER, GATEWAY, PROVIDER, REGISTRIES)
BY_SERVICE = {p.service: p for p in PARTICIPANTS}
BY_ADDRESS = {p.address: p for p in PARTICIPANTS}


def user_id(iin: str) -> str:
    """The gateway's user id of a person (architecture §3): ``KZ`` + IIN."""
    return f"KZ{iin}"
