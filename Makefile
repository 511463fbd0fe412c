# Two commands on a fresh machine:
#   make run    set up .venv and start the workstation (SQLite in the user data folder)
#   make test   set up .venv with the test tools and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck translations bench screenshots bundle clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "Cannot create a virtual environment: sudo apt-get install -y python3-venv"; exit 1; }
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[hub,test,bundle]"
	@touch $(STAMP)

translations: $(STAMP)
	$(BIN)/python scripts/build_translations.py

run: $(STAMP) translations
	@$(BIN)/python scripts/check_system.py --gui
	$(BIN)/xuhui-desk

test: $(STAMP) translations
	@$(BIN)/python scripts/check_system.py --tests
	$(BIN)/ruff check .
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP) translations
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/run_all.py

screenshots: $(STAMP) translations
	$(BIN)/python scripts/screenshots.py

bundle: $(STAMP) translations
	@$(BIN)/python scripts/check_system.py --gui
	$(BIN)/python scripts/build_bundle.py $(BUNDLE_ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
