"""The gateway's HTTP API: its workstation (dead letters, delivery), the evidence of the message log, the
routing directory."""
