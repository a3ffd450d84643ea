"""State registries and the test certification authority (NCA). See app.py."""
