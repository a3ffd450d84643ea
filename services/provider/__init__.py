"""Service provider: housing department and housing commission. See app.py."""
