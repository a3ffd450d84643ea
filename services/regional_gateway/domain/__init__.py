"""The gateway's pure rules: registration numbers, delivery states, routing, the message log's hash chain."""
