# The two commands a newcomer needs (README): `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Test mode of the test certification authority, on for `make run`: anyone may get a person's certificate
# (`python -m client nca-issue`), with validity overrides. System certificates and revocations still need
# the RA token, which `python -m services` makes per process unless NCA_RA_TOKEN is set (architecture §5).
export NCA_TEST_MODE ?= 1

.PHONY: run test lint bench clean install

# uv installs the pinned dependencies in seconds where pip takes most of a minute; pip is the
# fallback when uv cannot be had (no network to PyPI: pip then uses the machine's configured indexes).
UV_VERSION := 0.13.9

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION) 2>/dev/null || true
	if test -x $(BIN)/uv && $(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'; then :; else \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'; fi
	touch $(STAMP)

install: $(STAMP)

## run: all five services in one process (in-memory bus and SQLite under var/ unless AMQP_URL / DATABASE_URL_<SERVICE> are set)
run: $(STAMP)
	$(BIN)/python -m services

## test: every suite; the RabbitMQ and PostgreSQL ones run when their servers answer (and must, when CI=true)
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff (rules and formatting, lines of 120) and mypy (--strict on shared/ and every domain/, the pydantic plugin elsewhere)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## bench: benchmarks, on demand; they print figures (see bench/README.md)
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf var .pytest_cache
