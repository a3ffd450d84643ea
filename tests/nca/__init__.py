"""The test national certification authority (registry_stub, architecture §5)."""
