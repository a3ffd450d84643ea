"""The norm of provision an allocation matches family sizes to dwellings by (services/provider/domain/allocation.py),
as data in one place with its source.

- ``max_m2_per_person``: the norm of provision of the 2014 Law "On housing relations" (art. 75 as recalled: 15–18 m²
  of useful area per person, but at least a one-room flat). Source: unverified — recalled, no published text of the
  2014 article was found; the upper bound, 18 m², is used, so that a dwelling larger than the
  family's norm goes to a larger family first, and a one-room flat fits anyone.
- ``persons_per_room``: no source; the model's assumption (two persons a room), so that a family is not given fewer
  rooms than half its size. Change it here when the regulation's text is found.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Norm:
    max_m2_per_person: float
    persons_per_room: int
    source: str


NORM = Norm(
    max_m2_per_person=18.0,
    persons_per_room=2,
    source="Law 'On housing relations' (2014) art. 75, as recalled (unverified): 15–18 m² a person, one room at least",
)
