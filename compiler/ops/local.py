"""Local runs: the generated notebooks of a target (the very files that deploy), run in
dependency order, each in its own process, against the workspace at DATABRICKS_HOST (the stand-in
in tests), with uc_state in build/.local/state.sqlite and no Spark.

Widgets come from the target's parameters (params.py: defaults resolved, `PARAMS="K=V ..."`
overrides, checked). A stage whose dependencies failed is not run, as on Databricks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field

LOCAL_DIR = ".local"
MLFLOW_DB = "mlflow.db"  # the local MLflow store (SQLite: the scorer registry needs SQL), with mlflow-artifacts/


@dataclass
class StageRun:
    name: str
    task_key: str
    result: str  # ok | failed | not run (upstream failed)
    seconds: float = 0.0
    registered: int = 0
    skipped: list[str] = field(default_factory=list)
    error: str = ""  # the exception that failed the stage, from its report


def local_env(out_dir: str, target: str, params: dict[str, str], run_id: str) -> dict[str, str]:
    env = dict(os.environ)
    # MLflow (the agents' runs, logged models, registry and scorers) in a local SQLite store next to
    # uc_state, unless the caller points it elsewhere: the one the local workspace's experiments API
    # answers from and its stand-in serves models from (its --mlflow-uri default, started from the
    # project folder as `make workspace` does, with build/ as the output folder).
    mlflow_uri = "sqlite:///" + os.path.abspath(os.path.join(out_dir, LOCAL_DIR, MLFLOW_DB))
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"):
        env.setdefault(name, mlflow_uri)
    env.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 wants an opt-in for a file store
    env.update({
        "STAGE_PARAMS_JSON": json.dumps(params),
        "STAGE_STATE_DB": os.path.abspath(os.path.join(out_dir, LOCAL_DIR, "state.sqlite")),
        "STAGE_TARGET": target,
        "STAGE_RUN_ID": run_id,
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


def run_target(compilation, out_dir: str, target: str, params: dict[str, str], echo=print) -> list[StageRun]:
    graph = compilation.graph
    members = compilation.resolved.targets[target].members
    order = graph.topological_order(members)
    run_id = f"local-{time.strftime('%Y%m%dT%H%M%S')}"
    reports = os.path.join(out_dir, LOCAL_DIR, "reports")
    os.makedirs(reports, exist_ok=True)
    failed: set[str] = set()
    runs: list[StageRun] = []
    for name in order:
        stage = compilation.spec.stages[name]
        if graph.ancestors(name) & failed:
            failed.add(name)
            runs.append(StageRun(name, stage.task_key, "not run (upstream failed)"))
            continue
        report_path = os.path.join(reports, f"{name}.json")
        if os.path.exists(report_path):
            os.unlink(report_path)
        env = local_env(out_dir, target, params, run_id)
        env["STAGE_REPORT"] = os.path.abspath(report_path)
        echo(f"==> {stage.task_key} (stages/{name}.py)")
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, f"{name}.py"], cwd=os.path.join(out_dir, "stages"), env=env)
        run = StageRun(name, stage.task_key, "ok" if proc.returncode == 0 else "failed",
                       round(time.perf_counter() - started, 2))
        if os.path.exists(report_path):
            with open(report_path, encoding="utf-8") as handle:
                report = json.load(handle)
            run.registered, run.skipped = len(report.get("registered", [])), report.get("skipped", [])
            run.error = report.get("error", "")
        if proc.returncode != 0:
            failed.add(name)
        runs.append(run)
    return runs


def run_cleanup(out_dir: str, catalog_param: str, catalog: str, dry_run: bool, delete_adopted: str = "",
                dry_run_param: str = "DRY_RUN") -> int:
    env = local_env(out_dir, "", {catalog_param: catalog, dry_run_param: "true" if dry_run else "false"}, "local-cleanup")
    env["STAGE_DELETE_ADOPTED"] = delete_adopted
    return subprocess.run([sys.executable, "cleanup.py"], cwd=out_dir, env=env).returncode


def remove_leftovers(out_dir: str) -> list[str]:
    """After a destroy-local: the stage reports, and once uc_state holds nothing for any catalog, the
    file store earlier versions logged into. Returns the folders removed, relative to out_dir."""
    import shutil

    local = os.path.join(out_dir, LOCAL_DIR)
    gone = []
    # Not mlflow.db: it is the local workspace's tracking server (its experiments API answers from it)
    # and holds what others made too; cleanup deleted ours in it (experiments soft-deleted, as on a
    # workspace). `mlflow` is the file store earlier versions kept here, the project's own.
    for entry, only_when_empty in (("reports", False), ("mlflow", True)):
        path = os.path.join(local, entry)
        if os.path.lexists(path) and (not only_when_empty or not _state_rows(out_dir)):
            shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.remove(path)
            gone.append(f"{LOCAL_DIR}/{entry}")
    return gone


def _state_rows(out_dir: str) -> int:
    """Rows left in the local uc_state (every catalog): its table is `resources` (stage_runtime/state.py)."""
    import sqlite3

    path = os.path.join(out_dir, LOCAL_DIR, "state.sqlite")
    if not os.path.exists(path):
        return 0
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM resources").fetchone()[0]


def format_runs(runs: list[StageRun]) -> str:
    header = ("stage", "task", "result", "seconds", "registered", "skipped locally")
    rows = [(r.name, r.task_key, r.result, f"{r.seconds:.2f}", str(r.registered), "; ".join(r.skipped) or "-")
            for r in runs]
    return _table(header, rows)


def format_state(rows) -> str:
    """`origin` says whether the project created the object (cleanup deletes it) or adopted one that
    existed (cleanup keeps it unless told otherwise)."""
    header = ("kind", "identity", "name", "stage", "target", "origin", "status")
    return _table(header, [(r.kind, r.identity, r.name, r.stage, r.target, r.origin,
                            r.status + (f" ({r.last_error})" if r.last_error else "")) for r in rows])


def _table(header: tuple, rows: list[tuple]) -> str:
    """The runtime's table formatter (src/stage_runtime/cleanup.py), so both print alike."""
    from ..files import RUNTIME_DIR

    if os.path.dirname(RUNTIME_DIR) not in sys.path:
        sys.path.insert(0, os.path.dirname(RUNTIME_DIR))
    from stage_runtime.cleanup import table

    return table(header, rows)
