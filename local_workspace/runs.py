"""The Jobs API's runs: run-now and runs/submit start a run that executes (executor.py); runs/get,
runs/list and runs/get-output show it; runs/cancel, runs/cancel-all and runs/delete end and forget it.

A run's record is what runs/get answers (the SDK's `jobs.Run`), plus `_`-prefixed bookkeeping the
wire types never send: each task run has its own run id (`_task_runs` maps it to its run), its
widget values (`_widgets`) and, once done, its output (`_output`). Job runs are kind `_runs`;
one-time (submitted) runs are `job_runs`, the kind the runtime tracks (stage_runtime/kinds.py)."""

from __future__ import annotations

import json
import re

from databricks.sdk.service import jobs

from . import wire as W
from .api import _check_tasks, _job, _need, route
from .executor import ACTIVE, now_ms
from .store import ApiError, Store

RUN_NOW = W.keys("job_id", "job_parameters", "notebook_params", "idempotency_token", "queue", "only",
                 "performance_target", "pipeline_params", "python_params", "python_named_params")
SUBMIT = W.keys("run_name", "idempotency_token", "timeout_seconds", "queue", "environments", "git_source",
                tasks=W.listed(W.model(jobs.SubmitTask)))
REFERENCE = re.compile(r"\{\{\s*job\.parameters\.([A-Za-z0-9_.-]+)\s*\}\}")


def _executor(store: Store):
    if store.executor is None:
        raise ApiError(500, "INTERNAL_ERROR", "this store has no executor: start it through LocalWorkspace")
    return store.executor


# ---- building a run ----------------------------------------------------------------------------------
def check_maps(request: dict) -> None:
    """Parameters come as an object of names to values; anything else is refused as the API refuses it."""
    for key in ("job_parameters", "notebook_params"):
        given = request.get(key)
        if given is not None and (not isinstance(given, dict) or
                                  not all(isinstance(v, (str, int, float, bool)) for v in given.values())):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"{key} must be an object of names to values, "
                           f"got {json.dumps(given)[:200]}")


def job_parameters(settings: dict, request: dict) -> dict[str, str]:
    """The job's parameters: their defaults, overridden by the run's `job_parameters`."""
    values = {p["name"]: str(p.get("default", "")) for p in settings.get("parameters") or [] if p.get("name")}
    values.update({k: str(v) for k, v in (request.get("job_parameters") or {}).items()})
    return values


def widgets(task: dict, request: dict, parameters: dict[str, str]) -> dict[str, str]:
    """What `dbutils.widgets.get` answers in a notebook task: its base_parameters (with
    `{{job.parameters.X}}` references filled in), overridden by the run's notebook_params, then by
    the job's parameters (pushed down to every task, as Databricks does)."""
    values = {}
    for name, value in ((task.get("notebook_task") or {}).get("base_parameters") or {}).items():
        values[name] = REFERENCE.sub(lambda m: parameters.get(m.group(1), m.group(0)), str(value))
    values.update({k: str(v) for k, v in (request.get("notebook_params") or {}).items()})
    values.update(parameters)
    return values


def new_run(store: Store, kind: str, settings: dict, request: dict, **fields) -> dict:
    run_id = store.new_id()
    parameters = job_parameters(settings, request)
    tasks = []
    for task in settings.get("tasks") or []:
        task_run = dict(task, run_id=store.new_id(), attempt_number=0, state={"life_cycle_state": "PENDING"},
                        _widgets=widgets(task, request, parameters))
        store.put("_task_runs", task_run["run_id"], {"run_id": run_id, "kind": kind})
        tasks.append(task_run)
    run = {"run_id": run_id, "creator_user_name": store.me, "start_time": now_ms(), "tasks": tasks,
           "state": {"life_cycle_state": "PENDING", "state_message": "Waiting to start"},
           "job_parameters": [{"name": k, "value": v} for k, v in parameters.items()] or None, **fields}
    return store.put(kind, run_id, run)


def _skipped(run: dict, limit: int) -> dict:
    run["state"] = {"life_cycle_state": "SKIPPED", "result_state": "MAXIMUM_CONCURRENT_RUNS_REACHED",
                    "state_message": f"Skipping this run because the limit of {limit} maximum concurrent runs "
                                     "has been reached."}
    run["end_time"] = now_ms()
    for task in run["tasks"]:
        task["state"] = dict(run["state"])
    return run


def start_job_run(store: Store, job: dict, request: dict, trigger: str = "ONE_TIME") -> dict:
    """A run of a job; SKIPPED when `max_concurrent_runs` (default 1) runs of it are active."""
    settings = job["settings"]
    active = [r for r in store.all("_runs")
              if r["job_id"] == job["job_id"] and r["state"]["life_cycle_state"] in ACTIVE]
    run = new_run(store, "_runs", settings, request, job_id=job["job_id"], run_name=settings.get("name"),
                  number_in_job=store.new_id(), trigger=trigger, run_type="JOB_RUN",
                  overriding_parameters={k: request[k] for k in ("notebook_params",) if request.get(k)} or None)
    limit = settings.get("max_concurrent_runs", 1)
    if len(active) >= limit:
        return _skipped(run, limit)
    _executor(store).start(run)
    return run


def refuse_schedule(store: Store, job: dict, message: str) -> None:
    """A schedule the local scheduler cannot follow (schedule.py): one run that says so."""
    run = new_run(store, "_runs", {}, {}, job_id=job["job_id"], run_name=job["settings"].get("name"),
                  number_in_job=store.new_id(), trigger="PERIODIC", run_type="JOB_RUN")
    run["state"] = {"life_cycle_state": "INTERNAL_ERROR", "state_message": message}
    run["end_time"] = now_ms()


# ---- routes --------------------------------------------------------------------------------------
@route("POST", r"/api/2\.[0-2]/jobs/run-now", "jobs", "run", request=RUN_NOW, response=W.model(jobs.RunNowResponse))
def _run_now(store, m, q, b):
    job = _job(store, _need(b, "job_id"))
    check_maps(b)
    run = start_job_run(store, job, b)
    return {"run_id": run["run_id"], "number_in_job": run["number_in_job"]}


@route("POST", r"/api/2\.[0-2]/jobs/runs/submit", "job_runs", "create", request=SUBMIT,
       response=W.model(jobs.SubmitRunResponse))
def _run_submit(store, m, q, b):
    _check_tasks(b)
    run = new_run(store, "job_runs", {"tasks": b.get("tasks") or []}, {}, run_name=b.get("run_name"),
                  trigger="ONE_TIME", run_type="SUBMIT_RUN")
    _executor(store).start(run)
    return {"run_id": run["run_id"]}


def find_run(store, run_id) -> tuple[str, dict]:
    for kind in ("_runs", "job_runs"):
        found = store.find(kind, run_id)
        if found:
            return kind, found
    raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Run {run_id} does not exist.")


def task_run(store, run_id) -> tuple[dict, dict] | None:
    """(run, task run) of a task run id, or None."""
    index = store.find("_task_runs", run_id)
    run = index and store.find(index["kind"], index["run_id"])
    task = run and next((t for t in run["tasks"] if str(t["run_id"]) == str(run_id)), None)
    return (run, task) if task else None


@route("GET", r"/api/2\.[0-2]/jobs/runs/get", "runs", "get", response=W.model(jobs.Run))
def _run_get(store, m, q, b):
    return find_run(store, _need(q, "run_id"))[1]


@route("GET", r"/api/2\.[0-2]/jobs/runs/list", "runs", "list", response=W.model(jobs.ListRunsResponse), paged="runs")
def _run_list(store, m, q, b):
    """Newest first; by job_id, run_type, active_only / completed_only; tasks only with expand_tasks."""
    if q.get("active_only") == "true" and q.get("completed_only") == "true":
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "active_only and completed_only cannot both be true")
    runs = store.all("_runs") + store.all("job_runs")
    keep = [r for r in runs if (not q.get("job_id") or str(r.get("job_id")) == q["job_id"])
            and (not q.get("run_type") or r.get("run_type") == q["run_type"])
            and (q.get("active_only") != "true" or r["state"]["life_cycle_state"] in ACTIVE)
            and (q.get("completed_only") != "true" or r["state"]["life_cycle_state"] not in ACTIVE)]
    expand = q.get("expand_tasks") == "true"
    shown = [r if expand else {k: v for k, v in r.items() if k != "tasks"} for r in keep]
    return {"runs": sorted(shown, key=lambda r: -r["run_id"]), "has_more": False}


@route("GET", r"/api/2\.[0-2]/jobs/runs/get-output", "runs", "get", response=W.model(jobs.RunOutput))
def _run_output(store, m, q, b):
    """The output of a task run: its notebook's exit value, its output's tail, its error."""
    run_id = _need(q, "run_id")
    found = task_run(store, run_id)
    if found is None:
        find_run(store, run_id)  # a run id that does not exist at all: that error
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "Retrieving the output of runs with multiple tasks is not "
                       "supported. Please retrieve the output of each individual task run instead.")
    run, task = found
    metadata = dict(task, job_id=run.get("job_id"), run_name=run.get("run_name"))
    return {**(task.get("_output") or {}), "metadata": metadata}


@route("POST", r"/api/2\.[0-2]/jobs/runs/cancel", "job_runs", "update", request=W.keys("run_id"))
def _run_cancel(store, m, q, b):
    run_id = _need(b, "run_id")
    found = task_run(store, run_id)
    _executor(store).cancel(found[0] if found else find_run(store, run_id)[1])
    return {}


@route("POST", r"/api/2\.[0-2]/jobs/runs/cancel-all", "runs", "update", request=W.keys("job_id", "all_queued_runs"))
def _run_cancel_all(store, m, q, b):
    if not b.get("job_id") and not b.get("all_queued_runs"):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "Either job_id or all_queued_runs must be set")
    if b.get("job_id"):  # all_queued_runs alone: the queued runs, and no run here waits in a queue
        cancel_job_runs(store, _job(store, b["job_id"])["job_id"])
    return {}


def cancel_job_runs(store: Store, job_id) -> None:
    """Cancel the active runs of a job; deleting a job does it too."""
    for run in store.all("_runs"):
        if str(run["job_id"]) == str(job_id) and run["state"]["life_cycle_state"] in ACTIVE:
            _executor(store).cancel(run)


@route("POST", r"/api/2\.[0-2]/jobs/runs/delete", "job_runs", "delete", request=W.keys("run_id"))
def _run_delete(store, m, q, b):
    kind, run = find_run(store, _need(b, "run_id"))
    if run["state"].get("life_cycle_state") in ACTIVE:
        raise ApiError(400, "INVALID_STATE", f"Run {run['run_id']} is active and cannot be deleted.")
    for task in run.get("tasks") or []:
        store.objects.get("_task_runs", {}).pop(str(task["run_id"]), None)
    store.delete(kind, run["run_id"])
    return {}
