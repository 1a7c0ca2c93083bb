# Everything a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: install run test lint check lock clean

$(BIN)/django-admin: requirements.lock
	@$(PYTHON) --version >/dev/null 2>&1 || { echo "Liaise needs Python 3.11 ($(PYTHON) not found)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

# ical.js (Thunderbird's calendar engine) reads back the calendars the tests generate.
ICALJS := tests/js/node_modules/.package-lock.json
$(ICALJS): tests/js/package-lock.json
	@command -v npm >/dev/null || { echo "The calendar tests need Node.js and npm (apt-get install nodejs npm)."; exit 1; }
	npm ci --prefix tests/js --no-audit --no-fund --silent
	touch $@

install: $(BIN)/django-admin

## run: install, migrate, load demo data, serve the site and the worker on 127.0.0.1:$(PORT)
run: $(BIN)/django-admin
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	exec $(BIN)/python manage.py serve --port $(PORT)

## test: the whole suite on SQLite (browser tests included when Chromium is installed)
test: $(BIN)/django-admin $(ICALJS)
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest -m browser

lint: $(BIN)/django-admin
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

check: $(BIN)/django-admin
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run --noinput

## lock: re-resolve requirements.lock from pyproject.toml
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet pip-tools
	.venv-lock/bin/pip-compile --quiet --extra dev --generate-hashes --strip-extras --allow-unsafe -o requirements.lock pyproject.toml
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) var
