# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint format clean bench messages

install: $(STAMP)

# Reinstall only when a requirements file changed.
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

run: install
	$(BIN)/python -m devserver

test: install lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The French catalogue: collect the marked strings into locale/fr/LC_MESSAGES/django.po
# (translate the new or changed entries there: no empty msgstr, no "fuzzy" flag), then
# compile django.mo, which is committed so deploys need no gettext.
I18N_IGNORE := --ignore=.venv --ignore=zoho_sandbox --ignore=soak --ignore=benchmarks \
	--ignore=tests --ignore=docs --ignore=static --ignore=staticfiles --ignore=data
messages: install
	DEBUG=true $(BIN)/python manage.py makemessages -l fr --no-obsolete $(I18N_IGNORE)
	DEBUG=true $(BIN)/python manage.py compilemessages -l fr --ignore=.venv

# Performance figures against the sandbox (about 15 minutes; BENCH_ARGS="--contacts 10000"
# for a quicker pass). Prints a table, writes benchmarks/results/latest.json.
bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 data staticfiles

# The reliability soak (soak/README.md): real PostgreSQL (127.0.0.1:5432) and Redis
# (127.0.0.1:6379), about five minutes. Shorter: make soak SOAK_ARGS="--duration 60 --kills 3"
.PHONY: soak
soak: install
	$(BIN)/python -m soak $(SOAK_ARGS)
