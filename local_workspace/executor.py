"""Executes job runs: each run on a thread of its own, its tasks one after another in dependency
order, a notebook task as a process of its own (notebook_task.py) with the workspace's environment,
a pipeline task as an update of that pipeline. Runs' records (runs.py builds them) move
PENDING -> RUNNING -> TERMINATED here, under the store's lock.

Every task process is the leader of its own process group, so cancelling a run, deleting its job,
`POST /_fake/reset` and stopping the workspace kill it with whatever it started."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import compute
from .client import client_env
from .store import ApiError, Store

LOG_TAIL = 256 * 1024  # bytes of a task's output get-output answers (Databricks keeps the last 5 MB)
PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)  # where `local_workspace` is importable from
ACTIVE = ("PENDING", "QUEUED", "RUNNING", "TERMINATING", "BLOCKED")


class TaskError(Exception):
    """A task that cannot start: its message becomes the task's error."""


def now_ms() -> int:
    return int(time.time() * 1000)


def in_order(tasks: list[dict]) -> list[dict]:
    """Tasks so that each comes after those it depends on (the Jobs API refuses cycles at create)."""
    by_key = {t["task_key"]: t for t in tasks}
    done, ordered = set(), []

    def visit(task, path=()):
        key = task["task_key"]
        if key in path:
            raise TaskError(f"tasks depend on each other in a cycle: {' -> '.join((*path, key))}")
        if key in done:
            return
        for dep in task.get("depends_on") or []:
            if dep.get("task_key") not in by_key:
                raise TaskError(f"task {key} depends on {dep.get('task_key')}, which the job does not have")
            visit(by_key[dep["task_key"]], (*path, key))
        done.add(key)
        ordered.append(task)

    for task in tasks:
        visit(task)
    return ordered


class Executor:
    def __init__(self, store: Store, url: str, volumes_root: Path, work_root: Path):
        self.store, self.url = store, url
        self.volumes_root, self.work_root = Path(volumes_root), Path(work_root)
        self.processes: dict[int, subprocess.Popen] = {}  # task run id -> its process
        self.canceled: set[int] = set()  # run ids
        self.threads: list[threading.Thread] = []
        self.written: dict[str, int] = {}  # workspace file -> modified_at of the copy on disk
        self.mutex = threading.Lock()  # processes, canceled, threads
        self.copying = threading.Lock()  # written, and the copy itself (slow: a cancel must not wait for it)

    # starting, cancelling, stopping -----------------------------------------------------------------
    def start(self, run: dict) -> None:
        thread = threading.Thread(target=self._execute, args=(run,), daemon=True, name=f"run-{run['run_id']}")
        with self.mutex:
            self.threads = [t for t in self.threads if t.is_alive()] + [thread]
        thread.start()

    def cancel(self, run: dict) -> None:
        """Kill the run's task processes and mark it CANCELED (its thread stops at once)."""
        with self.mutex:
            self.canceled.add(run["run_id"])
            doomed = [self.processes.get(t["run_id"]) for t in run.get("tasks") or []]
        for process in doomed:
            kill(process)
        with self.store.lock:
            if run["state"]["life_cycle_state"] in ACTIVE:
                canceled = {"life_cycle_state": "TERMINATED", "result_state": "CANCELED",
                            "state_message": "Run canceled.", "user_cancelled_or_timedout": True}
                run["state"], run["end_time"] = canceled, now_ms()
                for task in run.get("tasks") or []:
                    if task["state"]["life_cycle_state"] in ACTIVE:
                        task["state"], task["end_time"] = dict(canceled), now_ms()

    def stop(self, wait_s: float = 10.0) -> None:
        """Cancel every active run and wait for their threads: nothing is left running."""
        with self.store.lock:
            active = [r for kind in ("_runs", "job_runs") for r in self.store.all(kind)
                      if r["state"]["life_cycle_state"] in ACTIVE]
        for run in active:
            self.cancel(run)
        with self.mutex:
            leftover = list(self.processes.values())
            threads = list(self.threads)
        for process in leftover:
            kill(process)
        deadline = time.monotonic() + wait_s
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def is_canceled(self, run: dict) -> bool:
        with self.mutex:
            return run["run_id"] in self.canceled

    # a run -------------------------------------------------------------------------------------------
    def _execute(self, run: dict) -> None:
        with self.store.lock:
            if run["state"]["life_cycle_state"] != "PENDING":
                return
            run["state"] = {"life_cycle_state": "RUNNING", "state_message": ""}
        failed = None
        try:
            for task in in_order(run.get("tasks") or []):
                if self.is_canceled(run):
                    return
                if failed:
                    self._set(task, "UPSTREAM_FAILED", f"Upstream task {failed['task_key']} failed.")
                    continue
                if not self._task(run, task):
                    failed = failed or task
        except TaskError as error:
            failed = {"task_key": "(the job)", "_output": {"error": str(error)}}
        self._finish(run, failed)

    def _finish(self, run: dict, failed: dict | None) -> None:
        with self.store.lock:
            if run["state"]["life_cycle_state"] not in ACTIVE:  # canceled meanwhile
                return
            if failed is None:
                run["state"] = {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS", "state_message": ""}
            else:
                error = (failed.get("_output") or {}).get("error") or "failed"
                run["state"] = {"life_cycle_state": "TERMINATED", "result_state": "FAILED",
                                "state_message": f"Task {failed['task_key']} failed with message: {last_line(error)}"}
            run["end_time"] = now_ms()

    def _set(self, task: dict, result: str, message: str = "") -> None:
        with self.store.lock:
            task["state"] = {"life_cycle_state": "TERMINATED", "result_state": result, "state_message": message}
            task["end_time"] = now_ms()

    def _task(self, run: dict, task: dict) -> bool:
        """Run one task; True when it succeeded."""
        with self.store.lock:
            task["state"] = {"life_cycle_state": "RUNNING", "state_message": ""}
            task["start_time"] = now_ms()
        try:
            if task.get("notebook_task"):
                output = self._notebook(run, task)
            elif task.get("pipeline_task"):
                output = self._pipeline(run, task)
            else:
                body = next((k for k in task if k.endswith("_task")), "no task body")
                raise TaskError(f"the local workspace runs only notebook_task and pipeline_task; task "
                                f"{task['task_key']} is a {body}")
        except TaskError as error:
            output = {"error": str(error)}
        with self.store.lock:
            task["_output"] = output
        if self.is_canceled(run):
            return False
        error = output.get("error")
        self._set(task, "FAILED" if error else "SUCCESS", last_line(error) if error else "")
        return not error

    # a notebook task ---------------------------------------------------------------------------------
    def _notebook(self, run: dict, task: dict) -> dict:
        notebook = self.notebook_file(task["notebook_task"]["notebook_path"])
        folder = self.work_root / str(task["run_id"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "parameters.json").write_text(json.dumps(task.get("_widgets") or {}))
        log_path, result_path = folder / "output.log", folder / "result.json"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "local_workspace.notebook_task", notebook, str(folder / "parameters.json"),
                 str(result_path)], cwd=os.path.dirname(notebook), env=self.task_env(folder),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            with self.mutex:
                self.processes[task["run_id"]] = process
                canceled = run["run_id"] in self.canceled
            if canceled:  # canceled while it was starting
                kill(process)
            status = process.wait()
            with self.mutex:
                self.processes.pop(task["run_id"], None)
        return notebook_output(status, log_path, result_path)

    def task_env(self, folder: Path) -> dict[str, str]:
        env = client_env(self.url, folder)
        env["DATABRICKS_VOLUMES_ROOT"] = str(self.volumes_root)  # where /Volumes/... is (volumes.py)
        env["SPARK_REMOTE"] = compute.remote(self.store)  # the notebook's `spark`: the workspace's compute
        env["PYTHONPATH"] = os.pathsep.join(p for p in (PACKAGE_PARENT, env.get("PYTHONPATH")) if p)
        env["PYTHONUNBUFFERED"] = "1"  # the log shows what a task printed before it was killed
        return env

    def notebook_file(self, path: str) -> str:
        """The notebook as a file on disk: a workspace file (deployed in source format as `X.py`, or
        imported as notebook `X`), copied with the whole workspace tree so that its imports of
        neighbouring files work; else (make run-local) the bundle's own `X.py` on this machine."""
        bare = path[len("/Workspace"):] if path.startswith("/Workspace/") else path
        with self.store.lock:
            key = next((k for k in (path + ".py", path, bare + ".py", bare, "/Workspace" + bare + ".py")
                        if (self.store.files.get(k) or {}).get("object_type") in ("FILE", "NOTEBOOK")), None)
            files = [(p, f["content"], f["modified_at"]) for p, f in self.store.files.items()
                     if f["object_type"] != "DIRECTORY"] if key else []
        if key:
            return str(self.copy_workspace(files) / key.lstrip("/"))
        if os.path.isfile(path + ".py"):
            return path + ".py"
        raise TaskError(f"Unable to access the notebook \"{path}\": no such notebook in the workspace "
                        "(nor a file of that name with .py on this machine)")

    def copy_workspace(self, files: list[tuple[str, bytes, int]]) -> Path:
        """The workspace's files under one folder on disk, as they are now: changed ones rewritten,
        deleted ones removed (a task must not import a module the workspace no longer has)."""
        root = self.work_root / "workspace"
        with self.copying:
            for path in set(self.written) - {p for p, _, _ in files}:
                (root / path.lstrip("/")).unlink(missing_ok=True)
                del self.written[path]
            for path, content, modified in files:
                if self.written.get(path) != modified:
                    target = root / path.lstrip("/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(content)
                    self.written[path] = modified
        return root

    def forget(self) -> None:
        """Drop the copy of the workspace's files (POST /_fake/reset)."""
        with self.copying:
            self.written.clear()
            shutil.rmtree(self.work_root / "workspace", ignore_errors=True)

    # a pipeline task ---------------------------------------------------------------------------------
    def _pipeline(self, run: dict, task: dict) -> dict:
        """An update of the pipeline through the pipeline routes, waited for."""
        from . import api

        pipeline_id = task["pipeline_task"].get("pipeline_id")
        body = {"full_refresh": bool(task["pipeline_task"].get("full_refresh"))}
        try:
            with self.store.lock:
                update = api._pipeline_start(self.store, Groups(pipeline_id), {}, body)["update_id"]
            while not self.is_canceled(run):
                with self.store.lock:
                    state = api._pipeline_update_get(self.store, Groups(pipeline_id, update), {}, {})["update"]["state"]
                if state in ("COMPLETED", "FAILED", "CANCELED"):
                    return {} if state == "COMPLETED" else {"error": f"Pipeline update {update} {state}"}
                time.sleep(0.2)
        except ApiError as error:
            return {"error": error.message}
        return {"error": "canceled"}


class Groups:
    """What a route handler reads from its path's match: group(1), group(2)."""

    def __init__(self, *values: str):
        self.values = values

    def group(self, index: int) -> str:
        return self.values[index - 1]


def kill(process: subprocess.Popen | None) -> None:
    """Kill a task process and everything it started (its process group)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def last_line(text: str) -> str:
    lines = [line for line in str(text).strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def notebook_output(status: int, log_path: Path, result_path: Path) -> dict:
    """What get-output answers for a finished notebook task."""
    size = log_path.stat().st_size
    with open(log_path, "rb") as log:
        log.seek(max(0, size - LOG_TAIL))
        logs = log.read().decode("utf-8", "replace")
    try:
        outcome = json.loads(result_path.read_text())
    except (OSError, ValueError):  # killed, or exited before writing its outcome
        outcome = {"error": f"the notebook's process exited with status {status}" +
                   (f": {last_line(logs)}" if logs.strip() else "")}
    if status != 0 and "error" not in outcome:
        outcome = {"error": f"the notebook's process exited with status {status}"}
    output = {"logs": logs, "logs_truncated": size > LOG_TAIL, "notebook_output": {"result": outcome.get("result")}}
    if "error" in outcome:
        output.update(error=outcome["error"], error_trace=outcome.get("error_trace") or logs)
    return output
