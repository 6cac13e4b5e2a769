# Two commands on a fresh machine: `make run` and `make test`. Both bootstrap .venv.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint fmt sandbox bench clean system-deps fuzz translations dist

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "rostray needs Python >= 3.11"'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh
	@bash scripts/desktop-deps.sh

run: $(STAMP)
	$(VENV)/bin/rostray-cli $(ARGS)

test: $(STAMP) system-deps
	$(VENV)/bin/ruff check rostray tests bench
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check rostray tests bench
	$(VENV)/bin/ruff format --check rostray tests bench

fmt: $(STAMP)
	$(VENV)/bin/ruff format rostray tests bench
	$(VENV)/bin/ruff check --fix rostray tests bench

# Coverage-guided fuzzing (atheris) of the payload parser, template loader and receiver.
# Bounded: FUZZ_SECONDS per harness (default 60). Not part of `make test`.
FUZZ_SECONDS ?= 60
FUZZ_STAMP   := $(VENV)/.fuzz-installed

$(FUZZ_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,fuzz]'
	@touch $(FUZZ_STAMP)

fuzz: $(FUZZ_STAMP)
	$(PY) fuzz/run.py $(FUZZ_SECONDS)

sandbox: $(STAMP)
	$(VENV)/bin/rostray-cli sandbox $(ARGS)

# Benchmarks with same-run baselines -> docs/benchmarks.md, docs/bench/*.png, bench/results.json
# (about 10 minutes; BENCH_ARGS=--quick for a smoke run under build/bench-quick/). wrk, when
# installed (Debian package), drives the throughput runs; otherwise a Python load generator.
bench: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(PY) -m bench.run $(BENCH_ARGS)

# Refresh the Chinese catalogue from the sources, then compile it (commit both files). The GUI
# uses tr(); the Qt-free core and commands use translate("Context", …) / QT_TRANSLATE_NOOP, which
# lupdate finds too. tests/gui/test_translations.py checks that this list covers every such file.
TR_SOURCES := rostray/gui/*.py rostray/core/alerts.py rostray/core/engine.py rostray/core/credentials.py rostray/core/receiver.py rostray/core/tracker.py rostray/commands/*.py
translations: $(STAMP)
	$(VENV)/bin/pyside6-lupdate -no-obsolete $(TR_SOURCES) -ts resources/translations/rostray_zh_CN.ts
	$(VENV)/bin/pyside6-lrelease resources/translations/rostray_zh_CN.ts -qm resources/translations/rostray_zh_CN.qm

# sdist and wheel into dist/ (the wheel carries resources/ as rostray/resources).
dist: $(STAMP)
	rm -rf dist
	$(PY) -m build --outdir dist .

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
