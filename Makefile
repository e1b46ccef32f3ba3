# The README's commands. Every target installs what it needs first.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
PYTEST_ARGS ?=
SERVICES_WITH_SCHEMA := auth-service attendance-service reward-service notification-service

.PHONY: help install tools image-tools browser-tools images dev test bench lint fmt migrate clean

help:
	@echo "make dev      install, database roles/schemas, migrations, start every service + gateway, demo data"
	@echo "make test     install and run the whole test suite (needs PostgreSQL and RabbitMQ)"
	@echo "make bench    the benchmark: load through the gateway and straight to services (needs the same services)"
	@echo "make images   build the five service images with Docker (IMAGE_TAG, PYTHON_IMAGE)"
	@echo "make lint     ruff (lint + format check) and mypy"
	@echo "make fmt      ruff format and autofix"
	@echo "make migrate  bootstrap the database and migrate every service's schema"

$(UV):
	python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

# --inexact: keep what `make bench` added (matplotlib), so a `make lint` during a bench
# does not uninstall it under the running benchmark. Bytecode is compiled here, once: where
# PYTHONDONTWRITEBYTECODE is set (this machine sets it) every process would otherwise
# compile every module it imports, every time (4.8 s to import a service instead of 2.3).
SOURCES := shared/src testkit/src $(addsuffix /src,$(SERVICES_WITH_SCHEMA)) gateway/src deploy
install: | $(UV)
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --all-packages --locked --inexact --compile-bytecode
	@$(UV) run --no-sync python -m compileall -q -j0 $(SOURCES) >/dev/null

# promtool (checks and unit-tests the alert rules), from Debian's prometheus package,
# unpacked into .tools/ without installing the server. Where it cannot be fetched the
# suite says so and skips only the promtool tests.
tools: .tools/bin/promtool

.tools/bin/promtool:
	@mkdir -p .tools/bin .tools/deb
	@if command -v promtool >/dev/null; then ln -sf "$$(command -v promtool)" $@; \
	else (cd .tools/deb && apt-get download prometheus >/dev/null 2>&1 \
	  && dpkg-deb -x prometheus_*.deb root && cp root/usr/bin/promtool ../bin/ \
	  && rm -rf root prometheus_*.deb) \
	  || echo "make: could not fetch promtool (apt-get download prometheus); its tests will be skipped"; fi

# $(call apt_install,<path that must exist>,<Debian packages>,<what is skipped without them>)
# Installs from Debian's packages where apt-get can (as root); elsewhere says what is skipped.
define apt_install
	@if [ ! -e $(1) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q --no-install-recommends $(2) >/dev/null 2>&1 \
	    || { apt-get update -q >/dev/null 2>&1 \
	         && apt-get install -y -q --no-install-recommends $(2) >/dev/null 2>&1; } \
	    || echo "make: could not install $(2); $(3) will be skipped"; \
	  else echo "make: no $(1) (installing $(2) needs root and apt-get); $(3) will be skipped"; fi; \
	fi
endef

# Docker's engine and debootstrap, for the image tier of the tests (tests/images: it
# starts an engine of its own and makes its base image with debootstrap).
image-tools:
	$(call apt_install,/usr/sbin/dockerd,docker.io,the image tests)
	$(call apt_install,/usr/sbin/debootstrap,debootstrap,the image tests)

# Debian's headless Chromium and a Korean font, for the browser tests of the pages
# (Playwright drives it; no browser is downloaded from elsewhere).
browser-tools:
	$(call apt_install,/usr/bin/chromium,chromium,the browser tests)
	$(call apt_install,/usr/share/fonts/truetype/nanum,fonts-nanum,nothing (Korean shows as boxes))

# The five service images, for a user with Docker: checkin/<package>:$(IMAGE_TAG).
# PYTHON_IMAGE: another base; BUILD_NETWORK=host where the engine has no bridge network.
IMAGE_TAG ?= dev
PYTHON_IMAGE ?=
BUILD_NETWORK ?=
images: install
	$(UV) run --no-sync python deploy/docker/build_images.py --tag $(IMAGE_TAG) \
	  $(if $(PYTHON_IMAGE),--python-image $(PYTHON_IMAGE)) \
	  $(if $(BUILD_NETWORK),--network $(BUILD_NETWORK))

# wrk (the load generator of `make bench`) from Debian's packages, unpacked into .tools/
# with the LuaJIT library it links, run through a wrapper that points at it.
.tools/bin/wrk:
	@mkdir -p .tools/bin .tools/deb
	@if command -v wrk >/dev/null; then ln -sf "$$(command -v wrk)" $@; \
	else cd .tools/deb && apt-get download wrk libluajit-5.1-2 >/dev/null 2>&1 \
	  && for deb in *.deb; do dpkg-deb -x $$deb ../root; done && rm -f *.deb \
	  && printf '#!/bin/sh\nhere=$$(dirname "$$0")/..\nLD_LIBRARY_PATH="$$here/root/usr/lib/x86_64-linux-gnu" exec "$$here/root/usr/bin/wrk" "$$@"\n' > ../bin/wrk \
	  && chmod +x ../bin/wrk; fi

bench: install .tools/bin/wrk
	$(UV) sync --all-packages --locked --group bench --compile-bytecode
	$(UV) run --no-sync python bench/benchmark.py $(BENCH_ARGS)

dev: install
	$(UV) run --no-sync python deploy/devstack/run.py

test: install tools image-tools browser-tools
	PATH="$(CURDIR)/.tools/bin:$$PATH" $(UV) run --no-sync pytest $(PYTEST_ARGS)

lint: install
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync mypy shared/src testkit/src auth-service/src attendance-service/src reward-service/src notification-service/src gateway/src deploy bench

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
	rm -rf .venv .mypy_cache .ruff_cache .tools
