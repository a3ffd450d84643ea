"""What a person reads on the terminal: aligned fields, small tables, local times, never the signed
documents' base64 (`client.cli`, `client.staff_cli`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

NONE = "—"


def text(value: object) -> str:
    return NONE if value is None or value == "" else str(value)


def when(value: object) -> str:
    """An RFC 3339 time from the API in the reader's local time; a date, or anything else, as it is."""
    if not isinstance(value, str) or "T" not in value:
        return text(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").rstrip()


def fields(pairs: Sequence[tuple[str, str]]) -> str:
    width = max(len(label) for label, _ in pairs)
    return "\n".join(f"{label:<{width}}  {value}".rstrip() for label, value in pairs)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    lines = [headers, *rows]
    return "\n".join("  ".join(f"{cell:<{w}}" for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines)


def compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def ground(ground: object) -> str:
    if not isinstance(ground, Mapping):
        return str(ground)
    where = " ".join(
        part
        for part in (str(ground.get("paragraph") or ""), f"item {ground['item']}" if ground.get("item") else "")
        if part
    )
    what = ground.get("text") or " — ".join(str(ground[k]) for k in ("kind", "reason") if ground.get(k))
    return f"{where}: {what}" if where and what else str(where or what or compact(dict(ground)))
