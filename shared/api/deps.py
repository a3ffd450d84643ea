"""The kernel's route dependencies (`Annotated` aliases), the same in every service: the runtime
(``app.state.runtime``), its database (routes open the unit of work), its verifier and its
registries' client. A service's ``api/deps.py`` re-exports them beside its own."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from shared.db import Database
from shared.eds.verify import Verifier
from shared.registries import RegistryClient
from shared.service import ServiceRuntime


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def get_db(request: Request) -> Database:
    return get_runtime(request).db


def get_verifier(request: Request) -> Verifier:
    return get_runtime(request).verifier


def get_registries(request: Request) -> RegistryClient:
    return get_runtime(request).registries


def from_state(name: str) -> Any:
    """A dependency on ``app.state.<name>``: a collaborator the service's app.py made and put there
    (``Annotated[TokenIssuer, from_state("tokens")]``)."""

    def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    return Depends(get)


Runtime = Annotated[ServiceRuntime, Depends(get_runtime)]
Db = Annotated[Database, Depends(get_db)]
EdsVerifier = Annotated[Verifier, Depends(get_verifier)]
Registries = Annotated[RegistryClient, Depends(get_registries)]
