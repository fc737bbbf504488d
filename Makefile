# qbank — the README's two commands are `make demo` and `make test`; both set themselves up.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
QBANK := $(VENV)/bin/qbank
OUT ?= out

.PHONY: runtime setup system-deps node-deps demo test test-fast lint typecheck bench docs i18n clean

# `make demo` needs only what qbank itself needs (the runtime dependencies);
# `make test` adds the test toolchain (pytest, playwright, anki, mypy, pre-commit …).
runtime: $(VENV)/.runtime

$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

setup: $(VENV)/.installed

$(VENV)/.installed: $(VENV)/.runtime
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Debian packages the rendering and browser tests use (LibreOffice, poppler, fonts, chromium).
system-deps:
	bash scripts/install-system-deps.sh

# survey-core for the SurveyJS grading test (pinned in tests/node/package-lock.json).
node-deps:
	bash scripts/install-node-deps.sh

demo: runtime
	$(QBANK) validate bank
	mkdir -p $(OUT)
	$(QBANK) draw bank --quiz 4.3-practice
	$(QBANK) export anki bank -o $(OUT)/aws-mls.apkg
	$(QBANK) export docx bank --quiz 4.3-practice --forms 2 -o $(OUT)/4.3-practice.docx
	$(QBANK) export json bank --quiz 4.3-practice -o $(OUT)/4.3-practice.json
	$(QBANK) export surveyjs bank --quiz 4.3-practice -o $(OUT)/4.3-practice.survey.json
	$(QBANK) export html bank --quiz 4.3-practice -o $(OUT)/4.3-practice.html
	$(QBANK) export moodle bank -o $(OUT)/aws-mls.moodle.xml
	$(QBANK) export gift bank -o $(OUT)/aws-mls.gift
	$(QBANK) export qti bank -o $(OUT)/aws-mls.qti.zip
	$(QBANK) export xlsx bank -o $(OUT)/aws-mls.xlsx
	@echo "Exports written to $(OUT)/"

test: setup system-deps node-deps
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

typecheck: lint

bench: setup
	$(PY) bench/run.py

# Message catalogs (docs/i18n.md): extract the msgids, merge them into every .po, compile .mo
i18n: runtime
	$(VENV)/bin/pybabel extract -F babel.cfg --no-location --sort-output --project qbank \
	  --version 1 --copyright-holder "qbank developers" -w 100 -o src/qbank/i18n/locales/qbank.pot .
	$(VENV)/bin/pybabel update -i src/qbank/i18n/locales/qbank.pot -d src/qbank/i18n/locales \
	  -D qbank -w 100 --ignore-obsolete
	$(VENV)/bin/pybabel compile -d src/qbank/i18n/locales -D qbank --statistics

docs: runtime
	$(QBANK) rules --format markdown > docs/rules.md
	$(QBANK) schema > docs/question-file.schema.json
	$(PY) scripts/readme_formats.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache test-artifacts
