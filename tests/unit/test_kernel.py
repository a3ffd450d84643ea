"""Pure kernel pieces: the error catalogue, language choice, topic matching, the envelope, settings,
and the IIN/BIN check digit."""

from __future__ import annotations

from datetime import date

import pytest

from services.provider.config import ProviderSettings
from services.registry_stub.config import RegistryStubSettings
from shared.bus.envelope import Envelope
from shared.bus.topic import topic_matches
from shared.errors import CATALOGUE, LANGUAGES, AppError, pick_language
from shared.iin import check_digit, has_valid_check_digit, iin_birth_date, iin_sex, is_valid_bin, is_valid_iin, make_iin

ARCHITECTURE_CODES = {
    "EDS_MALFORMED",
    "EDS_ALG_NOT_ALLOWED",
    "EDS_SIGNATURE_INVALID",
    "EDS_CERT_UNTRUSTED",
    "EDS_CERT_NOT_YET_VALID",
    "EDS_CERT_EXPIRED",
    "EDS_CERT_REVOKED",
    "EDS_REVOCATION_UNKNOWN",
    "EDS_WRONG_KEY_USAGE",
    "EDS_IIN_MISMATCH",
    "AUTH_INVALID_CREDENTIALS",
    "IIN_INVALID",
    "PERSON_NOT_FOUND",
    "POA_NOT_FOUND",
    "DOCS_INCOMPLETE",
    "DUPLICATE_APPLICATION",
}


def test_the_catalogue_has_every_code_architecture_names() -> None:
    assert ARCHITECTURE_CODES <= set(CATALOGUE)


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_code_has_a_message_in_kazakh_russian_and_english(code: str) -> None:
    spec = CATALOGUE[code]
    messages = [spec.message(language) for language in LANGUAGES]
    assert all(m.strip() for m in messages) and len(set(messages)) == 3
    assert 400 <= spec.status < 600
    assert code.isupper()


def test_bad_input_codes_are_never_5xx() -> None:
    caller_faults = [
        c for c in CATALOGUE if c.startswith(("EDS_", "AUTH_", "IIN_", "BIN_", "POA_", "DOCS_", "DUPLICATE"))
    ]
    # Revocation unknown is the one EDS code that is not the caller's fault: nobody could answer.
    assert {c for c in caller_faults if CATALOGUE[c].status >= 500} == {"EDS_REVOCATION_UNKNOWN"}


def test_an_unknown_code_cannot_be_raised() -> None:
    with pytest.raises(KeyError):
        AppError("NOT_IN_THE_CATALOGUE")


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "kk"),
        ("", "kk"),
        ("ru", "ru"),
        ("en-US,en;q=0.9", "en"),
        ("de,ru;q=0.3,en;q=0.7", "en"),
        ("kk-KZ", "kk"),
        ("fr", "kk"),
        ("ru;q=0, en", "en"),
        ("ru;q=bad", "kk"),
    ],
)
def test_language_comes_from_accept_language_with_kazakh_by_default(header: str | None, language: str) -> None:
    assert pick_language(header) == language


@pytest.mark.parametrize(
    ("pattern", "key", "matches"),
    [
        ("a.b", "a.b", True),
        ("a.*", "a.b", True),
        ("a.*", "a.b.c", False),
        ("a.#", "a", True),
        ("a.#", "a.b.c", True),
        ("#", "x.y", True),
        ("*.b.#", "a.b", True),
        ("*.b.#", "b", False),
        ("a.#.z", "a.z", True),
        ("a.#.z", "a.q.r.z", True),
        ("a.#.z", "a.q.r", False),
    ],
)
def test_topic_patterns_match_as_amqp_does(pattern: str, key: str, matches: bool) -> None:
    assert topic_matches(pattern, key) is matches


def test_an_envelope_survives_the_wire_unchanged() -> None:
    sent = Envelope(
        message_type="application.submitted",
        sender="KZ/GOV/140440000100/portal",
        issue="A-1",
        user_id="KZ900101300017",
        document={"type": "housing-queue/application@1", "ә": "Қ"},
    )
    assert Envelope.from_bytes(sent.to_bytes()) == sent


def test_a_reply_keeps_the_correlation_and_gets_its_own_id() -> None:
    request = Envelope(message_type="registry.person.get", sender="KZ/GOV/140440000100/portal", user_id="KZ1")
    reply = request.reply("registry.person.found", "KZ/GOV/140440000507/registry", {"ok": True})
    assert reply.correlation_id == request.correlation_id and reply.message_id != request.message_id
    assert reply.user_id == request.user_id


def test_settings_take_the_database_and_bus_from_the_architectures_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL_PROVIDER", "postgresql+asyncpg://provider@db/provider")
    monkeypatch.setenv("AMQP_URL", "amqp://provider:pw@broker:5672/")
    monkeypatch.setenv("PROVIDER_PORT", "9004")
    monkeypatch.setenv("REGISTRY_STUB_PORT", "9005")
    provider = ProviderSettings()
    registry = RegistryStubSettings()

    assert (provider.database_url, provider.amqp_url, provider.port) == (
        "postgresql+asyncpg://provider@db/provider",
        "amqp://provider:pw@broker:5672/",
        9004,
    )
    assert registry.port == 9005 and registry.database_url.endswith("registry_stub.db")


def test_settings_default_to_sqlite_under_var_and_the_in_memory_bus(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL_PROVIDER", "AMQP_URL", "PROVIDER_PORT", "VAR_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = ProviderSettings()
    assert settings.database_url == "sqlite+aiosqlite:///var/provider.db"
    assert settings.amqp_url == "" and settings.port == 8004


# IINs: YYMMDD, century/sex digit, 4 serial digits, check digit.
@pytest.mark.parametrize("number", ["900101300017", "140440000100", "140440000507"])
def test_numbers_with_their_check_digit_are_valid(number: str) -> None:
    assert has_valid_check_digit(number)


@pytest.mark.parametrize("number", ["900101300018", "90010130001", "9001013000170", "90010130001a", "٩٠٠١٠١٣٠٠٠١٧"])
def test_wrong_check_digit_length_or_characters_are_invalid(number: str) -> None:
    assert not has_valid_check_digit(number)


def test_the_second_weight_set_is_used_when_the_first_gives_ten() -> None:
    # 1*0+2*0+...: choose digits whose first weighted sum is 10 mod 11.
    first = "10000000100"  # 1*1 + 9*1 = 10 with weights 1..11
    assert sum(int(d) * w for d, w in zip(first, range(1, 12), strict=True)) % 11 == 10
    second = sum(int(d) * w for d, w in zip(first, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True)) % 11
    assert check_digit(first) == second


# Published test vectors of the IIN check digit (the kz-iin-validator package's tests).
@pytest.mark.parametrize("iin", ["871008401427", "760212350620", "800416300257", "680503450037", "800416100254"])
def test_published_iins_are_valid(iin: str) -> None:
    assert is_valid_iin(iin)


def test_an_iin_whose_both_weight_passes_give_ten_is_invalid() -> None:
    assert check_digit("82121424009") is None
    assert not is_valid_iin("821214240092")


@pytest.mark.parametrize(
    ("iin", "why"),
    [
        ("871308401427", "month 13"),
        ("870230401420", "30 February"),
        ("871008701427", "century digit 7"),
        ("871008001427", "century digit 0"),
    ],
)
def test_an_iin_must_encode_a_real_birth_date_and_century(iin: str, why: str) -> None:
    assert not is_valid_iin(iin), why


def test_the_iin_gives_birth_date_and_sex() -> None:
    assert iin_birth_date("871008401427") == date(1987, 10, 8) and iin_sex("871008401427") == "F"
    assert iin_birth_date("800416300257") == date(1980, 4, 16) and iin_sex("800416300257") == "M"


def test_made_iins_are_valid_and_decode_back() -> None:
    made = [make_iin(date(2001, 2, 28), "F", n) for n in range(1, 50)]
    assert all(is_valid_iin(i) for i in made if i) and sum(i is None for i in made) < 10
    assert all(iin_birth_date(i) == date(2001, 2, 28) and iin_sex(i) == "F" for i in made if i)


def with_check_digit(first_eleven: str) -> str:
    return first_eleven + str(check_digit(first_eleven))


@pytest.mark.parametrize(
    ("first_eleven", "valid"),
    [
        ("14044000010", True),
        ("14045100010", True),
        ("14046300010", True),
        ("14047000010", False),
        ("14044400010", False),
        ("14134000010", False),
        ("14004000010", False),
    ],
)
def test_a_bin_has_a_month_a_type_and_an_attribute(first_eleven: str, valid: bool) -> None:
    assert is_valid_bin(with_check_digit(first_eleven)) is valid
