from services.regional_gateway.models import METADATA
from shared.migrate import run_env

run_env(METADATA)
