"""REST endpoints of the stand-in: the paths the databricks-sdk (0.162) calls for the resources
the stages create, plus workspace files, the Files API and a few raw Agent Bricks routes.

Long-running resources are returned in their terminal state at once (apps ACTIVE, instances
AVAILABLE, warehouses RUNNING, endpoints NOT_UPDATING), so SDK waiters return after one poll.
Pipelines do not execute anything; job runs execute their tasks (runs.py, executor.py).
"""

from __future__ import annotations

import base64
import re
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Callable
from urllib.parse import unquote

from databricks.sdk.service import apps, catalog, dashboards, jobs, ml, pipelines, serving, sql

from . import compute, mlflow_store
from . import wire as W
from .store import ApiError, Store, already_exists, not_found

@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern
    kind: str
    op: str
    handler: Callable
    locked: bool
    request: Callable | None  # decodes the body with the SDK's type (wire.py), or None
    response: Callable | None  # encodes the answer with the SDK's type
    paged: str | None = None  # a list: the answer's key whose items come a page at a time


ROUTES: list[Route] = []


def route(method: str, pattern: str, kind: str, op: str, locked: bool = True, request: Callable | None = None,
          response: Callable | None = None, paged: str | None = None):
    """Register a handler. `locked=False` for handlers that call back into the local workspace (an
    agent endpoint asks the LLM and runs SQL over HTTP) or take long: they lock the store themselves.
    `request`/`response`: the SDK types of the body and the answer (wire.py); `paged`: the key of a
    listing's items, answered a page at a time with a `next_page_token` (server.py)."""
    def register(handler: Callable) -> Callable:
        ROUTES.append(Route(method, re.compile("^" + pattern + "$"), kind, op, handler, locked, request, response,
                            paged))
        return handler

    return register


def _now_ms() -> int:
    return int(time.time() * 1000)


def _rfc3339(ms: int) -> str:
    """A timestamp as the newer APIs (apps, Lakebase, Agent Bricks) answer it."""
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _need(body: dict, key: str):
    if not body.get(key):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Missing required field: {key}")
    return body[key]


# ---- platform ------------------------------------------------------------------------------------
@route("GET", r"/\.well-known/databricks-config", "platform", "get")
def _config(store, m, q, b):
    return {}


@route("GET", r"/api/2\.0/preview/scim/v2/Me", "current_user", "get")
def _me(store, m, q, b):
    return {"id": "1", "userName": "tester@example.com", "displayName": "Tester"}


# ---- jobs ----------------------------------------------------------------------------------------
TASK_BODIES = tuple(f for f in jobs.Task.__dataclass_fields__ if f.endswith("_task"))  # notebook_task, ...


def _check_tasks(settings: dict) -> None:
    """What the Jobs API refuses in a job's tasks: a task with no task body, or with more than one."""
    for task in settings.get("tasks") or []:
        bodies = [f for f in TASK_BODIES if task.get(f) is not None]
        if not bodies:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"No task defined for {task.get('task_key')}")
        if len(bodies) > 1:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Task {task.get('task_key')} defines more than one "
                           f"task: {', '.join(bodies)}")


@route("POST", r"/api/2\.[0-2]/jobs/create", "jobs", "create", request=W.model(jobs.JobSettings),
       response=W.model(jobs.CreateResponse))
def _job_create(store: Store, m, q, b):
    _check_tasks(b)
    job_id = store.new_id()
    settings = {k: v for k, v in b.items() if k != "access_control_list"}
    store.put("jobs", job_id, {"job_id": job_id, "settings": settings, "created_time": _now_ms(),
                               "creator_user_name": store.me})
    return {"job_id": job_id}


def _job(store, job_id) -> dict:
    """A job, answered as the Jobs API answers: a job that never existed or was deleted is a 400
    INVALID_PARAMETER_VALUE "Job N does not exist." (not a 404)."""
    found = store.find("jobs", job_id)
    if found is None:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Job {job_id} does not exist.")
    return found


@route("POST", r"/api/2\.[0-2]/jobs/reset", "jobs", "update", request=W.keys("job_id", new_settings=W.model(jobs.JobSettings)))
def _job_reset(store, m, q, b):
    job = _job(store, _need(b, "job_id"))
    _check_tasks(b.get("new_settings") or {})
    job["settings"] = b.get("new_settings") or {}
    return {}


@route("POST", r"/api/2\.[0-2]/jobs/update", "jobs", "update", request=W.keys("job_id", "fields_to_remove", new_settings=W.model(jobs.JobSettings)))
def _job_update(store, m, q, b):
    job = _job(store, _need(b, "job_id"))
    job["settings"].update(b.get("new_settings") or {})
    return {}


@route("POST", r"/api/2\.[0-2]/jobs/delete", "jobs", "delete")
def _job_delete(store, m, q, b):
    job_id = str(_need(b, "job_id"))
    if job_id in store.deleted.get("jobs", set()):  # deleted before: the API can answer 403 for those
        raise ApiError(403, "PERMISSION_DENIED", f"Job {job_id} does not exist or has been deleted.")
    _job(store, job_id)
    from .runs import cancel_job_runs  # runs.py builds on this module: imported when needed

    cancel_job_runs(store, job_id)  # a deleted job's active runs are canceled with it
    store.delete("jobs", job_id)
    return {}


@route("GET", r"/api/2\.[0-2]/jobs/get", "jobs", "get", response=W.model(jobs.Job))
def _job_get(store, m, q, b):
    return _job(store, q.get("job_id"))


@route("GET", r"/api/2\.[0-2]/jobs/list", "jobs", "list", response=W.model(jobs.ListJobsResponse), paged="jobs")
def _job_list(store, m, q, b):
    """Jobs in id order (a page at a time, server.page), filtered by exact name."""
    jobs = store.all("jobs")
    if q.get("name"):
        jobs = [j for j in jobs if j["settings"].get("name") == q["name"]]
    return {"jobs": sorted(jobs, key=lambda j: j["job_id"]), "has_more": False}


# run-now and the runs routes: runs.py


# ---- pipelines -----------------------------------------------------------------------------------
@route("POST", r"/api/2\.0/pipelines", "pipelines", "create", request=W.model(pipelines.PipelineSpec, keep=("allow_duplicate_names", "dry_run")), response=W.model(pipelines.CreatePipelineResponse))
def _pipeline_create(store, m, q, b):
    name = _need(b, "name")
    if any(p["name"] == name for p in store.all("pipelines")) and not b.get("allow_duplicate_names"):
        raise already_exists(f"Pipeline '{name}'")
    pid = f"pl-{store.new_id()}"
    store.put("pipelines", pid, {"pipeline_id": pid, "name": name, "spec": dict(b, id=pid), "state": "IDLE",
                                 "creator_user_name": store.me})
    _start_if_continuous(store, store.get("pipelines", pid, pid))
    return {"pipeline_id": pid}


@route("GET", r"/api/2\.0/pipelines", "pipelines", "list", response=W.model(pipelines.ListPipelinesResponse), paged="statuses")
def _pipeline_list(store, m, q, b):
    pipelines = store.all("pipelines")
    match = re.match(r"name LIKE '(.*)'$", q.get("filter", ""))
    if match:
        pattern = re.escape(match.group(1)).replace("%", ".*").replace("_", ".")
        pipelines = [p for p in pipelines if re.fullmatch(pattern, p["name"])]
    return {"statuses": [{"pipeline_id": p["pipeline_id"], "name": p["name"], "state": p["state"],
                          "creator_user_name": p.get("creator_user_name")} for p in pipelines]}


@route("GET", r"/api/2\.0/pipelines/([^/]+)", "pipelines", "get", response=W.model(pipelines.GetPipelineResponse))
def _pipeline_get(store, m, q, b):
    pipeline = store.get("pipelines", m.group(1), f"Pipeline {m.group(1)}")
    return {k: v for k, v in pipeline.items() if not k.startswith("_")}


@route("PUT", r"/api/2\.0/pipelines/([^/]+)", "pipelines", "update", request=W.model(pipelines.PipelineSpec, keep=("allow_duplicate_names", "pipeline_id")))
def _pipeline_update(store, m, q, b):
    pipeline = store.get("pipelines", m.group(1), f"Pipeline {m.group(1)}")
    pipeline["spec"] = dict(b, id=m.group(1))
    pipeline["name"] = b.get("name", pipeline["name"])
    _start_if_continuous(store, pipeline)
    return {}


def _start_if_continuous(store, pipeline: dict) -> None:
    """A continuous pipeline starts when it is created or edited, without a start_update (Pipelines
    API: `continuous` runs it "continuously"). Here each update takes what is there, then the next one
    follows after a pause (_execute_update)."""
    updates = (pipeline.get("_updates") or {}).values()
    if pipeline["spec"].get("continuous") and not any(u["state"] == "RUNNING" for u in updates):
        _new_update(store, pipeline, full_refresh=False)


@route("DELETE", r"/api/2\.0/pipelines/([^/]+)", "pipelines", "delete")
def _pipeline_delete(store, m, q, b):
    store.delete("pipelines", m.group(1), f"Pipeline {m.group(1)}")
    compute.stop_pipeline(store, m.group(1))  # a deleted pipeline stops running
    return {}


@route("POST", r"/api/2\.0/pipelines/([^/]+)/updates", "pipelines", "run", response=W.model(pipelines.StartUpdateResponse))
def _pipeline_start(store, m, q, b):
    """A pipeline whose sources are files on this machine runs (pipeline_runs.py): RUNNING until the
    runner ends, then COMPLETED or FAILED. Any other (sources only in the workspace's files), or any
    when `execute_pipelines` is false (config: tests of a caller's waiting), is not executed: RUNNING
    for `pipeline_update_polls` reads (config, default 1), then COMPLETED, or FAILED with
    `pipeline_update_fails`."""
    pipeline = store.get("pipelines", m.group(1), f"Pipeline {m.group(1)}")
    if any(u["state"] == "RUNNING" for u in (pipeline.get("_updates") or {}).values()):
        raise ApiError(409, "INVALID_STATE_TRANSITION", f"Pipeline {m.group(1)} has an active update.")
    return {"update_id": _new_update(store, pipeline, bool(b.get("full_refresh")))}


def _new_update(store, pipeline: dict, full_refresh: bool) -> str:
    from . import pipeline_runs

    update_id = f"upd-{store.new_id()}"
    update = {"update_id": update_id, "state": "RUNNING", "_reads": 0, "full_refresh": full_refresh}
    pipeline.setdefault("_updates", {})[update_id] = update
    pipeline["latest_updates"] = [{"update_id": update_id, "state": "RUNNING"}]
    patterns = pipeline_runs.local_sources(pipeline["spec"])
    if patterns is not None and store.config.get("execute_pipelines", True):
        update["_executed"] = True
        threading.Thread(target=_execute_update, args=(store, pipeline, update, patterns), daemon=True).start()
    return update_id


def _execute_update(store, pipeline: dict, update: dict, patterns: list[str]) -> None:
    from pathlib import Path

    from . import pipeline_runs

    folder = Path(compute.state_dir(store)) / "pipelines" / pipeline["pipeline_id"]
    try:
        done, output = pipeline_runs.run_update(pipeline["spec"], patterns, compute.remote(store), folder,
                                                update["full_refresh"], lambda p: compute.started(store, p, pipeline["pipeline_id"]))
    except Exception as err:  # noqa: BLE001 - the update fails with the reason, as a workspace reports it
        done, output = False, f"{type(err).__name__}: {err}"
    with store.lock:
        update["state"], update["_output"] = ("COMPLETED" if done else "FAILED"), output
        pipeline["latest_updates"] = [{"update_id": update["update_id"], "state": update["state"]}]
    # A continuous pipeline keeps taking what arrives: the next update after a pause
    # (`continuous_interval_s`, config, default 20), while the pipeline exists and the workspace runs.
    if pipeline["spec"].get("continuous") and not compute.stopped(store):
        timer = threading.Timer(float(store.config.get("continuous_interval_s", 20)), _continue, (store, pipeline))
        timer.daemon = True
        timer.start()


def _continue(store, pipeline: dict) -> None:
    with store.lock:
        if compute.stopped(store) or store.find("pipelines", pipeline["pipeline_id"]) is not pipeline:
            return
        _start_if_continuous(store, pipeline)


@route("GET", r"/api/2\.0/pipelines/([^/]+)/updates/([^/]+)", "pipelines", "get", response=W.model(pipelines.GetUpdateResponse))
def _pipeline_update_get(store, m, q, b):
    pipeline = store.get("pipelines", m.group(1), f"Pipeline {m.group(1)}")
    update = (pipeline.get("_updates") or {}).get(m.group(2))
    if update is None:
        raise not_found(f"Update {m.group(2)}")
    update["_reads"] += 1
    if update["state"] == "RUNNING" and not update.get("_executed") and \
            update["_reads"] >= store.config.get("pipeline_update_polls", 1):
        update["state"] = "FAILED" if store.config.get("pipeline_update_fails") else "COMPLETED"
        pipeline["latest_updates"] = [{"update_id": update["update_id"], "state": update["state"]}]
    return {"update": {"update_id": update["update_id"], "pipeline_id": m.group(1), "state": update["state"],
                       "full_refresh": update["full_refresh"]}}


# ---- apps ----------------------------------------------------------------------------------------
# As the platform does (the CLI's test server models the same side effects, libs/testserver/apps.go,
# AppsUpsert): creating an app gives it a service principal and starts its compute, and deploys its
# default source code path at once. A deployment is IN_PROGRESS for `app_deploy_reads` reads of the
# app or the deployment (config, default 1), then SUCCEEDED; another deployment meanwhile is refused
# (409), as the Apps API refuses one while one is in progress. Attaching a database resource creates
# the service principal's Postgres role on that instance (named after its client id, CONNECT and
# CREATE on the database), as the platform does, so a stage must not create it again.
def _app_view(store, app: dict) -> dict:
    _advance_deployment(store, app)
    return {k: v for k, v in app.items() if not k.startswith("_")}


def _advance_deployment(store, app: dict) -> None:
    pending = app.get("pending_deployment")
    if not pending:
        return
    pending["_reads"] = pending.get("_reads", 0) + 1
    if pending["_reads"] > store.config.get("app_deploy_reads", 1):
        pending["status"] = {"state": "SUCCEEDED", "message": "App started successfully"}
        app["active_deployment"] = {k: v for k, v in pending.items() if not k.startswith("_")}
        app.pop("pending_deployment")
        app["app_status"] = {"state": "RUNNING", "message": "App is running"}


def _start_deployment(store, app: dict, source: str | None, mode: str = "SNAPSHOT") -> dict:
    if app.get("pending_deployment"):
        raise ApiError(409, "RESOURCE_CONFLICT", f"Cannot deploy app {app['name']}: a deployment is already in "
                       "progress. Wait for it to finish.")
    deployment = {"deployment_id": f"dep-{store.new_id()}", "source_code_path": source, "mode": mode,
                  "create_time": _rfc3339(_now_ms()), "creator": store.me,
                  "status": {"state": "IN_PROGRESS", "message": "Deployment is in progress"}}
    app["pending_deployment"] = deployment
    app["app_status"] = {"state": "DEPLOYING", "message": "App is deploying"}
    return deployment


def _platform_roles(store, app: dict) -> None:
    """The app's service principal gets a Postgres role on each database instance it is attached to."""
    for resource in app.get("resources") or []:
        instance = (resource.get("database") or {}).get("instance_name")
        role = f"{instance}/{app['service_principal_client_id']}"
        if instance and store.find("database_roles", role) is None:
            store.put("database_roles", role, {"name": app["service_principal_client_id"], "instance_name": instance,
                                               "identity_type": "SERVICE_PRINCIPAL", "_platform": True,
                                               "attributes": {"createdb": False, "createrole": False}})


@route("POST", r"/api/2\.0/apps", "apps", "create", request=W.model(apps.App), response=W.model(apps.App))
def _app_create(store, m, q, b):
    name = _need(b, "name")
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,28}[a-z0-9]", name):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"App name '{name}' must be 2-30 characters: lower-case "
                       "letters, digits and dashes, starting with a letter")
    if store.find("apps", name):
        raise already_exists(f"App {name}")
    _check_app_resources(store, b.get("resources") or [])
    client_id = str(uuid.UUID(int=store.new_id()))
    app = dict(b, id=f"app-{store.new_id()}", service_principal_client_id=client_id,
               service_principal_id=store.new_id(), service_principal_name=f"app-{name}", creator=store.me,
               create_time=_rfc3339(_now_ms()), url=f"https://{name}-{store.new_id()}.local.databricksapps.com",
               compute_status={"state": "ACTIVE", "message": "App compute is active."})
    store.principals.add(client_id)
    store.put("apps", name, app)
    if q.get("no_compute") != "true":
        _start_deployment(store, app, b.get("default_source_code_path"))
    _platform_roles(store, app)
    return _app_view(store, app)


@route("GET", r"/api/2\.0/apps", "apps", "list", response=W.model(apps.ListAppsResponse), paged="apps")
def _app_list(store, m, q, b):
    return {"apps": [_app_view(store, a) for a in store.all("apps")]}


@route("GET", r"/api/2\.0/apps/([^/]+)", "apps", "get", response=W.model(apps.App))
def _app_get(store, m, q, b):
    return _app_view(store, store.get("apps", m.group(1), f"App {m.group(1)}"))


def _check_app_resources(store, resources: list[dict]) -> None:
    """Each resource has a name and exactly one kind; what it points at must exist (a warehouse, a
    database instance, a serving endpoint). UC securables are not checked: nothing here creates the
    tables jobs write."""
    kinds = ("sql_warehouse", "database", "uc_securable", "serving_endpoint", "secret", "job", "genie_space")
    for resource in resources:
        present = [k for k in kinds if resource.get(k)]
        if not resource.get("name") or len(present) != 1:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"an app resource needs a name and exactly one of "
                           f"{', '.join(kinds)}: {resource}")
        if present[0] == "sql_warehouse" and store.find("warehouses", resource["sql_warehouse"].get("id", "")) is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Warehouse {resource['sql_warehouse'].get('id')} does not exist.")
        if present[0] == "database" and \
                store.find("database_instances", resource["database"].get("instance_name", "")) is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST",
                           f"Database instance {resource['database'].get('instance_name')} does not exist.")
        if present[0] == "serving_endpoint" and \
                store.find("serving_endpoints", resource["serving_endpoint"].get("name", "")) is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST",
                           f"Serving endpoint {resource['serving_endpoint'].get('name')} does not exist.")


@route("PATCH", r"/api/2\.0/apps/([^/]+)", "apps", "update", request=W.model(apps.App), response=W.model(apps.App))
def _app_update(store, m, q, b):
    app = store.get("apps", m.group(1), f"App {m.group(1)}")
    _check_app_resources(store, b.get("resources") or [])
    app.update({k: v for k, v in b.items() if k not in ("name", "service_principal_client_id", "id", "creator")})
    _platform_roles(store, app)
    return _app_view(store, app)


@route("DELETE", r"/api/2\.0/apps/([^/]+)", "apps", "delete", response=W.model(apps.App))
def _app_delete(store, m, q, b):
    app = store.delete("apps", m.group(1), f"App {m.group(1)}")
    for key in [k for k, r in store.objects.get("database_roles", {}).items()
                if r.get("_platform") and r.get("name") == app.get("service_principal_client_id")]:
        store.delete("database_roles", key)  # the platform's role goes with its app
    return {k: v for k, v in app.items() if not k.startswith("_")}


@route("POST", r"/api/2\.0/apps/([^/]+)/deployments", "apps", "deploy", request=W.model(apps.AppDeployment),
       response=W.model(apps.AppDeployment))
def _app_deploy(store, m, q, b):
    app = store.get("apps", m.group(1), f"App {m.group(1)}")
    _advance_deployment(store, app)
    deployment = _start_deployment(store, app, b.get("source_code_path"), b.get("mode") or "SNAPSHOT")
    return {k: v for k, v in deployment.items() if not k.startswith("_")}


@route("GET", r"/api/2\.0/apps/([^/]+)/deployments/([^/]+)", "apps", "get", response=W.model(apps.AppDeployment))
def _app_deployment(store, m, q, b):
    app = store.get("apps", m.group(1), f"App {m.group(1)}")
    _advance_deployment(store, app)
    for deployment in (app.get("pending_deployment"), app.get("active_deployment")):
        if deployment and deployment.get("deployment_id") == m.group(2):
            return {k: v for k, v in deployment.items() if not k.startswith("_")}
    raise not_found(f"Deployment {m.group(2)} of app {m.group(1)}")


# ---- database (Lakebase): lakebase.py ----------------------------------------------------------


# ---- SQL warehouses ------------------------------------------------------------------------------
@route("POST", r"/api/2\.0/sql/warehouses", "warehouses", "create", request=W.model(sql.GetWarehouseResponse), response=W.model(sql.CreateWarehouseResponse))
def _wh_create(store, m, q, b):
    wid = f"wh{store.new_id()}"
    store.put("warehouses", wid, dict(b, id=wid, state="RUNNING", creator_name=store.me))
    return {"id": wid}


@route("GET", r"/api/2\.0/sql/warehouses", "warehouses", "list", response=W.model(sql.ListWarehousesResponse), paged="warehouses")
def _wh_list(store, m, q, b):
    return {"warehouses": store.all("warehouses")}


@route("GET", r"/api/2\.0/sql/warehouses/([^/]+)", "warehouses", "get", response=W.model(sql.GetWarehouseResponse))
def _wh_get(store, m, q, b):
    return store.get("warehouses", m.group(1))


@route("DELETE", r"/api/2\.0/sql/warehouses/([^/]+)", "warehouses", "delete")
def _wh_delete(store, m, q, b):
    store.delete("warehouses", m.group(1))
    return {}


# ---- serving endpoints ---------------------------------------------------------------------------
@route("POST", r"/api/2\.0/serving-endpoints", "serving_endpoints", "create", request=W.model(serving.ServingEndpointDetailed, config=W.model(serving.EndpointCoreConfigInput)), response=W.model(serving.ServingEndpointDetailed))
def _ep_create(store, m, q, b):
    name = _need(b, "name")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,63}", name):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid endpoint name '{name}': use letters, digits, "
                       "dashes and underscores (at most 63)")
    if store.find("serving_endpoints", name):
        raise already_exists(f"Endpoint {name}")
    config = _check_config(b.get("config") or {})
    _check_entities_exist(store, config)
    endpoint = dict({k: v for k, v in b.items() if k != "config"}, id=uuid.uuid4().hex, creator=store.me,
                    creation_timestamp=_now_ms(), _polls=0)
    return store.put("serving_endpoints", name, _configure(store, endpoint, config))


def _check_config(config: dict) -> dict:
    """What the serving API rejects in a served entity."""
    for entity in config.get("served_entities") or []:
        if not entity.get("entity_name") and not entity.get("external_model"):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", "served_entities: entity_name is required")
        if entity.get("entity_name") and not entity.get("entity_version") and not entity.get("external_model"):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", "served_entities: entity_version is required for a "
                           "Unity Catalog model")
        size = entity.get("workload_size")
        if size is not None and size not in ("Small", "Medium", "Large"):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"workload_size '{size}' is not one of Small, Medium, Large")
    return {k: v for k, v in config.items() if k != "name"}


def _check_entities_exist(store, config: dict) -> None:
    """A Unity Catalog model must exist, and its version too when the stand-in has a registry."""
    from .serving import registry_version

    for entity in config.get("served_entities") or []:
        name = entity.get("entity_name") or ""
        if name.count(".") != 2:
            continue
        if store.find("registered_models", name) is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Registered model '{name}' does not exist.")
        if store.config.get("mlflow_uri") and registry_version(store, name, entity["entity_version"]) is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST",
                           f"Model version {name}/{entity['entity_version']} does not exist.")


def _configure(store, endpoint: dict, config: dict) -> dict:
    """A new configuration is pending until the endpoint is READY with it (then it is `config`)."""
    endpoint["pending_config"], endpoint["state"], endpoint["_polls"] = config, _starting(store), 0
    return _settle(endpoint)


def _settle(endpoint: dict) -> dict:
    if endpoint["state"] == {"config_update": "NOT_UPDATING", "ready": "READY"} and "pending_config" in endpoint:
        endpoint["config"] = endpoint.pop("pending_config")
    return endpoint


def _starting(store) -> dict:
    """A new or updated endpoint is NOT_READY until it has been read `endpoint_ready_after` times
    (a negative number: never), as Model Serving takes minutes to become READY."""
    if store.config.get("endpoint_update_fails"):
        return {"config_update": "UPDATE_FAILED", "ready": "NOT_READY"}
    if store.config.get("endpoint_ready_after", 2) == 0:
        return {"config_update": "NOT_UPDATING", "ready": "READY"}
    return {"config_update": "IN_PROGRESS", "ready": "NOT_READY"}


def _endpoint_view(store, endpoint: dict) -> dict:
    after = store.config.get("endpoint_ready_after", 2)
    endpoint["_polls"] = endpoint.get("_polls", 0) + 1
    failed = endpoint["state"].get("config_update") == "UPDATE_FAILED"
    if "pending_config" in endpoint and not failed and 0 <= after <= endpoint["_polls"]:
        endpoint["state"] = {"config_update": "NOT_UPDATING", "ready": "READY"}
    return {k: v for k, v in _settle(endpoint).items() if not k.startswith("_")}


@route("PUT", r"/api/2\.0/serving-endpoints/([^/]+)/config", "serving_endpoints", "update", request=W.model(serving.EndpointCoreConfigInput), response=W.model(serving.ServingEndpointDetailed))
def _ep_update_config(store, m, q, b):
    endpoint = store.get("serving_endpoints", m.group(1), f"Endpoint {m.group(1)}")
    if "pending_config" in endpoint:
        raise ApiError(409, "RESOURCE_CONFLICT", f"Endpoint {m.group(1)} has an update in progress.")
    config = _check_config(b)
    _check_entities_exist(store, config)
    _configure(store, endpoint, config)
    endpoint["state"]["ready"] = "READY" if "config" in endpoint else "NOT_READY"  # the old config keeps serving
    return _endpoint_view(store, endpoint)


@route("GET", r"/api/2\.0/serving-endpoints", "serving_endpoints", "list", response=W.model(serving.ListEndpointsResponse))
def _ep_list(store, m, q, b):
    return {"endpoints": [{k: v for k, v in e.items() if not k.startswith("_")} for e in store.all("serving_endpoints")]}


@route("GET", r"/api/2\.0/serving-endpoints/([^/]+)", "serving_endpoints", "get")
def _ep_get(store, m, q, b):
    from .llm import is_llm

    if is_llm(store, m.group(1)):  # a foundation model endpoint the workspace provides (not a resource of ours)
        return {"name": m.group(1), "endpoint_type": "FOUNDATION_MODEL_API", "state": {"ready": "READY",
                                                                                      "config_update": "NOT_UPDATING"}}
    from .api_more import tile_endpoint

    owned = tile_endpoint(store, m.group(1))  # the endpoint of a knowledge assistant or supervisor
    if owned is not None and store.find("serving_endpoints", m.group(1)) is None:
        return owned
    return _endpoint_view(store, store.get("serving_endpoints", m.group(1), f"Endpoint {m.group(1)}"))


# The SDK has no request type for this call; its answer (PutAiGatewayResponse) has the same fields.
@route("PUT", r"/api/2\.0/serving-endpoints/([^/]+)/ai-gateway", "serving_endpoints", "ai_gateway",
       request=W.model(serving.PutAiGatewayResponse), response=W.model(serving.PutAiGatewayResponse))
def _ep_ai_gateway(store, m, q, b):
    """The endpoint's AI Gateway: inference tables land in a schema that must exist."""
    endpoint = store.get("serving_endpoints", m.group(1), f"Endpoint {m.group(1)}")
    tables = b.get("inference_table_config") or {}
    if tables.get("enabled"):
        schema = f"{tables.get('catalog_name')}.{tables.get('schema_name')}"
        if store.find("schemas", schema) is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Schema '{schema}' does not exist.")
    endpoint["ai_gateway"] = b
    return b


@route("PATCH", r"/api/2\.0/serving-endpoints/([^/]+)/tags", "serving_endpoints", "tags",
       response=W.model(serving.EndpointTags))
def _ep_tags(store, m, q, b):
    endpoint = store.get("serving_endpoints", m.group(1), f"Endpoint {m.group(1)}")
    tags = {t["key"]: t.get("value") for t in endpoint.get("tags") or []}
    tags.update({t["key"]: t.get("value") for t in b.get("add_tags") or []})
    for key in b.get("delete_tags") or []:
        tags.pop(key, None)
    endpoint["tags"] = [{"key": k, "value": v} for k, v in sorted(tags.items())]
    return {"tags": endpoint["tags"]}


@route("DELETE", r"/api/2\.0/serving-endpoints/([^/]+)", "serving_endpoints", "delete")
def _ep_delete(store, m, q, b):
    store.delete("serving_endpoints", m.group(1))
    return {}


# ---- Unity Catalog -------------------------------------------------------------------------------
UC = r"/api/2\.1/unity-catalog"


@route("POST", UC + r"/catalogs", "catalogs", "create", request=W.model(catalog.CatalogInfo), response=W.model(catalog.CatalogInfo))
def _cat_create(store, m, q, b):
    name = _need(b, "name")
    if store.find("catalogs", name):
        raise already_exists(f"Catalog '{name}'")
    return store.put("catalogs", name, dict(b, full_name=name, created_at=_now_ms(), created_by=store.me))


@route("GET", UC + r"/catalogs", "catalogs", "list", response=W.model(catalog.ListCatalogsResponse), paged="catalogs")
def _cat_list(store, m, q, b):
    return {"catalogs": store.all("catalogs")}


@route("GET", UC + r"/catalogs/([^/]+)", "catalogs", "get", response=W.model(catalog.CatalogInfo))
def _cat_get(store, m, q, b):
    return store.get("catalogs", unquote(m.group(1)), f"Catalog '{unquote(m.group(1))}'")


@route("DELETE", UC + r"/catalogs/([^/]+)", "catalogs", "delete")
def _cat_delete(store, m, q, b):
    name = unquote(m.group(1))
    store.get("catalogs", name, f"Catalog '{name}'")
    children = [(k, key) for k in ("schemas", "volumes", "tables") for key in list(store.objects.get(k, {}))
                if key.startswith(name + ".")]
    if children and q.get("force") != "true":
        raise ApiError(400, "INVALID_STATE", f"Catalog '{name}' is not empty.")
    for kind, key in children:
        store.delete(kind, key)
    store.delete("catalogs", name)
    compute.drop_catalog(store, name)  # its schemas' tables on the workspace's Spark go with it
    return {}


def _uc_child(kind: str, parent_kind: str, parent_of: Callable[[dict], str], full_name: Callable[[dict], str],
              info=None):
    base = UC + "/" + kind
    typed = W.model(info)

    @route("POST", base, kind, "create", request=typed, response=typed)
    def _create(store, m, q, b):
        parent = parent_of(b)
        store.get(parent_kind, parent, f"{parent_kind[:-1].title()} '{parent}'")
        name = full_name(b)
        if store.find(kind, name):
            raise already_exists(f"{kind[:-1].title()} '{name}'")
        if kind == "volumes":  # its mount: a folder task processes can write (volumes.py)
            store.volume_files.make_volume(name)
        return store.put(kind, name, dict(b, full_name=name, created_by=store.me, created_at=_now_ms()))

    @route("GET", base + r"/([^/]+)", kind, "get", response=typed)
    def _get(store, m, q, b):
        return store.get(kind, unquote(m.group(1)), f"{kind[:-1].title()} '{unquote(m.group(1))}'")

    @route("DELETE", base + r"/([^/]+)", kind, "delete")
    def _delete(store, m, q, b):
        name = unquote(m.group(1))
        store.get(kind, name, f"{kind[:-1].title()} '{name}'")
        if kind == "schemas":
            for child in ("volumes", "tables"):
                for key in [k for k in store.objects.get(child, {}) if k.startswith(name + ".")]:
                    store.delete(child, key)
        store.delete(kind, name)
        return {}


_uc_child("schemas", "catalogs", lambda b: _need(b, "catalog_name"),
          lambda b: f"{b['catalog_name']}.{_need(b, 'name')}", catalog.SchemaInfo)
_uc_child("volumes", "schemas", lambda b: f"{_need(b, 'catalog_name')}.{_need(b, 'schema_name')}",
          lambda b: f"{b['catalog_name']}.{b['schema_name']}.{_need(b, 'name')}", catalog.VolumeInfo)


@route("GET", UC + r"/tables/([^/]+)/exists", "tables", "get", response=W.model(catalog.TableExistsResponse))
def _table_exists(store, m, q, b):
    name = unquote(m.group(1))
    return {"table_exists": store.find("tables", name) is not None or compute.spark_table(store, name) is not None}


# A table written through the workspace's Spark (a stage, a job, a pipeline) is a Unity Catalog
# table as soon as it exists, as on Databricks, where every write goes through the catalog.
@route("GET", UC + r"/tables/([^/]+)", "tables", "get", response=W.model(catalog.TableInfo))
def _table_get(store, m, q, b):
    name = unquote(m.group(1))
    return store.find("tables", name) or compute.spark_table(store, name) or store.get("tables", name, f"Table '{name}'")


# ---- MLflow experiments --------------------------------------------------------------------------
# With a SQLite `mlflow_uri` they are MLflow's own (mlflow_store.py: the workspace's tracking server);
# otherwise kept here, with the same rules: a soft delete that keeps the name taken, the creator's tag.
@route("POST", r"/api/2\.0/mlflow/experiments/create", "experiments", "create", request=W.model(ml.Experiment), response=W.model(ml.CreateExperimentResponse))
def _exp_create(store, m, q, b):
    name = _need(b, "name")
    if sql := mlflow_store.tracking_store(store):
        with mlflow_store.answered_as_api_errors():
            return mlflow_store.create(sql, store.me, name, b.get("tags") or [])
    if any(e["name"] == name for e in store.all("experiments")):  # deleted ones keep their name taken
        raise already_exists(f"Experiment '{name}'")
    eid = str(store.new_id())
    tags = [t for t in b.get("tags") or [] if isinstance(t, dict) and t.get("key") != mlflow_store.OWNER_TAG]
    store.put("experiments", eid, {"experiment_id": eid, "name": name, "lifecycle_stage": "active",
                                   "creation_time": _now_ms(), "last_update_time": _now_ms(),
                                   "tags": [{"key": mlflow_store.OWNER_TAG, "value": store.me}, *tags]})
    return {"experiment_id": eid}


def _experiment(store, eid) -> dict:
    return store.get("experiments", eid, f"Experiment with id '{eid}'")


@route("POST", r"/api/2\.0/mlflow/experiments/delete", "experiments", "delete")
def _exp_delete(store, m, q, b):
    """A soft delete, as on a workspace: the experiment stays, `deleted`, and its name stays taken."""
    if sql := mlflow_store.tracking_store(store):
        with mlflow_store.answered_as_api_errors():
            mlflow_store.delete(sql, _need(b, "experiment_id"))
        return {}
    exp = _experiment(store, _need(b, "experiment_id"))
    if exp["lifecycle_stage"] == "deleted":
        raise not_found(f"Experiment with id '{exp['experiment_id']}'")
    exp["lifecycle_stage"] = "deleted"
    return {}


@route("POST", r"/api/2\.0/mlflow/experiments/restore", "experiments", "update")
def _exp_restore(store, m, q, b):
    if sql := mlflow_store.tracking_store(store):
        with mlflow_store.answered_as_api_errors():
            mlflow_store.restore(sql, _need(b, "experiment_id"))
        return {}
    _experiment(store, _need(b, "experiment_id"))["lifecycle_stage"] = "active"
    return {}


@route("GET", r"/api/2\.0/mlflow/experiments/get", "experiments", "get", response=W.model(ml.GetExperimentResponse))
def _exp_get(store, m, q, b):
    if sql := mlflow_store.tracking_store(store):
        return {"experiment": mlflow_store.as_wire(mlflow_store.get(sql, q.get("experiment_id")))}
    return {"experiment": _experiment(store, q.get("experiment_id"))}


@route("GET", r"/api/2\.0/mlflow/experiments/get-by-name", "experiments", "get", response=W.model(ml.GetExperimentByNameResponse))
def _exp_get_by_name(store, m, q, b):
    if sql := mlflow_store.tracking_store(store):
        return {"experiment": mlflow_store.get_by_name(sql, q.get("experiment_name"))}
    for exp in store.all("experiments"):
        if exp["name"] == q.get("experiment_name"):
            return {"experiment": exp}
    raise not_found(f"Experiment '{q.get('experiment_name')}'")


@route("POST", r"/api/2\.0/mlflow/experiments/search", "experiments", "list", response=W.model(ml.SearchExperimentsResponse), paged="experiments")
def _exp_search(store, m, q, b):
    view = b.get("view_type") or "ACTIVE_ONLY"
    if sql := mlflow_store.tracking_store(store):
        with mlflow_store.answered_as_api_errors():
            return {"experiments": mlflow_store.search(sql, view)}
    found = [e for e in store.all("experiments") if view == "ALL" or
             (e["lifecycle_stage"] == "active") == (view == "ACTIVE_ONLY")]
    found.sort(key=lambda e: -e["creation_time"])
    return {"experiments": found}


# ---- Genie and Agent Bricks (raw REST) -----------------------------------------------------------
def _check_space(store, b: dict) -> None:
    """What the Genie API checks: a warehouse that exists, and a serialized space (version 2) whose
    tables are three-part names."""
    import json

    if b.get("warehouse_id") and store.find("warehouses", b["warehouse_id"]) is None:
        raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Warehouse {b['warehouse_id']} does not exist.")
    if "serialized_space" not in b:
        return
    try:
        space = json.loads(b["serialized_space"])
    except (TypeError, ValueError):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "serialized_space is not valid JSON") from None
    tables = ((space.get("data_sources") or {}).get("tables") or []) if isinstance(space, dict) else []
    if not isinstance(space, dict) or space.get("version") != 2 or not tables or \
            any(str(t.get("identifier", "")).count(".") != 2 for t in tables):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "serialized_space needs version 2 and data_sources.tables "
                       "with catalog.schema.table identifiers")


def _space_view(space: dict, full: bool) -> dict:
    return {k: v for k, v in space.items() if full or k != "serialized_space"}


@route("POST", r"/api/2\.0/genie/spaces", "genie_spaces", "create", request=W.model(dashboards.GenieSpace), response=W.model(dashboards.GenieSpace))
def _genie_create(store, m, q, b):
    _need(b, "warehouse_id")
    _need(b, "serialized_space")
    _check_space(store, b)
    sid = f"space{store.new_id()}"
    return _space_view(store.put("genie_spaces", sid, dict(b, space_id=sid, creator=store.me)), False)


@route("GET", r"/api/2\.0/genie/spaces/([^/]+)", "genie_spaces", "get", response=W.model(dashboards.GenieSpace))
def _genie_get(store, m, q, b):
    return _space_view(store.get("genie_spaces", m.group(1)), q.get("include_serialized_space") in ("true", "True"))


@route("PATCH", r"/api/2\.0/genie/spaces/([^/]+)", "genie_spaces", "update", request=W.model(dashboards.GenieSpace), response=W.model(dashboards.GenieSpace))
def _genie_update(store, m, q, b):
    space = store.get("genie_spaces", m.group(1))
    _check_space(store, b)
    space.update({k: v for k, v in b.items() if k in ("title", "description", "warehouse_id", "serialized_space")})
    return _space_view(space, False)


@route("GET", r"/api/2\.0/genie/spaces", "genie_spaces", "list", response=W.model(dashboards.GenieListSpacesResponse), paged="spaces")
def _genie_list(store, m, q, b):
    return {"spaces": [_space_view(s, False) for s in store.all("genie_spaces")]}


@route("DELETE", r"/api/2\.0/genie/spaces/([^/]+)", "genie_spaces", "delete")
def _genie_delete(store, m, q, b):
    store.delete("genie_spaces", m.group(1))
    return {}


def _tile_routes(collection: str, kind: str, key: str) -> None:
    @route("POST", rf"/api/2\.0/{collection}", kind, "create")
    def _create(store, m, q, b):
        name = _need(b, "name")
        if any((t.get("name") or t.get("display_name")) == name for t in store.all(kind)):
            raise already_exists(f"{kind} {name}")
        tile_id = f"tile-{store.new_id()}"
        obj = dict(b, tile_id=tile_id, status={"endpoint_status": "ONLINE"}, creator=store.me,
                   create_time=_rfc3339(_now_ms()))
        store.put(kind, tile_id, obj)
        return {key: {k: v for k, v in obj.items() if k != "tile_id"}}  # the real POST lacks the tile id

    @route("GET", rf"/api/2\.0/{collection}/([^/]+)", kind, "get")
    def _get(store, m, q, b):
        return {key: store.get(kind, m.group(1))}

    @route("PUT", rf"/api/2\.0/{collection}/([^/]+)", kind, "update")
    def _put(store, m, q, b):
        store.get(kind, m.group(1)).update({k: v for k, v in b.items() if k != "tile_id"})
        return {key: store.get(kind, m.group(1))}


_tile_routes("knowledge-assistants", "knowledge_assistants", "knowledge_assistant")
_tile_routes("multi-agent-supervisors", "multi_agent_supervisors", "multi_agent_supervisor")


@route("GET", r"/api/2\.0/tiles", "tiles", "list")
def _tiles(store, m, q, b):
    tiles = [dict(t, tile_type=k) for k in ("knowledge_assistants", "multi_agent_supervisors") for t in store.all(k)]
    return {"tiles": tiles}


@route("DELETE", r"/api/2\.0/tiles/([^/]+)", "tiles", "delete")
def _tile_delete(store, m, q, b):
    for kind in ("knowledge_assistants", "multi_agent_supervisors"):
        if store.find(kind, m.group(1)):
            store.delete(kind, m.group(1))
            return {}
    raise not_found(f"Tile {m.group(1)}")


# ---- workspace files -----------------------------------------------------------------------------
def _ws_entry(path: str, item: dict) -> dict:
    return {"path": path, "object_type": item["object_type"], "language": item.get("language"),
            "modified_at": item["modified_at"], "object_id": abs(hash(path)) % 10**9}


def _ws_dirs(store: Store) -> set[str]:
    dirs = set()
    for path in store.files:
        parent = path.rsplit("/", 1)[0]
        while parent:
            dirs.add(parent)
            parent = parent.rsplit("/", 1)[0]
    return dirs | {p for p, f in store.files.items() if f["object_type"] == "DIRECTORY"}


@route("GET", r"/api/2\.0/workspace/get-status", "workspace", "get")
def _ws_status(store, m, q, b):
    path = q.get("path", "")
    if path in store.files:
        return _ws_entry(path, store.files[path])
    if path in _ws_dirs(store):
        return {"path": path, "object_type": "DIRECTORY"}
    raise not_found(f"Path ({path})")


@route("GET", r"/api/2\.0/workspace/list", "workspace", "list")
def _ws_list(store, m, q, b):
    path = q.get("path", "").rstrip("/")
    dirs = _ws_dirs(store)
    if path not in dirs and path not in store.files:
        raise not_found(f"Path ({path})")
    children = []
    for child in sorted(dirs | set(store.files)):
        if child.rsplit("/", 1)[0] == path and child != path:
            item = store.files.get(child)
            if item and item["object_type"] != "DIRECTORY":
                children.append(_ws_entry(child, item))
            else:
                children.append({"path": child, "object_type": "DIRECTORY"})
    return {"objects": children}


@route("POST", r"/api/2\.0/workspace/import", "workspace", "import")
def _ws_import(store, m, q, b):
    path = _need(b, "path")
    if path in store.files and not b.get("overwrite"):
        raise already_exists(f"Path ({path})")
    content = base64.b64decode(b.get("content") or "")
    notebook = b.get("format") in ("SOURCE", "JUPYTER") and b.get("language")
    store.files[path] = {"content": content, "object_type": "NOTEBOOK" if notebook else "FILE",
                         "language": b.get("language"), "modified_at": _now_ms()}
    return {}


@route("GET", r"/api/2\.0/workspace/export", "workspace", "export")
def _ws_export(store, m, q, b):
    path = q.get("path", "")
    if path not in store.files:
        raise not_found(f"Path ({path})")
    return {"content": base64.b64encode(store.files[path]["content"]).decode(), "file_type": "py"}


@route("POST", r"/api/2\.0/workspace/delete", "workspace", "delete")
def _ws_delete(store, m, q, b):
    path = _need(b, "path").rstrip("/")
    doomed = [p for p in store.files if p == path or (b.get("recursive") and p.startswith(path + "/"))]
    if not doomed and path not in _ws_dirs(store):
        raise not_found(f"Path ({path})")
    for p in doomed:
        del store.files[p]
    return {}


@route("POST", r"/api/2\.0/workspace/mkdirs", "workspace", "mkdirs")
def _ws_mkdirs(store, m, q, b):
    path = _need(b, "path").rstrip("/")
    store.files.setdefault(path, {"content": b"", "object_type": "DIRECTORY", "modified_at": _now_ms()})
    return {}


# ---- Files API (volumes) -------------------------------------------------------------------------
# The files live on disk (volumes.py), where task processes write them with plain open().
def _volume_file(store, m) -> bytes:
    try:
        return store.volume_files[unquote(m.group(1))]
    except KeyError:
        raise not_found(f"File {unquote(m.group(1))}") from None


@route("PUT", r"/api/2\.0/fs/files(/Volumes/.+)", "volume_files", "create")
def _file_put(store, m, q, b):
    try:
        store.volume_files[unquote(m.group(1))] = b if isinstance(b, bytes) else b""
    except KeyError:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid path {unquote(m.group(1))}") from None
    return {}


@route("GET", r"/api/2\.0/fs/files(/Volumes/.+)", "volume_files", "get")
def _file_get(store, m, q, b):
    return _volume_file(store, m)


@route("DELETE", r"/api/2\.0/fs/files(/Volumes/.+)", "volume_files", "delete")
def _file_delete(store, m, q, b):
    _volume_file(store, m)
    del store.volume_files[unquote(m.group(1))]
    return {}


@route("HEAD", r"/api/2\.0/fs/files(/Volumes/.+)", "volume_files", "get")
def _file_head(store, m, q, b):
    return _volume_file(store, m)  # the file, whose length the headers give


@route("GET", r"/api/2\.0/fs/directories(/Volumes/.+?)/?", "volume_files", "list")
def _dir_list(store, m, q, b):
    folder = unquote(m.group(1)).rstrip("/")
    try:
        found = store.volume_files.listing(folder)
    except KeyError:
        found = None
    if not found:
        parts = folder.split("/")
        if found is not None or (len(parts) >= 5 and store.find("volumes", ".".join(parts[2:5]))):
            return {"contents": []}
        raise not_found(f"Directory {folder}")
    return {"contents": [{"path": f"{folder}/{name}", "is_directory": is_dir, "name": name,
                          **({} if is_dir else {"file_size": size})} for name, is_dir, size in found]}
