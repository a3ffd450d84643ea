"""Regulation §14 (which documents) as a pure rule, and the access tokens' isolation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.auth import TokenIssuer
from shared.errors import AppError
from shared.housing.documents import CivilEvent, required_documents


def kinds(**kwargs: object) -> list[str]:
    return [r.kind for r in required_documents(**kwargs)]  # type: ignore[arg-type]


def test_a_clean_portal_application_needs_no_copies() -> None:
    assert kinds(channel="portal", categories=[]) == []


@pytest.mark.parametrize(
    ("event", "copy"),
    [
        (CivilEvent("marriage", date(2008, 5, 31)), "marriage_certificate"),
        (CivilEvent("divorce", date(2001, 1, 1)), "marriage_certificate"),
        (CivilEvent("death", date(2007, 8, 12)), "death_certificate"),
        (CivilEvent("birth", date(1999, 3, 3)), "birth_certificate"),
    ],
)
def test_copies_are_required_of_what_the_registries_do_not_hold(event: CivilEvent, copy: str) -> None:
    """§14: marriages/divorces before 1 June 2008, deaths and births before 13 August 2007."""
    assert kinds(channel="portal", categories=[], civil_events=[event]) == [copy]


@pytest.mark.parametrize(
    "event",
    [
        CivilEvent("marriage", date(2008, 7, 1)),
        CivilEvent("death", date(2007, 8, 13)),
        CivilEvent("birth", date(2015, 1, 1)),
    ],
)
def test_later_records_are_fetched_not_asked_for(event: CivilEvent) -> None:
    assert kinds(channel="portal", categories=[], civil_events=[event]) == []


def test_a_june_2008_marriage_is_in_neither_list_so_its_copy_is_asked_for() -> None:
    """The Kazakh text: copies before 1 June 2008, registry from 1 July 2008."""
    assert kinds(channel="portal", categories=[], civil_events=[CivilEvent("marriage", date(2008, 6, 15))]) == [
        "marriage_certificate"
    ]


def test_category_documents() -> None:
    assert kinds(
        channel="portal",
        categories=["employee"],
    ) == ["employment_certificate"]
    assert kinds(channel="portal", categories=["emergency_dwelling"]) == ["emergency_finding"]
    assert kinds(channel="portal", categories=["substandard_dwelling"]) == ["authority_certificate"]
    assert kinds(channel="portal", categories=["cosmonaut"]) == ["cosmonaut_status"]


def test_on_the_portal_only_some_vulnerable_groups_attach_a_document() -> None:
    """§14.2: kandases, emergency victims and families of those who died on duty."""
    assert kinds(channel="portal", categories=["vulnerable"], vulnerable_groups=["kandas"]) == [
        "vulnerable_group_document"
    ]
    assert kinds(channel="portal", categories=["vulnerable"], vulnerable_groups=["large_family"]) == []


def test_at_the_center_vulnerable_groups_bring_an_income_certificate_except_orphans_and_disabled_children() -> None:
    """§14.1."""
    assert "income_certificate" in kinds(
        channel="center", categories=["vulnerable"], vulnerable_groups=["large_family"]
    )
    assert "income_certificate" not in kinds(channel="center", categories=["vulnerable"], vulnerable_groups=["orphan"])
    assert "income_certificate" not in kinds(
        channel="center", categories=["vulnerable"], vulnerable_groups=["family_with_disabled_children"]
    )
    assert kinds(channel="center", categories=[])[0] == "identity_document"


def test_a_token_is_accepted_only_by_the_service_that_issued_it() -> None:
    portal, provider = TokenIssuer(audience="portal_gateway"), TokenIssuer(audience="provider")
    token, lifetime = portal.issue("900101300017", "citizen")

    assert portal.check(token).subject == "900101300017" and lifetime == 900
    with pytest.raises(AppError) as caught:
        provider.check(token)
    assert caught.value.code == "UNAUTHORIZED"
    shared_secret = "a-secret-shared-by-mistake-0123456789"
    same_secret_other_audience = TokenIssuer(audience="provider", secret=shared_secret)
    with pytest.raises(AppError):
        same_secret_other_audience.check(
            TokenIssuer(audience="portal_gateway", secret=shared_secret).issue("x", "citizen")[0]
        )
    with pytest.raises(ValueError):
        TokenIssuer(audience="provider", secret="short")


def test_an_expired_token_or_wrong_role_is_refused() -> None:
    issuer = TokenIssuer(audience="provider", ttl=timedelta(seconds=-1))
    with pytest.raises(AppError) as expired:
        issuer.check(issuer.issue("specialist.karaganda", "specialist")[0])
    assert expired.value.code == "UNAUTHORIZED"
    fresh = TokenIssuer(audience="provider")
    with pytest.raises(AppError) as role:
        fresh.check(fresh.issue("s", "specialist")[0], roles=("head",))
    assert role.value.code == "FORBIDDEN"
