"""The test national certification authority (registry_stub, ARCHITECTURE §5)."""
