"""The Center's HTTP API: one router per resource (none yet beyond the kernel's /health and /ready)."""
