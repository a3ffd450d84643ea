"""Names for the synthetic population: Kazakh and Russian surnames (male and female forms), given
names by sex, patronymics from the father's given name, streets, registry offices, courts, notaries and
employers (with BINs that pass shared.iin.is_valid_bin; the akimats' BINs are shared/data/akimats.py's).
Plain data and small pure functions; nothing here is random: the generator picks.
"""

from __future__ import annotations

from functools import cache

from shared.data.akimats import AKIMATS
from shared.geo import DISTRICTS, LOCALITIES
from shared.iin import check_digit


def _forms(surname: str) -> tuple[str, str]:
    """(male, female) forms: -ов/-ев/-ин take -а, -ский becomes -ская, the rest (Омар, Ким,
    Шевченко) are the same for both sexes."""
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname, surname + "а"
    if surname.endswith("ский"):
        return surname, surname[:-2] + "ая"
    return surname, surname


SURNAMES_KK: tuple[tuple[str, str], ...] = tuple(
    _forms(s)
    for s in (
        "Ахметов",
        "Серікбаев",
        "Нұрланов",
        "Жұмабаев",
        "Оспанов",
        "Сүлейменов",
        "Қасымов",
        "Тоқтаров",
        "Бекмұхамбетов",
        "Әбілов",
        "Мұхаметжанов",
        "Исаев",
        "Ермеков",
        "Жақсылықов",
        "Байжанов",
        "Омаров",
        "Сейітов",
        "Тұрсынов",
        "Қожахметов",
        "Әлиев",
        "Смағұлов",
        "Мұқанов",
        "Садықов",
        "Рахимов",
        "Ибраев",
        "Жүнісов",
        "Кенжебаев",
        "Бекенов",
        "Темірбаев",
        "Есенов",
        "Қалиев",
        "Мақсұтов",
        "Сапаров",
        "Төлеуов",
        "Нұрғалиев",
        "Аманжолов",
        "Бейсенов",
        "Дүйсенов",
        "Шәріпов",
        "Абдрахманов",
        "Омар",
        "Сәрсен",
        "Бекқали",
        "Ерлан",
        "Жандос",
        "Мұрат",
    )
)

SURNAMES_RU: tuple[tuple[str, str], ...] = tuple(
    _forms(s)
    for s in (
        "Иванов",
        "Петров",
        "Смирнов",
        "Кузнецов",
        "Попов",
        "Васильев",
        "Соколов",
        "Михайлов",
        "Новиков",
        "Морозов",
        "Волков",
        "Алексеев",
        "Лебедев",
        "Егоров",
        "Павлов",
        "Козлов",
        "Степанов",
        "Николаев",
        "Орлов",
        "Андреев",
        "Макаров",
        "Никитин",
        "Захаров",
        "Ковальский",
        "Шевченко",
        "Бондаренко",
        "Коваленко",
        "Ким",
        "Пак",
        "Цой",
        "Шмидт",
        "Миллер",
        "Вебер",
    )
)

MALE_KK: tuple[str, ...] = (
    "Серік",
    "Ерлан",
    "Нұрлан",
    "Асхат",
    "Бауыржан",
    "Дәурен",
    "Ержан",
    "Қайрат",
    "Марат",
    "Арман",
    "Айдос",
    "Данияр",
    "Алмас",
    "Бекзат",
    "Ғалым",
    "Жандос",
    "Темірлан",
    "Әлихан",
    "Ернар",
    "Мұрат",
    "Талғат",
    "Болат",
    "Ақылбек",
    "Руслан",
    "Тимур",
    "Санжар",
    "Дамир",
    "Мирас",
    "Әли",
    "Ерболат",
    "Жасұлан",
    "Қанат",
    "Нұрбек",
    "Азамат",
    "Бақытжан",
    "Еркебұлан",
    "Ғабит",
    "Мейрам",
)
FEMALE_KK: tuple[str, ...] = (
    "Айгүл",
    "Гүлнар",
    "Әсем",
    "Жанар",
    "Айжан",
    "Динара",
    "Аружан",
    "Салтанат",
    "Мәдина",
    "Жұлдыз",
    "Ақмарал",
    "Гаухар",
    "Сәуле",
    "Дана",
    "Әйгерім",
    "Назерке",
    "Томирис",
    "Аяулым",
    "Інжу",
    "Меруерт",
    "Күләш",
    "Роза",
    "Бибігүл",
    "Ботагөз",
    "Жансая",
    "Камила",
    "Алия",
    "Ләззат",
    "Нұргүл",
    "Айнұр",
)
MALE_RU: tuple[str, ...] = (
    "Александр",
    "Сергей",
    "Андрей",
    "Дмитрий",
    "Алексей",
    "Владимир",
    "Николай",
    "Иван",
    "Михаил",
    "Евгений",
    "Виктор",
    "Юрий",
    "Олег",
    "Павел",
    "Максим",
    "Артём",
    "Игорь",
    "Денис",
    "Роман",
    "Константин",
    "Василий",
    "Геннадий",
    "Анатолий",
    "Илья",
)
FEMALE_RU: tuple[str, ...] = (
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Анна",
    "Мария",
    "Екатерина",
    "Юлия",
    "Людмила",
    "Галина",
    "Валентина",
    "Надежда",
    "Марина",
    "Оксана",
    "Виктория",
    "Алёна",
    "Дарья",
    "Полина",
    "Ксения",
    "Вера",
    "Лариса",
    "Нина",
)
MALE_UZ: tuple[str, ...] = ("Шерзод", "Улугбек", "Рустам", "Бахтиёр", "Фаррух")
FEMALE_UZ: tuple[str, ...] = ("Дилноза", "Гулнора", "Нодира", "Шахноза", "Зарина")
SURNAMES_UZ: tuple[tuple[str, str], ...] = tuple(_forms(s) for s in ("Каримов", "Юсупов", "Рашидов", "Назаров"))

_RU_IRREGULAR = {
    "Илья": ("Ильич", "Ильинична"),
    "Дмитрий": ("Дмитриевич", "Дмитриевна"),
    "Михаил": ("Михайлович", "Михайловна"),
    "Павел": ("Павлович", "Павловна"),
}


@cache
def patronymic(father_given: str, female: bool, kazakh_style: bool) -> str:
    """The patronymic from the father's given name: Kazakh style joins -ұлы / -қызы ("Серікұлы",
    "Серікқызы"); Russian style adds -ович/-евич, -овна/-евна ("Серікович", "Сергеевна")."""
    if kazakh_style:
        return father_given + ("қызы" if female else "ұлы")
    if father_given in _RU_IRREGULAR:
        return _RU_IRREGULAR[father_given][female]
    if father_given.endswith("ий"):
        stem, male, fem = father_given[:-2], "ьевич", "ьевна"
    elif father_given.endswith(("ей", "ай", "ь")):
        stem, male, fem = father_given[:-1], "евич", "евна"
    elif father_given.endswith(("и", "ж", "ш", "ч", "щ", "ц")):
        stem, male, fem = father_given, "евич", "евна"
    else:
        stem, male, fem = father_given, "ович", "овна"
    return stem + (fem if female else male)


STREETS: tuple[str, ...] = (
    "Бұқар жырау даңғылы",
    "Нұркен Әбдіров даңғылы",
    "Строителей даңғылы",
    "Республика даңғылы",
    "Бейбітшілік бульвары",
    "Абай көшесі",
    "Жамбыл көшесі",
    "Ерубаев көшесі",
    "Мұқанов көшесі",
    "Гоголь көшесі",
    "Алиханов көшесі",
    "Тәуелсіздік көшесі",
    "Достық көшесі",
    "Сейфуллин көшесі",
    "Гагарин көшесі",
    "Пушкин көшесі",
    "Мәметова көшесі",
    "Шахтёрлар көшесі",
    "Металлургтер көшесі",
    "Наурыз көшесі",
    "Сәтбаев көшесі",
    "Орталық көшесі",
)

# Cities (and Astana, Almaty…) have blocks of flats; villages and district centres mostly houses.
_TOWN_KINDS = {d.code for d in DISTRICTS if d.kind == "city"} | {loc.code for loc in LOCALITIES if loc.district is None}
ADDRESS_PREFIX: dict[str, str] = {
    loc.code: f"{loc.name_kk} {'қ.' if loc.code in _TOWN_KINDS else 'а.'}, " for loc in LOCALITIES
}
IS_TOWN: dict[str, bool] = {loc.code: loc.code in _TOWN_KINDS for loc in LOCALITIES}


def _office(locality: str) -> str:
    loc = next(x for x in LOCALITIES if x.code == locality)
    district = next((d for d in DISTRICTS if d.code == loc.district), None)
    return f"{district.name_kk if district else loc.name_kk + ' қаласы'} АХАЖ бөлімі"


# The registry office (АХАЖ бөлімі) of each locality: the city's, or the district's.
CIVIL_OFFICE: dict[str, str] = {loc.code: _office(loc.code) for loc in LOCALITIES}

COURTS: tuple[str, ...] = (
    "Қарағанды қаласының Қазыбек би аудандық соты",
    "Қарағанды қаласының Әлихан Бөкейхан аудандық соты",
    "Теміртау қалалық соты",
    "Жезқазған қалалық соты",
    "Балқаш қалалық соты",
)
NOTARIES: tuple[str, ...] = (
    "Қарағанды қ. нотариусы Ахметова Г.С.",
    "Қарағанды қ. нотариусы Петрова Е.В.",
    "Теміртау қ. нотариусы Сүлейменов Б.Қ.",
    "Жезқазған қ. нотариусы Омарова А.Т.",
)


def make_bin(registered_yymm: str, serial: int) -> str:
    """A resident legal entity's head-office BIN (type 4, attribute 0) registered in YYMM, with the
    first serial from `serial` on that has a check digit (shared.iin.check_digit)."""
    while True:
        first = f"{registered_yymm}40{serial:05d}"
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)
        serial += 1


AKIMAT_BIN: dict[str, str] = {a.district: a.bin for a in AKIMATS}
"""The akimat of each city and district (the local executive body that buys dwellings back, §15.2): the
directory in shared/data/akimats.py, which the provider reads too (made by `make_bin("9907", 100 + 7·i)`)."""
AKIMAT_NAME: dict[str, str] = {a.district: a.name_kk for a in AKIMATS}

# Employers by §14 work category: (name, BIN, positions).
_EMPLOYERS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "civil_servant": (
        ("Қарағанды облысы әкімдігі", ("бас маман", "бөлім басшысы")),
        ("Қарағанды қаласы әкімдігінің тұрғын үй инспекциясы бөлімі", ("жетекші маман", "бас маман")),
        ("Қарағанды облысы бойынша мемлекеттік кірістер департаменті", ("бас маман-инспектор",)),
    ),
    "budget_employee": (
        ("№ 5 мектеп-гимназия", ("мұғалім", "директордың орынбасары")),
        ("№ 3 облыстық клиникалық аурухана", ("дәрігер", "мейірбике")),
        ("№ 12 «Балапан» балабақшасы", ("тәрбиеші",)),
        ("Қарағанды облыстық кітапханасы", ("кітапханашы",)),
    ),
    "military": (
        ("Қазақстан Республикасы Қорғаныс министрлігінің № 5517 әскери бөлімі", ("капитан", "аға сержант")),
        ("Қарағанды гарнизонының әскери бөлімі", ("майор", "лейтенант")),
    ),
    "special_state_body": (
        ("ҰҚК-нің Қарағанды облысы бойынша департаменті", ("аға жедел уәкіл",)),
        ("Мемлекеттік күзет қызметінің Қарағанды бөлімшесі", ("қызметкер",)),
    ),
    "elected_official": (
        ("Қарағанды облыстық мәслихаты", ("мәслихат хатшысы",)),
        ("Ботақара кенті әкімінің аппараты", ("кент әкімі",)),
    ),
}
EMPLOYERS: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    category: tuple(
        (name, make_bin("0103", 1000 + 37 * i + 500 * j), positions) for i, (name, positions) in enumerate(rows)
    )
    for j, (category, rows) in enumerate(_EMPLOYERS.items())
}
