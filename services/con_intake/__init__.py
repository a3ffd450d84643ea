"""Public Service Center (ХҚО / ЦОН) operator workstation (a skeleton). See app.py."""
