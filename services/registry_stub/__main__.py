"""Run registry_stub alone: ``python -m services.registry_stub`` (against ``AMQP_URL`` and
``DATABASE_URL_REGISTRY_STUB``)."""

from services.registry_stub.app import create_app
from services.registry_stub.config import RegistryStubSettings
from shared.runner import run_one

if __name__ == "__main__":
    settings = RegistryStubSettings()
    run_one(create_app(settings), settings)
