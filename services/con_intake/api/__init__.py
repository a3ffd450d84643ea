"""The Center's HTTP API: one router per resource (operators, the visitor queue, the intake) beside the
kernel's /health and /ready."""
