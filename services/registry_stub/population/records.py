"""What the state registries hold, as plain records (no I/O): the generator makes them, the loader
stores them, the queries answer with them. One record type per registry row; dates are
`datetime.date`; IINs and BINs are 12-digit strings.

Registries (§14): individuals (ЖТ ММБ), notary powers of attorney (БНАЖ),
civil status (АХАЖ), real estate, addresses, social status, employment, the local executive body's
emergency-dwelling findings, and court decisions recognising family members.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


@dataclass(frozen=True, slots=True)
class Person:
    """ЖТ ММБ: one individual."""

    iin: str
    surname: str
    given_name: str
    patronymic: str | None
    birth_date: date
    sex: Sex
    citizenship: str  # ISO 3166 alpha-2; "KZ" for citizens
    death_date: date | None  # None: alive


class Relation(StrEnum):
    SPOUSE = "spouse"
    CHILD = "child"  # relative is the person's child
    PARENT = "parent"  # relative is the person's parent
    OTHER = "other"  # recognised as a family member by a court (see CourtDecision)


@dataclass(frozen=True, slots=True)
class FamilyLink:
    """A family tie, stored once per direction (a spouse link appears for both spouses)."""

    iin: str
    relative_iin: str
    relation: Relation


class CivilEventKind(StrEnum):
    MARRIAGE = "marriage"
    DIVORCE = "divorce"
    BIRTH = "birth"
    DEATH = "death"


@dataclass(frozen=True, slots=True)
class CivilEvent:
    """АХАЖ: a civil status record. Parties by role: marriage/divorce: 'spouse' ×2; birth: 'child',
    'mother', 'father' (when known); death: 'deceased'."""

    record_no: str  # unique, e.g. "AKT-2009-000123"
    kind: CivilEventKind
    registered_on: date
    office: str  # the registry office (АХАЖ бөлімі)
    parties: tuple[tuple[str, str], ...]  # (role, iin)


@dataclass(frozen=True, slots=True)
class Dwelling:
    """Real estate register: one dwelling anywhere in Kazakhstan."""

    cadastral_no: str  # unique
    locality: str  # a locality code (shared.geo for the Karaganda region; others for the rest of KZ)
    address: str
    area_m2: float
    rooms: int
    state_fund: bool  # in the state housing fund (or rented by the akimat from the private fund)
    emergency_finding_no: str | None = None  # the akimat's finding that it is in emergency condition
    emergency_found_on: date | None = None


class Acquisition(StrEnum):
    PURCHASE = "purchase"
    GIFT = "gift"
    EXCHANGE = "exchange"
    INHERITANCE = "inheritance"
    PRIVATISATION = "privatisation"
    CONSTRUCTION = "construction"


class Disposal(StrEnum):
    SALE = "sale"
    GIFT = "gift"
    EXCHANGE = "exchange"
    DEMOLITION = "demolition"  # by the akimat's decision, not the owner's fault
    DESTRUCTION = "destruction"  # destroyed or damaged through the owner's fault (§15.3)
    BUYBACK = "buyback"  # bought back by the akimat after a mortgage default (§15.2 exception)


@dataclass(frozen=True, slots=True)
class Ownership:
    """Real estate register: a person's (share of) ownership of a dwelling over time. Its
    acquisition and disposal are the transactions the registry reports."""

    dwelling: str  # cadastral_no
    iin: str
    share: str  # "1", "1/2", …
    acquired_on: date
    acquired_by: Acquisition
    preferential_credit: bool = False  # bought with a long-term preferential housing credit
    disposed_on: date | None = None
    disposed_by: Disposal | None = None
    counterparty: str | None = None  # IIN or BIN of the other side of the disposal, when known


class Basis(StrEnum):
    OWNER = "owner"
    FAMILY_OF_OWNER = "family_of_owner"
    TENANT_STATE_FUND = "tenant_state_fund"  # a tenant in the state fund or of akimat-rented housing
    TENANT_PRIVATE = "tenant_private"
    LODGER = "lodger"  # moved in by the owner or tenant, not family (§15.5)


@dataclass(frozen=True, slots=True)
class Residence:
    """Address register: where a person is (or was) registered, on what basis, since when."""

    iin: str
    locality: str
    address: str
    registered_from: date
    registered_to: date | None = None  # None: current
    dwelling: str | None = None  # cadastral_no, when the registry knows the dwelling
    basis: Basis = Basis.OWNER
    host_iin: str | None = None  # the owner/tenant who registered a lodger or family member
    left_voluntarily: bool = False  # deregistered on the person's own application


class VulnerableGroup(StrEnum):
    """Law "On housing relations" art. 68 (2014 edition; the numbering is reconstructed)."""

    WW2_VETERAN = "ww2_veteran"  # 1) participants and invalids of the Great Patriotic War
    WW2_EQUATED = "ww2_equated"  # 1-1) persons equated to them
    DISABLED_1_2 = "disabled_1_2"  # 2) invalids of groups I and II
    FAMILY_WITH_DISABLED_CHILDREN = "family_with_disabled_children"  # 3)
    CHRONIC_DISEASE = "chronic_disease"  # 4) severe forms of certain chronic diseases
    PENSIONER = "pensioner"  # 5) age pensioners
    ORPHAN = "orphan"  # 6) orphans and children left without parental care, under 29
    KANDAS = "kandas"  # 7) oralmans (kandases)
    EMERGENCY_VICTIM = "emergency_victim"  # 8) lost their dwelling in an ecological disaster or emergency
    LARGE_FAMILY = "large_family"  # 9)
    DUTY_DEATH_FAMILY = "duty_death_family"  # 10) families of persons who died on state or public duty
    SINGLE_PARENT = "single_parent"  # 11) single-parent families


@dataclass(frozen=True, slots=True)
class SocialStatus:
    """Membership of a socially vulnerable group, with the confirming document."""

    iin: str
    group: VulnerableGroup
    since: date
    until: date | None
    document_no: str
    monthly_income_per_member: int | None = None  # KZT, average over the 12 months before


class EmploymentCategory(StrEnum):
    """§14: certificate from the place of work for these (Law art. 67 p.1 3))."""

    CIVIL_SERVANT = "civil_servant"
    BUDGET_EMPLOYEE = "budget_employee"
    MILITARY = "military"
    SPECIAL_STATE_BODY = "special_state_body"
    ELECTED_OFFICIAL = "elected_official"


@dataclass(frozen=True, slots=True)
class Employment:
    iin: str
    category: EmploymentCategory
    employer_bin: str
    employer_name: str
    position: str
    since: date
    until: date | None = None


@dataclass(frozen=True, slots=True)
class PowerOfAttorney:
    """БНАЖ: a power of attorney."""

    number: str  # unique
    principal_iin: str
    attorney_iin: str
    issued_on: date
    valid_until: date
    covers_service: bool  # covers applying for this state service
    notarised: bool
    notary: str | None
    revoked_on: date | None = None


@dataclass(frozen=True, slots=True)
class CourtDecision:
    """A court decision recognising other persons as the applicant's family members (§14)."""

    case_no: str  # unique
    court: str
    decided_on: date
    iin: str  # the applicant
    family_member_iin: str


@dataclass(frozen=True, slots=True)
class Persona:
    """A synthetic person chosen to exercise rules, with the trait names testers rely on."""

    iin: str
    traits: tuple[str, ...]
    note: str = ""


@dataclass
class Population:
    """Everything the generator makes for one batch (households are never split across batches)."""

    persons: list[Person] = field(default_factory=list)
    family: list[FamilyLink] = field(default_factory=list)
    civil_events: list[CivilEvent] = field(default_factory=list)
    dwellings: list[Dwelling] = field(default_factory=list)
    ownerships: list[Ownership] = field(default_factory=list)
    residences: list[Residence] = field(default_factory=list)
    social: list[SocialStatus] = field(default_factory=list)
    employment: list[Employment] = field(default_factory=list)
    powers: list[PowerOfAttorney] = field(default_factory=list)
    court_decisions: list[CourtDecision] = field(default_factory=list)
    personas: list[Persona] = field(default_factory=list)
