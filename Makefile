# gekiban — developer commands. `make demo` and `make test` set up everything they need.
#
#   make deps    Debian packages: FluidSynth, the MuseScore General and FluidR3 SoundFonts, ffmpeg (only those missing)
#   make deps-test  Debian packages for the browser tests of the studio (chromium, fonts-noto-cjk) and the MusicXML engraving test (musescore3), only those missing
#   make venv    .venv with gekiban installed editable plus test tools (again only when pyproject.toml changes)
#   make demo    compose a 60 s battle cue into out/demo
#   make test    the test suite (slow end-to-end renders excluded; `make test-slow` runs them)
#   make bench   time composing against the bare FluidSynth render

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The SoundFonts: MuseScore General (the default: string sections, Expr. presets) and FluidR3 (the
# fallback). MUSESCORE=musescore-general-soundfont-lossless installs the uncompressed font instead
# (330 MB download, 478 MB on disk, against 76 and 84 MB): renders then skip decoding the samples a
# cue uses (about 2 s of CPU for an orchestral cue). Either one counts as present.
MUSESCORE ?= musescore-general-soundfont
DEB_PACKAGES := libfluidsynth3 fluidsynth fluid-soundfont-gm ffmpeg
# The studio's browser tests drive Debian's Chromium through Playwright (never a downloaded
# browser); Noto CJK renders the Japanese prompts.
DEB_TEST_PACKAGES := chromium fonts-noto-cjk musescore3
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
APT := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: help deps deps-test venv demo test test-slow bench clean

help:
	@sed -n 's/^#   //p' Makefile

deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	dpkg -s musescore-general-soundfont >/dev/null 2>&1 || dpkg -s musescore-general-soundfont-lossless >/dev/null 2>&1 \
	  || missing="$$missing $(MUSESCORE)"; \
	$(PYTHON) -c 'import ensurepip' >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -z "$$missing" ]; then \
	  echo "deps: all present ($(DEB_PACKAGES), MuseScore General)"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "deps: not a Debian/Ubuntu system; install yourself:$$missing (FluidSynth 2, MuseScore General or another GM SoundFont, ffmpeg)" >&2; \
	else \
	  echo "deps: installing$$missing"; \
	  $(APT) update -qq && $(APT) install -y -qq --no-install-recommends $$missing; \
	fi

deps-test:
	@missing=""; \
	for p in $(DEB_TEST_PACKAGES); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then \
	  echo "deps-test: all present ($(DEB_TEST_PACKAGES))"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "deps-test: not a Debian/Ubuntu system; install yourself:$$missing (the browser tests skip without /usr/bin/chromium, the engraving test without mscore3)" >&2; \
	else \
	  echo "deps-test: installing$$missing"; \
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

test: deps deps-test venv
	$(BIN)/python -m pytest -q

test-slow: deps deps-test venv
	$(BIN)/python -m pytest -q -m slow

bench: deps venv
	$(BIN)/python benchmarks/bench_compose.py

clean:
	rm -rf out build .pytest_cache
