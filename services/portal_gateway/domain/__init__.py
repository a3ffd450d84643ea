"""The portal's pure rules (no I/O): deadlines, the duplicate rule, the order of statuses, the
password policy, and what the registries' answers say of the household and categories."""
