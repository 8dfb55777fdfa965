# estation: the two commands of README.md, and the pieces they are made of.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install

# Install everything, migrate, load the demo data and serve at http://127.0.0.1:$(PORT) (SQLite, no server),
# with the demo-only routes on (the simulated ID-card reader). Another port: make run PORT=8080.
# A real instance: README, "Deploying".
run: install
	$(BIN)/estation migrate
	$(BIN)/estation demo
	$(BIN)/estation index rebuild
	ESTATION_DEMO=true $(BIN)/estation serve --port $(PORT)

# Install everything, start the real PostgreSQL and search-engine nodes, run the whole test suite.
test: install
	scripts/test

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	npm ci --no-audit --no-fund  # axe-core for the kiosk accessibility tests (package-lock.json)
	touch $@
