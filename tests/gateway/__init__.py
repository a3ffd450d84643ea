"""The regional gateway: registration, stamp, routing, message log, relay, dead letters, workstation."""
