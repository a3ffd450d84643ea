"""HTTP routers of registry_stub, one per resource."""
