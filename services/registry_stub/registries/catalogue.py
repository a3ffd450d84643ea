"""The personas catalogue: the synthetic people chosen to exercise the rules, looked up by trait (the
personas index the loader filled), for testers and demos. Read-only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.registry_stub.models import PersonaTraitRow, PersonRow


@dataclass(frozen=True, slots=True)
class Listing:
    """One persona: IIN, "surname given name", the traits (sorted) and the first non-empty note."""

    iin: str
    name: str
    traits: list[str]
    note: str


async def personas(session: AsyncSession, *, trait: str | None, limit: int) -> list[Listing]:
    """Up to ``limit`` personas in IIN order, only those with ``trait`` when one is given."""
    query = select(PersonaTraitRow.iin).distinct().order_by(PersonaTraitRow.iin).limit(limit)
    if trait:
        query = query.where(PersonaTraitRow.trait == trait)
    iins = list((await session.exec(query)).all())
    traits = (await session.exec(select(PersonaTraitRow).where(col(PersonaTraitRow.iin).in_(iins)))).all()
    people = {p.iin: p for p in (await session.exec(select(PersonRow).where(col(PersonRow.iin).in_(iins)))).all()}
    by_iin: dict[str, list[PersonaTraitRow]] = {}
    for row in traits:
        by_iin.setdefault(row.iin, []).append(row)
    return [
        Listing(
            iin=iin,
            name=f"{people[iin].surname} {people[iin].given_name}" if iin in people else "",
            traits=sorted(r.trait for r in by_iin.get(iin, [])),
            note=next((r.note for r in by_iin.get(iin, []) if r.note), ""),
        )
        for iin in iins
    ]
