"""Typed dependencies of registry_stub's routes: the test NCA, the registries' desk, the database (each
route opens its unit of work) and the registration authority's bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.registry_stub.nca.authority import CertificationAuthority
from services.registry_stub.registries.desk import RegistryDesk
from shared.api.deps import Db, from_state

__all__ = ["Authority", "Bearer", "Db", "Desk"]

_ra_token = HTTPBearer(
    auto_error=False,
    description="NCA_RA_TOKEN, the registration authority's credential: needed to issue certificates (but "
    "individuals' and employees' in test mode) and to revoke them (or the holder's signed request)",
)


Authority = Annotated[CertificationAuthority, from_state("nca")]
Desk = Annotated[RegistryDesk, from_state("registry_desk")]
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_ra_token)]
"""The RA token, when one is sent (``Authorization: Bearer <NCA_RA_TOKEN>``); checked by the authority."""
