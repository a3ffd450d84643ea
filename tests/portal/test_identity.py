"""Identity proof before personal data (README, Design: "Identity proof"): an account made with
someone else's IIN and any password gets nothing of that person's from the registries; the person proves
their identity with a one-time code sent by SMS to the number the mobile-citizens database holds for the
IIN, or with an EDS login, and takes the account back (the squatter's password and token stop working).
The code: 6 digits, 5 minutes, single use, 5 tries (a parallel burst included), 3 codes per IIN per 15
minutes, never logged nor stored; people with no number on record; the SMS file a tester reads."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
from collections import Counter
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from services.portal_gateway.models import Account, SmsCode
from shared.calendar import utcnow
from shared.eds.signing import sign
from tests.support.portal import PASSWORD, World, code

pytestmark = pytest.mark.asyncio(loop_scope="module")
UNKNOWN_VALID_IIN = "871008401427"  # a valid IIN nobody in the population has
SQUATTER_PASSWORD = "Squatter-pass-1"
NEW_PASSWORD = "Real-owner-2026!"
MASKED = re.compile(r"^\+7 7\*\* \*\*\* \*\*\d\d$")


def claims(auth: dict[str, str]) -> dict[str, Any]:
    """The payload of the bearer token in ``auth`` (not verified: what the portal put in it)."""
    payload = auth["Authorization"].removeprefix("Bearer ").split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def bearer(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def squat(world: World, iin: str) -> dict[str, str]:
    """Someone else registers ``iin`` with a password of their own (and their e-mail) and signs in."""
    registered = await world.register(iin, SQUATTER_PASSWORD, email="squatter@example.kz")
    assert registered.status_code == 201, registered.text
    assert registered.json()["identity_proven"] is False
    return bearer(await world.login(iin, SQUATTER_PASSWORD))


async def eds_login(world: World, iin: str) -> httpx.Response:
    challenge = (await world.portal.post("/api/v1/auth/challenge", json={"iin": iin})).json()["challenge"]
    signed = sign(challenge, await world.pki.issue(iin, profile="auth"))
    return await world.portal.post("/api/v1/auth/eds", json={"signed": signed})


async def code_row(world: World, iin: str) -> SmsCode:
    async with world.db.sessions() as session:
        rows = await session.exec(select(SmsCode).where(col(SmsCode.iin) == iin).order_by(col(SmsCode.sent_at)))
        return list(rows.all())[-1]


# -- the finding ---------------------------------------------------------------------------------------------


async def test_an_account_made_with_someone_elses_iin_gets_nothing_of_theirs(world: World) -> None:
    victim = await world.persona("marriage_before_2008")  # a household the registries know
    person = (await world.registry.get(f"/api/v1/persons/{victim}", params={"consent": "test"})).json()
    auth = await squat(world, victim)
    assert claims(auth)["identity_proven"] is False and claims(auth)["amr"] == "pwd"

    refused = await world.portal.post("/api/v1/applications/draft", json={}, headers=auth)
    assert refused.status_code == 403 and code(refused) == "IDENTITY_NOT_PROVEN"
    details = refused.json()["error"]["details"]
    assert details["identity_proven"] is False and {h["method"] for h in details["how"]} == {"eds", "sms"}
    shown = refused.text
    result = person["answer"]["result"]
    for private in [result["surname"], result["address"]["address"], *(f["iin"] for f in result["family"])]:
        assert private not in shown  # nothing personal from the registries
    me = await world.portal.get("/api/v1/auth/account", headers=auth)
    assert me.status_code == 200 and me.json()["identity_proven"] is False

    # The real person cannot register: the answer tells them how to take the account.
    conflict = await world.register(victim, NEW_PASSWORD)
    assert conflict.status_code == 409 and code(conflict) == "CONFLICT"
    hint = conflict.json()["error"]["details"]["how_to_take_it"]
    assert "/api/v1/auth/sms-code" in hint and "/api/v1/auth/eds" in hint


async def test_the_person_takes_the_account_back_by_sms_code(world: World) -> None:
    victim = await world.persona()
    squatter = await squat(world, victim)

    sent = await world.send_code(victim)
    assert sent.status_code == 202, sent.text
    phone = await world.phone_of(victim)
    assert MASKED.match(sent.json()["phone"]) and sent.json()["phone"].endswith(phone[-2:])
    assert sent.json()["expires_in_s"] in range(295, 301) and sent.json()["max_tries"] == 5
    owner = bearer(await world.confirm_code(victim, await world.sms_code_of(victim), NEW_PASSWORD))
    assert claims(owner)["identity_proven"] is True and claims(owner)["amr"] == "sms"

    # The squatter is out: their password, their token, their e-mail address.
    assert code(await world.login(victim, SQUATTER_PASSWORD)) == "AUTH_INVALID_CREDENTIALS"
    assert code(await world.portal.post("/api/v1/applications/draft", json={}, headers=squatter)) == (
        "IDENTITY_NOT_PROVEN"
    )
    stale = await world.portal.get("/api/v1/auth/account", headers=squatter)
    assert stale.status_code == 401 and code(stale) == "UNAUTHORIZED"
    me = (await world.portal.get("/api/v1/auth/account", headers=owner)).json()
    assert me["identity_proven"] is True and me["proven_by"] == "sms" and me["email"] is None

    # The person gets their draft, and signs in with their own password, proven.
    assert (await world.draft(owner))["document"]["applicant"]["iin"] == victim
    again = await world.login(victim, NEW_PASSWORD)
    assert again.json()["identity_proven"] is True and claims(bearer(again))["identity_proven"] is True


async def test_the_person_takes_the_account_back_by_eds_login(world: World) -> None:
    victim = await world.persona()
    await squat(world, victim)

    owner = bearer(await eds_login(world, victim))
    assert claims(owner)["identity_proven"] is True and claims(owner)["amr"] == "eds"
    assert code(await world.login(victim, SQUATTER_PASSWORD)) == "AUTH_INVALID_CREDENTIALS"
    me = (await world.portal.get("/api/v1/auth/account", headers=owner)).json()
    assert me["proven_by"] == "eds" and me["has_password"] is False and me["email"] is None
    assert (await world.draft(owner))["document"]["applicant"]["iin"] == victim


async def test_a_proven_account_keeps_its_password_at_an_eds_login(world: World) -> None:
    iin, _ = await world.citizen()  # proven by SMS code, password kept
    assert (await eds_login(world, iin)).status_code == 200
    assert (await world.login(iin, PASSWORD)).json()["identity_proven"] is True


async def test_an_sms_code_makes_an_account_with_the_password_it_is_given(world: World) -> None:
    iin = await world.persona()
    assert (await world.send_code(iin)).status_code == 202
    sms = await world.sms_code_of(iin)
    missing = await world.confirm_code(iin, sms)  # no account yet: a password is needed
    assert missing.status_code == 422 and code(missing) == "VALIDATION_FAILED"
    weak = await world.confirm_code(iin, sms, "1234567890")
    assert weak.status_code == 422 and code(weak) == "VALIDATION_FAILED"

    assert claims(bearer(await world.confirm_code(iin, sms, NEW_PASSWORD)))["amr"] == "sms"  # no try was lost
    assert (await world.login(iin, NEW_PASSWORD)).json()["identity_proven"] is True
    assert code(await world.register(iin)) == "CONFLICT"


async def test_an_sms_code_resets_a_proven_accounts_password(world: World) -> None:
    iin, _ = await world.citizen()
    await world.prove_by_sms(iin, NEW_PASSWORD)
    assert code(await world.login(iin, PASSWORD)) == "AUTH_INVALID_CREDENTIALS"
    assert (await world.login(iin, NEW_PASSWORD)).status_code == 200


# -- the code ------------------------------------------------------------------------------------------------


async def test_the_code_expires_after_five_minutes(world: World) -> None:
    iin, _ = await world.citizen()
    assert (await world.send_code(iin)).status_code == 202
    row = await code_row(world, iin)
    assert row.expires_at - row.sent_at == timedelta(minutes=5)
    async with world.db.transaction() as session:  # five minutes later
        await session.exec(
            sa.update(SmsCode).where(col(SmsCode.id) == row.id).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    late = await world.confirm_code(iin, await world.sms_code_of(iin))
    assert late.status_code == 401 and code(late) == "SMS_CODE_EXPIRED"
    assert "expired" in late.json()["error"]["details"]["reason"]


async def test_the_code_works_once(world: World) -> None:
    iin, _ = await world.citizen()
    assert (await world.send_code(iin)).status_code == 202
    sms = await world.sms_code_of(iin)
    assert (await world.confirm_code(iin, sms)).status_code == 200
    replayed = await world.confirm_code(iin, sms)
    assert replayed.status_code == 401 and code(replayed) == "SMS_CODE_EXPIRED"
    assert replayed.json()["error"]["details"]["reason"] == "the code was used"


async def test_five_wrong_codes_void_it(world: World) -> None:
    iin, _ = await world.citizen()
    assert (await world.send_code(iin)).status_code == 202
    right = await world.sms_code_of(iin)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    answers = [await world.confirm_code(iin, wrong) for _ in range(5)]
    assert [code(a) for a in answers] == ["SMS_CODE_INVALID"] * 5
    assert [a.json()["error"]["details"]["tries_left"] for a in answers] == [4, 3, 2, 1, 0]
    void = await world.confirm_code(iin, right)
    assert void.status_code == 401 and code(void) == "SMS_CODE_EXPIRED"
    assert "void" in void.json()["error"]["details"]["reason"]


async def test_a_burst_of_guesses_gets_five_tries_at_most(world: World) -> None:
    iin, _ = await world.citizen()
    assert (await world.send_code(iin)).status_code == 202
    right = await world.sms_code_of(iin)
    guesses = [f"{(int(right) + n) % 1_000_000:06d}" for n in range(1, 40)]
    answers = await asyncio.gather(*(world.confirm_code(iin, guess) for guess in [*guesses, right]))
    codes = Counter("TOKEN" if a.status_code == 200 else code(a) for a in answers)
    assert codes["SMS_CODE_INVALID"] + codes["TOKEN"] <= 5, codes  # at most 5 codes were checked
    assert set(codes) <= {"SMS_CODE_INVALID", "SMS_CODE_EXPIRED", "TOKEN"}
    assert (await code_row(world, iin)).tries <= 5


async def test_three_codes_per_iin_in_fifteen_minutes(world: World) -> None:
    iin, _ = await world.citizen()  # its proof took one code
    for _ in range(2):
        assert (await world.send_code(iin)).status_code == 202
    limited = await world.send_code(iin)
    assert limited.status_code == 429 and code(limited) == "SMS_CODE_RATE_LIMITED"
    assert 0 < limited.json()["error"]["details"]["retry_after_s"] <= 15 * 60
    assert len(world.messages(await world.phone_of(iin))) == 3  # the refused one sent nothing

    first = world.messages(await world.phone_of(iin))[1].text
    superseded = await world.confirm_code(iin, re.findall(r"[0-9]{6}", first)[0])
    assert code(superseded) == "SMS_CODE_INVALID"  # only the newest code counts

    async with world.db.transaction() as session:  # fifteen minutes later
        await session.exec(
            sa.update(SmsCode).where(col(SmsCode.iin) == iin).values(sent_at=utcnow() - timedelta(minutes=15))
        )
    assert (await world.send_code(iin)).status_code == 202
    async with world.db.sessions() as session:  # the old rows are purged
        assert len((await session.exec(select(SmsCode).where(col(SmsCode.iin) == iin))).all()) == 1


async def test_parallel_requests_send_three_codes_at_most(world: World) -> None:
    iin = await world.persona()
    answers = await asyncio.gather(*(world.send_code(iin) for _ in range(8)))
    assert Counter(a.status_code for a in answers) == {202: 3, 429: 5}
    assert len(world.messages(await world.phone_of(iin))) == 3


async def test_nobody_without_a_number_on_record_gets_a_code(world: World) -> None:
    before = len(world.messages())
    no_phone = await world.send_code(await world.persona("mobile:none"))
    assert no_phone.status_code == 404 and code(no_phone) == "MOBILE_PHONE_NOT_FOUND", no_phone.text
    assert "EDS" in no_phone.json()["error"]["details"]["how"]
    unknown = await world.send_code(UNKNOWN_VALID_IIN)
    assert unknown.status_code == 404 and code(unknown) == "PERSON_NOT_FOUND"
    dead = await world.send_code(await world.persona("dead"))
    assert dead.status_code == 404 and code(dead) == "PERSON_NOT_FOUND"
    invalid = await world.send_code("123456789012")
    assert invalid.status_code == 422 and code(invalid) == "IIN_INVALID"
    assert len(world.messages()) == before


async def test_a_code_never_sent_or_malformed_is_refused(world: World) -> None:
    iin = await world.persona()
    never = await world.confirm_code(iin, "123456", NEW_PASSWORD)
    assert never.status_code == 401 and code(never) == "SMS_CODE_EXPIRED"
    for bad in ("12345", "1234567", "12a456", "١٢٣٤٥٦"):
        response = await world.confirm_code(iin, bad, NEW_PASSWORD)
        assert response.status_code == 422 and code(response) == "VALIDATION_FAILED", bad


async def test_the_sms_is_a_file_a_tester_reads_and_the_code_is_never_logged_or_stored(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    iin = await world.persona()
    phone = await world.phone_of(iin)
    assert re.fullmatch(r"\+77[0-9]{9}", phone)
    with caplog.at_level(logging.DEBUG):
        assert (await world.send_code(iin)).status_code == 202
        sms = await world.sms_code_of(iin)
        assert (await world.confirm_code(iin, sms, NEW_PASSWORD)).status_code == 200

    files = sorted(world.sms_dir.glob("*.json"))
    kept = json.loads(files[-1].read_text(encoding="utf-8"))
    assert set(kept) == {"id", "to", "text", "sent_at"} and kept["to"] == phone and sms in kept["text"]
    assert kept["sent_at"].endswith("Z") and kept["id"] in files[-1].name
    assert sms not in caplog.text and "sms sent" in caplog.text  # the log has the message, not the code
    row = await code_row(world, iin)
    assert sms not in row.digest and row.used_at is not None
    async with world.db.sessions() as session:
        account = await session.get(Account, iin)
        assert account is not None and account.proven_by == "sms" and account.created_by == "sms"
