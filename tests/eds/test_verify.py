"""Signed e-documents (architecture §4 and architecture §5; §18 Condition 2: validity period, not revoked, the
IIN in the request equals the IIN in the certificate): every way a signature can be wrong gets its
own catalogue code, in the verifier's order."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

import shared.eds.verify as verify_module
from shared.eds.document import Author, EDocument
from shared.eds.signing import Signer, b64url, b64url_decode, countersign, rfc3339, sign
from shared.errors import AppError
from tests.support.pki import Pki, application, foreign_signer, new_iin, with_header


async def refused(pki: Pki, signed: Any, **kwargs: Any) -> AppError:
    with pytest.raises(AppError) as caught:
        await pki.verifier().verify(signed, **kwargs)
    return caught.value


async def test_a_citizens_signed_application_verifies_with_who_signed_it(pki: Pki) -> None:
    iin = new_iin()
    signer = await pki.issue(iin)
    document = application(iin)

    verified = await pki.verifier().verify(sign(document, signer))

    assert verified.payload == document.to_json()
    [author] = verified.signatures
    assert (author.iin, author.role, author.revocation) == (iin, "author", "ocsp")
    assert author.name and author.serial == f"{signer.chain[0].serial_number:x}"


async def test_a_p256_key_signs_with_es256(pki: Pki) -> None:
    iin = new_iin("F")
    signer = await pki.issue_p256(iin)
    signed = sign(application(iin), signer)

    assert json.loads(b64url_decode(signed["signatures"][0]["protected"]))["alg"] == "ES256"
    assert (await pki.verifier().verify(signed)).author.iin == iin


async def test_a_registration_stamp_adds_a_second_signature(pki: Pki) -> None:
    iin = new_iin()
    citizen = await pki.issue(iin)
    gateway = await pki.issue(new_iin(), holder="system", subject={"bin": "140440000309", "organization": "ЭҮӨШ"})
    signed = countersign(sign(application(iin), citizen), gateway, role="registration")

    verified = await pki.verifier().verify(signed)

    assert [(s.role, s.bin) for s in verified.signatures] == [("author", None), ("registration", "140440000309")]


async def test_refuses_a_tampered_payload(pki: Pki) -> None:
    iin = new_iin()
    signed = sign(application(iin), await pki.issue(iin))
    forged = application(iin, district="other").to_json()
    from shared.eds.jcs import canonical

    error = await refused(pki, {**signed, "payload": b64url(canonical(forged))})
    assert error.code == "EDS_SIGNATURE_INVALID"


async def test_refuses_a_tampered_protected_header(pki: Pki) -> None:
    iin = new_iin()
    signer = await pki.issue(iin)
    signed = sign(application(iin), signer)
    before_validity = signer.chain[0].not_valid_before_utc - timedelta(days=1)
    error = await refused(pki, with_header(signed, sigT=rfc3339(before_validity)))
    assert error.code == "EDS_SIGNATURE_INVALID"
    error = await refused(pki, with_header(signed, role="author", note="added"))
    assert error.code == "EDS_SIGNATURE_INVALID"


async def test_a_moved_sigt_is_refused_by_its_signature_before_any_revocation_source_is_asked(
    pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signature over the protected header comes before anything in it is believed: a sigT moved
    out of the certificate's validity is EDS_SIGNATURE_INVALID, not EDS_CERT_NOT_YET_VALID, and no
    OCSP responder (nor the path validation) is asked."""
    iin = new_iin()
    signer = await pki.issue(iin)
    signed = sign(application(iin), signer)
    monkeypatch.setattr(verify_module, "CertificateValidator", _no_path_validation)
    for moved in (signer.chain[0].not_valid_before_utc - timedelta(days=1), datetime.now(UTC) - timedelta(minutes=1)):
        error = await refused(pki, with_header(signed, sigT=rfc3339(moved)))
        assert error.code == "EDS_SIGNATURE_INVALID" and error.details["signature"] == 0
    assert pki.fetcher.ocsp_calls == 0


async def test_a_cached_chain_does_not_spare_the_signature_check(pki: Pki) -> None:
    iin = new_iin()
    signed = sign(application(iin), await pki.issue(iin))
    verifier = pki.verifier()
    await verifier.verify(signed)
    with pytest.raises(AppError) as caught:
        await verifier.verify(with_header(signed, sigT="2020-01-01T00:00:00Z"))
    assert caught.value.code == "EDS_SIGNATURE_INVALID"
    assert pki.fetcher.ocsp_calls == 1


async def test_a_tampered_stamp_header_is_refused_by_its_signature(pki: Pki) -> None:
    iin = new_iin()
    citizen = await pki.issue(iin)
    gateway = await pki.issue(new_iin(), holder="system", subject={"bin": "140440000309", "organization": "ЭҮӨШ"})
    signed = countersign(sign(application(iin), citizen), gateway, role="registration")
    stamp = dict(signed["signatures"][1])
    header = json.loads(b64url_decode(stamp["protected"]))
    stamp["protected"] = b64url(json.dumps({**header, "sigT": "2020-01-01T00:00:00Z"}).encode())

    error = await refused(pki, {**signed, "signatures": [signed["signatures"][0], stamp]})
    assert error.code == "EDS_SIGNATURE_INVALID" and error.details["signature"] == 1
    assert pki.fetcher.ocsp_calls == 0


def _no_path_validation(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the path validation must not run before the signature holds")


async def test_refuses_a_payload_that_is_not_in_canonical_form(pki: Pki) -> None:
    iin = new_iin()
    signer = await pki.issue(iin)
    from joserfc import jws

    from shared.eds.signing import REGISTRY, rfc3339

    pretty = json.dumps(application(iin).to_json(), indent=2, ensure_ascii=False).encode()
    header = {
        "alg": "RS256",
        "typ": "edoc+jws",
        "x5c": signer.x5c,
        "sigT": rfc3339(datetime.now(UTC)),
        "role": "author",
    }
    signed = dict(jws.serialize_json([{"protected": header}], pretty, signer.jwk(), registry=REGISTRY))

    error = await refused(pki, signed)
    assert error.code == "EDS_MALFORMED" and "canonical" in error.details["reason"]


@pytest.mark.parametrize("alg", ["none", "HS256", "RS512", "PS256"])
async def test_refuses_algorithms_outside_the_allow_list(pki: Pki, alg: str) -> None:
    iin = new_iin()
    signed = with_header(sign(application(iin), await pki.issue(iin)), alg=alg)
    if alg == "none":
        signed["signatures"][0]["signature"] = ""
    assert (await refused(pki, signed)).code == "EDS_ALG_NOT_ALLOWED"


@pytest.mark.parametrize("x5c", [None, [], ["not base64 at all!"], [base64.b64encode(b"garbage DER").decode()]])
async def test_refuses_a_missing_or_garbage_certificate_chain(pki: Pki, x5c: Any) -> None:
    iin = new_iin()
    signed = with_header(sign(application(iin), await pki.issue(iin)), x5c=x5c)
    error = await refused(pki, signed)
    assert error.code == "EDS_MALFORMED" and "x5c" in error.details["reason"]


@pytest.mark.parametrize(
    "garbage", [None, "text", {"payload": 1, "signatures": []}, {"payload": "e30", "signatures": [{}]}]
)
async def test_refuses_what_is_not_a_signed_document(pki: Pki, garbage: Any) -> None:
    assert (await refused(pki, garbage)).code == "EDS_MALFORMED"


async def test_refuses_a_certificate_from_another_ca(pki: Pki) -> None:
    iin = new_iin()
    assert (await refused(pki, sign(application(iin), foreign_signer(iin)))).code == "EDS_CERT_UNTRUSTED"


async def test_refuses_an_expired_certificate(pki: Pki) -> None:
    iin = new_iin()
    now = datetime.now(UTC)
    signer = await pki.issue(
        iin, not_before=(now - timedelta(days=400)).isoformat(), not_after=(now - timedelta(days=35)).isoformat()
    )
    error = await refused(pki, sign(application(iin), signer, signed_at=now - timedelta(days=40)))
    assert error.code == "EDS_CERT_EXPIRED"


async def test_refuses_a_certificate_that_is_not_yet_valid(pki: Pki) -> None:
    iin = new_iin()
    now = datetime.now(UTC)
    signer = await pki.issue(
        iin, not_before=(now + timedelta(days=2)).isoformat(), not_after=(now + timedelta(days=300)).isoformat()
    )
    assert (await refused(pki, sign(application(iin), signer))).code == "EDS_CERT_NOT_YET_VALID"


async def test_refuses_a_signature_made_outside_the_certificates_validity(pki: Pki) -> None:
    iin = new_iin()
    signer = await pki.issue(iin)
    before = signer.chain[0].not_valid_before_utc - timedelta(days=1)
    error = await refused(pki, sign(application(iin), signer, signed_at=before))
    assert error.code == "EDS_CERT_NOT_YET_VALID" and error.details["at"] == "sigT"


async def test_refuses_a_certificate_revoked_as_ocsp_reports(pki: Pki) -> None:
    iin = new_iin()
    signer = await pki.issue(iin)
    await pki.revoke(signer, "keyCompromise")

    error = await refused(pki, sign(application(iin), signer))
    assert error.code == "EDS_CERT_REVOKED"
    assert error.details["source"] == "ocsp" and error.details["reason"] == "key_compromise"


async def test_refuses_a_certificate_revoked_as_the_crl_lists_when_ocsp_is_down(pki: Pki) -> None:
    iin = new_iin()
    signer = await pki.issue(iin)
    await pki.revoke(signer, "affiliationChanged")
    pki.fetcher.ocsp_up = False

    error = await refused(pki, sign(application(iin), signer))
    assert error.code == "EDS_CERT_REVOKED" and error.details["source"] == "crl"


async def test_falls_back_to_the_crl_when_ocsp_is_down(pki: Pki) -> None:
    iin = new_iin()
    signer = await pki.issue(iin)
    pki.fetcher.ocsp_up = False
    assert (await pki.verifier().verify(sign(application(iin), signer))).author.revocation == "crl"


async def test_fails_closed_when_neither_ocsp_nor_the_crl_answers(pki: Pki) -> None:
    iin = new_iin()
    signer = await pki.issue(iin)
    pki.fetcher.ocsp_up = pki.fetcher.crl_up = False
    assert (await refused(pki, sign(application(iin), signer))).code == "EDS_REVOCATION_UNKNOWN"


async def test_refuses_an_authentication_certificate_on_a_document(pki: Pki) -> None:
    iin = new_iin()
    signer = await pki.issue(iin, profile="auth")
    assert (await refused(pki, sign(application(iin), signer))).code == "EDS_WRONG_KEY_USAGE"


async def test_refuses_a_signing_certificate_for_login(pki: Pki) -> None:
    iin = new_iin()
    challenge = EDocument(type="auth/challenge@1", author=Author(iin=iin), nonce="n-1")
    error = await refused(pki, sign(challenge, await pki.issue(iin)), purpose="auth")
    assert error.code == "EDS_WRONG_KEY_USAGE"
    assert (
        await pki.verifier().verify(sign(challenge, await pki.issue(iin, profile="auth")), purpose="auth")
    ).author.iin == iin


async def test_refuses_someone_elses_certificate(pki: Pki) -> None:
    """§18 Condition 2: the IIN in the request equals the IIN in the certificate."""
    applicant, other = new_iin(), new_iin("F")
    error = await refused(pki, sign(application(applicant), await pki.issue(other)))
    assert error.code == "EDS_IIN_MISMATCH"
    assert error.details == {"document": {"iin": applicant}, "certificate": {"iin": other, "bin": None}}


async def test_refuses_a_valid_certificate_with_a_signature_by_another_key(pki: Pki) -> None:
    iin = new_iin()
    genuine, thief = await pki.issue(iin), await pki.issue(new_iin())
    forged = sign(application(iin), Signer(thief.key, genuine.chain))
    assert (await refused(pki, forged)).code == "EDS_SIGNATURE_INVALID"


async def test_refuses_a_stamp_signed_as_the_author(pki: Pki) -> None:
    iin = new_iin()
    signer = await pki.issue(iin)
    signed = sign(application(iin), signer, role="registration")
    assert (await refused(pki, signed)).code == "EDS_PURPOSE_INVALID"


async def test_a_revocation_is_seen_once_the_cached_answer_is_older_than_the_freshness_window(pki: Pki) -> None:
    iin = new_iin()
    signer = await pki.issue(iin)
    signed = sign(application(iin), signer)
    warm = pki.verifier(freshness_s=300)
    cold = pki.verifier(freshness_s=0)
    await warm.verify(signed)
    await cold.verify(signed)
    await pki.revoke(signer)

    await warm.verify(signed)  # within the window: the cached "good" stands
    with pytest.raises(AppError) as caught:
        await cold.verify(signed)
    assert caught.value.code == "EDS_CERT_REVOKED"


async def test_the_verifier_caches_revocation_answers(pki: Pki) -> None:
    iin = new_iin()
    signer = await pki.issue(iin)
    verifier = pki.verifier()
    for _ in range(5):
        await verifier.verify(sign(application(iin), signer))
    assert pki.fetcher.ocsp_calls == 1


def test_the_signed_bytes_are_the_jcs_bytes_of_the_document() -> None:
    iin = new_iin()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = foreign_signer(iin)
    signed = sign({"b": 1, "a": "ә", "type": "x/y@1"}, Signer(key, signer.chain))
    assert b64url_decode(signed["payload"]) == '{"a":"ә","b":1,"type":"x/y@1"}'.encode()
