"""Public Service Center (ХҚО / ЦОН) operator workstation. See app.py."""
