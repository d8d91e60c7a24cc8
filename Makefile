# cctk — two commands on a fresh clone:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO   ?= demo

.PHONY: demo test install sysdeps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test,tui]'
	@# An editable install leaves no bytecode; where PYTHONDONTWRITEBYTECODE is set (CI, this machine)
	@# every command would compile cctk again (~50 ms of each run). Stale files are simply recompiled.
	$(BIN)/python -m compileall -q cctk tui > /dev/null
	touch $@

install: $(VENV)/.installed

sysdeps:
	bash scripts/install-system-deps.sh

## Build the demo district (if not built yet) and open the TUI on a terminal, or print its summary.
demo: install
	bash scripts/demo.sh $(BIN) $(DEMO)

## Run the whole test suite (installs what the tests need first).
test: install sysdeps
	$(BIN)/python -m pytest -q

bench: install
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
