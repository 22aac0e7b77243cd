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

# System packages: tesseract for OCR, fonts for the sample generator. Installed only when missing
# and only where apt-get can be used (root, or passwordless sudo).
system-deps:
	@missing=""; command -v tesseract >/dev/null 2>&1 || missing="tesseract-ocr"; \
	for p in $(FONT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
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

# Regenerate the small committed sample (deterministic: same seed, same files).
sample: system-deps $(STAMP)
	$(BIN)/python -m sample_data generate --out sample_data/sample --seed 20261125 --items 20 --clean

clean:
	rm -rf $(VENV) .demo .bench .pytest_cache .mypy_cache .ruff_cache
