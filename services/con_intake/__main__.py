"""Run con_intake alone: ``python -m services.con_intake`` (against ``AMQP_URL`` and ``DATABASE_URL_CON_INTAKE``)."""

from services.con_intake.app import create_app
from services.con_intake.config import ConIntakeSettings
from shared.runner import run_one

if __name__ == "__main__":
    settings = ConIntakeSettings()
    run_one(create_app(settings), settings)
