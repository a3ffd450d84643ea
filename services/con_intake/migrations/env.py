from services.con_intake.models import METADATA
from shared.migrate import run_env

run_env(METADATA)
