"""The personas' workbench: a Builder with dates counted back from `today`, people of a given surname,
rented homes, whole-dwelling ownership and sales, and the round of districts that clean applicants live in."""

from __future__ import annotations

from datetime import date, timedelta

from shared.geo import DISTRICT_BY_CODE, DISTRICTS

from .builder import KAZAKH, KAZAKH_RU_STYLE, RUSSIAN, UZBEK, Builder, Naming, add_years
from .records import Acquisition, Basis, Disposal, Dwelling, Person, Sex

KARAGANDA = "karaganda"
_SURNAMES = KAZAKH[0] + RUSSIAN[0] + UZBEK[0]
_BELOW = (38_400, 44_900, 51_200, 29_800, 56_700)  # KZT per member a month, under builder.INCOME_LIMIT


class Cast:
    """Builds personas with `b`; `clean` hands each clean applicant the next district."""

    def __init__(self, b: Builder) -> None:
        self.b, self.today = b, b.today
        self._districts, self._incomes = iter(DISTRICTS), 0

    def ago(self, years: int, days: int = 0) -> date:
        """`years` years and `days` days before today."""
        return add_years(self.today, -years) - timedelta(days=days)

    def person(
        self,
        sex: Sex,
        born: date,
        naming: Naming = KAZAKH_RU_STYLE,
        *,
        family: Person | None = None,
        father: Person | None = None,
        death: date | None = None,
        citizenship: str = "KZ",
    ) -> Person:
        """A new person; with `family`, of that person's surname (in its form for this sex)."""
        surname = self.b.surname(naming)
        if family is not None:
            surname = next(pair for pair in _SURNAMES if family.surname in pair)
        return self.b.person(sex, born, naming, surname, father, death=death, citizenship=citizenship)

    def rent(
        self, person: Person, place: str, since: date, *others: Person, basis: Basis = Basis.TENANT_PRIVATE
    ) -> tuple[str, str]:
        """`person` rents a home in `place` from `since` and registers `others` there (from their
        birth, if later). Returns the home (locality, address)."""
        home = (place, self.b.address(place))
        self.b.reside(person, home, since, basis=basis)
        for other in others:
            self.b.reside(other, home, max(since, other.birth_date), basis=basis, host=person)
        return home

    def own(
        self,
        person: Person,
        place: str,
        bought: date,
        by: Acquisition = Acquisition.PURCHASE,
        *,
        credit: bool = False,
        disposed_on: date | None = None,
        disposed_by: Disposal | None = None,
        counterparty: str | None = None,
    ) -> Dwelling:
        """A new two-room dwelling in `place` that `person` holds whole (and perhaps disposed of)."""
        home = self.b.dwelling(place, rooms=2)
        self.b.own(
            home,
            person,
            "1",
            bought,
            by,
            credit=credit,
            disposed_on=disposed_on,
            disposed_by=disposed_by,
            counterparty=counterparty,
        )
        return home

    def sell(self, seller: Person, buyer: Person, place: str, bought: int, sold: int) -> Dwelling:
        """A new flat in `place` that `seller` owns and lives in from `bought` years ago and sells
        whole to `buyer` `sold` years ago; the buyer moves in. Returns the flat."""
        # A fresh date per record, as the personas have always been made: the pickled population
        # stays the same byte for byte (pickle shares one date object between records).
        ago, b = self.ago, self.b
        flat = self.own(
            seller, place, ago(bought), disposed_on=ago(sold), disposed_by=Disposal.SALE, counterparty=buyer.iin
        )
        b.own(flat, buyer, "1", ago(sold), Acquisition.PURCHASE)
        b.reside(seller, flat, ago(bought), until=ago(sold))
        b.reside(buyer, flat, ago(sold))
        return flat

    def income(self) -> int:
        """A monthly income per family member below the income limit."""
        self._incomes += 1
        return _BELOW[self._incomes % len(_BELOW)]

    def clean(self, person: Person, traits: tuple[str, ...], note: str) -> str:
        """Makes `person` a clean applicant (`eligible`) of the next district, Karaganda once all have
        one; returns the district's centre, where the caller houses them."""
        district = next(self._districts, DISTRICT_BY_CODE[KARAGANDA])
        self.b.persona(person, (*traits, "eligible", f"district:{district.code}"), note)
        return district.centre


def district_of_centre(locality: str) -> str:
    """The code of the district whose akimat sits in `locality`."""
    return next(d.code for d in DISTRICTS if d.centre == locality)
