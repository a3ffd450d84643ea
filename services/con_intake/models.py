"""Tables of con_intake. Its own registry keeps them apart from the other services' tables when all
five run in one process."""

from __future__ import annotations

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from shared.models import KernelModel


class ConIntakeModel(SQLModel, registry=registry()):
    """Base of con_intake's tables."""


METADATA = [KernelModel.metadata, ConIntakeModel.metadata]
