"""Settings of registry_stub: env prefix ``REGISTRY_STUB_``, database under ``DATABASE_URL_REGISTRY_STUB``,
and the test certification authority's switches ``NCA_TEST_MODE`` and ``NCA_RA_TOKEN`` (unprefixed, as
architecture §5 and the Makefile name them)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field, model_validator

from shared.settings import ServiceSettings


class RegistryStubSettings(ServiceSettings):
    service_name: ClassVar[str] = "registry_stub"

    port: int = 8005
    public_url: str = Field(
        "",
        description="Base URL other services and testers reach this service at; written into every certificate's "
        "CRL distribution point and AIA. Empty: http://127.0.0.1:<port>",
    )
    nca_test_mode: bool = Field(
        False,
        validation_alias="NCA_TEST_MODE",
        description="Test mode of the certification authority: anyone may get an individual's or an employee's "
        "certificate, with not_before/not_after overrides; off (RA mode), issuing any certificate needs the RA "
        "token. System certificates and revocations need the RA token (or, to revoke, the holder's signed "
        "request) in both modes",
    )
    nca_ra_token: str = Field(
        "",
        validation_alias="NCA_RA_TOKEN",
        description="Registration authority token (Authorization: Bearer) required to issue certificates (all of "
        "them in RA mode, system ones in test mode) and to revoke any; empty: refused (the embedded default "
        "makes a random one per process)",
    )
    crl_validity_hours: int = Field(24, ge=1, description="Time from a CRL's thisUpdate to its nextUpdate")
    population_seed: int = Field(17032014, description="Seed of the synthetic population (made once per database)")
    population_size: int = Field(
        3000, ge=73, description="How many people the registries hold (the personas alone are 73)"
    )
    population_as_of: date | None = Field(
        None, description="The day the population's histories are relative to (the §15 five years); empty: today"
    )

    @model_validator(mode="after")
    def _default_public_url(self) -> RegistryStubSettings:
        # Computed here, not in a default factory, so that REGISTRY_STUB_PORT moves it along.
        self.public_url = (self.public_url or f"http://127.0.0.1:{self.port}").rstrip("/")
        return self
