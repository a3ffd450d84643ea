"""Run regional_gateway alone: ``python -m services.regional_gateway`` (against ``AMQP_URL`` and
``DATABASE_URL_REGIONAL_GATEWAY``)."""

from services.regional_gateway.app import create_app
from services.regional_gateway.config import RegionalGatewaySettings
from shared.runner import run_one

if __name__ == "__main__":
    settings = RegionalGatewaySettings()
    run_one(create_app(settings), settings)
