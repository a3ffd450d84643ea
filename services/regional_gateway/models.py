"""Tables of regional_gateway. Its own registry keeps them apart from the other services' tables when all
five run in one process."""

from __future__ import annotations

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from shared.models import KernelModel


class RegionalGatewayModel(SQLModel, registry=registry()):
    """Base of regional_gateway's tables."""


METADATA = [KernelModel.metadata, RegionalGatewayModel.metadata]
