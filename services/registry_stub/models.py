"""Tables of registry_stub. Its own registry keeps them apart from the other services' tables when all
five run in one process."""

from __future__ import annotations

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from shared.models import KernelModel


class RegistryStubModel(SQLModel, registry=registry()):
    """Base of registry_stub's tables."""


METADATA = [KernelModel.metadata, RegistryStubModel.metadata]
