"""Typed dependencies of registry_stub's routes: the test NCA, the registries' desk, the database (each
route opens its unit of work) and the registration authority's bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.registry_stub.nca.authority import CertificationAuthority
from services.registry_stub.registries.desk import RegistryDesk
from shared.api.deps import Db

__all__ = ["Authority", "Bearer", "Db", "Desk"]

_ra_token = HTTPBearer(auto_error=False, description="NCA_RA_TOKEN: needed for certificates of information systems")


def get_authority(request: Request) -> CertificationAuthority:
    return request.app.state.nca  # type: ignore[no-any-return]


def get_desk(request: Request) -> RegistryDesk:
    return request.app.state.registry_desk  # type: ignore[no-any-return]


Authority = Annotated[CertificationAuthority, Depends(get_authority)]
Desk = Annotated[RegistryDesk, Depends(get_desk)]
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_ra_token)]
"""The RA token, when one is sent (``Authorization: Bearer <NCA_RA_TOKEN>``)."""
