"""e-Government portal (ЭҮП, egov.kz). See app.py."""
