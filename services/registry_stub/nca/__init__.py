"""The test certification authority (ҰКО) of registry_stub: profiles (pure rules), pki (cryptography),
store (its state in the database), ocsp (the responder) and authority (what the routes call)."""
