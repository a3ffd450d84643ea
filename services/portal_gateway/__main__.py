"""Run portal_gateway alone: ``python -m services.portal_gateway`` (against ``AMQP_URL`` and
``DATABASE_URL_PORTAL_GATEWAY``)."""

from services.portal_gateway.app import create_app
from services.portal_gateway.config import PortalSettings
from shared.runner import run_one

if __name__ == "__main__":
    settings = PortalSettings()
    run_one(create_app(settings), settings)
