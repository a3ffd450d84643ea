"""What verification refuses to spend on (architecture §5): sizes, counts and nesting are bounded at
parse, each refused as EDS_MALFORMED with a reason before any certificate is loaded, path validated
or revocation source asked; and every cache is bounded in size as well as in time."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import shared.eds.verify as verify_module
from shared.cache import CACHE_ENTRIES, BoundedCache
from shared.eds.document import Author, EDocument
from shared.eds.jcs import exceeds_depth, nesting_depth
from shared.eds.revocation import RevocationSources
from shared.eds.signing import b64url, b64url_decode, sign
from shared.eds.verify import (
    MAX_CERT_BYTES,
    MAX_HEADER_BYTES,
    MAX_JSON_DEPTH,
    MAX_PAYLOAD_BYTES,
    MAX_SIGNATURES,
    MAX_SIGNED_CHARS,
    MAX_X5C_CERTS,
    Verifier,
)
from shared.errors import AppError
from tests.support.pki import Pki, application, new_iin, with_header


@pytest.fixture
def offline_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a certificate is loaded or a path validated: the refusal must come at parse."""

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("refused at parse, before any certificate is looked at")

    monkeypatch.setattr(verify_module, "_identify", forbidden)
    monkeypatch.setattr(verify_module, "CertificateValidator", forbidden)


async def malformed(pki: Pki, signed: Any) -> str:
    with pytest.raises(AppError) as caught:
        await pki.verifier().verify(signed)
    assert caught.value.code == "EDS_MALFORMED", caught.value.details
    assert pki.fetcher.ocsp_calls == 0
    reason = caught.value.details["reason"]
    assert isinstance(reason, str)
    return reason


def raw_header(signed: dict[str, Any], text: bytes) -> dict[str, Any]:
    """``signed`` with its first protected header replaced by ``text`` as it is (JSON or not)."""
    member = {**signed["signatures"][0], "protected": b64url(text)}
    return {**signed, "signatures": [member]}


async def test_an_x5c_padded_with_ca_copies_is_refused_before_any_path_validation(pki: Pki, offline_only: None) -> None:
    iin = new_iin()
    signed = sign(application(iin), await pki.issue(iin))
    x5c = json.loads(b64url_decode(signed["signatures"][0]["protected"]))["x5c"]
    padded = with_header(signed, x5c=[*x5c, *[x5c[1]] * 10])

    reason = await malformed(pki, padded)
    assert "x5c" in reason and str(MAX_X5C_CERTS) in reason


async def test_an_oversized_certificate_in_x5c_is_refused(pki: Pki, offline_only: None) -> None:
    iin = new_iin()
    signed = sign(application(iin), await pki.issue(iin))
    huge = base64.b64encode(b"\x30" * (MAX_CERT_BYTES + 1)).decode()
    assert "x5c" in await malformed(pki, with_header(signed, x5c=[huge]))


async def test_a_payload_nested_100000_deep_is_malformed_not_a_crash(pki: Pki, offline_only: None) -> None:
    iin = new_iin()
    signed = sign(application(iin), await pki.issue(iin))
    for text in (
        b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"a":' + b"[" * 100_000,  # never closed
        b'{"a":' + b'{"b":' * 100_000 + b"1" + b"}" * 100_001,
    ):
        reason = await malformed(pki, {**signed, "payload": b64url(text)})
        assert "deeper" in reason


async def test_nesting_up_to_the_bound_verifies_and_one_more_is_refused(pki: Pki) -> None:
    iin = new_iin()
    signer = await pki.issue(iin)

    def nested(depth: int) -> EDocument:  # the document itself is the first level
        value: Any = "leaf"
        for _ in range(depth - 1):
            value = [value]
        return EDocument(type="x/deep@1", author=Author(iin=iin), deep=value)

    assert (await pki.verifier().verify(sign(nested(MAX_JSON_DEPTH), signer))).author.iin == iin
    with pytest.raises(AppError) as caught:
        await pki.verifier().verify(sign(nested(MAX_JSON_DEPTH + 1), signer))
    assert caught.value.code == "EDS_MALFORMED" and "deeper" in caught.value.details["reason"]


async def test_a_protected_header_nested_deep_is_malformed_not_a_crash(pki: Pki, offline_only: None) -> None:
    iin = new_iin()
    signed = sign(application(iin), await pki.issue(iin))
    header = b'{"alg":"RS256","typ":"edoc+jws","note":' + b"[" * 15_000 + b"]" * 15_000 + b"}"
    assert "deeper" in await malformed(pki, raw_header(signed, header))


async def test_an_oversized_payload_is_refused(pki: Pki, offline_only: None) -> None:
    iin = new_iin()
    signed = sign(application(iin), await pki.issue(iin))
    document = json.dumps({"statement": "x" * MAX_PAYLOAD_BYTES}).encode()
    reason = await malformed(pki, {**signed, "payload": b64url(document)})
    assert "payload" in reason and "larger" in reason


async def test_an_oversized_signed_object_is_refused(pki: Pki, offline_only: None) -> None:
    iin = new_iin()
    signed = sign(application(iin), await pki.issue(iin))
    member = {**signed["signatures"][0], "signature": "A" * MAX_SIGNED_CHARS}
    reason = await malformed(pki, {**signed, "signatures": [member]})
    assert "signed document" in reason and "larger" in reason


async def test_an_oversized_protected_header_is_refused(pki: Pki, offline_only: None) -> None:
    iin = new_iin()
    signed = sign(application(iin), await pki.issue(iin))
    reason = await malformed(pki, with_header(signed, note="x" * MAX_HEADER_BYTES))
    assert "protected header" in reason and "larger" in reason


async def test_too_many_signatures_are_refused(pki: Pki, offline_only: None) -> None:
    iin = new_iin()
    signed = sign(application(iin), await pki.issue(iin))
    too_many = {**signed, "signatures": signed["signatures"] * (MAX_SIGNATURES + 1)}
    assert str(MAX_SIGNATURES) in await malformed(pki, too_many)


async def test_as_many_signatures_as_the_bound_pass_the_parse(pki: Pki) -> None:
    iin = new_iin()
    signed = sign(application(iin), await pki.issue(iin))
    with pytest.raises(AppError) as caught:
        await pki.verifier().verify({**signed, "signatures": signed["signatures"] * MAX_SIGNATURES})
    assert caught.value.code == "EDS_PURPOSE_INVALID"  # eight author signatures: parsed, then judged
    assert pki.fetcher.ocsp_calls == 1  # one chain, asked once


async def test_the_chain_and_revocation_caches_do_not_grow_past_their_bound(pki: Pki) -> None:
    revocation = RevocationSources(pki.fetcher, max_entries=2)
    verifier = Verifier(pki.store, revocation, cache_entries=2)
    signed = []
    for _ in range(4):
        iin = new_iin()
        signed.append(sign(application(iin), await pki.issue(iin)))
        await verifier.verify(signed[-1])
        assert len(verifier._verdicts) <= 2 and len(revocation._ocsp) <= 2
    assert (len(verifier._verdicts), len(revocation._ocsp), pki.fetcher.ocsp_calls) == (2, 2, 4)

    await verifier.verify(signed[-1])  # the most recent is kept
    assert pki.fetcher.ocsp_calls == 4
    await verifier.verify(signed[0])  # the least recent went
    assert pki.fetcher.ocsp_calls == 5
    assert (len(verifier._verdicts), len(revocation._ocsp)) == (2, 2)


def test_a_bounded_cache_keeps_the_most_recently_used_entries_up_to_its_bound() -> None:
    cache: BoundedCache[int, int] = BoundedCache()
    assert cache.max_entries == CACHE_ENTRIES
    for key in range(CACHE_ENTRIES):
        cache.put(key, key, ttl=60)
    assert cache.get(0) == 0  # now the most recently used
    for key in range(CACHE_ENTRIES, CACHE_ENTRIES + 500):
        cache.put(key, key, ttl=60)
    assert len(cache) == CACHE_ENTRIES
    assert cache.get(0) == 0 and cache.get(1) is None and cache.get(CACHE_ENTRIES + 499) == CACHE_ENTRIES + 499


def test_a_bounded_cache_forgets_an_entry_at_its_expiry() -> None:
    now = [1000.0]
    cache: BoundedCache[str, bytes] = BoundedCache(4, clock=lambda: now[0])
    cache.put("a", b"1", ttl=10)
    cache.put("b", b"2", ttl=0)  # not kept at all
    now[0] += 9.9
    assert (cache.get("a"), cache.get("b")) == (b"1", None)
    now[0] += 0.1
    assert cache.get("a") is None and len(cache) == 0


def test_nesting_depth_is_measured_without_recursion() -> None:
    assert [nesting_depth(t) for t in (b"1", b"[]", b'{"a":[1,{"b":"[[[{"}]}', b'["\\"]]]", "\\\\"]')] == [0, 1, 3, 1]
    assert nesting_depth(b"[" * 1_000_000) == 1_000_000
    assert not exceeds_depth(b'{"a":[[[]]]}', 4) and exceeds_depth(b'{"a":[[[[]]]]}', 4)
