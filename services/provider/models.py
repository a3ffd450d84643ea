"""Tables of provider. Its own registry keeps them apart from the other services' tables when all
five run in one process."""

from __future__ import annotations

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from shared.models import KernelModel


class ProviderModel(SQLModel, registry=registry()):
    """Base of provider's tables."""


METADATA = [KernelModel.metadata, ProviderModel.metadata]
