# Two commands set up a fresh machine:  `make demo` (the core only, then the tutorial network) and
# `make test` (every extra the tests use, then ruff and pytest). `make bench` runs the benchmarks, `make bench-tabular`
# the tabular one.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORE_STAMP := $(VENV)/.core-installed
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: demo test lint bench bench-tabular clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[test,plot,sklearn,onnx,dask,bench,arrow,web,tabular-bench]"
	touch $(STAMP)

$(CORE_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $(CORE_STAMP)

demo: $(CORE_STAMP)
	$(BIN)/glassnet demo

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest ran no tests: failing loudly" >&2; exit 1; fi; exit $$status

$(BENCH_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[bench]"
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/bench.py

TABULAR_STAMP := $(VENV)/.tabular-bench-installed

$(TABULAR_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[tabular-bench]"
	touch $(TABULAR_STAMP)

# the tabular benchmark: glassnet against scikit-learn and LightGBM on 14 bundled tables; writes TABULAR.md
bench-tabular: $(TABULAR_STAMP)
	$(BIN)/python benchmarks/tabular.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
