"""The state registries that answer queries: the desk that checks, logs and signs every answer
(desk.py), one read-only query per registry (queries.py) and the personas catalogue (catalogue.py),
over the registries' tables (the service's models.py) — the registries' data, filled once from the
synthetic population (`services.registry_stub.population`), which this package never imports.
"""
