"""The local executive bodies (жергілікті атқарушы органдар, the akimats) of the Karaganda region's cities and
districts, with their BINs: the one directory that both the registries' synthetic population (the buyer of a
mortgaged dwelling bought back after a default) and the provider (§15 item 2's exception holds only when the
buyer is a local executive body: services/provider/domain/grounds.py) read.

Where it comes from. One akimat per city of regional significance and per district of `shared.geo.DISTRICTS`
(the division the regulation found, §2), named as the akimats write it, «<the city's or district's Kazakh
name> әкімдігі». The BINs are **synthetic**, not the real akimats' (the project holds no real BIN): each is a
resident legal entity's head-office BIN (type 4, attribute 0) registered in July 1999 («9907»), with the
serial 100 + 7·i for the i-th district in `DISTRICTS` order, moved on to the first serial that has a check
digit (`shared.iin.check_digit`) — the rule the registry stub's population has always used
(services/registry_stub/population/names.py ``make_bin``). They are written out here, not recomputed, so
that the population and the provider can never disagree; tests/registry checks that the rule reproduces
every one and that each is a valid BIN.

Not in the directory: the region's own akimat and the rural district (ауылдық округ) akims' offices; the
synthetic registries never have them buy a dwelling back. A real deployment would load the directory from
the state register of legal entities instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Akimat:
    """The local executive body of one city or district (`shared.geo.District.code`)."""

    district: str
    bin: str
    name_kk: str


AKIMATS: tuple[Akimat, ...] = (
    Akimat("karaganda", "990740001007", "Қарағанды қаласы әкімдігі"),
    Akimat("balkhash", "990740001077", "Балқаш қаласы әкімдігі"),
    Akimat("zhezkazgan", "990740001146", "Жезқазған қаласы әкімдігі"),
    Akimat("karazhal", "990740001215", "Қаражал қаласы әкімдігі"),
    Akimat("priozersk", "990740001285", "Приозерск қаласы әкімдігі"),
    Akimat("saran", "990740001354", "Саран қаласы әкімдігі"),
    Akimat("satpayev", "990740001423", "Сәтбаев қаласы әкімдігі"),
    Akimat("temirtau", "990740001493", "Теміртау қаласы әкімдігі"),
    Akimat("shakhtinsk", "990740001562", "Шахтинск қаласы әкімдігі"),
    Akimat("abay", "990740001631", "Абай ауданы әкімдігі"),
    Akimat("aktogay", "990740001700", "Ақтоғай ауданы әкімдігі"),
    Akimat("bukhar-zhyrau", "990740001770", "Бұқар жырау ауданы әкімдігі"),
    Akimat("zhanaarka", "990740001846", "Жаңаарқа ауданы әкімдігі"),
    Akimat("karkaraly", "990740001919", "Қарқаралы ауданы әкімдігі"),
    Akimat("nura", "990740001989", "Нұра ауданы әкімдігі"),
    Akimat("osakarovka", "990740002055", "Осакаров ауданы әкімдігі"),
    Akimat("ulytau", "990740002124", "Ұлытау ауданы әкімдігі"),
    Akimat("shet", "990740002194", "Шет ауданы әкімдігі"),
)
"""In `shared.geo.DISTRICTS` order."""
AKIMAT_BY_DISTRICT: dict[str, Akimat] = {a.district: a for a in AKIMATS}
AKIMAT_BINS: frozenset[str] = frozenset(a.bin for a in AKIMATS)
"""The BINs of the local executive bodies: what `GroundFacts.akimats` is given at intake."""
