"""The Center's branches (ХҚО бөлімшелері): the offices where operators accept documents and visitors
queue (§12 item 3, §13, Annex 1 step 1). The one place the branches are written down; operators'
logins (``<seat>.<branch>``), their tokens and every ticket name a branch by its ``code``.

Where it comes from, and what is assumed. The regulation names the Center («Орталық», §2, §9) but not
its offices, so this directory is **synthetic**, shaped as follows:

- **One organisation, one BIN.** The Center is one legal entity with the BIN of the participants'
  directory (`shared.participants.CENTER`, a test BIN). Its branches are its offices, not legal entities
  of their own: every branch carries that BIN (`Branch.bin`), as does every operator's employee SIGN
  certificate, and branches differ by their branch number. (A real branch registered as a legal
  entity's branch would have a BIN of its own, attribute ``1``; the model keeps one BIN, so that the
  gateway and the provider know an operator's signature by the Center's BIN alone.)
- **Numbers.** ``number`` is the branch's number in the Center, unique, from 1 in `shared.geo.DISTRICTS` order;
  ``department`` is the number of the Center's department (бөлім) of the city or district the branch
  is in: the district's place in `shared.geo.DISTRICTS`, from 1, so that branches of one city share it.
- **Districts served.** Every city and district of `shared.geo.DISTRICTS` has at least one branch in
  its centre (its akimat's locality, `District.centre`), serving that district; the city of Karaganda,
  the region's largest, has two. ``districts`` is a tuple so that a branch may serve more than one.
- **Addresses and windows** are illustrative, not the real offices': a street in the district's centre;
  six service windows in each Karaganda branch, three in the other cities, two in the districts.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.participants import CENTER


@dataclass(frozen=True, slots=True)
class Branch:
    """One office of the Center: its code (a login's suffix), its numbers, where it is, the districts
    (`shared.geo.District.code`) whose residents it serves, and how many service windows it has."""

    code: str
    number: int
    department: int
    name_kk: str
    address: str
    districts: tuple[str, ...]
    windows: int

    @property
    def bin(self) -> str:
        """The Center's BIN: the organisation's, shared by every branch."""
        return CENTER.bin


BRANCHES: tuple[Branch, ...] = (
    # code, number, department, name, address, districts served, windows
    Branch("karaganda-1", 1, 1, "Қарағанды қаласы бойынша №1 бөлімше", "Қарағанды қ., Бейбітшілік көшесі, 12",
           ("karaganda",), 6),
    Branch("karaganda-2", 2, 1, "Қарағанды қаласы бойынша №2 бөлімше", "Қарағанды қ., Строителей даңғылы, 31",
           ("karaganda",), 6),
    Branch("balkhash", 3, 2, "Балқаш қаласы бойынша бөлімше", "Балқаш қ., Тәуелсіздік көшесі, 8", ("balkhash",), 3),
    Branch("zhezkazgan", 4, 3, "Жезқазған қаласы бойынша бөлімше", "Жезқазған қ., Абай көшесі, 25",
           ("zhezkazgan",), 3),
    Branch("karazhal", 5, 4, "Қаражал қаласы бойынша бөлімше", "Қаражал қ., Ленин көшесі, 4", ("karazhal",), 3),
    Branch("priozersk", 6, 5, "Приозерск қаласы бойынша бөлімше", "Приозерск қ., Пушкин көшесі, 10",
           ("priozersk",), 3),
    Branch("saran", 7, 6, "Саран қаласы бойынша бөлімше", "Саран қ., Жамбыл көшесі, 67", ("saran",), 3),
    Branch("satpayev", 8, 7, "Сәтбаев қаласы бойынша бөлімше", "Сәтбаев қ., Қ. Сәтбаев даңғылы, 105",
           ("satpayev",), 3),
    Branch("temirtau", 9, 8, "Теміртау қаласы бойынша бөлімше", "Теміртау қ., Республика даңғылы, 40",
           ("temirtau",), 3),
    Branch("shakhtinsk", 10, 9, "Шахтинск қаласы бойынша бөлімше", "Шахтинск қ., Парковая көшесі, 3",
           ("shakhtinsk",), 3),
    Branch("abay", 11, 10, "Абай ауданы бойынша бөлімше", "Абай қ., Абай көшесі, 20", ("abay",), 2),
    Branch("aktogay", 12, 11, "Ақтоғай ауданы бойынша бөлімше", "Ақтоғай а., Бөкейхан көшесі, 7", ("aktogay",), 2),
    Branch("bukhar-zhyrau", 13, 12, "Бұқар жырау ауданы бойынша бөлімше", "Ботақара к., Абай көшесі, 11",
           ("bukhar-zhyrau",), 2),
    Branch("zhanaarka", 14, 13, "Жаңаарқа ауданы бойынша бөлімше", "Атасу к., Тәуелсіздік көшесі, 15",
           ("zhanaarka",), 2),
    Branch("karkaraly", 15, 14, "Қарқаралы ауданы бойынша бөлімше", "Қарқаралы қ., Әлихан Бөкейхан көшесі, 9",
           ("karkaraly",), 2),
    Branch("nura", 16, 15, "Нұра ауданы бойынша бөлімше", "Киевка к., Байтұрсынов көшесі, 5", ("nura",), 2),
    Branch("osakarovka", 17, 16, "Осакаров ауданы бойынша бөлімше", "Осакаровка к., Пристанционная көшесі, 2",
           ("osakarovka",), 2),
    Branch("ulytau", 18, 17, "Ұлытау ауданы бойынша бөлімше", "Ұлытау а., Аблайхан көшесі, 14", ("ulytau",), 2),
    Branch("shet", 19, 18, "Шет ауданы бойынша бөлімше", "Ақсу-Аюлы а., Достық көшесі, 6", ("shet",), 2),
)  # fmt: skip
"""Every branch, in `shared.geo.DISTRICTS` order (Karaganda's two first)."""

BRANCH_BY_CODE: dict[str, Branch] = {b.code: b for b in BRANCHES}


def branches_serving(district: str) -> tuple[Branch, ...]:
    """The branches serving ``district`` (a `shared.geo.District.code`), by number; empty for none."""
    return tuple(b for b in BRANCHES if district in b.districts)
