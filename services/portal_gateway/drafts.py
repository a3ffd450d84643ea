"""The form (SPEC §8 Process 3; Annex 3): the application the citizen signs, pre-filled with what the
state registries know (Regulation §14: fetched, not asked for), so the citizen adds only what they
cannot supply: categories the registries do not show, e-copies, an e-mail address.

Registry queries are made with the consent reference ``portal-user:<iin>`` (the citizen's own data
at their own request; the Annex 3 consent covers the family members living with them)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from services.portal_gateway.accounts import consent_of, living_person
from services.portal_gateway.attachments import check_references
from services.portal_gateway.context import Portal
from services.portal_gateway.domain import prefill
from services.portal_gateway.domain.deadlines import local_day
from services.portal_gateway.models import Account
from shared.errors import AppError
from shared.geo import DISTRICT_BY_CODE
from shared.housing.application import ApplicationDocument, Attachment
from shared.housing.documents import Requirement, family_events, missing_documents, required_documents


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


class _Registries:
    def __init__(self, portal: Portal, iin: str) -> None:
        self.client, self.iin = portal.registries(), iin

    async def ask(self, query: str, subject_iin: str) -> dict[str, Any]:
        answer = await self.client.ask(
            query, {"iin": subject_iin}, consent=consent_of(self.iin), user_id=f"KZ{self.iin}"
        )
        return answer.result

    async def many(self, query: str, iins: list[str]) -> list[dict[str, Any]]:
        return list(await asyncio.gather(*(self.ask(query, iin) for iin in iins)))


async def draft(portal: Portal, *, iin: str, request: DraftRequest) -> Draft:
    """The exact document to sign (its JSON round-trips through ApplicationDocument), with the §14
    attachments it needs and those it still lacks."""
    if request.attachments:
        await check_references(portal, iin=iin, attachments=request.attachments)
    registries = _Registries(portal, iin)
    person = await living_person(portal, iin)
    alive, dead = prefill.relatives_to_ask(person)
    social, employment, emergency, own_events, relatives, dead_events = await asyncio.gather(
        registries.ask("social-status", iin), registries.ask("employment", iin),
        registries.ask("emergency-dwellings", iin), registries.ask("civil-status", iin),
        registries.many("person", alive), registries.many("civil-status", dead),
    )  # fmt: skip
    today = local_day(datetime.now(UTC))
    household = prefill.household(person, {r["iin"]: r for r in relatives}, today)
    household_events = await registries.many("civil-status", [m["iin"] for m in household])
    events = family_events(
        applicant=iin, household={m["iin"]: m["relation"] for m in household}, relatives=person.get("family", []),
        records=[e for answer in (own_events, *household_events, *dead_events) for e in answer.get("events", [])],
    )  # fmt: skip
    known = prefill.categories(social, employment, emergency)
    document = _document(iin, person, household, known, request, await _email(portal, iin, request))
    application = ApplicationDocument.model_validate(document)
    required = required_documents(
        channel="portal", categories=application.categories, vulnerable_groups=application.vulnerable_groups,
        civil_events=events,
    )  # fmt: skip
    return Draft(document, required, missing_documents(application, events))


async def _email(portal: Portal, iin: str, request: DraftRequest) -> str | None:
    if request.email is not None:
        return request.email
    async with portal.runtime.db.sessions() as session:
        account = await session.get(Account, iin)
    return account.email if account else None


def _document(
    iin: str, person: dict[str, Any], household: list[dict[str, Any]], known: prefill.Categories,
    request: DraftRequest, email: str | None,
) -> dict[str, Any]:  # fmt: skip
    address = person.get("address") or {}
    district = request.district or address.get("district")
    if district not in DISTRICT_BY_CODE:
        raise AppError("VALIDATION_FAILED", {"errors": [{"loc": ["body", "district"], "msg": "the registries have no address of yours in the Karaganda region: name the city or district (shared.geo code) whose housing department you apply to"}]})  # fmt: skip
    groups = request.vulnerable_groups if request.vulnerable_groups is not None else known.vulnerable_groups
    jobs = request.employment_categories if request.employment_categories is not None else known.employment_categories
    categories = request.categories
    if categories is None:  # the registries' categories, with those the citizen's groups or jobs imply
        implied = [c for c, given in (("vulnerable", groups), ("employee", jobs)) if given]
        categories = list(dict.fromkeys([*known.categories, *implied]))
    values = {
        "id": str(uuid.uuid4()),
        "created_at": datetime.now(UTC).replace(microsecond=0),
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
        },  # fmt: skip
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
