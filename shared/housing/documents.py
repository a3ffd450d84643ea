"""Regulation §14: which documents an application needs, by channel and by what the applicant
declares and the registries know. One rule, used where documents are asked for (the portal's draft,
the Center's intake) and where they are checked (the provider's Condition 3, §18).

What the state registries hold is fetched, not asked for; copies are required only of what they do
not hold: marriages and divorces registered before 1 June 2008, deaths and births before 13 August
2007. The Kazakh text fetches marriages "after 1 July 2008"; a marriage in June 2008 is in neither
list, so we ask for its copy (the registries cannot supply it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from shared.housing.application import ApplicationDocument, AttachmentKind

MARRIAGES_IN_REGISTRY_FROM = date(2008, 7, 1)
VITAL_EVENTS_IN_REGISTRY_FROM = date(2007, 8, 13)
GROUPS_PROVING_BY_DOCUMENT = ("kandas", "emergency_victim", "duty_death_family")
"""§14.2 (portal): these groups attach an e-copy of the document confirming the group."""
GROUPS_WITHOUT_INCOME_TEST = ("orphan", "family_with_disabled_children")
"""§14.1 (Center): no income certificate for orphans, children left without parental care, disabled children."""

Channel = Literal["portal", "center"]
CivilEventKind = Literal["marriage", "divorce", "birth", "death"]


@dataclass(frozen=True, slots=True)
class CivilEvent:
    kind: CivilEventKind
    registered_on: date


@dataclass(frozen=True, slots=True)
class Requirement:
    kind: AttachmentKind
    reason: str
    paragraph: str = "§14"


def required_documents(
    *,
    channel: Channel,
    categories: Iterable[str],
    vulnerable_groups: Iterable[str] = (),
    civil_events: Iterable[CivilEvent] = (),
) -> list[Requirement]:
    """The attachments §14 requires for this applicant (one entry per kind, in a stable order)."""
    categories, groups = set(categories), set(vulnerable_groups)
    needed: dict[str, Requirement] = {}

    def need(kind: AttachmentKind, reason: str, paragraph: str = "§14") -> None:
        needed.setdefault(kind, Requirement(kind, reason, paragraph))

    if channel == "center":
        need("identity_document", "the identity document, shown in original and scanned", "§14.1")
    for event in civil_events:
        if event.kind in ("marriage", "divorce") and event.registered_on < MARRIAGES_IN_REGISTRY_FROM:
            need("marriage_certificate", f"{event.kind} registered on {event.registered_on} is not in the registry")
        if event.kind == "death" and event.registered_on < VITAL_EVENTS_IN_REGISTRY_FROM:
            need("death_certificate", f"death registered on {event.registered_on} is not in the registry")
        if event.kind == "birth" and event.registered_on < VITAL_EVENTS_IN_REGISTRY_FROM:
            need("birth_certificate", f"birth registered on {event.registered_on} is not in the registry")
    if "employee" in categories:
        need("employment_certificate", "certificate from the place of work (service)")
    if "cosmonaut" in categories:
        need("cosmonaut_status", "the Government's document confirming the status")
    if "emergency_dwelling" in categories:
        need("emergency_finding", "the finding that the only dwelling is in emergency condition")
    if "substandard_dwelling" in categories:
        need("authority_certificate", "the relevant authorized body's certificate on the dwelling or the disease")
    if channel == "portal" and groups & set(GROUPS_PROVING_BY_DOCUMENT):
        need("vulnerable_group_document", "the document confirming the socially vulnerable group", "§14.2")
    if channel == "center" and "vulnerable" in categories and groups - set(GROUPS_WITHOUT_INCOME_TEST):
        need("income_certificate", "income per family member over the 12 months before applying", "§14.1")
    return list(needed.values())


def missing_documents(application: ApplicationDocument, civil_events: Iterable[CivilEvent]) -> list[Requirement]:
    """What §14 requires of this application that is not attached (§18 Condition 3 / Process 7)."""
    attached = {a.kind for a in application.attachments}
    required = required_documents(
        channel=application.channel,
        categories=application.categories,
        vulnerable_groups=application.vulnerable_groups,
        civil_events=civil_events,
    )
    return [r for r in required if r.kind not in attached]


def family_events(
    *,
    applicant: str,
    household: Mapping[str, str],
    relatives: Iterable[Mapping[str, Any]],
    records: Iterable[Mapping[str, Any]],
) -> list[CivilEvent]:
    """The civil-status records §14 asks copies of when they are old enough: marriages and divorces
    of the applicant or a household spouse, births of the applicant's or the household's children
    (never the applicant's own), deaths of family members. ``household``: IIN → relation as the
    application declares it; ``relatives``: the individuals registry's family links of the applicant
    ({iin, relation, …}); ``records``: civil-status registry events ({record_no, kind, registered_on,
    parties: [{role, iin}]}) of the applicant, the household and dead relatives. Each record once,
    oldest first. The portal's draft and the provider's Condition 3 both use this, so they agree."""
    links = list(relatives)
    spouses = {applicant} | {iin for iin, relation in household.items() if relation == "spouse"}
    children = (
        {iin for iin, relation in household.items() if relation == "child"}
        | {str(r["iin"]) for r in links if r.get("relation") == "child"}
    ) - {applicant}
    family = {str(r["iin"]) for r in links} | set(household)
    wanted = {"marriage": spouses, "divorce": spouses, "birth": children, "death": family}
    role_of = {"marriage": "spouse", "divorce": "spouse", "birth": "child", "death": "deceased"}
    found: dict[str, CivilEvent] = {}
    for record in records:
        kind = record.get("kind")
        if kind not in wanted or record["record_no"] in found:
            continue
        if any(p["role"] == role_of[kind] and p["iin"] in wanted[kind] for p in record.get("parties", [])):
            found[record["record_no"]] = CivilEvent(kind, date.fromisoformat(record["registered_on"]))
    return sorted(found.values(), key=lambda e: (e.registered_on, e.kind))
