"""`python -m bench [name …]`: run the named benchmarks (default: all)."""

from __future__ import annotations

import asyncio
import importlib
import sys

BENCHMARKS = ["outbox_relay", "eds_verify", "envelope_proof", "registry_lookup", "citizen_path"]


def main(argv: list[str]) -> None:
    for name in argv or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}: {module.__doc__.strip().splitlines()[0] if module.__doc__ else ''}")
        asyncio.run(module.main())


if __name__ == "__main__":
    main(sys.argv[1:])
