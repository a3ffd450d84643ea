"""The application for this state service as an e-document (Annex 3; architecture §4):
``housing-queue/application@1``. The portal drafts it, the citizen (or the Center's operator) signs
it, the regional gateway stamps it, the provider decides on it.

Every text has a length and every list a size it may not pass (architecture §7: an oversized
document is refused where it arrives, not copied into three databases). The bounds are far above
what the registries hold: the synthetic population's longest name is 14 characters, its longest
address 54, its largest household 7 people."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from shared.eds.document import EDocument
from shared.geo import DISTRICT_BY_CODE
from shared.iin import is_valid_iin


def _valid_iin(value: str) -> str:
    if not is_valid_iin(value):
        raise ValueError("not a valid IIN")
    return value


IIN_PATTERN = r"^\d{12}$"
Iin = Annotated[str, StringConstraints(pattern=IIN_PATTERN), AfterValidator(_valid_iin)]
"""An IIN with a real birth date, century digit and check digit (shared.iin)."""

MAX_NAME = 100
"""Characters of a surname, given name or patronymic."""
MAX_ADDRESS = 300
"""Characters of a street address (the registries' longest is 54)."""
MAX_HOUSEHOLD = 20
"""Family members living with the applicant (the registries' largest household is 7)."""
MAX_LIST = 20
"""Categories, vulnerable groups, employment categories: codes in one list."""
MAX_ATTACHMENTS = 50
"""E-copies referenced by one application."""
MAX_STATEMENT = 2000
"""Characters of the Annex 3 statement (the standard one is under 400)."""

Name = Annotated[str, StringConstraints(max_length=MAX_NAME)]
Code = Annotated[str, StringConstraints(max_length=64)]
"""A code: a district or locality (shared.geo), a category, a group."""

APPLICATION_TYPE = "housing-queue/application@1"
SERVICE_ID = "housing-queue"
SERVICE_NAMES = {
    "kk": "Мемлекеттік тұрғын үй қорынан берілетін тұрғын үйге немесе жеке тұрғын үй қорынан жергілікті атқарушы "
    "орган жалдаған тұрғын үйге мұқтаж азаматтарды есепке алу және кезекке қою, сондай-ақ жергілікті атқарушы "
    "органдардың тұрғын үй беру туралы шешім қабылдауы",
    "ru": "Постановка на учет и очередность граждан, нуждающихся в жилище из государственного жилищного фонда или "
    "жилище, арендованном местным исполнительным органом в частном жилищном фонде, и решение местных "
    "исполнительных органов о предоставлении жилища",
    "en": "Registration and queueing of citizens in need of housing from the state housing fund, or of housing "
    "rented by the local executive body in the private housing fund, and the local executive bodies' decision "
    "on providing housing",
}
"""The service's name as the regulation gives it (the portal's catalogue, the Center's receipts)."""
STATEMENT_KK = (
    "Мемлекеттік тұрғын үй қорынан тұрғын үйді немесе жеке тұрғын үй қорынан жергілікті атқарушы орган "
    "жалдаған тұрғын үйді алу үшін есепке қоюды сұраймын. Менің және менімен тұрақты тұратын отбасы "
    "мүшелерімнің осы елді мекенде коммуналдық тұрғын үй қорынан тұрақты пайдалануда тұрғын үйдің бар "
    "немесе жоқ екенін тексеруге қарсы емеспін."
)
"""Annex 3: the request and the consent to the check of communal-fund housing."""

# Why the applicant is in need and in which list (Law art. 67 p.1; Regulation §14).
Category = Literal[
    "vulnerable",  # a socially vulnerable group (art. 68): which one is in `vulnerable_groups`
    "employee",  # civil servant, budget employee, military, special state body, elected office
    "emergency_dwelling",  # the only dwelling is recognised as in emergency condition
    "substandard_dwelling",  # dwelling fails sanitary/technical norms, shared rooms, or a chronic disease
    "cosmonaut",  # candidates for cosmonaut and cosmonauts
]

AttachmentKind = Literal[
    "marriage_certificate",  # marriage/divorce before 1 June 2008 (§14)
    "death_certificate",  # death of a family member before 13 August 2007
    "birth_certificate",  # birth of a child before 13 August 2007
    "employment_certificate",  # from the place of work, for `employee`
    "cosmonaut_status",  # the Government's document, for `cosmonaut`
    "emergency_finding",  # the finding that the dwelling is in emergency condition
    "authority_certificate",  # of the relevant authorized body, for `substandard_dwelling`
    "vulnerable_group_document",  # kandases, emergency victims, families of those who died on duty
    "income_certificate",  # per family member, the 12 months before (Center only, §14.1)
    "identity_document",  # scanned at the Center
    "other",
]


class Attachment(BaseModel):
    """An e-copy, by reference: the bytes are stored by the service that received them and fetched
    by their SHA-256 (architecture §4)."""

    model_config = ConfigDict(extra="forbid")

    kind: AttachmentKind
    name: str = Field(min_length=1, max_length=200)
    media_type: str = Field(pattern=r"^[a-z]+/[a-z0-9.+-]+$", max_length=100)
    size: int = Field(ge=1, le=20 * 1024 * 1024)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locality: Code
    district: Code
    address: str = Field(max_length=MAX_ADDRESS)


class Applicant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iin: Iin
    surname: Name
    given_name: Name
    patronymic: Name | None = None
    address: Address


class HouseholdMember(BaseModel):
    """A family member permanently living with the applicant (as the registries know them)."""

    model_config = ConfigDict(extra="forbid")

    iin: Iin
    relation: Literal["spouse", "child", "parent", "other"]
    surname: Name | None = None
    given_name: Name | None = None
    birth_date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$", description="ISO 8601 date")


class Consents(BaseModel):
    """Both are required: the Annex 3 consent to the communal-fund check, and the §14 written consent
    to use information that is a secret protected by law."""

    model_config = ConfigDict(extra="forbid")

    communal_fund_check: Literal[True]
    legally_protected_information: Literal[True]


class Representative(BaseModel):
    """Someone applying under a notarised power of attorney (§14: "or their representative")."""

    model_config = ConfigDict(extra="forbid")

    iin: str = Field(pattern=IIN_PATTERN)
    power_of_attorney: str = Field(min_length=1, max_length=64)


class ApplicationDocument(EDocument):
    """Annex 3: to the head of the city/district housing department, from the citizen."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["housing-queue/application@1"] = "housing-queue/application@1"
    service: Literal["housing-queue"] = "housing-queue"
    channel: Literal["portal", "center"]
    district: Code = Field(description="the city or district whose housing department decides (shared.geo)")
    applicant: Applicant
    categories: list[Category] = Field(default_factory=list, max_length=MAX_LIST)
    vulnerable_groups: list[Code] = Field(default_factory=list, max_length=MAX_LIST)
    employment_categories: list[Code] = Field(default_factory=list, max_length=MAX_LIST)
    household: list[HouseholdMember] = Field(default_factory=list, max_length=MAX_HOUSEHOLD)
    consents: Consents
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    representative: Representative | None = None
    email: str | None = Field(default=None, max_length=200)
    statement: str = Field(default=STATEMENT_KK, max_length=MAX_STATEMENT)

    @field_validator("district")
    @classmethod
    def _district(cls, value: str) -> str:
        if value not in DISTRICT_BY_CODE:
            raise ValueError(f"not a city or district of the Karaganda region: {value!r}")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> ApplicationDocument:
        if ("vulnerable" in self.categories) != bool(self.vulnerable_groups):
            raise ValueError("category 'vulnerable' goes with at least one vulnerable group, and only with it")
        if ("employee" in self.categories) != bool(self.employment_categories):
            raise ValueError("category 'employee' goes with at least one employment category, and only with it")
        if self.channel == "portal" and (self.author.iin != self.applicant.iin or self.representative is not None):
            # §18: on the portal the request is signed with the recipient's own EDS; representatives
            # apply at the Center, where the operator signs (§19 Process 6).
            raise ValueError("on the portal the author is the applicant")
        return self
