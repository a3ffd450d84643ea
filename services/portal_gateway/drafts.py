"""The form (§18 Process 3; Annex 3): the application the citizen signs, pre-filled with what the
state registries know (§14: fetched, not asked for), so the citizen adds only what they cannot
supply: categories the registries do not show, e-copies, an e-mail address.

Only for an account whose identity is proven (an EDS login or a one-time SMS code to the number in the
mobile-citizens database, accounts.py): anyone may register a password account with anyone's IIN, and the
registries' answers — the address, the household's IINs and birth dates — are the person's, not the
account's. An unproven token gets IDENTITY_NOT_PROVEN, saying how to prove it (`require_identity_proven`),
before anything is asked or shown.

Making the draft is registry queries only, so `make_draft` takes no session: the caller checks the
referenced e-copies and reads the account's e-mail address first. Registry queries are made under the
portal's consent attestation (`accounts.consent_of`, ``registry/consent@1`` signed with the portal's system
credentials: the citizen's own data at their own request, identified by how their identity was proven), one
per draft; the registries let it cover the citizen and the family they link to them."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from services.portal_gateway.accounts import consent_of, living_person
from shared.calendar import local_day, utcnow
from shared.consent import Method
from shared.eds.credentials import SignerSource
from shared.errors import AppError
from shared.geo import DISTRICT_BY_CODE
from shared.housing import prefill
from shared.housing.application import ApplicationDocument, Attachment
from shared.housing.documents import Requirement, family_events, missing_documents, required_documents
from shared.participants import user_id
from shared.registries import RegistryClient

HOW_TO_PROVE = [
    {
        "method": "eds",
        "steps": ["POST /api/v1/auth/challenge {iin}", "sign it with your AUTH key", "POST /api/v1/auth/eds {signed}"],
    },
    {
        "method": "sms",
        "steps": [
            "POST /api/v1/auth/sms-code {iin}: a code to the number the mobile citizens database holds for your IIN",
            "POST /api/v1/auth/sms-code/confirm {iin, code}",
        ],
    },
]


def require_identity_proven(proven: bool) -> None:
    """IDENTITY_NOT_PROVEN, saying why and how to prove it, unless the citizen's token is proven."""
    if not proven:
        raise AppError(
            "IDENTITY_NOT_PROVEN",
            {
                "identity_proven": False,
                "reason": "the draft is pre-filled with the registries' data on the IIN's person (address, household "
                "members), which only that person may see: prove this account is yours, then use the new token",
                "how": HOW_TO_PROVE,
            },
        )


@dataclass(frozen=True)
class DraftRequest:
    """What the citizen may give; everything left out is taken from the registries."""

    district: str | None = None
    categories: list[str] | None = None
    vulnerable_groups: list[str] | None = None
    employment_categories: list[str] | None = None
    attachments: list[Attachment] | None = None
    email: str | None = None


@dataclass(frozen=True)
class Draft:
    document: dict[str, Any]
    required: list[Requirement]
    missing: list[Requirement]


@dataclass(frozen=True)
class _Asker:
    """Registry queries on behalf of ``iin`` (under their consent, with their user id)."""

    client: RegistryClient
    iin: str
    consent: dict[str, Any]

    async def ask(self, query: str, subject_iin: str) -> dict[str, Any]:
        answer = await self.client.ask(query, {"iin": subject_iin}, consent=self.consent, user_id=user_id(self.iin))
        return answer.result

    async def many(self, query: str, iins: list[str]) -> list[dict[str, Any]]:
        return list(await asyncio.gather(*(self.ask(query, iin) for iin in iins)))


async def make_draft(
    *,
    registries: RegistryClient,
    credentials: SignerSource,
    iin: str,
    identified_by: Method,
    request: DraftRequest,
    account_email: str | None,
) -> Draft:
    """The exact document to sign (its JSON round-trips through ApplicationDocument), with the §14
    attachments it needs and those it still lacks. ``request.attachments`` must have been checked
    (`attachments.check_references`); ``account_email`` is used when the request gives none. The registries
    are asked under the portal's attestation (``credentials``) that ``iin`` asks, ``identified_by`` (``eds`` or
    ``sms``: `accounts.proof_of`)."""
    consent = await consent_of(credentials, iin, identified_by=identified_by)
    person = await living_person(registries=registries, iin=iin, consent=consent)
    asker = _Asker(registries, iin, consent)
    alive, dead = prefill.relatives_to_ask(person)
    social, employment, emergency, own_events, relatives, dead_events = await asyncio.gather(
        asker.ask("social-status", iin),
        asker.ask("employment", iin),
        asker.ask("emergency-dwellings", iin),
        asker.ask("civil-status", iin),
        asker.many("person", alive),
        asker.many("civil-status", dead),
    )
    today = local_day(utcnow())
    household = prefill.household(person, {r["iin"]: r for r in relatives}, today)
    household_events = await asker.many("civil-status", [m["iin"] for m in household])
    events = family_events(
        applicant=iin,
        household={m["iin"]: m["relation"] for m in household},
        relatives=person.get("family", []),
        records=[e for answer in (own_events, *household_events, *dead_events) for e in answer.get("events", [])],
    )
    known = prefill.categories(social, employment, emergency)
    email = request.email if request.email is not None else account_email
    document = _document(iin, person, household, known, request, email)
    application = ApplicationDocument.model_validate(document)
    required = required_documents(
        channel="portal",
        categories=application.categories,
        vulnerable_groups=application.vulnerable_groups,
        civil_events=events,
    )
    return Draft(document, required, missing_documents(application, events))


def _document(
    iin: str,
    person: dict[str, Any],
    household: list[dict[str, Any]],
    known: prefill.Categories,
    request: DraftRequest,
    email: str | None,
) -> dict[str, Any]:
    address = person.get("address") or {}
    district = request.district or address.get("district")
    if district not in DISTRICT_BY_CODE:
        raise AppError(
            "VALIDATION_FAILED",
            {
                "errors": [
                    {
                        "loc": ["body", "district"],
                        "msg": "the registries have no address of yours in the Karaganda region: name the city "
                        "or district (shared.geo code) whose housing department you apply to",
                    }
                ]
            },
        )
    groups = request.vulnerable_groups if request.vulnerable_groups is not None else known.vulnerable_groups
    jobs = request.employment_categories if request.employment_categories is not None else known.employment_categories
    categories = request.categories
    if categories is None:  # the registries' categories, with those the citizen's groups or jobs imply
        implied = [c for c, given in (("vulnerable", groups), ("employee", jobs)) if given]
        categories = list(dict.fromkeys([*known.categories, *implied]))
    values = {
        "id": str(uuid.uuid4()),
        "created_at": utcnow().replace(microsecond=0),
        "author": {"iin": iin},
        "channel": "portal",
        "district": district,
        "applicant": {
            "iin": iin,
            "surname": person["surname"],
            "given_name": person["given_name"],
            "patronymic": person.get("patronymic"),
            "address": {
                "locality": address.get("locality") or DISTRICT_BY_CODE[district].centre,
                "district": district,
                "address": address.get("address") or "",
            },
        },
        "categories": categories,
        "vulnerable_groups": groups if "vulnerable" in categories else [],
        "employment_categories": jobs if "employee" in categories else [],
        "household": household,
        "consents": {"communal_fund_check": True, "legally_protected_information": True},
        "attachments": [a.model_dump() for a in request.attachments or []],
        "email": email,
    }
    try:
        return ApplicationDocument.model_validate(values).to_json()
    except ValidationError as exc:
        errors = [{"loc": ["body", *map(str, e["loc"])], "msg": e["msg"]} for e in exc.errors()]
        raise AppError("VALIDATION_FAILED", {"errors": errors}) from None
