"""The service's result end to end (§5, §17, Annex 1 steps 4–9, Process 8), all five services running as
`make run` runs them and again one process each on RabbitMQ with PostgreSQL: a citizen applies on the
portal; the district's staff take the case through the head's resolution, the preparation, the
commission's meeting (its protocol signed by the members present) and the head's signature — from a
terminal with `python -m client staff …`, and through the staff SDK; the cabinet shows QUEUED with the
queue number and the signed result, which `/edocs/verify` finds valid and which names the head and the
regional gateway; the mail sink holds the e-mail with the result attached. A §15 persona is refused with
its ground; the wrong people and the wrong keys are refused."""

from __future__ import annotations

import json
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from client.sdk import NcaClient, PortalClient, ServiceError
from client.staff import employee_key, sign_resolution
from shared.eds.signing import payload_of, sign
from shared.mail import attachments_of, read_maildir
from tests.support.department import COMMISSION, Department
from tests.support.processes import base_env, client_cli, start_services, stop, wait_ready
from tests.support.region import CITIZEN_PASSWORD, STAFF_PASSWORD, Region, start_region, wait_for
from tests.support.servers import broker_users, maildir_smtp, purge_namespace


def apply(region: Region, iin: str, email: str) -> tuple[PortalClient, str, str]:
    """The citizen registers, proves their identity, applies (the application giving ``email``, §17)."""
    portal = PortalClient(region.url("portal_gateway"))
    portal.register(iin, CITIZEN_PASSWORD)
    portal.login(iin, CITIZEN_PASSWORD)
    portal.request_sms_code(iin)
    portal.confirm_sms_code(iin, region.sms_code_of(iin), CITIZEN_PASSWORD)
    draft = portal.draft(email=email)
    assert draft["missing_attachments"] == [], "a persona whose documents the registries hold"
    accepted = portal.submit(sign(draft["document"], region.signer(iin)))
    wait_for(portal, accepted["id"], lambda a: a["status"] == "REGISTERED")
    return portal, accepted["id"], draft["document"]["district"]


def the_result_in_the_cabinet(region: Region, mail_dir: Path, tmp_path: Path) -> None:
    iin = region.persona("eligible", 4)
    email = f"citizen-{iin}@example.kz"
    portal, application_id, district = apply(region, iin, email)
    department = Department(region, district)
    try:
        number = department.case_of(application_id)
        staff_from_a_terminal(region, department, number, tmp_path)
        shown = wait_for(portal, application_id, lambda a: a["status"] == "QUEUED" and a.get("queue"), timeout=60)
        assert shown["queue"]["position"] >= 1 and shown["queue"]["list"]["code"]
        signed = result_of(portal, application_id)
        notification = payload_of(signed)
        assert notification["type"] == "housing-queue/notification@1" and notification["case_number"] == number
        assert notification["queue_number"] == shown["queue"]["position"]
        verdict = portal.verify(signed)
        assert verdict["valid"] is True, verdict
        head = department("head").me()
        signers = verdict["signatures"]
        assert (signers[0]["iin"], signers[0]["role"]) == (head["iin"], "author")
        assert signers[1]["role"] == "registration" and signers[1]["bin"] != signers[0]["bin"]

        # §17: the e-mail, with the signed result attached, in the mail sink.
        mails = wait_mail(mail_dir, email)
        attached = [content for name, _, content in attachments_of(mails[-1]) if name.endswith(".json")]
        assert attached and json.loads(attached[0]) == signed

        # Who may do what.
        wrong_people(region, department)
    finally:
        department.close()


def result_of(portal: PortalClient, application_id: str, timeout: float = 60.0) -> dict[str, Any]:
    """The signed result, once it has reached the cabinet (the status may come first: messages are not ordered)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return dict(portal.result(application_id)["document"])
        except ServiceError as exc:
            assert exc.code == "NOT_FOUND" and time.monotonic() < deadline, exc
            time.sleep(0.3)


def wait_mail(directory: Path, to: str, timeout: float = 60.0) -> list[Any]:
    deadline = time.monotonic() + timeout
    while not (found := read_maildir(directory, to=to)):
        assert time.monotonic() < deadline, f"no mail to {to} in {directory}"
        time.sleep(0.3)
    return found


def staff_from_a_terminal(region: Region, department: Department, number: str, tmp_path: Path) -> None:
    """Steps 4–9 with `python -m client staff …`: each person logs in (their own session file), gets their
    employee key from the NCA, and acts at their step."""
    base = {**base_env(tmp_path), "PROVIDER_URL": region.url("provider"), "NCA_URL": region.url("registry_stub")}
    keys: dict[str, tuple[Path, str]] = {}

    def person(seat: str) -> Any:
        env = {**base, "EGOV_SESSION": str(tmp_path / f"{seat}.session.json"), "STAFF_PASSWORD": STAFF_PASSWORD}
        cli = client_cli(env)
        if seat not in keys:
            done = cli("staff", "login", "--login", department.login(seat))
            assert done.returncode == 0, done.stderr
            out = tmp_path / f"{seat}.p12"
            issued = cli("staff", "nca-key", "--out", str(out))
            assert issued.returncode == 0, issued.stderr
            keys[seat] = (out, json.loads(issued.stdout)["password"])

        def run(*args: str, key: bool = False) -> str:
            extra = ("--p12", str(keys[seat][0])) if key else ()
            done = cli("staff", *args, *extra, P12_PASSWORD=keys[seat][1])
            assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
            return done.stdout

        return run

    head, specialist = person("head"), person("specialist")
    assert number in specialist("cases", "--step", "4")
    head("resolve", number, key=True)
    specialist("prepare", number)  # the suggestion: no ground, the list the categories fit
    secretary = person("commission-secretary")
    created = json.loads(
        secretary("meeting", "create", "--present", *map(department.login, COMMISSION), "--case", number, "--json")
    )
    for seat in COMMISSION:  # the chair first, as the meeting says
        assert created["awaiting"][0] == department.login(COMMISSION[0])
        person(seat)("meeting", "sign", created["id"], key=True)
    shown = json.loads(secretary("meeting", "show", created["id"], "--json"))
    assert shown["status"] == "signed"
    specialist("draft", number)
    head("sign", number, key=True)
    assert number in head("sla")  # waiting at step 9, due within a working day
    specialist("dispatch", number)
    case = json.loads(specialist("case", number, "--json"))
    assert (case["status"], case["step"]) == ("QUEUED", None)


def wrong_people(region: Region, department: Department) -> None:
    """A second case: a specialist cannot sign as the head; the head of another district cannot see it; a
    revoked key is refused."""
    iin = region.persona("eligible", 5)
    _, application_id, _ = apply(region, iin, f"second-{iin}@example.kz")
    number = department.case_of(application_id)
    draft = department("head").resolution_draft(number)
    with pytest.raises(ServiceError) as caught:
        department("specialist").resolve(number, sign_resolution(draft, department.key("head")))
    assert (caught.value.status, caught.value.code) == (403, "FORBIDDEN")
    other = Department(region, "temirtau" if department.district != "temirtau" else "karaganda")
    try:
        with pytest.raises(ServiceError) as caught:
            other("head").case(number)
        assert caught.value.code == "NOT_FOUND"
    finally:
        other.close()
    revoked = employee_key(department("head"), NcaClient(region.url("registry_stub")))
    NcaClient(region.url("registry_stub")).revoke(revoked.serial, "keyCompromise", signer=revoked.signer())
    with pytest.raises(ServiceError) as caught:
        department("head").resolve(number, sign_resolution(draft, revoked.signer()))
    assert caught.value.code == "EDS_CERT_REVOKED"


def a_ground_is_refused(region: Region) -> None:
    """A persona whose registries show a §15 exchange within five years is refused on §15 item 1 when the
    staff accept the suggestion (the SDK this time)."""
    iin = region.persona("ground:exchange")
    portal, application_id, district = apply(region, iin, f"ground-{iin}@example.kz")
    department = Department(region, district)
    try:
        number = department.case_of(application_id)
        case = department("specialist").case(number)
        assert 1 in (case["assessment"] or {}).get("grounds", []), case["assessment"]
        department.decide(number)
        shown = wait_for(portal, application_id, lambda a: a["status"] == "REFUSED", timeout=60)
        refusal = payload_of(result_of(portal, application_id))
        assert [g["item"] for g in refusal["grounds"]] == [1] and shown["status"] == "REFUSED"
    finally:
        department.close()


def test_the_provider_decides_in_the_embedded_default(tmp_path: Path) -> None:
    process, region = start_region(tmp_path)
    try:
        the_result_in_the_cabinet(region, Path(region.var_dir or tmp_path) / "mail", tmp_path)
        a_ground_is_refused(region)
    finally:
        code, err = stop(process)
    assert code == 0, err[-3000:]


@pytest.mark.rabbitmq
@pytest.mark.postgres
def test_the_provider_decides_on_rabbitmq_and_postgresql(
    tmp_path: Path, amqp_url: str, postgres_databases: dict[str, str]
) -> None:
    namespace = f"e2e.{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    with maildir_smtp(mail_dir) as smtp_url, broker_users(namespace, amqp_url) as users:
        processes, ports = start_services(
            tmp_path,
            amqp_urls=users,
            databases=postgres_databases,
            BUS_NAMESPACE=namespace,
            NCA_TEST_MODE="1",
            REGISTRY_STUB_POPULATION_SIZE="300",
            PROVIDER_DEMO_PASSWORD=STAFF_PASSWORD,
            PORTAL_GATEWAY_SMTP_URL=smtp_url,
        )
        try:
            wait_ready(list(ports.values()), "/ready", timeout=90)
            region = Region(ports, var_dir=tmp_path / "var")
            the_result_in_the_cabinet(region, mail_dir, tmp_path)
            a_ground_is_refused(region)
        finally:
            results = {name: stop(process, signal.SIGTERM) for name, process in processes.items()}
            purge_namespace(namespace)
    for name, (code, err) in results.items():
        assert code == 0, f"{name}: {err[-3000:]}"
