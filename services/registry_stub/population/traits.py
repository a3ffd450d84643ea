"""Which persona traits a person's registry records bear out, judged from the records alone: an
independent reading of the §15 refusal grounds (and of the other traits) against which the generator's
personas are checked. Pure functions over an `Index` of generated populations; no I/O.

§15 (Kazakh text): the service is refused when, **within the last five years**, the citizen became in
need by deliberately worsening their housing conditions through
  1) exchanging a dwelling;
  2) alienating a habitable dwelling they owned anywhere in Kazakhstan — except their only dwelling,
     bought with a long-term preferential housing credit and bought back by the local executive body
     because the mortgagor could not meet the mortgage obligations;
  3) destruction or damage of the dwelling through their own fault;
  4) leaving a dwelling — any dwelling — while not in need of a dwelling from the state housing fund
     (or of one the local executive body rents from the private fund): the words qualify the need, not
     the dwelling left (docs/regulation.md R15, as corrected; services/provider/domain/grounds.py). Not in
     need, by the records: on the day they left, the person or their spouse owned a dwelling, or the
     person was leaving a tenancy of the state fund (housed from it). A registration left on the
     person's own application (``left_voluntarily``) is leaving; one closed otherwise (a sale, a death,
     a divorce the records do not call voluntary) is not;
  5) moving in persons other than the spouse, minor and work-disabled (еңбекке жарамсыз) children,
     and work-disabled parents.

The buy-back exception's buyer must be a local executive body: one of the akimats' BINs of
shared/data/akimats.py, the directory the provider reads too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from shared.data.akimats import AKIMAT_BINS
from shared.geo import district_of

from .builder import INCOME_LIMIT, add_years
from .records import (
    Basis,
    CivilEvent,
    CivilEventKind,
    CourtDecision,
    Disposal,
    Dwelling,
    Employment,
    EmploymentCategory,
    FamilyLink,
    Ownership,
    Person,
    Population,
    PowerOfAttorney,
    Relation,
    Residence,
    Sex,
    SocialStatus,
    VulnerableGroup,
)

REQUIRED_TRAITS: tuple[str, ...] = (
    "ground:exchange",
    "ground:alienation",
    "ground:damage",
    "ground:left_dwelling",
    "ground:moved_in_others",
    "exception:buyback",
    "owns_dwelling",
    "emergency_dwelling",
    "dead",
    "marriage_before_2008",
    "poa:valid",
    "poa:expired",
    "poa:revoked",
    "eligible",
    *(f"vulnerable:{g.value}" for g in VulnerableGroup),
    *(f"employee:{c.value}" for c in EmploymentCategory),
)
"""The trait names testers rely on; every generation has a persona for each."""

GROUNDS = ("ground:exchange", "ground:alienation", "ground:damage", "ground:left_dwelling", "ground:moved_in_others")
MARRIAGE_COPY_BEFORE = date(2008, 6, 1)  # §14: older marriage/divorce certificates are brought as copies
BIRTH_DEATH_COPY_BEFORE = date(2007, 8, 13)  # §14: likewise birth and death certificates
_ALIENATION = (Disposal.SALE, Disposal.GIFT, Disposal.BUYBACK)


class Index:
    """The records of some populations, looked up by IIN (and dwellings by cadastral number)."""

    def __init__(self, batches: Iterable[Population]) -> None:
        self.persons: dict[str, Person] = {}
        self.dwellings: dict[str, Dwelling] = {}
        self.owned: defaultdict[str, list[Ownership]] = defaultdict(list)
        self.residences: defaultdict[str, list[Residence]] = defaultdict(list)
        self.hosted: defaultdict[str, list[Residence]] = defaultdict(list)  # by the host who registered them
        self.links: defaultdict[str, list[FamilyLink]] = defaultdict(list)
        self.events: defaultdict[str, list[CivilEvent]] = defaultdict(list)  # by each party
        self.social: defaultdict[str, list[SocialStatus]] = defaultdict(list)
        self.jobs: defaultdict[str, list[Employment]] = defaultdict(list)
        self.powers: defaultdict[str, list[PowerOfAttorney]] = defaultdict(list)  # by principal
        self.courts: defaultdict[str, list[CourtDecision]] = defaultdict(list)  # by applicant
        for b in batches:
            self.persons.update((p.iin, p) for p in b.persons)
            self.dwellings.update((d.cadastral_no, d) for d in b.dwellings)
            for o in b.ownerships:
                self.owned[o.iin].append(o)
            for r in b.residences:
                self.residences[r.iin].append(r)
                if r.host_iin:
                    self.hosted[r.host_iin].append(r)
            for f in b.family:
                self.links[f.iin].append(f)
            for e in b.civil_events:
                for _, iin in e.parties:
                    self.events[iin].append(e)
            for s in b.social:
                self.social[s.iin].append(s)
            for j in b.employment:
                self.jobs[j.iin].append(j)
            for a in b.powers:
                self.powers[a.principal_iin].append(a)
            for c in b.court_decisions:
                self.courts[c.iin].append(c)


def window_start(today: date) -> date:
    """The first day of "the last five years before applying" (§15)."""
    return add_years(today, -5)


def within_five_years(day: date | None, today: date) -> bool:
    """`day` falls in the last five years before `today` (both ends included)."""
    return day is not None and window_start(today) <= day <= today


def age_on(birth: date, day: date) -> int:
    """Full years of age on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def spouses_on(ix: Index, iin: str, day: date) -> list[str]:
    """Whom `iin` was married to on `day`, by the civil status records (marriage not yet ended by a
    divorce or a death)."""
    spouses = []
    for e in ix.events[iin]:
        if e.kind is CivilEventKind.MARRIAGE and e.registered_on <= day:
            other = next(i for role, i in e.parties if role == "spouse" and i != iin)
            divorced = any(
                d.kind is CivilEventKind.DIVORCE and d.registered_on <= day and ("spouse", other) in d.parties
                for d in ix.events[iin]
            )
            died = any((ix.persons[x].death_date or date.max) <= day for x in (iin, other))
            if not divorced and not died:
                spouses.append(other)
    return spouses


def owned_on(ix: Index, iin: str, day: date) -> list[Ownership]:
    """The ownerships `iin` held on `day` (a disposal day is no longer held)."""
    return [o for o in ix.owned[iin] if o.acquired_on <= day and (o.disposed_on is None or o.disposed_on > day)]


def owned_within_five_years(ix: Index, iin: str, today: date) -> bool:
    """`iin` held a dwelling on some day of the last five years."""
    start = window_start(today)
    return any(o.acquired_on <= today and (o.disposed_on is None or o.disposed_on > start) for o in ix.owned[iin])


def buyback_exception(ix: Index, o: Ownership) -> bool:
    """§15.2 exception: the only dwelling, bought on preferential credit, bought back by an akimat."""
    if o.disposed_by is not Disposal.BUYBACK or not o.preferential_credit or o.disposed_on is None:
        return False
    only = [x.dwelling for x in owned_on(ix, o.iin, date.fromordinal(o.disposed_on.toordinal() - 1))]
    return only == [o.dwelling] and o.counterparty in AKIMAT_BINS


def _habitable(ix: Index, o: Ownership) -> bool:
    found = ix.dwellings[o.dwelling].emergency_found_on
    return found is None or o.disposed_on is None or found > o.disposed_on


def _work_disabled(ix: Index, iin: str, day: date) -> bool:
    p = ix.persons[iin]
    if age_on(p.birth_date, day) >= (63 if p.sex == Sex.MALE else 58):  # 2014 pension ages
        return True
    groups = (VulnerableGroup.DISABLED_1_2, VulnerableGroup.PENSIONER)
    return any(s.group in groups and _current(s.since, s.until, day) for s in ix.social[iin])


def _exempt(ix: Index, host: str, iin: str, day: date) -> bool:
    """§15.5: the spouse, a minor or work-disabled child, a work-disabled parent."""
    if iin in spouses_on(ix, host, day):
        return True
    relation = next((f.relation for f in ix.links[host] if f.relative_iin == iin), None)
    if relation is Relation.CHILD:
        return age_on(ix.persons[iin].birth_date, day) < 18 or _work_disabled(ix, iin, day)
    return relation is Relation.PARENT and _work_disabled(ix, iin, day)


def grounds(ix: Index, iin: str, today: date) -> set[str]:
    """The §15 refusal grounds the records show for `iin` as of `today`."""
    found = set()
    for o in ix.owned[iin]:
        if not within_five_years(o.disposed_on, today):
            continue
        if o.disposed_by is Disposal.EXCHANGE:  # §15.1
            found.add("ground:exchange")
        elif o.disposed_by in _ALIENATION and _habitable(ix, o) and not buyback_exception(ix, o):  # §15.2
            found.add("ground:alienation")
        elif o.disposed_by is Disposal.DESTRUCTION:  # §15.3
            found.add("ground:damage")
    for r in ix.residences[iin]:  # §15.4: any dwelling left while not in need
        if r.left_voluntarily and r.registered_to is not None and within_five_years(r.registered_to, today):
            left_on = r.registered_to
            household = [iin, *spouses_on(ix, iin, left_on)]
            state = r.dwelling is not None and ix.dwellings[r.dwelling].state_fund
            housed = r.basis is Basis.TENANT_STATE_FUND or state
            if housed or any(owned_on(ix, who, left_on) for who in household):
                found.add("ground:left_dwelling")
    for r in ix.hosted[iin]:  # §15.5
        if within_five_years(r.registered_from, today) and not _exempt(ix, iin, r.iin, r.registered_from):
            found.add("ground:moved_in_others")
    return found


def has_category(ix: Index, iin: str, today: date) -> bool:
    """Belongs to a list the service registers for (Law art. 67 p.1): current work in a §14 category,
    or a current socially vulnerable status that passes the income test or needs none (§14: orphans,
    families with disabled children)."""
    if any(_current(j.since, j.until, today) for j in ix.jobs[iin]):
        return True
    exempt = (VulnerableGroup.ORPHAN, VulnerableGroup.FAMILY_WITH_DISABLED_CHILDREN)
    return any(
        _current(s.since, s.until, today)
        and (
            s.group in exempt
            or (s.monthly_income_per_member is not None and s.monthly_income_per_member < INCOME_LIMIT)
        )
        for s in ix.social[iin]
    )


def is_eligible(ix: Index, iin: str, today: date) -> bool:
    """A clean applicant whom the service should register: an adult living citizen registered in the
    Karaganda region, in a category list, who (with the spouse) has owned no dwelling in the last five
    years, and with no §15 ground."""
    p = ix.persons.get(iin)
    if p is None or p.death_date is not None or p.citizenship != "KZ" or age_on(p.birth_date, today) < 18:
        return False
    current = [r for r in ix.residences[iin] if r.registered_to is None]
    if len(current) != 1 or district_of(current[0].locality) is None or not has_category(ix, iin, today):
        return False
    household = [iin, *spouses_on(ix, iin, today)]
    return not any(owned_within_five_years(ix, who, today) for who in household) and not grounds(ix, iin, today)


def derive_traits(ix: Index, iin: str, today: date) -> set[str]:
    """Every trait name the records bear out for `iin` as of `today`: the §15 grounds and `eligible`,
    and those of `_estate`, `_civil_status` and `_documents`."""
    traits = grounds(ix, iin, today) | _estate(ix, iin, today) | _civil_status(ix, iin, today)
    traits |= _documents(ix, iin, today)
    if is_eligible(ix, iin, today):
        traits.add("eligible")
    return traits


def _estate(ix: Index, iin: str, today: date) -> set[str]:
    traits = set()
    for o in ix.owned[iin]:
        recent = within_five_years(o.disposed_on, today)
        if recent and buyback_exception(ix, o):
            traits.add("exception:buyback")
        if recent and o.disposed_by in (Disposal.GIFT, Disposal.DEMOLITION):
            traits.add("alienation:gift" if o.disposed_by is Disposal.GIFT else "disposal:demolition")
        if o.disposed_by in (Disposal.SALE, Disposal.GIFT) and o.disposed_on and o.disposed_on < window_start(today):
            traits.add("ground:alienation_old")  # an alienation before the window: not a ground
        if district_of(ix.dwellings[o.dwelling].locality) is None:
            traits.add("dwelling_elsewhere")
    now = owned_on(ix, iin, today)
    if now:
        traits.add("owns_dwelling")
    if len(now) == 1 and (ix.dwellings[now[0].dwelling].emergency_found_on or date.max) <= today:
        traits.add("emergency_dwelling")
    for r in ix.residences[iin]:
        district = district_of(r.locality) if r.registered_to is None else None
        if district:
            traits.add(f"district:{district.code}")
    return traits


def _civil_status(ix: Index, iin: str, today: date) -> set[str]:
    p, events, traits = ix.persons[iin], ix.events[iin], set()
    kinds = {e.kind for e in events}
    if p.death_date is not None and CivilEventKind.DEATH in kinds:
        traits.add("dead")
    if CivilEventKind.DIVORCE in kinds:
        traits.add("divorced")
    if any(e.kind is CivilEventKind.MARRIAGE and e.registered_on < MARRIAGE_COPY_BEFORE for e in events):
        traits.add("marriage_before_2008")
    if any(
        e.kind is CivilEventKind.BIRTH and e.registered_on < BIRTH_DEATH_COPY_BEFORE and ("child", iin) not in e.parties
        for e in events
    ):
        traits.add("birth_before_2007")
    relatives = [(f.relation, ix.persons[f.relative_iin]) for f in ix.links[iin]]
    if any((r.death_date or date.max) < BIRTH_DEATH_COPY_BEFORE for _, r in relatives):
        traits.add("death_before_2007")
    if spouses_on(ix, iin, today):
        traits.add("married")
    if any(rel is Relation.SPOUSE and r.death_date for rel, r in relatives):
        traits.add("widowed")
    if any(rel is Relation.CHILD and r.death_date is None and age_on(r.birth_date, today) < 18 for rel, r in relatives):
        traits.add("has_minor_children")
    if p.citizenship != "KZ":
        traits.add("foreigner")
    if age_on(p.birth_date, today) < 18:
        traits.add("minor")
    return traits


def _documents(ix: Index, iin: str, today: date) -> set[str]:
    """Powers of attorney (by the first thing wrong with each), groups, income, work, court decisions."""
    traits = set()
    for a in ix.powers[iin]:
        if a.revoked_on is not None and a.revoked_on <= today:
            traits.add("poa:revoked")
        elif a.valid_until < today:
            traits.add("poa:expired")
        elif not a.covers_service:
            traits.add("poa:not_covering_service")
        elif not a.notarised:
            traits.add("poa:not_notarised")
        elif a.issued_on <= today:
            traits.add("poa:valid")
    for s in ix.social[iin]:
        if _current(s.since, s.until, today):
            traits.add(f"vulnerable:{s.group.value}")
            if s.monthly_income_per_member is not None:
                below = s.monthly_income_per_member < INCOME_LIMIT
                traits.add("income:below_threshold" if below else "income:above_threshold")
    traits.update(f"employee:{j.category.value}" for j in ix.jobs[iin] if _current(j.since, j.until, today))
    if ix.courts[iin]:
        traits.add("court:family_member")
    return traits


def _current(since: date, until: date | None, today: date) -> bool:
    return since <= today and (until is None or until >= today)
