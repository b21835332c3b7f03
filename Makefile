# gekiban — developer commands. `make demo` and `make test` set up everything they need.
#
#   make deps    Debian packages: FluidSynth, a General MIDI SoundFont, ffmpeg (only those missing)
#   make venv    .venv with gekiban installed editable plus test tools (again only when pyproject.toml changes)
#   make demo    compose a 60 s battle cue into out/demo
#   make test    the test suite (slow end-to-end renders excluded; `make test-slow` runs them)
#   make bench   time composing against the bare FluidSynth render

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEB_PACKAGES := libfluidsynth3 fluidsynth fluid-soundfont-gm ffmpeg
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
APT := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: help deps venv demo test test-slow bench clean

help:
	@sed -n 's/^#   //p' Makefile

deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	$(PYTHON) -c 'import ensurepip' >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -z "$$missing" ]; then \
	  echo "deps: all present ($(DEB_PACKAGES))"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "deps: not a Debian/Ubuntu system; install yourself:$$missing (FluidSynth 2, a GM SoundFont, ffmpeg)" >&2; \
	else \
	  echo "deps: installing$$missing"; \
	  $(APT) update -qq && $(APT) install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

venv: $(STAMP)

demo: deps venv
	$(BIN)/gekiban compose "heroic battle on a burning city skyline" --duration 60 --seed 7 --out out/demo
	@echo
	@echo "demo bundle in $(CURDIR)/out/demo:"
	@cd out/demo && find . -type f | sort | sed 's|^\./|  |'

test: deps venv
	$(BIN)/python -m pytest -q

test-slow: deps venv
	$(BIN)/python -m pytest -q -m slow

bench: deps venv
	$(BIN)/python benchmarks/bench_compose.py

clean:
	rm -rf out build .pytest_cache
