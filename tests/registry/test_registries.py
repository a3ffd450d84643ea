"""The state registries (§14, §15): what each one answers about the synthetic
personas, the refusals (invalid or unknown IIN, no consent, unusable power of attorney), the signed
answer carrying the request's hash, the sync channel, and the query log. The HTTP mirrors run in test
mode here (any consent text); the sync channel's queries carry signed consents (tests/registry/test_consent.py
has the consent rules)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager
from sqlmodel import select

from services.registry_stub.app import create_app
from services.registry_stub.config import RegistryStubSettings
from services.registry_stub.models import PowerOfAttorneyRow, QueryLogRow
from shared.bus.envelope import Envelope
from shared.bus.memory import InMemoryBus
from shared.bus.proof import Gatekeeper, Sealer
from shared.consent import reference
from shared.data.akimats import AKIMAT_BINS
from shared.eds.credentials import SystemCredentials
from shared.eds.revocation import RevocationSources
from shared.eds.trust import TrustStore
from shared.eds.verify import Verifier
from shared.errors import AppError
from shared.geo import DISTRICT_BY_CODE
from shared.participants import BY_SERVICE, CENTER, REGISTRIES, user_id
from shared.registries import RegistryClient, request_hash
from shared.service import ServiceRuntime
from tests.support.bus import Fixed
from tests.support.consent import attested
from tests.support.nca import RA_TOKEN
from tests.support.pki import NCA_URL, SwitchableFetcher

pytestmark = pytest.mark.asyncio(loop_scope="module")
AS_OF = date(2026, 11, 1)
FIVE_YEARS_AGO = AS_OF - timedelta(days=5 * 365 + 1)
CONSENT = "consent:written:CON-2026-0001"
"""What testers give the test-mode mirrors (any text)."""
CITIZEN = "900101300017"
"""Whom the sync channel's queries are made for (the user id of the envelope)."""
VULNERABLE = [
    "ww2_veteran",
    "ww2_equated",
    "disabled_1_2",
    "family_with_disabled_children",
    "chronic_disease",
    "pensioner",
    "orphan",
    "kandas",
    "emergency_victim",
    "large_family",
    "duty_death_family",
    "single_parent",
]
EMPLOYEE = ["civil_servant", "budget_employee", "military", "special_state_body", "elected_official"]
TRAITS = [
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
    *(f"vulnerable:{g}" for g in VULNERABLE),
    *(f"employee:{c}" for c in EMPLOYEE),
]


@dataclass
class Registry:
    http: httpx.AsyncClient
    bus: InMemoryBus
    runtime: ServiceRuntime
    verifier: Verifier
    _credentials: dict[str, SystemCredentials] = field(default_factory=dict)

    def credentials(self, service: str) -> SystemCredentials:
        """``service``'s system credentials (its system certificate from the NCA), one per service."""
        if service not in self._credentials:
            identity = BY_SERVICE[service].identity
            self._credentials[service] = SystemCredentials(NCA_URL, identity, ra_token=RA_TOKEN, client=self.http)
        return self._credentials[service]

    def client(self, service: str = "con_intake") -> RegistryClient:
        """A registries' client signing its queries as ``service`` (its system certificate from the NCA)."""
        sealer = Sealer(self.credentials(service), service)
        return RegistryClient(self.bus, sealer=sealer, gatekeeper=Gatekeeper(self.verifier))

    async def consent(self, iin: str, service: str = "con_intake") -> dict[str, Any]:
        """``service``'s attestation that ``iin`` consents (identified by EDS), signed by its credentials."""
        return await attested(self.credentials(service), iin, service=service)

    async def persona(self, trait: str) -> str:
        answer = await self.http.get("/api/v1/personas", params={"trait": trait, "limit": 1})
        assert answer.status_code == 200 and answer.json(), f"no persona with {trait}"
        return str(answer.json()[0]["iin"])

    async def ask(self, path: str, **params: str) -> httpx.Response:
        return await self.http.get(path, params={"consent": CONSENT, **params})

    async def result(self, path: str) -> dict[str, Any]:
        response = await self.ask(path)
        assert response.status_code == 200, response.text
        return response.json()["answer"]["result"]  # type: ignore[no-any-return]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def registry(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Registry]:
    path = tmp_path_factory.mktemp("registry") / "r.db"
    settings = RegistryStubSettings(
        database_url=f"sqlite+aiosqlite:///{path}",
        nca_test_mode=True,
        nca_ra_token=RA_TOKEN,
        population_size=400,
        population_as_of=AS_OF,
    )
    bus = InMemoryBus("registry-test")
    await bus.start()
    app = create_app(settings, bus=bus)
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=NCA_URL) as http:
            store = TrustStore.from_pem((await http.get("/nca/v1/chain.pem")).content)
            verifier = Verifier(store, RevocationSources(SwitchableFetcher(http)))
            yield Registry(http, bus, app.state.runtime, verifier)
    await bus.close()


@pytest.mark.parametrize("trait", TRAITS)
async def test_testers_find_a_persona_for_every_rule(registry: Registry, trait: str) -> None:
    assert await registry.persona(trait)


async def test_the_individuals_registry_gives_identity_address_and_family(registry: Registry) -> None:
    iin = await registry.persona("marriage_before_2008")
    response = await registry.ask(f"/api/v1/persons/{iin}")

    assert response.status_code == 200
    answer = response.json()["answer"]
    person = answer["result"]
    assert person["iin"] == iin and person["alive"] is True and person["surname"]
    assert person["address"]["district"] in DISTRICT_BY_CODE
    assert any(member["relation"] == "spouse" for member in person["family"])
    assert answer["author"] == {"bin": REGISTRIES.bin} and answer["registry"] == "individuals"


async def test_an_answer_is_signed_by_the_registries_system_certificate(registry: Registry) -> None:
    iin = await registry.persona("owns_dwelling")
    signed = (await registry.ask(f"/api/v1/persons/{iin}/real-estate")).json()["signed"]

    verified = await registry.verifier.verify(signed)
    assert (verified.author.role, verified.author.bin) == ("registry", REGISTRIES.bin)
    assert len(verified.payload["request_hash"]) == 128


async def test_an_invalid_iin_is_refused_before_anything_is_looked_up(registry: Registry) -> None:
    response = await registry.ask("/api/v1/persons/123456789012")
    assert response.status_code == 422 and response.json()["error"]["code"] == "IIN_INVALID"


async def test_an_unknown_iin_is_person_not_found(registry: Registry) -> None:
    response = await registry.ask("/api/v1/persons/871008401427")  # valid, not in the population
    assert response.status_code == 404 and response.json()["error"]["code"] == "PERSON_NOT_FOUND"


async def test_a_query_without_consent_is_refused(registry: Registry) -> None:
    """§14: written consent to use information that is a secret protected by law."""
    iin = await registry.persona("owns_dwelling")
    response = await registry.http.get(f"/api/v1/persons/{iin}")
    assert response.status_code == 403 and response.json()["error"]["code"] == "CONSENT_REQUIRED"


async def test_the_dead_are_reported_dead(registry: Registry) -> None:
    person = await registry.result(f"/api/v1/persons/{await registry.persona('dead')}")
    assert person["alive"] is False and person["death_date"]


async def test_a_marriage_before_june_2008_is_in_the_civil_status_registry(registry: Registry) -> None:
    events = (await registry.result(f"/api/v1/persons/{await registry.persona('marriage_before_2008')}/civil-status"))[
        "events"
    ]
    assert any(e["kind"] == "marriage" and e["registered_on"] < "2008-06-01" for e in events)


def _disposals(estate: dict[str, Any], since: date) -> list[dict[str, Any]]:
    return [
        {**t, "dwelling": d}
        for d in estate["dwellings"]
        for t in d["transactions"]
        if t["kind"] == "disposal" and t["date"] >= since.isoformat()
    ]


@pytest.mark.parametrize(
    ("trait", "types"),
    [("ground:exchange", {"exchange"}), ("ground:alienation", {"sale", "gift"}), ("ground:damage", {"destruction"})],
)
async def test_a_ground_persona_has_the_transaction_within_five_years(
    registry: Registry, trait: str, types: set[str]
) -> None:
    """§15.1–3: exchange, alienation, destruction through the owner's fault, within the last five years."""
    estate = await registry.result(f"/api/v1/persons/{await registry.persona(trait)}/real-estate")
    assert {t["type"] for t in _disposals(estate, FIVE_YEARS_AGO)} & types


async def test_the_buyback_exception_is_an_only_dwelling_bought_on_preferential_credit(registry: Registry) -> None:
    """§15.2 exception: the only dwelling, bought with a long-term preferential housing credit, bought
    back by the local executive body (a BIN of the akimats' directory) after a mortgage default."""
    estate = await registry.result(f"/api/v1/persons/{await registry.persona('exception:buyback')}/real-estate")
    [disposal] = [t for t in _disposals(estate, FIVE_YEARS_AGO)]
    assert disposal["type"] == "buyback" and disposal["counterparty"] in AKIMAT_BINS
    assert disposal["dwelling"]["transactions"][0]["preferential_credit"] is True
    assert estate["owns_now"] is False


async def test_leaving_a_state_fund_dwelling_shows_in_the_address_history(registry: Registry) -> None:
    """§15.4 (R15, as corrected): leaving a dwelling — here a state-fund tenancy — while not in need."""
    history = (await registry.result(f"/api/v1/persons/{await registry.persona('ground:left_dwelling')}/addresses"))[
        "history"
    ]
    assert any(r["basis"] == "tenant_state_fund" and r["left_voluntarily"] and r["registered_to"] for r in history)


async def test_the_address_answer_lists_whom_the_person_registered_as_host(registry: Registry) -> None:
    """§15.5: the lodger the persona registered is in the host's own address answer (``hosted``), with
    the registration as the lodger's history has it; someone who registered nobody has none."""
    host = await registry.persona("ground:moved_in_others")
    answer = await registry.result(f"/api/v1/persons/{host}/addresses")
    [lodger] = [r for r in answer["hosted"] if r["basis"] == "lodger"]
    assert lodger["host_iin"] == host and lodger["iin"] != host and lodger["registered_from"]
    own = (await registry.result(f"/api/v1/persons/{lodger['iin']}/addresses"))["history"]
    assert {k: v for k, v in lodger.items() if k != "iin"} in own
    dead = await registry.result(f"/api/v1/persons/{await registry.persona('dead')}/addresses")
    assert dead["hosted"] == []


async def test_owners_and_emergency_dwellings(registry: Registry) -> None:
    estate = await registry.result(f"/api/v1/persons/{await registry.persona('owns_dwelling')}/real-estate")
    assert estate["owns_now"] is True
    findings = await registry.result(
        f"/api/v1/persons/{await registry.persona('emergency_dwelling')}/emergency-dwellings"
    )
    assert findings["findings"] and findings["findings"][0]["finding_no"]


@pytest.mark.parametrize("group", VULNERABLE)
async def test_each_vulnerable_group_is_confirmed_by_the_social_registry(registry: Registry, group: str) -> None:
    statuses = (
        await registry.result(f"/api/v1/persons/{await registry.persona(f'vulnerable:{group}')}/social-status")
    )["statuses"]
    assert any(s["group"] == group and s["document_no"] for s in statuses)


@pytest.mark.parametrize("category", EMPLOYEE)
async def test_each_employment_category_is_confirmed(registry: Registry, category: str) -> None:
    jobs = (await registry.result(f"/api/v1/persons/{await registry.persona(f'employee:{category}')}/employment"))[
        "jobs"
    ]
    assert any(j["category"] == category and j["current"] for j in jobs)


async def _poa_of(registry: Registry, trait: str) -> PowerOfAttorneyRow:
    iin = await registry.persona(trait)
    async with registry.runtime.db.sessions() as session:
        rows = (await session.exec(select(PowerOfAttorneyRow).where(PowerOfAttorneyRow.principal_iin == iin))).all()
    wanted = {
        "poa:valid": lambda p: p.revoked_on is None and p.valid_until >= AS_OF,
        "poa:expired": lambda p: p.revoked_on is None and p.valid_until < AS_OF,
        "poa:revoked": lambda p: p.revoked_on is not None,
    }[trait]
    return next(p for p in rows if wanted(p))


@pytest.mark.parametrize(
    ("trait", "status", "code"), [("poa:expired", 422, "POA_EXPIRED"), ("poa:revoked", 422, "POA_REVOKED")]
)
async def test_a_power_of_attorney_that_cannot_be_relied_on_is_refused(
    registry: Registry, trait: str, status: int, code: str
) -> None:
    poa = await _poa_of(registry, trait)
    response = await registry.ask(f"/api/v1/powers-of-attorney/{poa.number}")
    assert response.status_code == status and response.json()["error"]["code"] == code


async def test_a_valid_power_of_attorney_names_principal_and_attorney(registry: Registry) -> None:
    poa = await _poa_of(registry, "poa:valid")
    result = await registry.result(f"/api/v1/powers-of-attorney/{poa.number}")
    assert (result["principal_iin"], result["attorney_iin"]) == (poa.principal_iin, poa.attorney_iin)
    unknown = await registry.ask("/api/v1/powers-of-attorney/NO-SUCH-1")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "POA_NOT_FOUND"


async def test_the_sync_channel_answers_with_the_hash_of_the_request(registry: Registry) -> None:
    client = registry.client()
    iin = await registry.persona("owns_dwelling")

    consent = await registry.consent(iin)
    answer = await client.ask("person", {"iin": iin}, consent=consent, user_id=user_id(CITIZEN), issue="APP-42")

    assert answer.result["iin"] == iin
    async with registry.runtime.db.sessions() as session:
        logged = (await session.exec(select(QueryLogRow).where(QueryLogRow.application == "APP-42"))).all()
    assert [(r.query, r.subject, r.requester, r.user_id, r.consent, r.outcome) for r in logged] == [
        ("person", iin, CENTER.address, user_id(CITIZEN), reference(consent), "ok")
    ]
    assert logged[0].request_hash == answer.document["request_hash"]


async def test_the_sync_channel_carries_refusals_and_logs_them(registry: Registry) -> None:
    client = registry.client()
    unknown_iin = "871008401427"
    with pytest.raises(AppError) as unknown:
        await client.ask("person", {"iin": unknown_iin}, consent=await registry.consent(unknown_iin), issue="APP-43")
    with pytest.raises(AppError) as no_consent:
        await client.ask("real-estate", {"iin": await registry.persona("owns_dwelling")}, consent={}, issue="APP-43")
    assert (unknown.value.code, no_consent.value.code) == ("PERSON_NOT_FOUND", "CONSENT_REQUIRED")
    async with registry.runtime.db.sessions() as session:
        outcomes = {
            r.outcome
            for r in (await session.exec(select(QueryLogRow).where(QueryLogRow.application == "APP-43"))).all()
        }
    assert outcomes == {"PERSON_NOT_FOUND", "CONSENT_REQUIRED"}


async def test_an_answer_to_another_request_is_not_accepted(registry: Registry) -> None:
    """X-Road's requestHash: a signed answer replayed for a different request is refused."""
    client = registry.client()
    iin = await registry.persona("owns_dwelling")
    consent = await registry.consent(iin)
    genuine = await client.ask("person", {"iin": iin}, consent=consent)

    class Replaying(InMemoryBus):
        async def request(
            self, envelope: Envelope, *, timeout: float = 5.0, routing_key: str | None = None
        ) -> Envelope:
            assert request_hash(envelope) != genuine.document["request_hash"]
            reply = envelope.reply("registry.answer", REGISTRIES.address, {"signed": genuine.signed})
            return await registry.runtime.sealer.seal(reply)  # the registries' own envelope, an old answer

    replayed = client
    replayed.bus = Replaying()
    with pytest.raises(AppError) as caught:
        await replayed.ask("person", {"iin": iin}, consent=consent)
    assert caught.value.code == "UPSTREAM_ERROR"


# -- the sync channel is authenticated both ways (architecture §9) ------------------------------------
async def test_an_unsigned_query_is_answered_with_an_error_and_nothing_else(registry: Registry) -> None:
    iin = await registry.persona("owns_dwelling")
    request = Envelope(
        message_type="registry.real-estate.get",
        sender=CENTER.address,
        document={"query": "real-estate", "subject": {"iin": iin}, "consent": await registry.consent(iin)},
    )
    reply = await registry.bus.request(request, timeout=5)
    assert reply.message_type == "error" and reply.document["error"]["code"] == "MESSAGE_UNAUTHENTICATED"
    assert "signed" not in reply.document and reply.sender == REGISTRIES.address and reply.proof is not None


async def test_a_query_signed_by_another_service_than_its_sender_is_refused(registry: Registry) -> None:
    iin = await registry.persona("owns_dwelling")
    portal = await registry.credentials("portal_gateway").signer()
    client = registry.client()
    client.sealer = Sealer(Fixed(portal), "con_intake")  # the Center's address, the portal's key
    with pytest.raises(AppError) as refused:
        await client.ask("person", {"iin": iin}, consent=await registry.consent(iin))
    # The proof names the Center's BIN as its author; the certificate is the portal's.
    assert refused.value.code == "EDS_IIN_MISMATCH"


async def test_a_reply_the_registries_did_not_sign_is_not_believed(registry: Registry) -> None:
    """Not even an error: a forged PERSON_NOT_FOUND would make the provider refuse an application."""
    iin = await registry.persona("owns_dwelling")

    class Forging(InMemoryBus):
        async def request(
            self, envelope: Envelope, *, timeout: float = 5.0, routing_key: str | None = None
        ) -> Envelope:
            return envelope.reply("error", REGISTRIES.address, {"error": {"code": "PERSON_NOT_FOUND"}})

    client = registry.client()
    client.bus = Forging()
    with pytest.raises(AppError) as caught:
        await client.ask("person", {"iin": iin}, consent=await registry.consent(iin))
    assert caught.value.code == "UPSTREAM_ERROR"


async def test_the_personas_listing_names_the_powers_of_attorney_a_persona_gave(registry: Registry) -> None:
    poa = await _poa_of(registry, "poa:valid")
    listed = (await registry.http.get("/api/v1/personas", params={"trait": "poa:valid", "limit": 1})).json()[0]
    assert {"number": poa.number, "attorney_iin": poa.attorney_iin} in listed["powers_of_attorney"]
    clean = (await registry.http.get("/api/v1/personas", params={"trait": "eligible", "limit": 1})).json()[0]
    assert clean["powers_of_attorney"] == []
