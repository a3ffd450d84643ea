"""The Center's pure rules (none yet)."""
