"""The Karaganda region's cities and districts, as the Regulation (Karaganda region akimat
resolution No. 17/03, 2014) found them: each city of regional significance and each district has its
own akimat and housing department, the authorized body that provides the service (§2). The
regional gateway routes by the district code; the registries place addresses in these localities.

Source: the region's administrative division before the Ulytau region was separated (2022):
9 cities of regional significance and 9 districts (https://en.wikipedia.org/wiki/Karaganda_Region,
"Administrative divisions"; Kazakh names as the akimats write them). The regulation gives no codes:
ours are stable slugs, not KATO codes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class District:
    """A city of regional significance or a district: one akimat, one housing department."""

    code: str
    name_kk: str
    name_ru: str
    kind: str  # "city" or "district"
    centre: str  # the locality its akimat sits in


@dataclass(frozen=True, slots=True)
class Locality:
    code: str
    name_kk: str
    district: str | None  # None: outside the Karaganda region


DISTRICTS: tuple[District, ...] = (
    District("karaganda", "Қарағанды қаласы", "город Караганда", "city", "karaganda"),
    District("balkhash", "Балқаш қаласы", "город Балхаш", "city", "balkhash"),
    District("zhezkazgan", "Жезқазған қаласы", "город Жезказган", "city", "zhezkazgan"),
    District("karazhal", "Қаражал қаласы", "город Каражал", "city", "karazhal"),
    District("priozersk", "Приозерск қаласы", "город Приозерск", "city", "priozersk"),
    District("saran", "Саран қаласы", "город Сарань", "city", "saran"),
    District("satpayev", "Сәтбаев қаласы", "город Сатпаев", "city", "satpayev"),
    District("temirtau", "Теміртау қаласы", "город Темиртау", "city", "temirtau"),
    District("shakhtinsk", "Шахтинск қаласы", "город Шахтинск", "city", "shakhtinsk"),
    District("abay", "Абай ауданы", "Абайский район", "district", "abay-town"),
    District("aktogay", "Ақтоғай ауданы", "Актогайский район", "district", "aktogay-village"),
    District("bukhar-zhyrau", "Бұқар жырау ауданы", "район Бухар-Жырау", "district", "botakara"),
    District("zhanaarka", "Жаңаарқа ауданы", "Жанааркинский район", "district", "atasu"),
    District("karkaraly", "Қарқаралы ауданы", "Каркаралинский район", "district", "karkaraly-town"),
    District("nura", "Нұра ауданы", "Нуринский район", "district", "kiyevka"),
    District("osakarovka", "Осакаров ауданы", "Осакаровский район", "district", "osakarovka-village"),
    District("ulytau", "Ұлытау ауданы", "Улытауский район", "district", "ulytau-village"),
    District("shet", "Шет ауданы", "Шетский район", "district", "aksu-ayuly"),
)

LOCALITIES: tuple[Locality, ...] = (
    *(Locality(d.code, d.name_kk.replace(" қаласы", ""), d.code) for d in DISTRICTS if d.kind == "city"),
    Locality("abay-town", "Абай", "abay"),
    Locality("aktogay-village", "Ақтоғай", "aktogay"),
    Locality("botakara", "Ботақара", "bukhar-zhyrau"),
    Locality("atasu", "Атасу", "zhanaarka"),
    Locality("karkaraly-town", "Қарқаралы", "karkaraly"),
    Locality("kiyevka", "Киевка", "nura"),
    Locality("osakarovka-village", "Осакаровка", "osakarovka"),
    Locality("ulytau-village", "Ұлытау", "ulytau"),
    Locality("aksu-ayuly", "Ақсу-Аюлы", "shet"),
    # Elsewhere in Kazakhstan: the real-estate register covers the whole country (§15.2).
    Locality("astana", "Астана", None),
    Locality("almaty", "Алматы", None),
    Locality("shymkent", "Шымкент", None),
    Locality("pavlodar", "Павлодар", None),
)

DISTRICT_BY_CODE = {d.code: d for d in DISTRICTS}
LOCALITY_BY_CODE = {loc.code: loc for loc in LOCALITIES}


def district_of(locality: str) -> District | None:
    """The Karaganda region city or district a locality belongs to (None outside the region)."""
    found = LOCALITY_BY_CODE.get(locality)
    return DISTRICT_BY_CODE.get(found.district) if found and found.district else None
