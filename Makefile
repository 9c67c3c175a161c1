# purecap - one command sets everything up and runs everything: `make test`.
#
#   make test   mypy --strict, unit tests on every CPython 3.9-3.13 found (pyenv) and on PyPy,
#               then the conformance suite against the capnp tool and pycapnp.
#   make demo   the main job: build a message, write it framed and packed, read it back.
#   make bench  the benchmarks of bench/ (writes nothing unless asked; see bench/README.md).
#
# Set-up is idempotent: virtual environments live in .venv* and are reused when present.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
PYPY_VENV := .venv-pypy
PYENV_ROOT ?= $(HOME)/.pyenv
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: test setup system-packages mypy unit unit-cpython unit-pypy conformance demo bench clean

test: setup mypy unit conformance

# -- set-up -----------------------------------------------------------------------------------

setup: system-packages $(VENV)/.ready

# Debian packages: PyPy (for the PyPy run) and the reference implementation (conformance).
system-packages:
	@missing=""; \
	command -v pypy3 >/dev/null || missing="$$missing pypy3 pypy3-venv"; \
	dpkg -s pypy3-venv >/dev/null 2>&1 || missing="$$missing pypy3-venv"; \
	command -v capnp >/dev/null || missing="$$missing capnproto"; \
	[ -f /usr/include/capnp/schema.capnp ] || missing="$$missing libcapnp-dev"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "!!! missing Debian packages:$$missing (not root: cannot install; tests needing them will skip)"; \
	  fi; \
	fi

$(VENV)/.ready: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q pytest mypy pycapnp
	touch $@

# -- checks -----------------------------------------------------------------------------------

mypy: setup
	$(VPY) -m mypy --strict purecap tests conformance

unit: unit-cpython unit-pypy

# Every CPython 3.9-3.13 that pyenv has (at least the venv's own interpreter).
unit-cpython: setup
	@set -e; found=0; \
	for minor in 9 10 11 12 13; do \
	  py=$$(ls -d $(PYENV_ROOT)/versions/3.$$minor.*/bin/python3 2>/dev/null | sort -V | tail -n 1); \
	  [ -n "$$py" ] || continue; found=1; \
	  venv=.venv-3.$$minor; \
	  [ -f $$venv/.ready ] || { $$py -m venv $$venv && $$venv/bin/python -m pip install -q pytest && touch $$venv/.ready; }; \
	  echo "=== unit tests on $$($$venv/bin/python --version)"; \
	  $$venv/bin/python -m pytest tests -q -p no:cacheprovider; \
	done; \
	if [ $$found = 0 ]; then \
	  echo "=== unit tests on $$($(VPY) --version) (no pyenv CPythons found)"; \
	  $(VPY) -m pytest tests -q -p no:cacheprovider; \
	fi

unit-pypy: setup
	@if ! command -v pypy3 >/dev/null; then \
	  if [ "$$CI" = true ]; then echo "!!! pypy3 is missing"; exit 1; fi; \
	  echo "!!! pypy3 is missing: PyPy unit tests SKIPPED"; exit 0; \
	fi; \
	[ -f $(PYPY_VENV)/.ready ] || { pypy3 -m venv $(PYPY_VENV) && $(PYPY_VENV)/bin/python -m pip install -q pytest && touch $(PYPY_VENV)/.ready; }; \
	echo "=== unit tests on $$($(PYPY_VENV)/bin/python --version 2>&1 | tr '\n' ' ')"; \
	$(PYPY_VENV)/bin/python -m pytest tests -q -p no:cacheprovider

conformance: setup
	@echo "=== conformance against capnp $$(capnp --version 2>/dev/null | cut -d' ' -f4) and pycapnp"
	$(VPY) -m pytest conformance bench/test_bench.py -q -p no:cacheprovider

# -- the main job and the benchmarks ----------------------------------------------------------

demo:
	@$(PYTHON) -m purecap.demo

bench: setup
	$(VPY) bench/run.py

clean:
	rm -rf .venv .venv-* .mypy_cache .pytest_cache
