# Everything a fresh machine needs: `make run` and `make test`.
# PYTHON=/path/to/python3.11 picks the interpreter for .venv; by default the first of
# PYTHON_CANDIDATES whose version pyproject.toml's requires-python accepts.
PYTHON ?=
PYTHON_CANDIDATES := python3.11 python3.12 python3.13 python3
# uv installs the lock's hashed packages from PyPI, several times faster than pip (its cache
# is ~/.cache/uv, or UV_CACHE_DIR); pip installs them if uv itself cannot be installed.
# unsafe-best-match: the lock may name extra indexes (a local mirror) before PyPI, and uv
# would otherwise look for a package only on the first index that has it; every file is
# pinned by its hash, so whichever index serves it, it is the locked one.
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
# Python keeps compiled modules in __pycache__, so only the first start-up compiles Django and
# Wagtail (about 2 s); a shell that forbids it would make every start-up pay that again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install run test lint check lock clean

# The interpreter that suits pyproject.toml (PYTHON= if given), or a message naming PYTHON=.
FIND_PYTHON = \
	want=$$(python3 cms/requires_python.py --describe 2>/dev/null || echo ">=3.11"); \
	if [ -n "$(PYTHON)" ]; then \
		python="$(PYTHON)"; \
		"$$python" cms/requires_python.py 2>/dev/null || { \
			echo "PYTHON=$(PYTHON) is not a Python that Liaise can use (it needs Python $$want)."; \
			exit 1; }; \
	else \
		python=; \
		for candidate in $(PYTHON_CANDIDATES); do \
			if "$$candidate" cms/requires_python.py 2>/dev/null; then python=$$candidate; break; fi; \
		done; \
		[ -n "$$python" ] || { \
			echo "Liaise needs Python 3.11 or newer ($$want in pyproject.toml); none found among"; \
			echo "$(PYTHON_CANDIDATES). Install it, or run: make run PYTHON=/path/to/python3.11"; \
			exit 1; }; \
	fi

# The virtual environment starts without pip (creating it with pip costs ~4 s); uv goes in
# with the pip of the Python that made it (pip --python), or with pip bootstrapped into the
# environment (ensurepip) when that Python has none. Packages then come from uv alone.
INSTALL_UV = \
	{ py=$$(readlink -f $(BIN)/python); \
	  "$$py" -m pip --version >/dev/null 2>&1 && \
	  "$$py" -m pip --python $(BIN)/python install --quiet --quiet --disable-pip-version-check \
		"uv==$(UV_VERSION)"; } || \
	{ $(BIN)/python -m ensurepip --upgrade >/dev/null 2>&1 && \
	  $(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check "uv==$(UV_VERSION)"; }

$(BIN)/django-admin: requirements.lock
	@if [ ! -x $(BIN)/python ]; then \
		$(FIND_PYTHON); \
		echo "Creating $(VENV) with $$python ($$("$$python" --version 2>&1))"; \
		"$$python" -m venv --without-pip $(VENV) || exit 1; \
	fi
	@echo "Installing uv $(UV_VERSION)…"
	@if $(INSTALL_UV); then \
		echo "Installing the packages of requirements.lock with uv…"; \
		$(BIN)/uv pip install --python $(BIN)/python --index-strategy unsafe-best-match \
			--require-hashes -r requirements.lock; \
	else \
		echo "uv could not be installed; installing requirements.lock with pip (slower)…"; \
		$(BIN)/python -m ensurepip --upgrade >/dev/null && \
		$(BIN)/python -m pip install --disable-pip-version-check --require-hashes \
			-r requirements.lock; \
	fi
	@touch $@

# ical.js (Thunderbird's calendar engine) reads back the calendars the tests generate.
ICALJS := tests/js/node_modules/.package-lock.json
$(ICALJS): tests/js/package-lock.json
	@command -v npm >/dev/null || { echo "The calendar tests need Node.js and npm (apt-get install nodejs npm)."; exit 1; }
	npm ci --prefix tests/js --no-audit --no-fund --silent
	touch $@

install: $(BIN)/django-admin

## run: install, migrate, load demo data, serve the site and the worker on 127.0.0.1:$(PORT)
# Quiet on purpose: the addresses and logins that `serve` prints are the last lines shown.
run: $(BIN)/django-admin
	@exec $(BIN)/python manage.py serve --migrate --demo --port $(PORT)

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
	@$(FIND_PYTHON); "$$python" -m venv .venv-lock
	.venv-lock/bin/pip install --quiet pip-tools
	.venv-lock/bin/pip-compile --quiet --extra dev --generate-hashes --strip-extras --allow-unsafe -o requirements.lock pyproject.toml
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) var
