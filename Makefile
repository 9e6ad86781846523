# gridloop: `make run` runs the whole system with a demo stream; `make test` runs the tests.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed

.PHONY: help setup venv install up down status run test test-unit lint fmt

help:
	@echo "make run    set everything up, start the system and feed demo reports (Ctrl-C stops)"
	@echo "make test   set up what the tests need and run the whole suite on real servers"
	@echo "make cluster-test  three brokers, two instances of each service, faults under load"
	@echo "make bench  the whole system under load next to its raw limit (bench/results/)"
	@echo "make chaos  services, broker and database failing under load; nothing lost"
	@echo "make up     install and start Kafka, FerretDB and Prometheus only"
	@echo "make down   stop what 'make up' started"
	@echo "make lint   ruff format check, ruff, mypy"

$(VENV_STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

venv: $(VENV_STAMP)

install: venv
	bash deploy/local/install.sh
	bash deploy/local/compose-plugin.sh

setup: install

up: setup
	bash deploy/local/up.sh

down:
	bash deploy/local/down.sh

status:
	bash deploy/local/status.sh

run: up
	$(PY) deploy/local/run.py

test: up
	$(PY) -m pytest

test-unit: venv
	$(PY) -m pytest -m "not servers"

lint: venv
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .

fmt: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

.PHONY: bench-intake
bench-intake: venv
	$(PY) bench/intake.py

.PHONY: bench-router
bench-router: venv  ## routed reports per second, and an emergency's wait behind 10,000 reports
	$(PY) -m bench.router

.PHONY: bench-casework
bench-casework: venv  ## commands/s through casework vs raw updates; list and stats times
	$(PY) -m bench.casework $(BENCH_ARGS)

# Notifier throughput and latency against the running servers (starts its own notifier).
.PHONY: bench-notifier
bench-notifier: venv
	$(PY) bench/notifier.py

# The cluster run: three local Kafka brokers (ports 19092-19094, beside the single
# broker), two instances of every service, a broker and one instance of each service
# killed under load. Uses the shared FerretDB on 27017; stops the cluster afterwards.
.PHONY: cluster-test
cluster-test: install
	bash deploy/local/cluster.sh up
	@rc=0; $(PY) -m bench.cluster || rc=$$?; bash deploy/local/cluster.sh down; exit $$rc

# The whole system under load on this machine next to its raw limit (bare aiokafka and
# PyMongo through the same hops and writes); about ten minutes. Holds the servers lock.
.PHONY: bench
bench: install
	$(PY) -m bench.system $(BENCH_ARGS)

# Faults under load on the shared servers (services killed in turn, the broker killed
# and restarted, FerretDB stopped for 30 s, poison on every consumed topic), then the
# count of every report, event, alert and parked message. About five minutes; holds
# the servers lock. `make test` runs a shorter form (tests/chaos).
.PHONY: chaos
chaos: install
	$(PY) -m bench.chaos $(CHAOS_ARGS)
