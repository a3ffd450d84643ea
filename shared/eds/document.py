"""The common shape of every e-document (architecture §4): ``type`` (versioned), ``id``,
``created_at`` and ``author``. Types subclass `EDocument`; they are validated before signing and
after verifying."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.iin import has_valid_check_digit


class Author(BaseModel):
    """``{"iin"}`` for a person, ``{"iin", "bin"}`` for an employee acting for an organisation,
    ``{"bin"}`` for a system."""

    model_config = ConfigDict(extra="forbid")

    iin: str | None = Field(default=None, description="the person's IIN (ЖСН)")
    bin: str | None = Field(default=None, description="the organisation's BIN (БСН)")

    @model_validator(mode="after")
    def _identified(self) -> Author:
        if self.iin is None and self.bin is None:
            raise ValueError("an author has an IIN, a BIN, or both")
        for name in ("iin", "bin"):
            value = getattr(self, name)
            if value is not None and not has_valid_check_digit(value):
                raise ValueError(f"{name} {value!r} has no valid check digit")
        return self


class EDocument(BaseModel):
    """The fields every signed document has. Unknown fields are kept (a verifier of any type, such as
    the portal's public check, must not drop what it was not told about); concrete types forbid them."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(pattern=r"^[a-z0-9-]+(/[a-z0-9-]+)*@[0-9]+$", examples=["housing-queue/application@1"])
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    author: Author

    @field_validator("id")
    @classmethod
    def _uuid(cls, value: str) -> str:
        return str(uuid.UUID(value))

    @field_validator("created_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() != UTC.utcoffset(None):
            raise ValueError("created_at must be in UTC (RFC 3339 with Z)")
        return value

    def to_json(self) -> dict[str, Any]:
        """The JSON value that gets signed (datetimes as RFC 3339 UTC, absent optionals left out)."""
        return self.model_dump(mode="json", exclude_none=True)
