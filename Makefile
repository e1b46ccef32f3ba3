# The README's commands. Every target installs what it needs first.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
PYTEST_ARGS ?=
SERVICES_WITH_SCHEMA := auth-service attendance-service reward-service notification-service

.PHONY: help install dev test lint fmt migrate clean

help:
	@echo "make dev      install, database roles/schemas, migrations, start every service + gateway, demo data"
	@echo "make test     install and run the whole test suite (needs PostgreSQL and RabbitMQ)"
	@echo "make lint     ruff (lint + format check) and mypy"
	@echo "make fmt      ruff format and autofix"
	@echo "make migrate  bootstrap the database and migrate every service's schema"

$(UV):
	python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

install: | $(UV)
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --all-packages --locked

dev: install
	$(UV) run --no-sync python deploy/devstack/run.py

test: install
	$(UV) run --no-sync pytest $(PYTEST_ARGS)

lint: install
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync mypy shared/src auth-service/src attendance-service/src reward-service/src notification-service/src gateway/src deploy

fmt: install
	$(UV) run --no-sync ruff format .
	$(UV) run --no-sync ruff check --fix .

migrate: install
	$(UV) run --no-sync python deploy/postgres/bootstrap.py
	@for svc in $(SERVICES_WITH_SCHEMA); do \
		echo "migrating $$svc"; \
		$(UV) run --no-sync alembic -c $$svc/alembic.ini upgrade head || exit 1; \
	done

clean:
	rm -rf .venv .mypy_cache .ruff_cache
