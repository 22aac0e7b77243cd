# lockbox: the two README commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
DEMO_HOME ?= $(CURDIR)/.demo
FONT_PKGS := fonts-dejavu-core fonts-liberation2 fonts-freefont-ttf fonts-comic-neue fonts-dkg-handwriting \
	fonts-breip fonts-humor-sans fonts-dancingscript fonts-femkeklaver fonts-kristi fonts-ocr-a \
	fonts-courier-prime fonts-bwht fonts-kaushanscript fonts-ecolier-court

.PHONY: demo test bench lint fmt typecheck sample system-deps clean ui
UI_PORT ?= 4200
UI_INBOX ?= $(CURDIR)/sample_data/sample/inbox
UI_LOANS ?= $(CURDIR)/sample_data/sample/loans.csv

# System packages: tesseract for OCR (and its library's headers, to build tesserocr against that very
# Tesseract), fonts for the sample generator. Installed only when missing and only where apt-get can
# be used (root, or passwordless sudo).
TESS_DEV_PKGS := libtesseract-dev libleptonica-dev pkg-config g++
system-deps:
	@missing=""; command -v tesseract >/dev/null 2>&1 || missing="tesseract-ocr"; \
	for p in $(TESS_DEV_PKGS) $(FONT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    if [ "$$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
	    if [ "$$SUDO" != none ]; then \
	      echo "Installing system packages:$$missing"; \
	      $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	    else echo "Please install:$$missing (apt-get needs root)"; fi; \
	  else echo "Please install:$$missing"; fi; \
	fi

# pip's output goes to a log; it is shown only when the install fails.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing lockbox into $(VENV) (log: $(VENV)/install.log) ..."
	@$(BIN)/pip install -q --upgrade pip >$(VENV)/install.log 2>&1 || true
	@$(BIN)/pip install -e . >>$(VENV)/install.log 2>&1 || (tail -30 $(VENV)/install.log; exit 1)
	@# Tesseract kept loaded in-process, built against the installed Tesseract so both read alike.
	@if pkg-config --exists tesseract 2>/dev/null; then \
	  $(BIN)/pip install --no-binary tesserocr 'tesserocr==2.13.0' >>$(VENV)/install.log 2>&1 \
	    || echo "tesserocr did not build (see $(VENV)/install.log): OCR runs the tesseract program, about half as fast"; \
	else echo "libtesseract-dev is missing: OCR runs the tesseract program, about half as fast (make system-deps)"; fi
	@touch $@

$(DEVSTAMP): pyproject.toml $(STAMP)
	@echo "Installing the development tools ..."
	@$(BIN)/pip install -e '.[dev]' >>$(VENV)/install.log 2>&1 || (tail -30 $(VENV)/install.log; exit 1)
	@touch $@

demo: system-deps $(STAMP)
	@rm -rf $(DEMO_HOME)
	@mkdir -p $(DEMO_HOME)
	@LOCKBOX_HOME=$(DEMO_HOME) $(BIN)/python -m sample_data.demo

test: system-deps $(DEVSTAMP)
	$(BIN)/python -m pytest

bench: system-deps $(DEVSTAMP)
	$(BIN)/python -m benchmarks

lint: $(DEVSTAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy lockbox ocr reconciliation flows sample_data

fmt: $(DEVSTAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The line recognizer ocr/models/lines.onnx (+ .json recipe): training-only handwriting fonts, torch
# and onnx into the venv, then `python -m training` (about two hours on 2 cores; the model is
# committed, so nothing else needs this).
MODEL_FONT_PKGS := fonts-tlwg-purisa fonts-klee fonts-kiloji fonts-lobster fonts-isabella \
	fonts-havana fonts-leckerli-one fonts-cabinsketch
.PHONY: model
model: system-deps $(STAMP)
	@missing=""; for p in $(MODEL_FONT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
	  if [ "$$SUDO" = none ]; then echo "Please install:$$missing (apt-get needs root)"; exit 1; fi; \
	  echo "Installing training fonts:$$missing"; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	$(BIN)/pip install -q -e '.[train]'
	$(BIN)/python -m training

# The E-13B line reader ocr/models/micr_line.onnx and the character classifier ocr/models/micr.onnx
# it falls back on (each + .json recipe with its held-out accuracy): lines drawn from the E-13B
# geometry and the GnuMICR font (../shared/fonts, training only) and the train and calibration
# parts of ../shared/data/micr-real; about an hour on 2 cores. (A line reader trained with
# `--parts train` leaves the calibration part to `python -m training.calibrate_micr`, which fits
# its thresholds there and writes them into its recipe.)
.PHONY: micr-model
micr-model: $(STAMP)
	$(BIN)/pip install -q -e '.[train]'
	$(BIN)/python -m training.micr
	$(BIN)/python -m training.micr_line

# The thresholds the amounts are cross-checked and the date decided by (ocr/models/amounts.json,
# dates.json), then the must-review rules' confidence floors (reconciliation/calibration.json):
# fitted on our generator's mail and half the foreign development set, the other half and the
# generator's handwritten checks in people's digits held out (about half an hour; run it again
# after retraining a model).
.PHONY: calibrate
calibrate: system-deps $(DEVSTAMP)
	$(BIN)/python -m training.calibrate_fields
	$(BIN)/python -m training.calibrate_rules

# Regenerate the small committed sample (deterministic: same seed, same files).
sample: system-deps $(STAMP)
	$(BIN)/python -m sample_data generate --out sample_data/sample --seed 20261125 --items 20 --clean

# A local Prefect server with its UI on http://127.0.0.1:$(UI_PORT), serving the nightly deployment
# (cron, America/Chicago) and the review flow over UI_INBOX; Ctrl-C stops both. A new home gets
# the loan book UI_LOANS, so the sample mail has loans to match.
ui: system-deps $(STAMP)
	@mkdir -p $(DEMO_HOME)/prefect
	@if [ ! -f $(DEMO_HOME)/lockbox.db ] && [ -z "$$LOCKBOX_DATABASE_URL" ]; then \
		LOCKBOX_HOME=$(DEMO_HOME) $(BIN)/lockbox loans import $(UI_LOANS); fi
	@echo "Starting a Prefect server on http://127.0.0.1:$(UI_PORT) (log: $(DEMO_HOME)/prefect-server.log) ..."
	@export PREFECT_HOME=$(DEMO_HOME)/prefect LOCKBOX_HOME=$(DEMO_HOME); \
	PREFECT_SERVER_API_HOST=127.0.0.1 PREFECT_SERVER_API_PORT=$(UI_PORT) $(BIN)/prefect server start >$(DEMO_HOME)/prefect-server.log 2>&1 & \
	server=$$!; trap 'kill $$server 2>/dev/null' EXIT INT TERM; \
	for i in $$(seq 90); do $(BIN)/python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$(UI_PORT)/api/health')" 2>/dev/null && break; sleep 1; done; \
	echo "Open http://127.0.0.1:$(UI_PORT) — deployments nightly-lockbox-run/nightly and review-exceptions/review"; \
	PREFECT_API_URL=http://127.0.0.1:$(UI_PORT)/api $(BIN)/lockbox serve --inbox $(UI_INBOX)

clean:
	rm -rf $(VENV) .demo .bench .pytest_cache .mypy_cache .ruff_cache
