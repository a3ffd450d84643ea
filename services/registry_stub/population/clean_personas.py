"""Clean applicants (trait `eligible`): adult living citizens registered in the region, in a category
list, owning nothing in the last five years, with no §15 ground. Each lives in the next district in
turn (trait `district:<code>`), so every city and district housing department has one. They exercise
§14's paper copies (a marriage before 1 June 2008, a birth and a death before 13 August 2007), a sale
six years ago, a court decision, each socially vulnerable group (Law art. 68), each work category and
each kind of power of attorney.
"""

from __future__ import annotations

from datetime import date, timedelta

from .builder import FEMALE, KAZAKH, MALE, RUSSIAN, add_years
from .cast import KARAGANDA, Cast, district_of_centre
from .records import Basis, EmploymentCategory, Person, VulnerableGroup


def add_clean_personas(c: Cast) -> None:
    """Adds the clean applicants and the people around them to the current batch."""
    _papers(c)
    _groups(c)
    _work(c)
    _powers(c)


def _papers(c: Cast) -> None:
    b, ago = c.b, c.ago
    # Married in 2003, first child born in 2005: brings copies of both certificates (§14).
    mb, husband = c.person(FEMALE, date(1978, 4, 2)), c.person(MALE, date(1975, 11, 20))
    births = ((MALE, date(2005, 4, 20)), (FEMALE, ago(8, 100)))
    kids = [c.person(sex, born, family=husband, father=husband) for sex, born in births]
    b.marry(husband, mb, date(2003, 9, 12), KARAGANDA)
    for kid in kids:
        b.born(kid, mb, husband, KARAGANDA)
    place = c.clean(
        mb,
        ("marriage_before_2008", "birth_before_2007", "married", "has_minor_children"),
        "Married 12 Sep 2003, first child born 20 Apr 2005: brings copies of both certificates (§14).",
    )
    c.rent(mb, place, date(2006, 1, 10), husband, *kids)
    b.employ(mb, EmploymentCategory.BUDGET_EMPLOYEE, ago(6), 1)
    # Widowed in March 2005: brings a copy of the death certificate (§14); an age pensioner.
    wd = c.person(FEMALE, ago(70, 120), KAZAKH)
    late = c.person(MALE, ago(73, 30), KAZAKH, family=wd, death=date(2005, 3, 10))
    wedding = add_years(wd.birth_date, 22)
    b.marry(late, wd, wedding, KARAGANDA)
    b.reside(late, (KARAGANDA, b.address(KARAGANDA)), wedding, until=late.death_date, basis=Basis.TENANT_PRIVATE)
    b.died(late, KARAGANDA)
    place = c.clean(
        wd, ("death_before_2007", "widowed"), "Widowed in March 2005: brings a copy of the death certificate (§14)."
    )
    c.rent(wd, place, ago(10))
    b.social(wd, VulnerableGroup.PENSIONER, ago(8), c.income())
    # Sold his flat exactly six years ago: outside §15's five years.
    ao, buyer = c.person(MALE, ago(42, 8)), c.person(FEMALE, ago(33, 2))
    c.sell(ao, buyer, KARAGANDA, 11, 6)
    place = c.clean(ao, ("ground:alienation_old",), "Sold his flat exactly 6 years ago: outside §15's five years.")
    c.rent(ao, place, ago(6))
    b.employ(ao, EmploymentCategory.BUDGET_EMPLOYEE, ago(9), 2)
    # Raises her grandson since her daughter died; a court recognised him as her family member (§14).
    gm = c.person(FEMALE, ago(66, 9), KAZAKH)
    daughter = c.person(FEMALE, ago(40, 19), KAZAKH, family=gm, death=ago(9))
    grandson = c.person(MALE, ago(12, 40), KAZAKH, family=daughter)
    b.born(daughter, gm, None, KARAGANDA)
    b.born(grandson, daughter, None, KARAGANDA)
    b.died(daughter, KARAGANDA)
    place = c.clean(
        gm, ("court:family_member",), "A court recognised the grandson she raises as her family member (§14)."
    )
    home, theirs = c.rent(gm, place, ago(15)), (KARAGANDA, b.address(KARAGANDA))
    b.reside(daughter, theirs, ago(22), until=ago(9), basis=Basis.TENANT_PRIVATE)
    b.reside(grandson, theirs, grandson.birth_date, until=ago(9), basis=Basis.TENANT_PRIVATE, host=daughter)
    b.reside(grandson, home, ago(9), basis=Basis.TENANT_PRIVATE, host=gm)
    b.court(gm, grandson, ago(7))
    b.social(gm, VulnerableGroup.PENSIONER, ago(5), c.income())


def _groups(c: Cast) -> None:
    """One per socially vulnerable group, with the confirming document; income below the limit where
    §14 asks for an income certificate (all but orphans and families with disabled children)."""
    b, ago, G = c.b, c.ago, VulnerableGroup
    vw = c.person(MALE, date(1925, 5, 1), KAZAKH)
    _member(
        c,
        vw,
        G.WW2_VETERAN,
        date(1995, 5, 9),
        "A participant of the Great Patriotic War, living with relatives.",
        Basis.FAMILY_OF_OWNER,
    )
    ve = c.person(FEMALE, date(1932, 3, 15), RUSSIAN)
    _member(c, ve, G.WW2_EQUATED, date(2000, 1, 20), "A home-front worker, equated to WW2 participants.")
    _member(c, c.person(MALE, ago(35, 70)), G.DISABLED_1_2, ago(6), "A group I invalid.")
    fd, husband = c.person(FEMALE, ago(36, 12)), c.person(MALE, ago(38, 200))
    child = c.person(MALE, ago(8, 30), family=husband, father=husband)
    b.marry(husband, fd, ago(12), KARAGANDA)
    b.born(child, fd, husband, KARAGANDA)
    _member(
        c,
        fd,
        G.FAMILY_WITH_DISABLED_CHILDREN,
        ago(6),
        "Mother of a disabled child: no income test (§14).",
        family=(husband, child),
        traits=("married", "has_minor_children"),
    )
    _member(c, c.person(FEMALE, ago(44, 5)), G.CHRONIC_DISEASE, ago(3), "Has a severe form of a chronic disease.")
    pe, wife = c.person(MALE, ago(67, 25), KAZAKH), c.person(FEMALE, ago(64, 80), KAZAKH)
    b.marry(pe, wife, add_years(pe.birth_date, 24), KARAGANDA)
    _member(c, pe, G.PENSIONER, ago(4), "An age pensioner living with his wife.", family=(wife,), traits=("married",))
    orphan = c.person(FEMALE, ago(21, 44), KAZAKH)
    _member(c, orphan, G.ORPHAN, ago(18, 44), "Left without parental care at three: no income test (§14).")
    ka = c.person(MALE, ago(40, 7), KAZAKH)
    _member(
        c, ka, G.KANDAS, ago(2), "A kandas (oralman) who came from Mongolia 2 years ago, a citizen now.", since=ago(2)
    )
    ev = c.person(MALE, ago(48, 90))
    b.reside(
        ev, ("osakarovka-village", b.address("osakarovka-village")), ago(10), until=ago(2), basis=Basis.TENANT_PRIVATE
    )
    _member(
        c,
        ev,
        G.EMERGENCY_VICTIM,
        ago(2),
        "The rented house he lived in was destroyed by a flood 2 years ago.",
        since=ago(2),
    )
    lf, father = c.person(FEMALE, ago(38, 22)), c.person(MALE, ago(40, 11))
    b.marry(father, lf, ago(18), KARAGANDA)
    births = ((MALE, 16, 30), (FEMALE, 13, 60), (MALE, 9, 10), (FEMALE, 4, 200))
    kids = [c.person(sex, ago(y, d), family=father, father=father) for sex, y, d in births]
    for kid in kids:
        b.born(kid, lf, father, KARAGANDA)
    home = _member(
        c,
        lf,
        G.LARGE_FAMILY,
        kids[3].birth_date,
        "Mother of four minor children.",
        family=(father, *kids),
        traits=("married", "has_minor_children"),
        since=ago(17),
    )
    b.persona(kids[0], ("minor", f"district:{district_of_centre(home[0])}"), "A 16-year-old: too young to apply.")
    dw, late = c.person(FEMALE, ago(35, 66)), c.person(MALE, ago(38, 140), death=ago(3))
    child = c.person(FEMALE, ago(7, 5), family=late, father=late)
    b.marry(late, dw, ago(10), KARAGANDA)
    b.born(child, dw, late, KARAGANDA)
    b.died(late, KARAGANDA)
    home = _member(
        c,
        dw,
        G.DUTY_DEATH_FAMILY,
        ago(3),
        "Widow of a police officer killed on duty 3 years ago.",
        family=(child,),
        traits=("widowed", "has_minor_children"),
        since=ago(9),
    )
    b.reside(late, home, ago(9), until=late.death_date, basis=Basis.TENANT_PRIVATE)
    sp, ex = c.person(FEMALE, ago(33, 14)), c.person(MALE, ago(35, 90))
    kids = [c.person(sex, ago(y, d), family=ex, father=ex) for sex, y, d in ((FEMALE, 9, 20), (MALE, 6, 150))]
    b.marry(ex, sp, ago(11), KARAGANDA, link=False)
    for kid in kids:
        b.born(kid, sp, ex, KARAGANDA)
    b.divorce(ex, sp, ago(4), KARAGANDA)
    c.rent(ex, "temirtau", ago(4))
    _member(
        c,
        sp,
        G.SINGLE_PARENT,
        ago(4),
        "A divorced mother of two.",
        family=tuple(kids),
        traits=("divorced", "has_minor_children"),
        since=ago(4),
    )


def _member(
    c: Cast,
    person: Person,
    group: VulnerableGroup,
    status_since: date,
    note: str,
    basis: Basis = Basis.TENANT_PRIVATE,
    *,
    family: tuple[Person, ...] = (),
    traits: tuple[str, ...] = (),
    since: date | None = None,
) -> tuple[str, str]:
    """A clean applicant of `group` renting (with `family`) in the next district; returns the home."""
    place = c.clean(person, (f"vulnerable:{group.value}", *traits), note)
    home = c.rent(person, place, since or c.ago(7, 200), *family, basis=basis)
    no_test = (VulnerableGroup.ORPHAN, VulnerableGroup.FAMILY_WITH_DISABLED_CHILDREN)
    c.b.social(person, group, status_since, None if group in no_test else c.income())
    return home


def _work(c: Cast) -> None:
    """One per §14 work category, with the employer's certificate data."""
    for i, category in enumerate(EmploymentCategory):
        worker = c.person(MALE if i % 2 == 0 else FEMALE, c.ago(28 + 4 * i, 10 * i))
        place = c.clean(
            worker, (f"employee:{category.value}",), f"Works as {category.value} (§14: certificate from work)."
        )
        c.rent(worker, place, c.ago(6 + i))
        c.b.employ(worker, category, c.ago(3 + i), i)


def _powers(c: Cast) -> None:
    """Group II invalids represented by a relative, one per kind of power of attorney (§19 p.2: a
    notarised one comes from the notary system)."""
    b, ago, start = c.b, c.ago, c.today - timedelta(days=60)
    powers = (  # trait, issued, valid until, covers the service, notarised, revoked, note
        ("poa:valid", start, add_years(start, 3), True, True, None, "A notarised power of attorney for this service."),
        ("poa:expired", ago(3, 30), ago(0, 30), True, True, None, "The power of attorney expired a month ago."),
        (
            "poa:revoked",
            start,
            add_years(start, 3),
            True,
            True,
            ago(0, 10),
            "The power of attorney was revoked 10 days ago.",
        ),
        (
            "poa:not_covering_service",
            start,
            add_years(start, 3),
            False,
            True,
            None,
            "The power of attorney is for other matters.",
        ),
        ("poa:not_notarised", start, add_years(start, 1), True, False, None, "The power of attorney is not notarised."),
    )
    for i, (trait, issued, until, covers, notarised, revoked, note) in enumerate(powers):
        principal = c.person(FEMALE if i % 2 == 0 else MALE, ago(52 + i, 30 * i))
        attorney = c.person(MALE, ago(29 + i, 11 * i), family=principal)
        place = c.clean(principal, (trait,), f"A group II invalid represented by a relative. {note}")
        c.rent(principal, place, ago(9))
        c.rent(attorney, place, ago(4))
        b.social(principal, VulnerableGroup.DISABLED_1_2, ago(6), c.income())
        b.power(principal, attorney, issued, until, covers_service=covers, notarised=notarised, revoked_on=revoked)
