"""The autopilot in `python -m services` (what `make run` runs) with ``AUTOPILOT=1``: the demo passwords it
makes and keeps when none is set (the provider's staff's, the Center's operators'), where it reaches the
services, every branch of the Center it plays, the banner's line; and end to end, all
five services as one process: a citizen applies from the command line and has the result within a minute,
decided by the demo staff the autopilot plays, which a person then reads with `python -m client staff`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from services.__main__ import (
    CENTER_PASSWORD_FILE,
    DEMO_PASSWORD_FILE,
    autopilot_enabled,
    autopilot_password,
    center_password,
    local_url,
    make_autopilot,
)
from services.con_intake.branches import BRANCHES
from services.con_intake.config import ConIntakeSettings
from services.provider.config import ProviderSettings
from services.registry_stub.config import RegistryStubSettings
from shared.sms import read_messages
from tests.support.processes import ROOT, SERVICES, base_env, client_cli, free_port, stop, wait_ready

RESULT_WITHIN_S = 60.0
SMS_CODE = re.compile(r"\b[0-9]{6}\b")


def test_autopilot_is_off_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOPILOT", raising=False)
    assert not autopilot_enabled()
    for on in ("1", "true", "yes"):
        monkeypatch.setenv("AUTOPILOT", on)
        assert autopilot_enabled()
    monkeypatch.setenv("AUTOPILOT", "0")
    assert not autopilot_enabled()


def test_without_a_demo_password_one_is_made_once_and_given_to_the_provider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    provider = ProviderSettings(demo_password="")
    password, kept_in = autopilot_password(provider)
    assert kept_in == tmp_path / "var" / DEMO_PASSWORD_FILE and kept_in.stat().st_mode & 0o777 == 0o600
    assert len(password) >= 16 and provider.demo_password.get_secret_value() == password
    again = ProviderSettings(demo_password="")
    assert autopilot_password(again) == (password, kept_in), "the next start, the same roster's password"


def test_a_demo_password_set_is_the_autopilots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    assert autopilot_password(ProviderSettings(demo_password="chosen one")) == ("chosen one", None)
    assert not (tmp_path / "var" / DEMO_PASSWORD_FILE).exists()


def test_without_the_centers_demo_password_one_is_made_once_and_given_to_the_center(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    center = ConIntakeSettings(demo_password="")
    password, kept_in = center_password(center)
    assert kept_in == tmp_path / "var" / CENTER_PASSWORD_FILE and kept_in.stat().st_mode & 0o777 == 0o600
    assert len(password) >= 16 and center.demo_password.get_secret_value() == password
    assert center_password(ConIntakeSettings(demo_password="")) == (password, kept_in), "the next start, the same"
    assert center_password(ConIntakeSettings(demo_password="chosen one")) == ("chosen one", None)
    assert password != autopilot_password(ProviderSettings(demo_password=""))[0], "one password a service"


def test_the_autopilot_plays_every_branch_of_the_center_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    settings = [
        ProviderSettings(demo_password="staff one"),
        RegistryStubSettings(),
        ConIntakeSettings(host="0.0.0.0", port=8002, demo_password=""),
    ]
    pilot, line = make_autopilot(settings)
    try:
        assert pilot.center_url == "http://127.0.0.1:8002" and pilot.branches == tuple(b.code for b in BRANCHES)
        assert pilot.center_password == (tmp_path / "var" / CENTER_PASSWORD_FILE).read_text().strip()
        assert f"the Center's demo operators' password is in {tmp_path / 'var' / CENTER_PASSWORD_FILE}" in line
    finally:
        pilot.close()


def test_the_autopilot_reaches_a_wildcard_host_on_the_loopback() -> None:
    assert local_url(ProviderSettings(host="0.0.0.0", port=8004)) == "http://127.0.0.1:8004"
    assert local_url(ProviderSettings(host="::", port=8004)) == "http://[::1]:8004"
    assert local_url(ProviderSettings(host="10.1.2.3", port=9)) == "http://10.1.2.3:9"


def test_a_citizen_has_the_result_within_a_minute_with_the_autopilot(tmp_path: Path) -> None:
    ports = {name: free_port() for name in SERVICES}
    url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    env = base_env(
        tmp_path,
        NCA_TEST_MODE="1",
        NCA_URL=url["registry_stub"],
        REGISTRY_STUB_POPULATION_SIZE="300",
        AUTOPILOT="1",
        **{f"{prefix}_PORT": str(ports[name]) for name, prefix in SERVICES.items()},
    )
    env.pop("PROVIDER_DEMO_PASSWORD", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "services"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_ready(list(ports.values()), "/ready", timeout=90)
        var = Path(env["VAR_DIR"])
        found = httpx.get(f"{url['registry_stub']}/api/v1/personas", params={"trait": "eligible", "limit": 40}).json()
        iin = next(p["iin"] for p in found if "mobile:none" not in p["traits"])
        cli = client_cli(
            {
                **env,
                "PORTAL_URL": url["portal_gateway"],
                "PROVIDER_URL": url["provider"],
                "EGOV_SESSION": str(tmp_path / "session.json"),
                "PORTAL_PASSWORD": "a good long password",
            }
        )
        key = str(tmp_path / "me.p12")
        issued = cli("nca-issue", "--iin", iin, "--surname", "ТЕСТОВ", "--given-name", "ТЕСТ", "--out", key)
        assert issued.returncode == 0, issued.stderr
        assert cli("sms-code", "--iin", iin).returncode == 0
        phone = httpx.get(
            f"{url['registry_stub']}/api/v1/persons/{iin}/mobile-phone", params={"consent": "test"}
        ).json()["answer"]["result"]["phone"]
        code = SMS_CODE.search(read_messages(var / "sms", to=phone)[-1].text)
        assert code is not None
        proven = cli("prove", "--iin", iin, "--code", code.group())
        assert proven.returncode == 0, proven.stderr

        started = time.monotonic()
        applied = cli("apply", "--p12", key, P12_PASSWORD=json.loads(issued.stdout)["password"])
        assert applied.returncode == 0, applied.stderr
        application_id = json.loads(applied.stdout)["id"]
        while True:
            result = cli("result", application_id)
            if result.returncode == 0:
                break
            assert time.monotonic() - started < RESULT_WITHIN_S, cli("status", application_id).stdout
            time.sleep(1)
        assert "registered in the waiting list (notification)" in result.stdout or "refused" in result.stdout
        assert "signed by" in result.stdout and "registration stamp" in result.stdout
        status = json.loads(cli("status", application_id, "--json").stdout)
        assert status["status"] in ("QUEUED", "REFUSED")

        # A person reads the case the autopilot decided, with the password it keeps for the demo staff.
        password = (var / DEMO_PASSWORD_FILE).read_text().strip()
        district = status["case_number"].split("-")[1]
        login = cli("staff", "login", "--login", f"head.{district}", STAFF_PASSWORD=password)
        assert login.returncode == 0, login.stderr
        case = cli("staff", "case", status["case_number"])
        assert case.returncode == 0 and "Waiting at step  done" in case.stdout, case.stderr
        for step in ("4     head.", "5     specialist.", "6     ТК-", "8     head.", "9     specialist."):
            assert step in case.stdout
    finally:
        exit_code, err = stop(process)
    assert exit_code == 0, err[-3000:]
    assert "autopilot started" in err and "autopilot stopped" in err
    assert "the demo staff's password is in" in err and "the Center's demo operators' password is in" in err
    assert "autopilot: a step refused" not in err and "autopilot stopped: the provider refused" not in err
    assert "the Center refused its demo operators' password" not in err and "autopilot: the Center refused" not in err
