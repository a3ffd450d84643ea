"""Kazakhstan's non-working days, year by year: the one place the working-day calendar
(`shared.calendar`) reads. Every row says what kind of day it is and where the fact comes from.

Where it comes from. The team's research (the sources are in the rows): the Law «О праздниках в
Республике Казахстан» art. 5 — state and national holidays are non-working days, and one that falls on
a Saturday or Sunday makes the next working day after it a day off (a carry-over); the religious days
off (7 January, the first day of Kurban ait) are never carried over (as cited in 2014, `LAW`, and by
the Ministry of Labour in 2024–2025); the Labour Code art. 84 p. 5 (the days off) and art. 85 p. 3 (the
Government may move rest days to other working days: a transfer, by Government decree, in 2025 by
order No. 436 of the Minister of Labour of 21 November 2024). Kurban ait's date is set each year by the
Spiritual Administration of Muslims of Kazakhstan (ДУМК) and can still move (2024: announced for
Monday 17 June, fixed on 7 June at Sunday 16 June, so no day off).

The format.

- `HolidayList`: a version of the law's list, month and day of each holiday and fixed religious day
  off, with its source; `LIST_2014` (the list as it stood in 2014) and `LIST_2022` (since the 2022
  amendment: 25 October Republic Day added, Independence Day one day, 16 December, First President's
  Day, 1 December, removed).
- `Year`: one calendar year: the list in force, and its own rows — Kurban ait (`Kind.RELIGIOUS`), the
  transfers (`Kind.TRANSFER_OFF`, a weekday made a day off; `Kind.TRANSFER_WORKED`, a Saturday or
  Sunday made a working day; a decree's row may fall in the year before, as 28 December 2013 did), and
  the carry-overs **as published** (`Kind.CARRY_OVER`, with the holiday each carries). The calendar
  computes carry-overs by the rule from the list; the published ones are its cross-check (the tests:
  the rule reproduces every one). ``transfers_known`` says whether the year's transfers are known;
  ``provisional`` says what in the year is not settled yet.
- A year not listed here is not taken as having no holidays: `shared.calendar` applies the rule to
  the list in force (`list_in_force`), with no Kurban ait and no transfers, and logs a warning.

Adding a year: its Kurban ait row (ДУМК's date), its transfers (the decree or order), and the
carry-overs as published, each with its source; the tests then check the rule against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    HOLIDAY = "holiday"
    """A state or national holiday (мереке күні): non-working; on a Saturday or Sunday, carried over."""
    RELIGIOUS = "religious day off"
    """A religious day off (7 January, Kurban ait's first day): non-working; never carried over."""
    CARRY_OVER = "carry-over"
    """The working day after a holiday that fell on a Saturday or Sunday, made a day off."""
    TRANSFER_OFF = "transfer off"
    """A working day made a day off by a transfer (Government decree, Minister of Labour's order)."""
    TRANSFER_WORKED = "transfer worked"
    """A Saturday or Sunday made a working day by a transfer."""


@dataclass(frozen=True, slots=True)
class Row:
    day: date
    kind: Kind
    name: str
    source: str
    carries: date | None = None
    """A carry-over's holiday (the Saturday or Sunday it moves off)."""
    estimate: bool = False
    """True when the date is our estimate, not a published one."""


@dataclass(frozen=True, slots=True)
class ListedDay:
    month: int
    day: int
    kind: Kind
    name: str


@dataclass(frozen=True, slots=True)
class HolidayList:
    name: str
    in_force_from: int
    """The first year the list applies to (for years outside `YEARS`)."""
    days: tuple[ListedDay, ...]
    source: str

    def rows(self, year: int) -> tuple[Row, ...]:
        return tuple(Row(date(year, d.month, d.day), d.kind, d.name, self.source) for d in self.days)


@dataclass(frozen=True, slots=True)
class Year:
    year: int
    holidays: HolidayList
    rows: tuple[Row, ...]
    transfers_known: bool
    provisional: str = ""
    """Empty when the year is settled; otherwise what is not (logged once when the year is used)."""

    def all_rows(self) -> tuple[Row, ...]:
        """The list's days in this year, then the year's own rows."""
        return self.holidays.rows(self.year) + self.rows


H, R = Kind.HOLIDAY, Kind.RELIGIOUS
CARRY, OFF, WORKED = Kind.CARRY_OVER, Kind.TRANSFER_OFF, Kind.TRANSFER_WORKED

LAW = (
    "Law «О праздниках в Республике Казахстан» art. 5, as cited in 2014: https://yk-news.kz/node/10882; "
    "Ministry of Labour, 2025: https://www.caravan.kz/amp/news/v-ijune-2025-goda-kazahstancev-ozhidaet-"
    "dopolnitelnyj-vyhodnoj-den; Labour Code art. 84 p. 5, art. 85 p. 3"
)
"""The rule: holidays are non-working, carried over from a weekend; religious days off are not."""

NEW_YEAR = "New Year (Жаңа жыл)"
CHRISTMAS = "Orthodox Christmas (Православное Рождество)"
WOMEN = "International Women's Day (Халықаралық әйелдер күні)"
NAURYZ = "Nauryz meyramy (Наурыз мейрамы)"
UNITY = "Day of the Unity of the People of Kazakhstan (Қазақстан халқының бірлігі мерекесі)"
DEFENDER = "Defender of the Fatherland Day (Отан қорғаушы күні)"
VICTORY = "Victory Day (Жеңіс күні)"
CAPITAL = "Capital Day (Астана күні)"
CONSTITUTION = "Constitution Day (Конституция күні)"
FIRST_PRESIDENT = "First President's Day (Тұңғыш Президент күні)"
INDEPENDENCE = "Independence Day (Тәуелсіздік күні)"
REPUBLIC = "Republic Day (Республика күні)"
KURBAN_AIT = "Kurban ait, first day (Құрбан айт)"

_COMMON_HEAD = (
    ListedDay(1, 1, H, NEW_YEAR),
    ListedDay(1, 2, H, NEW_YEAR),
    ListedDay(1, 7, R, CHRISTMAS),
    ListedDay(3, 8, H, WOMEN),
    ListedDay(3, 21, H, NAURYZ),
    ListedDay(3, 22, H, NAURYZ),
    ListedDay(3, 23, H, NAURYZ),
    ListedDay(5, 1, H, UNITY),
    ListedDay(5, 7, H, DEFENDER),
    ListedDay(5, 9, H, VICTORY),
    ListedDay(7, 6, H, CAPITAL),
    ListedDay(8, 30, H, CONSTITUTION),
)

LIST_2014 = HolidayList(
    name="the Law's list as it stood in 2014",
    in_force_from=1,
    days=(
        *_COMMON_HEAD,
        ListedDay(12, 1, H, FIRST_PRESIDENT),
        ListedDay(12, 16, H, INDEPENDENCE),
        ListedDay(12, 17, H, INDEPENDENCE),
    ),
    source=(
        "https://qostanai.media/skolko-budut-otdyhat-kazahstancy-v-2019-godu/amp; "
        "https://kapital.kz/gosudarstvo/36862/na-nauryz-kazakhstantsy-otdokhnut-5-dney.html; " + LAW
    ),
)

LIST_2022 = HolidayList(
    name="the Law's list since the 2022 amendment",
    in_force_from=2022,
    days=(
        *_COMMON_HEAD,
        ListedDay(10, 25, H, REPUBLIC),
        ListedDay(12, 16, H, INDEPENDENCE),
    ),
    source=(
        "https://33.kisapes.online/politics/kazakhstan/1990189-25-oktyabrya-ofitsialno-stal-natsionalnym-"
        "prazdnikom-tokaev-podpisal-zakon; https://www.tema-kz.net/v-strane/item/91971-parlament-odobril-"
        "isklyuchenie-dnya-pervogo-prezidenta-iz-gosprazdnikov; " + LAW
    ),
)

LISTS = (LIST_2014, LIST_2022)

_Y2014 = "https://qostanai.media/skolko-budut-otdyhat-kazahstancy-v-2019-godu/amp"
_JAN_2014 = "Government decree: https://mgorod.kz/news/na-novogodnie-prazdniki-kazaxstancy-otdoxnut-5-dnej-podryad"
_MAY_2014 = (
    "Government decree: https://profinance.kz/news/novosti_dlya_koshelka/utverzhden_grafik_vyhodnyh_na_ma; "
    "https://mgorod.kz/news/pravitelstvo-opredelilo-dni-otdyxa-na-majskie-prazdniki"
)
_RULE_2014 = "derived from the rule (" + LAW + ") and the 2014 list: " + _Y2014
_Y2024 = "https://mgorod.kz/news/kalendar-vyhodnyh-na-2024-god; https://mugalzhar.kz/archives/20849"
_KURBAN_2024 = "ДУМК, 7 June 2024: https://alau.kz/otmena-vyhodnogo-dnja-na-kurban-ajt-v-mintruda-sdelali-zajavlenie"
_Y2025 = (
    "https://pobipb.kz/kalendar-vyxodnyx-i-prazdnichnyx-dnej-na-2025-god; "
    "https://www.caravan.kz/amp/news/v-ijune-2025-goda-kazahstancev-ozhidaet-dopolnitelnyj-vyhodnoj-den"
)
_ORDER_436 = "Minister of Labour's order No. 436 of 21 November 2024: " + _Y2025
_Y2026 = (
    "https://alau.kz/perenosy-vyhodnyh-prazdnichnyj-kalendar-kazahstana-na-2026-god/; "
    "https://mgorod.kz/news/vyxodnye-i-prazdniki-v-kazaxstane-v-2026-godu-cto-i-kuda-perenesut; "
    "https://www.inform.kz/ru/kak-kazahstantsi-otdohnut-na-noviy-god-73a9c2"
)
_KURBAN_2026 = (
    "ДУМК's calendar for 2026 (6 November 2025): https://www.zakon.kz/obshestvo/6496885-ramazan2026-oraza-i-"
    "kurban-ayt-opublikovan-kalendar-musulmanskikh-prazdnikov-v-kazakhstane.html; " + _Y2026
)
_KURBAN_2027 = (
    "estimate: no published date found (search of stored pages, 2026); Dhu al-Hijjah 10 of 1448 AH by "
    "the astronomical calendar, 354 days after 27 May 2026; ДУМК publishes the year's dates in November"
)


def _carry(day: date, carries: date, name: str, source: str) -> Row:
    return Row(day, CARRY, f"carry-over of {name} ({carries.isoformat()})", source, carries=carries)


YEARS: dict[int, Year] = {
    2014: Year(
        2014,
        LIST_2014,
        (
            Row(date(2014, 10, 4), R, KURBAN_AIT, "https://yk-news.kz/node/10882 (a Saturday, not carried over)"),
            Row(date(2014, 1, 3), OFF, "transfer from Saturday 28 December 2013", _JAN_2014),
            Row(date(2013, 12, 28), WORKED, "transfer to Friday 3 January 2014", _JAN_2014),
            Row(date(2014, 5, 2), OFF, "transfer from Sunday 4 May", _MAY_2014),
            Row(date(2014, 5, 4), WORKED, "transfer to Friday 2 May", _MAY_2014),
            Row(date(2014, 5, 8), OFF, "transfer from Sunday 11 May", _MAY_2014),
            Row(date(2014, 5, 11), WORKED, "transfer to Thursday 8 May", _MAY_2014),
            _carry(date(2014, 3, 10), date(2014, 3, 8), WOMEN, _RULE_2014),
            _carry(date(2014, 3, 24), date(2014, 3, 22), NAURYZ, _RULE_2014),
            _carry(date(2014, 3, 25), date(2014, 3, 23), NAURYZ, _RULE_2014),
            _carry(date(2014, 7, 7), date(2014, 7, 6), CAPITAL, _RULE_2014),
            _carry(date(2014, 9, 1), date(2014, 8, 30), CONSTITUTION, _RULE_2014),
        ),
        transfers_known=True,
    ),
    2024: Year(
        2024,
        LIST_2022,
        (
            Row(date(2024, 6, 16), R, KURBAN_AIT, _KURBAN_2024 + " (a Sunday, no day off on 17 June)"),
            _carry(date(2024, 3, 25), date(2024, 3, 23), NAURYZ, _Y2024),
            _carry(date(2024, 7, 8), date(2024, 7, 6), CAPITAL, _Y2024),
        ),
        transfers_known=True,
    ),
    2025: Year(
        2025,
        LIST_2022,
        (
            Row(date(2025, 6, 6), R, KURBAN_AIT, _Y2025),
            Row(date(2025, 1, 3), OFF, "transfer from Sunday 5 January", _ORDER_436),
            Row(date(2025, 1, 5), WORKED, "transfer to Friday 3 January", _ORDER_436),
            _carry(date(2025, 3, 10), date(2025, 3, 8), WOMEN, _Y2025),
            _carry(date(2025, 3, 24), date(2025, 3, 22), NAURYZ, _Y2025),
            _carry(date(2025, 3, 25), date(2025, 3, 23), NAURYZ, _Y2025),
            _carry(date(2025, 7, 7), date(2025, 7, 6), CAPITAL, _Y2025),
            _carry(date(2025, 9, 1), date(2025, 8, 30), CONSTITUTION, _Y2025),
            _carry(date(2025, 10, 27), date(2025, 10, 25), REPUBLIC, _Y2025),
        ),
        transfers_known=True,
    ),
    2026: Year(
        2026,
        LIST_2022,
        (
            Row(date(2026, 5, 27), R, KURBAN_AIT, _KURBAN_2026),
            _carry(date(2026, 3, 9), date(2026, 3, 8), WOMEN, _Y2026),
            _carry(date(2026, 3, 24), date(2026, 3, 21), NAURYZ, _Y2026),
            _carry(date(2026, 3, 25), date(2026, 3, 22), NAURYZ, _Y2026),
            _carry(date(2026, 5, 11), date(2026, 5, 9), VICTORY, _Y2026),
            _carry(date(2026, 8, 31), date(2026, 8, 30), CONSTITUTION, _Y2026),
            _carry(date(2026, 10, 26), date(2026, 10, 25), REPUBLIC, _Y2026),
        ),
        transfers_known=True,
    ),
    2027: Year(
        2027,
        LIST_2022,
        (Row(date(2027, 5, 16), R, KURBAN_AIT, _KURBAN_2027, estimate=True),),
        transfers_known=False,
        provisional=(
            "Kurban ait 16 May 2027 is an estimate (a Sunday: no day off unless ДУМК sets another day); "
            "transfers unknown (none assumed); carry-overs derived from the rule, none published yet"
        ),
    ),
}
"""Every year the calendar knows, by year."""


def list_in_force(year: int) -> HolidayList:
    """The holiday list for a year outside `YEARS`: the newest list in force by then. Approximate:
    2022 itself changed mid-year, and before 2014 the list had changed too."""
    return max((listed for listed in LISTS if listed.in_force_from <= year), key=lambda listed: listed.in_force_from)
