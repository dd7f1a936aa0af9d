"""The hooks generated notebooks call: open, run, finish (stages) and run_cleanup (cleanup job)."""

from __future__ import annotations

import json
import linecache
import os
import sys
import types
from typing import Any

from .context import Params, StageContext, read_widgets
from .state import DEFAULT_SCHEMA, open_state

REPORT_ENV = "STAGE_REPORT"  # local runs: where finish_stage writes what was skipped and registered
SPARK_REMOTE = "SPARK_REMOTE"  # local runs: the Spark Connect URL of the workspace's compute


def _widget(name: str, dbutils: Any, env: str, default: str = "") -> str:
    if dbutils is None:
        return os.environ.get(env, default)
    try:
        return dbutils.widgets.get(name) or default
    except Exception:  # noqa: BLE001 - a missing optional widget
        return default


def _print_with_source(kind, value, tb) -> None:
    """Python's own traceback printer, which reads lines through linecache, where the stage's
    source is registered under its project path. (The interpreter's default hook reads files from
    disk and finds the generated notebook instead, showing its lines at the same numbers.)"""
    import traceback

    traceback.print_exception(kind, value, tb)


def local_spark():
    """A local run's Spark: a Spark Connect session of the workspace SPARK_REMOTE names, as a
    serverless notebook's `spark` is a Spark Connect session of its workspace."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise RuntimeError(f"{SPARK_REMOTE} is set, but pyspark (with its Spark Connect packages) is not installed: "
                           ".venv/bin/pip install -r requirements-dev.lock, or unset SPARK_REMOTE") from None
    return SparkSession.builder.remote(os.environ[SPARK_REMOTE]).getOrCreate()


def open_stage(stage: dict, notebook_globals: dict[str, Any]) -> StageContext:
    """Build the context from the notebook's globals (spark, dbutils on Databricks)."""
    dbutils = notebook_globals.get("dbutils")
    spark = notebook_globals.get("spark")
    _import_bundle_root()
    if dbutils is None:  # a local run: tracebacks must show the stage's own lines
        sys.excepthook = _print_with_source
    params = Params(stage["name"], read_widgets(stage, stage["parameters"], dbutils))
    catalog_param = stage["state"]["catalog_parameter"]
    catalog = params[catalog_param] if catalog_param in params else \
        read_widgets(stage, [catalog_param], dbutils)[catalog_param]
    context = stage.get("context", {})
    schema = stage["state"].get("schema", DEFAULT_SCHEMA)
    ctx = StageContext(
        stage, params, catalog=catalog, spark=spark, dbutils=dbutils,
        spark_factory=local_spark if spark is None and dbutils is None and os.environ.get(SPARK_REMOTE) else None,
        target=_widget(context.get("target_parameter", "BUNDLE_TARGET"), dbutils, "STAGE_TARGET"),
        run_id=_widget(context.get("run_id_parameter", "JOB_RUN_ID"), dbutils, "STAGE_RUN_ID"),
        state_factory=lambda: open_state(catalog, spark, schema=schema),
        sweep=True,
    )
    from .tracking import track_every_client

    track_every_client(ctx.tracker)  # a helper's or a library's own databricks-sdk client is tracked too
    ctx.begin()  # the sweep's first listing: what exists before the stage creates anything
    return ctx


def _import_bundle_root() -> None:
    """The bundle root (the parent of stages/, where notebooks run) on the import path, so stage code
    can import the project's own packages shipped as assets (`agents`, `jobs`). Appended: an
    installed package of the same name wins, as it would for any other notebook."""
    root = os.path.abspath(os.path.join(os.getcwd(), ".."))
    if root not in sys.path:
        sys.path.append(root)


def load_stage_module(stage: dict, source: str) -> types.ModuleType:
    """The stage's source as a module, compiled under its project path (src/stages/<name>.py) and
    registered with linecache, so tracebacks show that file and its lines."""
    filename = stage["source"]
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    module = types.ModuleType(f"stage_source_{stage['name']}")
    module.__file__ = filename
    sys.modules[module.__name__] = module
    exec(compile(source, filename, "exec"), module.__dict__)  # noqa: S102 - the stage's own code
    return module


def run_stage(ctx: StageContext, source: str) -> Any:
    module = load_stage_module(ctx.stage, source)
    try:
        return module.run(ctx)
    except BaseException as err:
        ctx.error = f"{type(err).__name__}: {err}"  # for the local report; the task still fails
        raise


def finish_stage(ctx: StageContext) -> None:
    """The final check (anything created but not registered fails the task), then the report.
    When the stage itself failed, a final-check failure is printed rather than raised, so the
    stage's own error is the one the task shows."""
    from .tracking import seal

    try:
        ctx.close()
        problem = None
    except Exception as err:  # noqa: BLE001
        problem = err
    # Nothing created from now on could be registered (a thread the stage left running, an atexit
    # handler): every create of the process is refused before it is sent.
    seal(f"stage {ctx.name} has finished, so uc_state could not register it")
    for note in ctx.notes:
        print(f"[{ctx.name}] {note}")
    report_path = os.environ.get(REPORT_ENV)
    if report_path:
        with open(report_path, "w", encoding="utf-8") as handle:
            json.dump({"stage": ctx.name, "skipped": ctx.skipped, "registered": ctx.registered,
                       "unregistered": [c.kind for c in ctx.tracker.unregistered()], "notes": ctx.notes,
                       "error": ctx.error or (f"{type(problem).__name__}: {problem}" if problem else "")}, handle)
    if problem is not None:
        if ctx.error:
            print(f"[{ctx.name}] also: {type(problem).__name__}: {problem}", file=sys.stderr)
        else:
            raise problem


def run_cleanup(job: dict, notebook_globals: dict[str, Any]) -> None:
    """The cleanup job's notebook: delete what the project created for CATALOG, print a summary.
    DELETE_ADOPTED (optional, comma-separated names) also deletes resources it only found."""
    from .cleanup import run_cleanup as cleanup
    from .context import _default_workspace

    dbutils = notebook_globals.get("dbutils")
    spark = notebook_globals.get("spark")
    dry_param = job.get("dry_run_parameter", "DRY_RUN")
    values = read_widgets({"name": "cleanup"}, [job["catalog_parameter"], dry_param], dbutils)
    catalog = values[job["catalog_parameter"]].strip()
    dry_run = values[dry_param].strip().lower() in ("1", "true", "yes")
    adopted = _widget(job.get("delete_adopted_parameter", "DELETE_ADOPTED"), dbutils, "STAGE_DELETE_ADOPTED")
    if not catalog:
        raise ValueError(f"cleanup needs a catalog: pass --params {job['catalog_parameter']}=<catalog>")
    schema = job.get("state_schema", DEFAULT_SCHEMA)
    report = cleanup(_default_workspace(), open_state(catalog, spark, create=False, schema=schema), catalog,
                     dry_run=dry_run, delete_adopted=frozenset(n.strip() for n in adopted.split(";") if n.strip()),
                     state_schema=schema)
    print(report.table())
    if report.failed:
        raise RuntimeError(f"cleanup of {catalog}: {len(report.failed)} resource(s) could not be deleted and stay "
                           "registered; run the cleanup job again")
