"""Personas: people placed in every population (in its first batch) so that each rule has someone to
exercise it, whatever the population's size. Each carries trait names testers look up
(traits.REQUIRED_TRAITS and more) and a short note; traits.derive_traits checks them from the records.

Here: one persona per §15 refusal ground, the buyback exception and two look-alikes that are not
grounds (a sale six years ago is in clean_personas.py), and the owner, emergency-dwelling, dead,
foreign and high-income personas. clean_personas.py adds the clean applicants (`eligible`). All dates
count back from `today`, except the few the rules fix (a marriage before 1 June 2008, a birth and a
death before 13 August 2007: §14; WW2 veterans' births), so `today` may be any day from 2014 to 2040.
The persona built for a trait comes first; a later one carries it only when it is equally true.
"""

from __future__ import annotations

from shared.data.akimats import AKIMAT_BY_DISTRICT

from .builder import FEMALE, KAZAKH, MALE, RUSSIAN, UZBEK, Builder
from .cast import KARAGANDA, Cast
from .clean_personas import add_clean_personas
from .records import Acquisition, Basis, Disposal, VulnerableGroup


def add_personas(b: Builder) -> None:
    """Adds every persona, and the people and records around them, to the current batch."""
    c = Cast(b)
    _grounds(c)
    _not_grounds(c)
    _situations(c)
    add_clean_personas(c)


def _grounds(c: Cast) -> None:
    """§15: each ground within the last five years."""
    b, ago = c.b, c.ago
    # 1) Exchanged a three-room flat for a one-room one two years ago.
    e, other = c.person(MALE, ago(45, 40)), c.person(FEMALE, ago(50, 7), RUSSIAN)
    big, small = b.dwelling(KARAGANDA, rooms=3), b.dwelling(KARAGANDA, rooms=1)
    b.own(
        big,
        e,
        "1",
        ago(12),
        Acquisition.PURCHASE,
        disposed_on=ago(2),
        disposed_by=Disposal.EXCHANGE,
        counterparty=other.iin,
    )
    b.own(
        small,
        other,
        "1",
        ago(10),
        Acquisition.PURCHASE,
        disposed_on=ago(2),
        disposed_by=Disposal.EXCHANGE,
        counterparty=e.iin,
    )
    b.own(small, e, "1", ago(2), Acquisition.EXCHANGE)
    b.own(big, other, "1", ago(2), Acquisition.EXCHANGE)
    b.reside(e, big, ago(12), until=ago(2))
    b.reside(e, small, ago(2))
    b.reside(other, small, ago(10), until=ago(2))
    b.reside(other, big, ago(2))
    b.persona(
        e, ("ground:exchange", "district:karaganda"), "Exchanged his 3-room flat for a 1-room one 2 years ago (§15.1)."
    )
    # 2) Sold her habitable flat three years ago; now rents.
    s, buyer = c.person(FEMALE, ago(38, 100)), c.person(MALE, ago(40, 3))
    c.sell(s, buyer, KARAGANDA, 9, 3)
    c.rent(s, KARAGANDA, ago(3))
    b.persona(s, ("ground:alienation", "district:karaganda"), "Sold her only flat 3 years ago, now rents (§15.2).")
    # 2) Anywhere in Kazakhstan: gave his inherited Astana flat to a nephew last year.
    g, nephew = c.person(MALE, ago(55, 20), KAZAKH), c.person(MALE, ago(28, 50), KAZAKH)
    astana = c.own(
        g,
        "astana",
        ago(8),
        Acquisition.INHERITANCE,
        disposed_on=ago(1),
        disposed_by=Disposal.GIFT,
        counterparty=nephew.iin,
    )
    b.own(astana, nephew, "1", ago(1), Acquisition.GIFT)
    c.rent(g, KARAGANDA, ago(20))
    c.rent(nephew, KARAGANDA, ago(5))
    b.persona(
        g,
        ("ground:alienation", "alienation:gift", "dwelling_elsewhere", "district:karaganda"),
        "Gave his inherited Astana flat to a nephew last year: §15.2 counts dwellings anywhere in Kazakhstan.",
    )
    # 3) His village house burnt down through his own fault two years ago; lives with relatives.
    d = c.person(MALE, ago(50, 200))
    house = c.own(
        d, "botakara", ago(15), Acquisition.CONSTRUCTION, disposed_on=ago(2), disposed_by=Disposal.DESTRUCTION
    )
    b.reside(d, house, ago(15), until=ago(2))
    c.rent(d, "botakara", ago(2), basis=Basis.FAMILY_OF_OWNER)
    b.persona(
        d, ("ground:damage", "district:bukhar-zhyrau"), "His house burnt down through his fault 2 years ago (§15.3)."
    )
    # 4) Left his state-fund flat four years ago to live in his then wife's own flat (so he was not in
    # need); divorced two years ago, now registered at his mother's.
    mother = c.person(FEMALE, ago(68, 10), KAZAKH)
    p, wife = c.person(MALE, ago(40, 60), KAZAKH, family=mother), c.person(FEMALE, ago(38, 5), KAZAKH)
    b.born(p, mother, None, KARAGANDA)
    hers, mothers = c.own(wife, KARAGANDA, ago(15)), c.own(mother, KARAGANDA, ago(20))
    state = b.dwelling(KARAGANDA, state_fund=True)
    b.reside(mother, mothers, ago(20))
    b.reside(wife, hers, ago(15))
    b.marry(p, wife, ago(6), KARAGANDA, link=False)
    b.reside(p, state, ago(14), until=ago(4), basis=Basis.TENANT_STATE_FUND, left=True)
    b.reside(p, hers, ago(4), until=ago(2), basis=Basis.FAMILY_OF_OWNER, host=wife)
    b.divorce(p, wife, ago(2), KARAGANDA)
    b.reside(p, mothers, ago(2), basis=Basis.FAMILY_OF_OWNER, host=mother)
    b.persona(
        p,
        ("ground:left_dwelling", "divorced", "district:karaganda"),
        "Left his state-fund flat 4 years ago while his then wife owned a flat (§15.4); divorced 2 years ago.",
    )
    # 5) Registered a lodger, not family, in her flat two years ago.
    o, lodger = c.person(FEMALE, ago(52, 80), RUSSIAN), c.person(MALE, ago(24, 11))
    home = c.own(o, KARAGANDA, ago(10))
    b.reside(o, home, ago(10))
    b.reside(lodger, ("temirtau", b.address("temirtau")), ago(6), until=ago(2), basis=Basis.TENANT_PRIVATE, left=True)
    b.reside(lodger, home, ago(2), basis=Basis.LODGER, host=o)
    b.persona(
        o,
        ("ground:moved_in_others", "district:karaganda"),
        "Registered a lodger, not family, in her flat 2 years ago (§15.5).",
    )


def _not_grounds(c: Cast) -> None:
    """Disposals within five years that §15 does not count."""
    b, ago = c.b, c.ago
    # §15.2 exception: her only flat, bought on preferential credit, bought back by the akimat.
    bb = c.person(FEMALE, ago(36, 30))
    flat = c.own(
        bb,
        KARAGANDA,
        ago(9),
        credit=True,
        disposed_on=ago(2),
        disposed_by=Disposal.BUYBACK,
        counterparty=AKIMAT_BY_DISTRICT[KARAGANDA].bin,
    )
    b.reside(bb, flat, ago(9), until=ago(2))
    c.rent(bb, KARAGANDA, ago(2))
    b.persona(
        bb,
        ("exception:buyback", "district:karaganda"),
        "Her only flat, bought on a preferential housing credit, was bought back by the akimat after a mortgage "
        "default 2 years ago: not a §15.2 ground.",
    )
    # Demolished by the akimat's decision, not through the owner's fault (§15.3 does not apply).
    dm = c.person(FEMALE, ago(60, 45))
    house = c.own(dm, "kiyevka", ago(20), disposed_on=ago(2), disposed_by=Disposal.DEMOLITION)
    b.reside(dm, house, ago(20), until=ago(2))
    c.rent(dm, "kiyevka", ago(2))
    b.persona(
        dm,
        ("disposal:demolition", "district:nura"),
        "Her house was demolished by the akimat's decision 2 years ago: not her fault, not §15.3.",
    )


def _situations(c: Cast) -> None:
    """An owner, an emergency dwelling, the dead, a foreigner, an income above the limit."""
    b, ago = c.b, c.ago
    # Owns half of the family flat with his wife; two children.
    ow, wife = c.person(MALE, ago(38, 33)), c.person(FEMALE, ago(35, 70))
    b.marry(ow, wife, ago(12), KARAGANDA)
    kids = [c.person(sex, ago(y, 15), family=ow, father=ow) for sex, y in ((FEMALE, 10), (MALE, 4))]
    flat = b.dwelling(KARAGANDA, rooms=3)
    for owner in (ow, wife):
        b.own(flat, owner, "1/2", ago(7), Acquisition.PURCHASE)
        b.reside(owner, flat, ago(7))
    for kid in kids:
        b.born(kid, wife, ow, KARAGANDA)
        b.reside(kid, flat, max(ago(7), kid.birth_date), basis=Basis.FAMILY_OF_OWNER, host=ow)
    b.persona(
        ow,
        ("owns_dwelling", "married", "has_minor_children", "district:karaganda"),
        "Owns half of the family flat with his wife.",
    )
    # Her only dwelling, a house in Shakhtinsk, was found in emergency condition last year (§14).
    em = c.person(FEMALE, ago(58, 3))
    house = b.dwelling("shakhtinsk", rooms=3, emergency_on=ago(1))
    b.own(house, em, "1", ago(25), Acquisition.PURCHASE)
    b.reside(em, house, ago(25))
    b.persona(
        em,
        ("emergency_dwelling", "district:shakhtinsk"),
        "Her only dwelling was found in emergency condition last year (§14).",
    )
    # Died a year ago.
    dd = c.person(MALE, ago(51, 90), death=ago(1))
    b.reside(dd, (KARAGANDA, b.address(KARAGANDA)), ago(20), until=ago(1), basis=Basis.TENANT_PRIVATE)
    b.died(dd, KARAGANDA)
    b.persona(dd, ("dead",), "Died a year ago.")
    # A foreign citizen with a residence permit (Law art. 67: the service is for citizens).
    fo = c.person(MALE, ago(30, 17), UZBEK, citizenship="UZ")
    c.rent(fo, KARAGANDA, ago(3))
    b.persona(fo, ("foreigner", "district:karaganda"), "A citizen of Uzbekistan living in Karaganda.")
    # Income above 3.1 subsistence minima per member: fails the socially vulnerable list's income test.
    hi = c.person(MALE, ago(45, 61))
    c.rent(hi, KARAGANDA, ago(7))
    b.social(hi, VulnerableGroup.DISABLED_1_2, ago(4), 95_000)
    b.persona(
        hi,
        ("income:above_threshold", "district:karaganda"),
        "A group II invalid whose income is 95,000 KZT a month per member.",
    )
