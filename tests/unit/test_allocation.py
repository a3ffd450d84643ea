"""The allocation round's pure rules (services/provider/domain/allocation.py): the split strategies, the units within a
list by the queue key and the norm, and the positions — examples a commission would check by hand, and properties
(hypothesis) over any sizes and any sequence of joins, allocations and removals."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.provider.domain.allocation import (
    STRATEGIES,
    Queued,
    Unit,
    assign,
    fits,
    positions,
    proportional_2014,
    quota_2025,
)
from services.provider.domain.lists import LISTS

sizes_of_lists = st.fixed_dictionaries({name: st.integers(min_value=0, max_value=5000) for name in LISTS})


# -- examples --------------------------------------------------------------------------------------------------


def test_the_2014_split_is_proportional_and_the_veterans_and_orphans_come_first_for_what_is_left() -> None:
    sizes = {"ww2": 3, "orphans": 7, "vulnerable": 60, "employees": 20, "emergency": 10}
    # 10 units over 100 people: shares 0.3, 0.7, 6, 2, 1; the whole parts give 9, the one left goes to the
    # WWII list (first in line, its fraction 0.3 below the orphans' 0.7)
    assert proportional_2014(10, sizes) == {"ww2": 1, "orphans": 0, "vulnerable": 6, "employees": 2, "emergency": 1}
    # 11 units: the two left go to the WWII list and the orphans
    assert proportional_2014(11, sizes) == {"ww2": 1, "orphans": 1, "vulnerable": 6, "employees": 2, "emergency": 1}
    # more units than people: everyone is housed, nothing beyond
    assert proportional_2014(500, sizes) == sizes


def test_the_2025_split_gives_the_orphans_a_fifth_and_the_vulnerable_groups_seven_tenths() -> None:
    sizes = {"ww2": 10, "orphans": 100, "vulnerable": 400, "employees": 300, "emergency": 100}
    split = quota_2025(100, sizes)
    assert split["orphans"] == 20
    assert split["orphans"] + split["ww2"] + split["vulnerable"] == 70
    assert split["employees"] + split["emergency"] == 30
    # too few orphans for their quota: the rest of it goes to the other vulnerable groups
    few = quota_2025(100, {**sizes, "orphans": 5})
    assert few["orphans"] == 5 and few["ww2"] + few["vulnerable"] == 65 and sum(few.values()) == 100


def test_a_unit_goes_to_the_first_family_in_the_queue_it_fits() -> None:
    queue = [Queued("A", 1, 5), Queued("B", 2, 1), Queued("C", 3, 2)]
    one_room, two_rooms, three_rooms = Unit("u1", 1, 33.0), Unit("u2", 2, 34.0), Unit("u3", 3, 72.0)
    # three rooms, 72 m²: for five people (≤ 18 m² each); two rooms, 34 m² fit a family of one? no: 34 > 18, and
    # the family of two (C) fits; the one-room flat fits anyone: B
    assert assign([one_room, two_rooms, three_rooms], queue) == {"u3": "A", "u2": "C", "u1": "B"}
    assert fits(one_room, 1) and not fits(one_room, 3)  # two a room at most
    assert not fits(Unit("big", 4, 120.0), 2)  # 60 m² a person: beyond the norm
    with pytest.raises(ValueError):
        fits(one_room, 0)


def test_positions_follow_the_queue_keys() -> None:
    assert positions({"c": (3, "x"), "a": (1, "y"), "b": (2, "z")}) == {"a": 1, "b": 2, "c": 3}
    assert positions({}) == {}


# -- properties ------------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(units=st.integers(min_value=0, max_value=3000), sizes=sizes_of_lists, name=st.sampled_from(sorted(STRATEGIES)))
def test_every_unit_goes_to_some_list_and_no_list_gets_more_than_its_people(
    units: int, sizes: dict[str, int], name: str
) -> None:
    split = STRATEGIES[name](units, sizes)  # type: ignore[arg-type]
    assert set(split) == set(LISTS)
    assert all(0 <= split[n] <= sizes[n] for n in LISTS)
    assert sum(split.values()) == min(units, sum(sizes.values()))


@settings(max_examples=300, deadline=None)
@given(units=st.integers(min_value=0, max_value=3000), sizes=sizes_of_lists)
def test_the_proportional_split_never_gives_a_list_more_than_its_share_plus_one(
    units: int, sizes: dict[str, int]
) -> None:
    split = proportional_2014(units, sizes)  # type: ignore[arg-type]
    total = sum(sizes.values())
    if total == 0:
        assert sum(split.values()) == 0
        return
    given_units = min(units, total)
    for name in LISTS:
        share = Fraction(given_units * sizes[name], total)
        assert share - 1 < split[name] <= share + 1, (name, share, split)


events = st.lists(
    st.one_of(
        st.tuples(st.just("join"), st.integers(min_value=0, max_value=10_000)),
        st.tuples(st.just("house"), st.integers(min_value=1, max_value=5)),
        st.tuples(st.just("remove"), st.integers(min_value=0, max_value=50)),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(history=events)
def test_positions_are_a_permutation_with_no_gaps_after_any_joins_allocations_and_removals(
    history: list[tuple[str, int]],
) -> None:
    keys: dict[str, tuple[int, int]] = {}
    for step, (event, value) in enumerate(history):
        if event == "join":
            keys[f"case-{step}"] = (value, step)  # the registration time, then its number
        elif event == "house":  # the first ``value`` in the queue are housed and leave the list
            for case in sorted(keys, key=lambda c: keys[c])[:value]:
                del keys[case]
        elif keys:  # a removal on a ground: any one of them
            del keys[sorted(keys)[value % len(keys)]]
        placed = positions(keys)
        assert sorted(placed.values()) == list(range(1, len(keys) + 1))
        order = sorted(keys, key=lambda c: keys[c])
        assert [placed[c] for c in order] == list(range(1, len(keys) + 1))
