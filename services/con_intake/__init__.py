"""Public Service Center (ХҚО / ЦОН) operator workstation: branches, operators, the visitor queue, the intake of
applications. See app.py."""
