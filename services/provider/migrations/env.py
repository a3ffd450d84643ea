from services.provider.models import METADATA
from shared.migrate import run_env

run_env(METADATA)
