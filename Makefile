# WhoKnows: `make run` sets everything up and serves the sample organisation; `make test` tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CONFIG ?= whoknows.toml

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run index serve test lint clean

$(BIN)/whoknows: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# torch first: the pinned CPU build on local disk (an unpinned torch pulls a CUDA build)
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[dev]'
	touch $@

install: $(BIN)/whoknows

index: install
	$(BIN)/whoknows index --config $(CONFIG)

serve: install
	$(BIN)/whoknows serve --config $(CONFIG) --host $(HOST) --port $(PORT)

run: index serve

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf whoknows-data .pytest_cache
