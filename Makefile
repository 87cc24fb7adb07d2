# chainmap developer tasks. `make run` and `make test` each set up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out
# pytest-xdist: the suite on every core; the Spark and the browser modules run whole on one worker each,
# handed out first (tests/conftest.py).
PYTEST_XDIST ?= -n auto

.PHONY: run test test-full setup lint typecheck pytest quality docs bench clean browser

$(BIN)/chainmap: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(BIN)/chainmap

# The main job on the bundled graphs: validate, analyse, write the report.
run: setup
	$(BIN)/chainmap validate graphs/
	$(BIN)/chainmap priorities graphs/ --top 15
	$(BIN)/chainmap spof graphs/ --target 39 --kind country
	$(BIN)/chainmap bottlenecks graphs/ --top 15
	$(BIN)/chainmap report graphs/ -o $(OUT)/
	@echo "report: $(OUT)/index.html"

# Chromium for the browser tests (Debian package; skipped where it cannot be installed).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium not installed: browser tests will be skipped"; }

lint: setup
	$(BIN)/ruff check src tests examples benchmarks tools

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/pytest $(PYTEST_XDIST)

# The data-quality gate of the bundled graph (graphs/quality/thresholds.yaml; docs/quality.md).
quality: setup
	$(BIN)/chainmap validate graphs/ --quality --check

# The documentation site with the API reference from the docstrings (strict: a warning fails).
docs: setup
	$(BIN)/mkdocs build --quiet --strict

# Everything CI runs.
test: setup browser lint typecheck quality docs pytest

# Everything, plus the slow Spark checks CI skips (one Spark scenario per country pair, the benchmark smoke run).
test-full: setup browser lint typecheck quality docs
	CHAINMAP_SPARK_FULL=1 $(BIN)/pytest $(PYTEST_XDIST)

bench: setup
	$(BIN)/python benchmarks/run.py --sizes 10000,100000,1000000

clean:
	rm -rf $(VENV) $(OUT) site .pytest_cache .mypy_cache .ruff_cache .hypothesis
