from services.registry_stub.models import METADATA
from shared.migrate import run_env

run_env(METADATA)
