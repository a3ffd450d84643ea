"""The canonical form (RFC 8785): the fast path for simple documents equals the reference library,
and anything not in canonical form is refused."""

from __future__ import annotations

import json
import random
import string

import pytest
import rfc8785

from shared.eds.jcs import _simple_bytes, canonical, parse_canonical

ALPHABET = string.printable + "әғқңөұүһіӘҒҚҢӨҰҮҺІ\u2028\u2029\x00\x1f\x7f\ue000\uffff€"


def random_value(rng: random.Random, depth: int = 0) -> object:
    kind = rng.choice(["str", "int", "bool", "none", "list", "dict"] if depth < 4 else ["str", "int", "bool", "none"])
    if kind == "str":
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))
    if kind == "int":
        return rng.choice([0, -1, 1, 2**53 - 1, -(2**53) + 1, rng.randint(-(10**12), 10**12)])
    if kind == "bool":
        return rng.choice([True, False])
    if kind == "none":
        return None
    if kind == "list":
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(0, 5))]
    return {key: random_value(rng, depth + 1) for key in keys}


def test_the_fast_path_writes_exactly_what_rfc8785_writes() -> None:
    rng = random.Random(8785)
    for _ in range(3000):
        value = random_value(rng)
        assert _simple_bytes(value) == rfc8785.dumps(value) == canonical(value), value


def test_canonical_payloads_parse_back_and_others_are_refused() -> None:
    rng = random.Random(7)
    for _ in range(500):
        value = random_value(rng)
        payload = rfc8785.dumps(value)
        assert parse_canonical(payload) == value
        spaced = json.dumps(value, ensure_ascii=False, indent=1).encode()
        if spaced != payload:
            with pytest.raises(ValueError):
                parse_canonical(spaced)


@pytest.mark.parametrize(
    "payload",
    [
        b'{"b":1,"a":2}',
        b'{"a": 1}',
        b'{"a":1.0}',
        b'{"a":"\\u00e9"}',
        b'{"a":1e2}',
        b'{"\xee\x80\x80":2,"\xf0\x9f\x98\x80":1}',
        b'{"big":1152921504606846976}',
    ],
)
def test_non_canonical_forms_are_refused(payload: bytes) -> None:
    with pytest.raises(ValueError):
        parse_canonical(payload)


@pytest.mark.parametrize("value", [{"a": 1.5}, {"\U0001f600": 1, "\ue000": 2}, {"x": [0.1, -0.0]}])
def test_values_off_the_fast_path_use_rfc8785(value: object) -> None:
    """Floats, and keys outside the BMP (JCS orders them by UTF-16 units, before U+E000)."""
    assert parse_canonical(rfc8785.dumps(value)) == json.loads(rfc8785.dumps(value))


@pytest.mark.parametrize(
    "value",
    [{"a": 1.5}, {"\U0001f600": 1, "\ue000": 2}, {"x": [0.1, -0.0]}, {"big": 2**53 - 1}, [1e21], {"a": [True, None]}],
)
def test_canonical_writes_what_rfc8785_writes_on_and_off_the_fast_path(value: object) -> None:
    assert canonical(value) == rfc8785.dumps(value)


def test_canonical_refuses_what_has_no_jcs_form() -> None:
    for value in ({"a": float("nan")}, {"big": 2**53}):
        with pytest.raises(rfc8785.CanonicalizationError):
            canonical(value)
