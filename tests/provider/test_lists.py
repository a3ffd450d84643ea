"""The 2014 waiting lists (services/provider/domain/lists.py): which list an applicant joins, in the
order of art. 67 p.1 when several fit, none for a need the lists do not name; and the queue key's order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.provider.domain.lists import QueueKey, lists_fitting, place


@pytest.mark.parametrize(
    ("categories", "groups", "joins", "fits"),
    [
        (["vulnerable"], ["ww2_veteran"], "ww2", ("ww2",)),
        (["vulnerable"], ["orphan"], "orphans", ("orphans",)),
        (["vulnerable"], ["large_family"], "vulnerable", ("vulnerable",)),
        (["employee"], [], "employees", ("employees",)),
        (["emergency_dwelling"], [], "emergency", ("emergency",)),
        (["vulnerable", "employee"], ["ww2_equated", "pensioner"], "ww2", ("ww2", "vulnerable", "employees")),
        (["employee", "emergency_dwelling"], [], "employees", ("employees", "emergency")),
        (["substandard_dwelling"], [], None, ()),
        (["cosmonaut"], [], None, ()),
    ],
)
def test_an_applicant_joins_the_first_list_of_art_67_that_fits(
    categories: list[str], groups: list[str], joins: str | None, fits: tuple[str, ...]
) -> None:
    placement = place(categories, groups)
    assert (placement.waiting_list, placement.fits) == (joins, fits)
    assert lists_fitting(categories, groups) == fits


def test_the_queue_key_orders_by_the_signed_registration_then_its_number_then_the_id() -> None:
    t = datetime(2014, 5, 5, 9, 0, tzinfo=UTC)
    later = datetime(2014, 5, 5, 9, 1, tzinfo=UTC)
    keys = [
        QueueKey(later, "KRG-20140505-000001", "a"),
        QueueKey(t, "KRG-20140505-000003", "b"),
        QueueKey(t, "KRG-20140505-000002", "z"),
        QueueKey(t, "KRG-20140505-000002", "c"),
    ]
    assert [(k.registration_number, k.application_id) for k in sorted(keys)] == [
        ("KRG-20140505-000002", "c"),
        ("KRG-20140505-000002", "z"),
        ("KRG-20140505-000003", "b"),
        ("KRG-20140505-000001", "a"),
    ]
