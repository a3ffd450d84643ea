"""`python -m client …`: the command line. Run with --help."""

from client.cli import main

raise SystemExit(main())
