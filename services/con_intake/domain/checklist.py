"""The §14 item 1 checklist at the Center (architecture §11): from the applicant's categories, groups and
the civil-status records the registries hold, what the operator asks the visitor for — the originals
to show and the copies to bring — by the one §14 rule the portal's draft and the provider's Condition 3
use (`shared.housing.documents.required_documents`, channel ``center``). The operator marks what was
presented (`missing`); what is not is the Annex 5 refusal's list (§16).

Originals and copies (§14 item 1): the identity document is shown in the original, for
identification, and scanned («түпнұсқасы ұсынылады»); every other document on the list is a copy the
visitor brings (a certificate, whose copy the operator scans). What the registries hold (identity
documents, marriages after 1 July 2008, deaths and births after 13 August 2007, ownership, addresses,
the groups they confirm) is fetched, never asked for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.housing.documents import CivilEvent, Requirement, required_documents

NAMES_KK: dict[str, str] = {
    "identity_document": "Жеке басын куәландыратын құжат (түпнұсқасы)",
    "marriage_certificate": "Неке қию (бұзу) туралы куәліктің көшірмесі",
    "death_certificate": "Отбасы мүшесінің қайтыс болуы туралы куәліктің көшірмесі",
    "birth_certificate": "Баланың туу туралы куәлігінің көшірмесі",
    "employment_certificate": "Жұмыс орнынан (қызметтен) анықтама",
    "cosmonaut_status": "Ғарышкер мәртебесін растайтын Үкімет берген құжаттар",
    "emergency_finding": (
        "Жалғыз тұрғын үйдің авариялық жағдайда деп танылғаны туралы жергілікті атқарушы органның анықтамасы"
    ),
    "authority_certificate": "Тиісті уәкілетті органның анықтамасы",
    "vulnerable_group_document": "Халықтың әлеуметтік осал тобына жататынын растайтын құжат",
    "income_certificate": "Соңғы он екі ай ішінде отбасының әрбір мүшесіне шаққандағы табысы туралы анықтама",
}
"""Each document's name as the receipts list it (the words of §14 item 1)."""


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the checklist: the document, whether its original is shown or a copy brought, why."""

    kind: str
    name: str
    original: bool
    reason: str
    paragraph: str


def checklist(
    *, categories: Iterable[str], vulnerable_groups: Iterable[str] = (), civil_events: Iterable[CivilEvent] = ()
) -> list[Item]:
    """What the Center asks this visitor for (§14 item 1), in the rule's order."""
    required = required_documents(
        channel="center", categories=categories, vulnerable_groups=vulnerable_groups, civil_events=civil_events
    )
    return [_item(r) for r in required]


def _item(requirement: Requirement) -> Item:
    kind = str(requirement.kind)
    return Item(kind, NAMES_KK.get(kind, kind), kind == "identity_document", requirement.reason, requirement.paragraph)


def missing(items: Iterable[Item], presented: Iterable[str]) -> list[Item]:
    """The checklist's documents not presented (the Annex 5 list; empty: the set is complete)."""
    shown = set(presented)
    return [i for i in items if i.kind not in shown]
