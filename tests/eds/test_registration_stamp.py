"""The registration stamp signs the registration it makes (architecture §9): ``regNum``, ``regT`` and
``regDistrict`` in its protected header, parsed with bounds and covered by its signature; and every
signature says what kind of holder signed it (individual, employee, system), read from the certificate's
holder-type EKU OIDs (architecture §5)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from joserfc import jws

from services.registry_stub.nca.profiles import HOLDER_EKU, Holder
from shared.eds import certs
from shared.eds.signing import (
    ALLOWED_ALGORITHMS,
    Signer,
    StampedRegistration,
    b64url,
    b64url_decode,
    countersign,
    rfc3339,
    rfc3339_precise,
    sign,
)
from shared.errors import AppError
from tests.support.pki import Pki, application, new_iin

GATEWAY_BIN = "140440000309"
ORGANISATION = {"bin": GATEWAY_BIN, "organization": "ЭҮӨШ"}


def registered(at: datetime | None = None, number: str = "KRG-20261126-000042") -> StampedRegistration:
    return StampedRegistration(number, at or datetime.now(UTC), "karaganda")


async def signers(pki: Pki) -> tuple[str, Signer, Signer]:
    iin = new_iin()
    return iin, await pki.issue(iin), await pki.issue(new_iin(), holder="system", subject=ORGANISATION)


async def refused(pki: Pki, signed: Any) -> AppError:
    with pytest.raises(AppError) as caught:
        await pki.verifier().verify(signed)
    return caught.value


def stamp_header(signed: dict[str, Any]) -> dict[str, Any]:
    header: dict[str, Any] = json.loads(b64url_decode(signed["signatures"][1]["protected"]))
    return header


def stamped_with(signed: dict[str, Any], signer: Signer, **header: Any) -> dict[str, Any]:
    """``signed`` with a registration stamp whose protected header is ``header`` (validly signed, whatever
    it holds: joserfc's header checks off, as a forger's would be)."""
    registry = jws.JWSRegistry(algorithms=list(ALLOWED_ALGORITHMS), strict_check_header=False)
    registry.max_header_length = 16 * 1024
    full = {
        "alg": signer.alg,
        "typ": "edoc+jws",
        "x5c": signer.x5c,
        "sigT": rfc3339(datetime.now(UTC)),
        "role": "registration",
        **header,
    }
    payload = b64url_decode(signed["payload"])
    member = jws.serialize_json([{"protected": full}], payload, signer.jwk(), registry=registry)["signatures"][0]
    return {"payload": signed["payload"], "signatures": [*signed["signatures"], dict(member)]}


async def test_a_stamp_carries_its_registration_in_its_protected_header(pki: Pki) -> None:
    iin, citizen, gateway = await signers(pki)
    made = registered()
    signed = countersign(
        sign(application(iin), citizen), gateway, role="registration", signed_at=made.at, registration=made
    )

    header = stamp_header(signed)
    assert (header["regNum"], header["regT"], header["regDistrict"]) == (
        made.number,
        rfc3339_precise(made.at),
        "karaganda",
    )
    assert header["sigT"] == rfc3339(made.at)  # the stamp is made at the registration, to the second
    author, stamp = (await pki.verifier().verify(signed)).signatures
    assert author.registration is None and stamp.registration == made
    assert (author.holder, stamp.holder, stamp.bin) == ("individual", "system", GATEWAY_BIN)


async def test_an_employees_signature_says_employee(pki: Pki) -> None:
    iin, citizen, _ = await signers(pki)
    employee = await pki.issue(new_iin(), holder="employee", subject=ORGANISATION)
    signed = countersign(sign(application(iin), citizen), employee, role="registration", registration=registered())

    stamp = (await pki.verifier().verify(signed)).signatures[1]
    assert (stamp.bin, stamp.holder) == (GATEWAY_BIN, "employee")


async def test_an_edited_registration_in_the_stamp_is_a_bad_signature(pki: Pki) -> None:
    iin, citizen, gateway = await signers(pki)
    signed = countersign(sign(application(iin), citizen), gateway, role="registration", registration=registered())
    for change in ({"regNum": "KRG-20261126-999999"}, {"regDistrict": "saran"}, {"regT": "2026-01-01T00:00:00Z"}):
        stamp = dict(signed["signatures"][1])
        stamp["protected"] = b64url(json.dumps({**stamp_header(signed), **change}).encode())
        error = await refused(pki, {**signed, "signatures": [signed["signatures"][0], stamp]})
        assert error.code == "EDS_SIGNATURE_INVALID" and error.details["signature"] == 1, change


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ({"regNum": "KRG-FAKE-000001"}, "regNum"),
        ({"regNum": "KRG-20261126-00042"}, "regNum"),  # fewer than six digits
        ({"regNum": "KRG-２０２６１１２６-000042"}, "regNum"),  # digits, but not ASCII ones
        ({"regNum": "KRG-20261126-" + "1" * 40}, "regNum"),  # longer than a number is
        ({"regNum": 42}, "regNum"),
        ({"regT": "2026-11-26T10:00:00+05:00"}, "regT"),
        ({"regT": "2026-11-26 10:00:00Z"}, "regT"),
        ({"regT": "2026-11-26T10:00:00.1234567Z"}, "regT"),
        ({"regT": ["2026-11-26T10:00:00Z"]}, "regT"),
        ({"regDistrict": "Karaganda"}, "regDistrict"),
        ({"regDistrict": "k" * 65}, "regDistrict"),
        ({"regDistrict": None}, "regDistrict"),
        ({"regDistrict": "__omitted__"}, "together"),
        ({"role": "approval"}, "only a registration stamp"),
    ],
)
async def test_a_registration_out_of_bounds_is_malformed(pki: Pki, header: dict[str, Any], reason: str) -> None:
    iin, citizen, gateway = await signers(pki)
    fields = {**registered().header(), **header}
    fields = {k: v for k, v in fields.items() if v != "__omitted__"}
    error = await refused(pki, stamped_with(sign(application(iin), citizen), gateway, **fields))
    assert error.code == "EDS_MALFORMED" and reason in error.details["reason"]
    assert error.details["signature"] == 1


async def test_a_registration_later_than_its_stamp_is_malformed(pki: Pki) -> None:
    iin, citizen, gateway = await signers(pki)
    now = datetime.now(UTC).replace(microsecond=0)
    later = registered(now + timedelta(minutes=1))
    signed = countersign(
        sign(application(iin), citizen), gateway, role="registration", signed_at=now, registration=later
    )
    error = await refused(pki, signed)
    assert error.code == "EDS_MALFORMED" and "later than" in error.details["reason"]
    # Within the stamp's second it is not later: sigT is written in whole seconds, regT to the microsecond.
    within = registered(now + timedelta(milliseconds=500))
    signed = countersign(
        sign(application(iin), citizen), gateway, role="registration", signed_at=now, registration=within
    )
    stamp = (await pki.verifier().verify(signed)).signatures[1]
    assert stamp.registration == within and stamp.signed_at == now


def test_only_a_well_formed_registration_is_signed() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    for number, at, district in [
        ("KRG-FAKE-000001", now, "karaganda"),
        ("KRG-20261126-000042", now.replace(tzinfo=None), "karaganda"),
        ("KRG-20261126-000042", now, "Karaganda City"),
    ]:
        with pytest.raises(ValueError):
            StampedRegistration(number, at, district)


async def test_only_a_registration_stamp_carries_a_registration(pki: Pki) -> None:
    iin, citizen, gateway = await signers(pki)
    with pytest.raises(ValueError, match="only a registration stamp"):
        countersign(sign(application(iin), citizen), gateway, role="approval", registration=registered())


def test_the_verifier_reads_the_holder_types_the_test_nca_writes() -> None:
    assert set(HOLDER_EKU[Holder.INDIVIDUAL]) == {certs.INDIVIDUAL_OID}
    assert set(HOLDER_EKU[Holder.EMPLOYEE]) == {certs.ORGANISATION_OID, certs.EMPLOYEE_ROLE_OID}
    assert set(HOLDER_EKU[Holder.SYSTEM]) == {certs.ORGANISATION_OID, certs.MAY_SIGN_ROLE_OID}
