"""Run provider alone: ``python -m services.provider`` (against ``AMQP_URL`` and ``DATABASE_URL_PROVIDER``)."""

from services.provider.app import create_app
from services.provider.config import ProviderSettings
from shared.runner import run_one

if __name__ == "__main__":
    settings = ProviderSettings()
    run_one(create_app(settings), settings)
