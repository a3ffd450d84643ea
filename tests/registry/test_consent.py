"""The consent a registry query rests on (architecture §9; shared/consent.py): security finding 9 ("Registry
mirrors take any string as consent") reproduced and refused. On the sync channel a query carries a signed
consent — a service's ``registry/consent@1`` attestation, or the signed application — which the registries
check against the authenticated requester and the person asked about; the HTTP mirrors stay open to
testers in test mode only, and say so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from sqlmodel import col, select

from services.registry_stub.models import FamilyLinkRow, PersonRow, PowerOfAttorneyRow, QueryLogRow
from shared.bus.proof import Gatekeeper
from shared.consent import APPLICATION_VALIDITY, CONSENT_TYPE, reference
from shared.eds.document import Author
from shared.eds.signing import sign
from shared.errors import AppError
from shared.housing.application import Address, Applicant, ApplicationDocument, Consents, HouseholdMember
from shared.participants import CENTER, PORTAL, PROVIDER
from shared.registries import RegistryClient
from tests.support.consent import attested
from tests.support.pki import new_iin
from tests.support.services import InProcess, running

pytestmark = pytest.mark.asyncio(loop_scope="module")
AS_OF = date(2026, 11, 1)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[InProcess]:
    async with running(tmp_path_factory.mktemp("consent"), population_size=400, population_as_of=AS_OF) as world:
        yield world


def client(env: InProcess, service: str = "portal_gateway") -> RegistryClient:
    return RegistryClient(env.bus, sealer=env.sealer(service), gatekeeper=Gatekeeper(env.verifier()))


async def persona(env: InProcess, trait: str) -> str:
    answer = await env.registry.get("/api/v1/personas", params={"trait": trait, "limit": 1})
    assert answer.status_code == 200 and answer.json(), trait
    return str(answer.json()[0]["iin"])


async def family_of(env: InProcess, iin: str) -> list[str]:
    async with env.registry_app.state.runtime.db.sessions() as session:
        links = (await session.exec(select(FamilyLinkRow).where(FamilyLinkRow.iin == iin))).all()
    return [link.relative_iin for link in links]


async def stranger_to(env: InProcess, iin: str, *others: str) -> str:
    """Someone the registry knows who is not ``iin`` nor of ``iin``'s family (nor one of ``others``)."""
    family = {iin, *others, *await family_of(env, iin)}
    async with env.registry_app.state.runtime.db.sessions() as session:
        people = (await session.exec(select(PersonRow.iin).where(col(PersonRow.iin).not_in(family)).limit(1))).all()
    return str(people[0])


async def refused(ask: Any) -> AppError:
    with pytest.raises(AppError) as caught:
        await ask
    return caught.value


async def logged(env: InProcess, issue: str) -> list[QueryLogRow]:
    async with env.registry_app.state.runtime.db.sessions() as session:
        return list((await session.exec(select(QueryLogRow).where(QueryLogRow.application == issue))).all())


# -- finding 9 ---------------------------------------------------------------------------------------------


async def test_finding_9_a_consent_x_on_the_sync_channel_is_refused_and_logged(env: InProcess) -> None:
    owner = await persona(env, "owns_dwelling")
    error = await refused(client(env).ask("real-estate", {"iin": owner}, consent="x", issue="F9"))  # type: ignore[arg-type]
    assert error.code == "CONSENT_INVALID"
    assert [(r.query, r.consent, r.outcome) for r in await logged(env, "F9")] == [
        ("real-estate", "x", "CONSENT_INVALID")
    ]


async def test_finding_9_outside_test_mode_the_mirror_refuses_x(tmp_path_factory: pytest.TempPathFactory) -> None:
    async with running(tmp_path_factory.mktemp("ra-mode"), nca_test_mode=False, population_size=73) as ra:
        owner = await persona(ra, "owns_dwelling")
        response = await ra.registry.get(f"/api/v1/persons/{owner}/real-estate", params={"consent": "x"})
        assert response.status_code == 403 and response.json()["error"]["code"] == "FORBIDDEN"
        assert "cadastral_no" not in response.text
        # the sync channel still answers, under a signed consent
        consent = await attested(ra.credentials("portal_gateway"), owner)
        answer = await client(ra).ask("real-estate", {"iin": owner}, consent=consent)
        assert answer.result["iin"] == owner


async def test_in_test_mode_the_mirror_answers_any_consent_and_says_so(env: InProcess) -> None:
    owner = await persona(env, "owns_dwelling")
    response = await env.registry.get(f"/api/v1/persons/{owner}/real-estate", params={"consent": "x"})
    assert response.status_code == 200 and response.json()["answer"]["result"]["dwellings"]
    openapi = (await env.registry.get("/openapi.json")).json()
    mirror = openapi["paths"]["/api/v1/persons/{iin}/real-estate"]["get"]
    assert "Test mode only" in mirror["description"] and "sync channel checks consent" in mirror["description"]
    consent = next(p for p in mirror["parameters"] if p["name"] == "consent")
    assert consent["description"].startswith("TEST MODE ONLY")


# -- attestations ---------------------------------------------------------------------------------------------


async def test_a_services_attestation_covers_the_person_and_their_family(env: InProcess) -> None:
    iin = await persona(env, "marriage_before_2008")
    [spouse, *_] = await family_of(env, iin)
    consent = await attested(env.credentials("portal_gateway"), iin)
    own = await client(env).ask("real-estate", {"iin": iin}, consent=consent, issue="ATT-OK")
    theirs = await client(env).ask("civil-status", {"iin": spouse}, consent=consent, issue="ATT-OK")
    assert (own.result["iin"], theirs.result["iin"]) == (iin, spouse)
    rows = await logged(env, "ATT-OK")
    assert {r.consent for r in rows} == {reference(consent)} and {r.outcome for r in rows} == {"ok"}
    assert rows[0].consent and rows[0].consent.startswith(f"{CONSENT_TYPE} ") and "sha256:" in rows[0].consent


async def test_another_citizens_consent_is_refused(env: InProcess) -> None:
    iin = await persona(env, "marriage_before_2008")
    other = await stranger_to(env, iin)
    consent = await attested(env.credentials("portal_gateway"), iin)
    error = await refused(client(env).ask("real-estate", {"iin": other}, consent=consent))
    assert error.code == "CONSENT_NOT_APPLICABLE"


async def test_a_consent_given_to_another_requester_is_refused(env: InProcess) -> None:
    iin = await persona(env, "owns_dwelling")
    centers = await attested(env.credentials("con_intake"), iin, service="con_intake")
    error = await refused(client(env, "portal_gateway").ask("real-estate", {"iin": iin}, consent=centers))
    assert error.code == "CONSENT_NOT_APPLICABLE" and error.details["consent_for"] == CENTER.bin


async def test_an_expired_attestation_is_refused(env: InProcess) -> None:
    iin = await persona(env, "owns_dwelling")
    old = await attested(env.credentials("portal_gateway"), iin, issued_at=datetime.now(UTC) - timedelta(minutes=16))
    error = await refused(client(env).ask("real-estate", {"iin": iin}, consent=old))
    assert error.code == "CONSENT_EXPIRED", error.details


async def test_an_attestation_valid_longer_than_15_minutes_is_no_consent(env: InProcess) -> None:
    iin = await persona(env, "owns_dwelling")
    long = sign(  # hand-made: the type refuses it, so the registries see no consent of theirs
        {
            "type": CONSENT_TYPE,
            "id": "7b0c5d8e-0000-4000-8000-000000000001",
            "created_at": "2026-01-01T00:00:00Z",
            "author": {"bin": PORTAL.bin},
            "subject_iin": iin,
            "requester_bin": PORTAL.bin,
            "purpose": "housing-queue",
            "identified_by": "eds",
            "issued_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "expires_at": (datetime.now(UTC) + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        await env.credentials("portal_gateway").signer(),
    )
    error = await refused(client(env).ask("real-estate", {"iin": iin}, consent=long))
    assert error.code == "CONSENT_INVALID" and error.details["code"] == "EDS_MALFORMED"


async def test_an_attestation_signed_by_an_individual_is_refused(env: InProcess) -> None:
    iin = await persona(env, "owns_dwelling")
    consent = await attested(await env.pki.issue(iin), iin)  # the citizen's own key, not the portal's
    error = await refused(client(env).ask("real-estate", {"iin": iin}, consent=consent))
    assert error.code == "CONSENT_INVALID" and error.details["code"] == "EDS_IIN_MISMATCH"


async def test_an_attestation_signed_by_another_service_is_refused(env: InProcess) -> None:
    iin = await persona(env, "owns_dwelling")
    forged = await attested(env.credentials("con_intake"), iin, service="portal_gateway")  # names the portal
    error = await refused(client(env, "portal_gateway").ask("real-estate", {"iin": iin}, consent=forged))
    assert error.code == "CONSENT_INVALID" and error.details["code"] == "EDS_IIN_MISMATCH"


async def test_an_attestation_signed_by_an_employee_of_the_requester_is_refused(env: InProcess) -> None:
    """Only the requesting service's system certificate attests: not a person working there."""
    iin = await persona(env, "owns_dwelling")
    subject = {"bin": PORTAL.bin, "organization": PORTAL.organization}
    employee = await env.pki.issue(new_iin(), holder="employee", subject=subject)
    error = await refused(client(env).ask("real-estate", {"iin": iin}, consent=await attested(employee, iin)))
    assert error.code == "CONSENT_INVALID" and error.details["signer"]["holder"] == "employee"


async def test_a_tampered_or_unsigned_consent_is_refused(env: InProcess) -> None:
    iin = await persona(env, "owns_dwelling")
    other = await stranger_to(env, iin)
    consent = await attested(env.credentials("portal_gateway"), iin)
    forged = await attested(env.credentials("portal_gateway"), other)
    spliced = {"payload": forged["payload"], "signatures": consent["signatures"]}
    assert (await refused(client(env).ask("person", {"iin": other}, consent=spliced))).code == "CONSENT_INVALID"
    unsigned = {"payload": consent["payload"], "signatures": []}
    assert (await refused(client(env).ask("person", {"iin": iin}, consent=unsigned))).code == "CONSENT_INVALID"
    assert (await refused(client(env).ask("person", {"iin": iin}, consent={}))).code == "CONSENT_REQUIRED"


async def test_an_unproven_attestation_covers_only_the_person_query_about_the_person(env: InProcess) -> None:
    iin = await persona(env, "marriage_before_2008")
    [spouse, *_] = await family_of(env, iin)
    claimed = await attested(env.credentials("portal_gateway"), iin, identified_by="claimed")
    assert (await client(env).ask("person", {"iin": iin}, consent=claimed)).result["iin"] == iin
    assert (await client(env).ask("mobile-phone", {"iin": iin}, consent=claimed)).result["iin"] == iin
    for query, subject in (("real-estate", iin), ("civil-status", iin), ("person", spouse)):
        error = await refused(client(env).ask(query, {"iin": subject}, consent=claimed))
        assert error.code == "CONSENT_NOT_APPLICABLE", (query, subject)


async def test_a_family_members_mobile_number_is_not_covered(env: InProcess) -> None:
    iin = await persona(env, "marriage_before_2008")
    [spouse, *_] = await family_of(env, iin)
    consent = await attested(env.credentials("portal_gateway"), iin, identified_by="sms")
    error = await refused(client(env).ask("mobile-phone", {"iin": spouse}, consent=consent))
    assert error.code == "CONSENT_NOT_APPLICABLE"


async def test_a_power_of_attorney_is_asked_about_under_its_principals_or_attorneys_consent(env: InProcess) -> None:
    principal = await persona(env, "poa:valid")
    async with env.registry_app.state.runtime.db.sessions() as session:
        poa = (
            await session.exec(select(PowerOfAttorneyRow).where(PowerOfAttorneyRow.principal_iin == principal))
        ).first()
    assert poa is not None
    mine = await attested(env.credentials("con_intake"), principal, service="con_intake")
    center = client(env, "con_intake")
    assert (await center.ask("power-of-attorney", {"number": poa.number}, consent=mine)).result["number"] == poa.number
    someone = await attested(env.credentials("con_intake"), await stranger_to(env, principal), service="con_intake")
    error = await refused(center.ask("power-of-attorney", {"number": poa.number}, consent=someone))
    assert error.code == "CONSENT_NOT_APPLICABLE"


# -- the signed application ----------------------------------------------------------------------------------


async def application_of(env: InProcess, iin: str, *, household: list[str], **fields: Any) -> ApplicationDocument:
    applicant = Applicant(
        iin=iin,
        surname="ТЕСТОВ",
        given_name="ТЕСТ",
        address=Address(locality="karaganda", district="karaganda", address="—"),
    )
    return ApplicationDocument(
        author=Author(iin=iin),
        channel="portal",
        district="karaganda",
        applicant=applicant,
        household=[HouseholdMember(iin=h, relation="other") for h in household],
        consents=Consents(communal_fund_check=True, legally_protected_information=True),
        **fields,
    )


async def test_the_signed_application_is_the_providers_consent(env: InProcess) -> None:
    iin = await persona(env, "marriage_before_2008")
    [relative, *_] = await family_of(env, iin)
    listed = await stranger_to(env, iin)  # named in the household, though the registry links them not
    signed = sign(await application_of(env, iin, household=[listed]), await env.pki.issue(iin))
    provider = client(env, "provider")
    for subject in (iin, relative, listed):
        assert (await provider.ask("civil-status", {"iin": subject}, consent=signed)).result["iin"] == subject
    outsider = await stranger_to(env, iin, listed)
    error = await refused(provider.ask("civil-status", {"iin": outsider}, consent=signed))
    assert error.code == "CONSENT_NOT_APPLICABLE"


async def test_an_application_is_no_consent_for_another_requester(env: InProcess) -> None:
    iin = await persona(env, "owns_dwelling")
    signed = sign(await application_of(env, iin, household=[]), await env.pki.issue(iin))
    error = await refused(client(env, "portal_gateway").ask("real-estate", {"iin": iin}, consent=signed))
    assert error.code == "CONSENT_NOT_APPLICABLE" and error.details["consent_for"] == PROVIDER.bin


async def test_an_application_signed_by_someone_else_is_refused(env: InProcess) -> None:
    iin = await persona(env, "owns_dwelling")
    signed = sign(await application_of(env, iin, household=[]), await env.pki.issue(new_iin()))
    error = await refused(client(env, "provider").ask("real-estate", {"iin": iin}, consent=signed))
    assert error.code == "CONSENT_INVALID" and error.details["code"] == "EDS_IIN_MISMATCH"


async def test_an_old_application_is_an_expired_consent(env: InProcess) -> None:
    iin = await persona(env, "owns_dwelling")
    made = datetime.now(UTC).replace(microsecond=0) - APPLICATION_VALIDITY - timedelta(days=1)
    signer = await env.pki.issue(iin, not_before=(made - timedelta(days=1)).isoformat())
    signed = sign(await application_of(env, iin, household=[], created_at=made), signer, signed_at=made)
    error = await refused(client(env, "provider").ask("real-estate", {"iin": iin}, consent=signed))
    assert error.code == "CONSENT_EXPIRED", error.details
