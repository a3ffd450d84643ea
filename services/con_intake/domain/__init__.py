"""The Center's pure rules, one module per rule (the visitor queue: queue.py; the intake: intake.py,
checklist.py, schedule.py)."""
