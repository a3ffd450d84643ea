"""Regional e-government gateway (ЭҮӨШ АЖО). See app.py."""
