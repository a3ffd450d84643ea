"""The citizen's path end to end (§18, diagram No. 1), all five services running as `make run`
runs them (one process, in-memory bus) and again on RabbitMQ with PostgreSQL: register, log in,
draft (pre-filled from the registries), sign locally, submit; the regional gateway registers and
stamps it; the provider registers the case; the cabinet shows the registration number. And the
refusals, with their codes, and the isolation between citizens and between services."""

from __future__ import annotations

import json
import signal
import uuid
from pathlib import Path

import httpx
import pytest

from client.sdk import PortalClient
from shared.eds.signing import sign
from tests.support.processes import base_env, client_cli, start_services, stop, wait_ready
from tests.support.region import STAFF_PASSWORD, Region, refused, start_region, wait_for
from tests.support.servers import broker_users, purge_namespace


def the_citizen_path(region: Region) -> None:
    # Registration and login (§18 step 1–4).
    iin = region.persona("eligible")
    portal = region.citizen(iin)
    assert refused(lambda: PortalClient(region.url("portal_gateway")).login(iin, "wrong password")) == (
        401,
        "AUTH_INVALID_CREDENTIALS",
    )
    assert refused(lambda: PortalClient(region.url("portal_gateway")).register("123456789012", "long enough 1")) == (
        422,
        "IIN_INVALID",
    )
    assert refused(lambda: PortalClient(region.url("portal_gateway")).register("871008401427", "long enough 1")) == (
        404,
        "PERSON_NOT_FOUND",
    )

    # The form, pre-filled; Condition 2 refuses someone else's signature (Process 4).
    draft = portal.draft()
    assert draft["document"]["applicant"]["iin"] == iin and draft["missing_attachments"] == []
    stranger = region.signer(region.persona("eligible", 1))
    assert refused(lambda: portal.submit(sign(draft["document"], stranger)))[1] == "EDS_IIN_MISMATCH"
    assert (
        refused(lambda: portal.submit(sign(draft["document"], region.signer(iin, "auth"))))[1] == "EDS_WRONG_KEY_USAGE"
    )

    # Process 5–6 and Annex 1 step 3: submitted, registered at the gateway, registered by the provider.
    accepted = portal.submit(sign(draft["document"], region.signer(iin)))
    assert accepted["status"] == "SUBMITTED" and accepted["expected_result_date"]
    shown = wait_for(portal, accepted["id"], lambda a: a["status"] == "REGISTERED" and a.get("registration_number"))
    assert shown["registration_number"].startswith("KRG-")
    assert [h["status"] for h in shown["history"]][:1] == ["SUBMITTED"]

    # A second application while this one is pending (§ duplicates).
    second = portal.draft()
    assert refused(lambda: portal.submit(sign(second["document"], region.signer(iin)))) == (
        409,
        "DUPLICATE_APPLICATION",
    )

    # Isolation: another citizen sees nothing of it; the portal's token is worthless at the provider.
    other = region.citizen(region.persona("eligible", 2))
    assert refused(lambda: other.application(accepted["id"])) == (404, "NOT_FOUND")
    provider = httpx.get(f"{region.url('provider')}/api/v1/cases", headers={"Authorization": f"Bearer {portal.token}"})
    assert provider.status_code == 401 and provider.json()["error"]["code"] == "UNAUTHORIZED"

    # Staff of the applicant's district see the case.
    district = draft["document"]["district"]
    token = httpx.post(
        f"{region.url('provider')}/api/v1/staff/token",
        json={"login": f"specialist.{district}", "password": STAFF_PASSWORD},
    ).json()["access_token"]
    cases = httpx.get(f"{region.url('provider')}/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).json()
    assert accepted["id"] in str(cases)

    # Condition 3 / Process 7: documents not in order (a marriage before June 2008 needs its copy).
    married = region.persona("marriage_before_2008")
    portal_b = region.citizen(married)
    draft_b = portal_b.draft()
    assert "marriage_certificate" in [r["kind"] for r in draft_b["missing_attachments"]]
    refused_b = portal_b.submit(sign(draft_b["document"], region.signer(married)))
    final = wait_for(portal_b, refused_b["id"], lambda a: a["status"] == "REFUSED_DOCUMENTS")
    assert "marriage_certificate" in str(final["history"])


def the_path_from_a_terminal(region: Region, tmp_path: Path) -> None:
    """The client CLI: a key from the NCA, register, login, prove the identity by SMS code (sms-code, then
    prove with the code read from the portal's SMS sink), apply (signed locally), status, result."""
    iin = region.persona("eligible", 3)
    env = {
        **base_env(tmp_path),
        "NCA_URL": region.url("registry_stub"),
        "PORTAL_URL": region.url("portal_gateway"),
        "EGOV_SESSION": str(tmp_path / "session.json"),
        "PORTAL_PASSWORD": "a good long password",
    }

    cli = client_cli(env)

    issued = cli(
        "nca-issue", "--iin", iin, "--surname", "ТЕСТОВ", "--given-name", "ТЕСТ", "--out", str(tmp_path / "me.p12")
    )
    assert issued.returncode == 0, issued.stderr
    p12_password = json.loads(issued.stdout)["password"]
    for step in (("register", "--iin", iin), ("login", "--iin", iin)):
        done = cli(*step)
        assert done.returncode == 0, done.stderr
    assert f"sms-code --iin {iin}" in done.stderr, "login says the identity is not proven, and how to prove it"
    unproven = cli("apply", "--p12", str(tmp_path / "me.p12"), P12_PASSWORD=p12_password)
    assert unproven.returncode == 2 and "IDENTITY_NOT_PROVEN" in unproven.stderr

    # Identity proof by a one-time code texted to the number on record (read back from the SMS sink).
    sent = cli("sms-code", "--iin", iin)
    assert sent.returncode == 0 and "+7 7** *** **" in sent.stdout, sent.stderr
    proven = cli("prove", "--iin", iin, "--code", region.sms_code_of(iin))
    assert proven.returncode == 0 and "identity proven" in proven.stdout, proven.stderr
    attach: list[str] = []
    first = cli("apply", "--p12", str(tmp_path / "me.p12"), P12_PASSWORD=p12_password)
    if first.returncode == 1:  # the registries lack something: the CLI lists the copies to attach
        for needed in json.loads(first.stdout):
            scan = tmp_path / f"{needed['kind']}.pdf"
            scan.write_bytes(b"%PDF-1.4\n% e-copy for the test\n%%EOF\n")
            attach += ["--attach", f"{needed['kind']}={scan}"]
    applied = cli("apply", "--p12", str(tmp_path / "me.p12"), *attach, P12_PASSWORD=p12_password)
    assert applied.returncode == 0, applied.stderr
    application_id = json.loads(applied.stdout)["id"]
    listed = cli("status")
    assert listed.returncode == 0 and application_id in listed.stdout
    one = cli("status", application_id, "--json")
    assert one.returncode == 0 and json.loads(one.stdout)["id"] == application_id
    not_yet = cli("result", application_id)
    assert not_yet.returncode == 2 and "NOT_FOUND" in not_yet.stderr


def test_the_citizen_path_in_the_embedded_default(tmp_path: Path) -> None:
    # No NCA_RA_TOKEN, as after `make run`: the one process makes one for the NCA and the gateway, which
    # has its stamping key certified with it, and never shows it.
    process, region = start_region(tmp_path, NCA_RA_TOKEN="")
    try:
        the_citizen_path(region)
        the_path_from_a_terminal(region, tmp_path)
    finally:
        code, err = stop(process)
    assert code == 0, err[-3000:]
    assert "made for this process and not shown; set NCA_RA_TOKEN" in err
    assert "the NCA refused" not in err and "enrollment token (NCA_ENROLLMENT_TOKEN_<SERVICE>) is not set" not in err


@pytest.mark.rabbitmq
@pytest.mark.postgres
def test_the_citizen_path_on_rabbitmq_and_postgresql(
    tmp_path: Path, amqp_url: str, postgres_databases: dict[str, str]
) -> None:
    """One process per service, each on its own broker user (architecture §9) and PostgreSQL database,
    as deploy/docker-compose.yml runs them."""
    namespace = f"e2e.{uuid.uuid4().hex[:8]}"
    with broker_users(namespace, amqp_url) as users:
        processes, ports = start_services(
            tmp_path,
            amqp_urls=users,
            databases=postgres_databases,
            BUS_NAMESPACE=namespace,
            NCA_TEST_MODE="1",
            REGISTRY_STUB_POPULATION_SIZE="300",
            PROVIDER_DEMO_PASSWORD=STAFF_PASSWORD,
        )
        try:
            wait_ready(list(ports.values()), "/ready", timeout=90)
            the_citizen_path(Region(ports, var_dir=tmp_path / "var"))
        finally:
            results = {name: stop(process, signal.SIGTERM) for name, process in processes.items()}
            purge_namespace(namespace)
    for name, (code, err) in results.items():
        assert code == 0, f"{name}: {err[-3000:]}"
