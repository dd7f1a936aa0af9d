"""More REST endpoints of the stand-in: every creation path of the pinned SDK that the kinds
registry knows (src/stage_runtime/kinds.py), with the get, list and delete calls cleanup and the
end-of-stage sweep make. Paths, bodies and list keys follow the installed databricks-sdk; every
created object records its creator, the principal every request acts as."""

from __future__ import annotations

import time
from typing import Callable
from urllib.parse import unquote

from .api import _need, route
from .store import ApiError, already_exists


def _now_ms() -> int:
    return int(time.time() * 1000)


def collection(kind: str, base: str, key: str = "name", new_id: Callable | None = None, list_key: str | None = None,
               creator: str = "creator", wrap: Callable[[dict], dict] = lambda obj: obj, item: str | None = None):
    """create (POST base), get and delete (base/<id>), list (GET base) for one kind."""
    item = item or base + r"/([^?]+)"

    @route("POST", base, kind, "create")
    def _create(store, m, q, b):
        ident = new_id(store) if new_id else str(_need(b, key))
        if store.find(kind, ident):
            raise already_exists(f"{kind} {ident}")
        obj = dict(b, **{key: ident, creator: store.me, "creation_timestamp": _now_ms()})
        return wrap(store.put(kind, ident, obj))

    @route("GET", item, kind, "get")
    def _get(store, m, q, b):
        return wrap(store.get(kind, unquote(m.group(1)), f"{kind} {unquote(m.group(1))}"))

    @route("DELETE", item, kind, "delete")
    def _delete(store, m, q, b):
        store.delete(kind, unquote(m.group(1)), f"{kind} {unquote(m.group(1))}")
        return {}

    if list_key:
        @route("GET", base, kind, "list")
        def _list(store, m, q, b):
            return {list_key: [wrap(o) for o in store.all(kind)]}


def listing(kind: str, path: str, key: str) -> None:
    """GET `path` answers {key: every object of the kind}."""
    @route("GET", path, kind, "list")
    def _list(store, m, q, b):
        return {key: store.all(kind)}


# ---- Agent Bricks through the SDK services (2.1) ----------------------------------------------------
# The same resources as the raw tiles API (api.py): stored by bare id; the 2.1 API names them
# `<collection>/<id>`, so one made through either API is listed, read and deleted through both.
def _agent_bricks(collection_name: str, kind: str, list_key: str) -> None:
    def view(key: str, obj: dict) -> dict:
        return dict({k: v for k, v in obj.items() if k != "tile_id"}, name=f"{collection_name}/{key}", id=key,
                    display_name=obj.get("display_name") or obj.get("name"))

    @route("POST", rf"/api/2\.1/{collection_name}", kind, "create")
    def _create(store, m, q, b):
        title = _need(b, "display_name")
        if any((o.get("display_name") or o.get("name")) == title for o in store.all(kind)):
            raise already_exists(f"{kind} {title}")
        key = f"tile-{store.new_id()}"
        obj = store.put(kind, key, dict(b, tile_id=key, creator=store.me, state="ACTIVE",
                                        endpoint_name=f"ka-{key}-endpoint"))
        return view(key, obj)

    @route("GET", rf"/api/2\.1/{collection_name}", kind, "list")
    def _list(store, m, q, b):
        return {list_key: [view(k, o) for k, o in store.objects.get(kind, {}).items()]}

    @route("GET", rf"/api/2\.1/{collection_name}/([^/]+)", kind, "get")
    def _get(store, m, q, b):
        return view(m.group(1), store.get(kind, m.group(1)))

    @route("DELETE", rf"/api/2\.1/{collection_name}/([^/]+)", kind, "delete")
    def _delete(store, m, q, b):
        store.delete(kind, m.group(1))
        return {}


_agent_bricks("knowledge-assistants", "knowledge_assistants", "knowledge_assistants")
_agent_bricks("supervisor-agents", "multi_agent_supervisors", "supervisor_agents")


# ---- jobs: one-time runs ---------------------------------------------------------------------------
@route("POST", r"/api/2\.[0-2]/jobs/runs/submit", "job_runs", "create")
def _run_submit(store, m, q, b):
    run_id = store.new_id()
    store.put("job_runs", run_id, {"run_id": run_id, "run_name": b.get("run_name"), "creator_user_name": store.me,
                                   "state": {"life_cycle_state": "RUNNING"}, "start_time": _now_ms()})
    return {"run_id": run_id}


def _run(store, run_id) -> tuple[str, dict]:
    for kind in ("job_runs", "_runs"):
        found = store.find(kind, run_id)
        if found:
            return kind, found
    raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Run {run_id} does not exist.")


@route("POST", r"/api/2\.[0-2]/jobs/runs/cancel", "job_runs", "update")
def _run_cancel(store, m, q, b):
    _, run = _run(store, _need(b, "run_id"))
    run["state"] = {"life_cycle_state": "TERMINATED", "result_state": "CANCELED"}
    return {}


@route("POST", r"/api/2\.[0-2]/jobs/runs/delete", "job_runs", "delete")
def _run_delete(store, m, q, b):
    kind, run = _run(store, _need(b, "run_id"))
    if run["state"].get("life_cycle_state") != "TERMINATED":
        raise ApiError(400, "INVALID_STATE", f"Run {run['run_id']} is active and cannot be deleted.")
    store.delete(kind, run["run_id"])
    return {}


# ---- pipelines: clone ------------------------------------------------------------------------------
@route("POST", r"/api/2\.0/pipelines/([^/]+)/clone", "pipelines", "create")
def _pipeline_clone(store, m, q, b):
    source = store.get("pipelines", m.group(1), f"Pipeline {m.group(1)}")
    pid = f"pl-{store.new_id()}"
    name = b.get("name") or f"{source['name']} (clone)"
    store.put("pipelines", pid, {"pipeline_id": pid, "name": name, "spec": dict(source["spec"], **b, id=pid),
                                 "state": "IDLE", "creator_user_name": store.me})
    return {"pipeline_id": pid}


# ---- serving: provisioned throughput ---------------------------------------------------------------
@route("POST", r"/api/2\.0/serving-endpoints/pt", "serving_endpoints", "create")
def _pt_create(store, m, q, b):
    name = _need(b, "name")
    if store.find("serving_endpoints", name):
        raise already_exists(f"Endpoint {name}")
    return store.put("serving_endpoints", name, dict(b, state={"config_update": "NOT_UPDATING", "ready": "READY"},
                                                     creator=store.me, creation_timestamp=_now_ms(), _polls=0))


# ---- vector search, online tables, Lakebase tables and roles ----------------------------------------
collection("vector_search_endpoints", r"/api/2\.0/vector-search/endpoints", list_key="endpoints",
           wrap=lambda o: dict(o, endpoint_status={"state": "ONLINE"}),
           item=r"/api/2\.0/vector-search/endpoints/([^/?]+)")
collection("vector_search_indexes", r"/api/2\.0/vector-search/indexes", list_key="vector_indexes",
           item=r"/api/2\.0/vector-search/indexes/([^/?]+)")
collection("online_tables", r"/api/2\.0/online-tables", wrap=lambda o: dict(o, status={"detailed_state": "ONLINE"}))
collection("database_tables", r"/api/2\.0/database/tables")


@route("POST", r"/api/2\.0/database/instances/([^/]+)/roles", "database_roles", "create")
def _role_create(store, m, q, b):
    store.get("database_instances", m.group(1), f"Database instance {m.group(1)}")
    key = f"{m.group(1)}/{_need(b, 'name')}"
    if store.find("database_roles", key):
        raise already_exists(f"Role {b['name']}")
    return store.put("database_roles", key, dict(b))


@route("DELETE", r"/api/2\.0/database/instances/([^/]+)/roles/([^/?]+)", "database_roles", "delete")
def _role_delete(store, m, q, b):
    store.delete("database_roles", f"{m.group(1)}/{unquote(m.group(2))}", f"Role {m.group(2)}")
    return {}


listing("database_instances", r"/api/2\.0/database/instances", "database_instances")


# ---- compute, dashboards, secrets, Genie listing ---------------------------------------------------
@route("POST", r"/api/2\.1/clusters/create", "clusters", "create")
def _cluster_create(store, m, q, b):
    cid = f"0000-{store.new_id()}-cluster"
    store.put("clusters", cid, dict(b, cluster_id=cid, state="RUNNING", creator_user_name=store.me))
    return {"cluster_id": cid}


@route("GET", r"/api/2\.1/clusters/get", "clusters", "get")
def _cluster_get(store, m, q, b):
    return store.get("clusters", q.get("cluster_id"), f"Cluster {q.get('cluster_id')}")


listing("clusters", r"/api/2\.1/clusters/list", "clusters")


@route("POST", r"/api/2\.1/clusters/permanent-delete", "clusters", "delete")
def _cluster_delete(store, m, q, b):
    store.delete("clusters", _need(b, "cluster_id"), f"Cluster {b.get('cluster_id')}")
    return {}


collection("dashboards", r"/api/2\.0/lakeview/dashboards", key="dashboard_id", list_key="dashboards",
           new_id=lambda store: f"dash{store.new_id()}", wrap=lambda o: dict(o, lifecycle_state="ACTIVE"),
           item=r"/api/2\.0/lakeview/dashboards/([^/?]+)")


@route("POST", r"/api/2\.0/secrets/scopes/create", "secret_scopes", "create")
def _scope_create(store, m, q, b):
    scope = _need(b, "scope")
    if store.find("secret_scopes", scope):
        raise already_exists(f"Scope {scope}")
    store.put("secret_scopes", scope, {"name": scope, "backend_type": "DATABRICKS"})
    return {}


@route("POST", r"/api/2\.0/secrets/scopes/delete", "secret_scopes", "delete")
def _scope_delete(store, m, q, b):
    store.delete("secret_scopes", _need(b, "scope"), f"Scope {b.get('scope')}")
    return {}


listing("secret_scopes", r"/api/2\.0/secrets/scopes/list", "scopes")


listing("genie_spaces", r"/api/2\.0/genie/spaces", "spaces")


# ---- models: workspace registry and Unity Catalog --------------------------------------------------
@route("POST", r"/api/2\.0/mlflow/registered-models/create", "model_registry_models", "create")
def _ml_model_create(store, m, q, b):
    name = _need(b, "name")
    if store.find("model_registry_models", name):
        raise already_exists(f"Registered Model (name={name})")
    model = {"name": name, "creation_timestamp": _now_ms(), "user_id": store.me}
    store.put("model_registry_models", name, model)
    return {"registered_model": model}


@route("GET", r"/api/2\.0/mlflow/databricks/registered-models/get", "model_registry_models", "get")
def _ml_model_get(store, m, q, b):
    return {"registered_model_databricks": store.get("model_registry_models", q.get("name"),
                                                     f"Registered Model (name={q.get('name')})")}


@route("GET", r"/api/2\.0/mlflow/registered-models/list", "model_registry_models", "list")
def _ml_model_list(store, m, q, b):
    return {"registered_models": store.all("model_registry_models")}


@route("DELETE", r"/api/2\.0/mlflow/registered-models/delete", "model_registry_models", "delete")
def _ml_model_delete(store, m, q, b):
    store.delete("model_registry_models", q.get("name"), f"Registered Model (name={q.get('name')})")
    return {}


UC = r"/api/2\.1/unity-catalog"


def _uc_leaf(kind: str, collection_name: str, name_of: Callable[[dict], tuple[str, str, str]], list_key: str) -> None:
    """A Unity Catalog object under a schema: created with catalog, schema and name."""
    @route("POST", rf"{UC}/{collection_name}", kind, "create")
    def _create(store, m, q, b):
        catalog, schema, name = name_of(b)
        store.get("schemas", f"{catalog}.{schema}", f"Schema '{catalog}.{schema}'")
        full_name = f"{catalog}.{schema}.{name}"
        if store.find(kind, full_name):
            raise already_exists(f"{kind} '{full_name}'")
        return store.put(kind, full_name, dict(b, full_name=full_name, catalog_name=catalog, schema_name=schema,
                                               name=name, created_by=store.me, created_at=_now_ms()))

    @route("GET", rf"{UC}/{collection_name}", kind, "list")
    def _list(store, m, q, b):
        prefix = ".".join(p for p in (q.get("catalog_name"), q.get("schema_name")) if p)
        return {list_key: [o for k, o in store.objects.get(kind, {}).items() if not prefix or k.startswith(prefix + ".")]}

    @route("GET", rf"{UC}/{collection_name}/([^/]+)", kind, "get")
    def _get(store, m, q, b):
        return store.get(kind, unquote(m.group(1)), f"{kind} '{unquote(m.group(1))}'")

    @route("DELETE", rf"{UC}/{collection_name}/([^/]+)", kind, "delete")
    def _delete(store, m, q, b):
        store.delete(kind, unquote(m.group(1)), f"{kind} '{unquote(m.group(1))}'")
        return {}


_uc_leaf("registered_models", "models", lambda b: (_need(b, "catalog_name"), _need(b, "schema_name"), _need(b, "name")),
         "registered_models")
_uc_leaf("functions", "functions", lambda b: (_need(b.get("function_info") or {}, "catalog_name"),
                                              b["function_info"].get("schema_name"), b["function_info"].get("name")),
         "functions")


@route("POST", rf"{UC}/tables", "tables", "create")
def _table_create(store, m, q, b):
    full_name = f"{_need(b, 'catalog_name')}.{_need(b, 'schema_name')}.{_need(b, 'name')}"
    store.get("schemas", f"{b['catalog_name']}.{b['schema_name']}", f"Schema '{b['catalog_name']}.{b['schema_name']}'")
    if store.find("tables", full_name):
        raise already_exists(f"Table '{full_name}'")
    return store.put("tables", full_name, dict(b, full_name=full_name, created_by=store.me))


@route("DELETE", rf"{UC}/tables/([^/]+)", "tables", "delete")
def _table_delete(store, m, q, b):
    store.delete("tables", unquote(m.group(1)), f"Table '{unquote(m.group(1))}'")
    return {}


@route("GET", rf"{UC}/schemas", "schemas", "list")
def _schemas_list(store, m, q, b):
    catalog = q.get("catalog_name", "")
    return {"schemas": [dict(o, name=k.split(".", 1)[1]) for k, o in store.objects.get("schemas", {}).items()
                        if k.startswith(catalog + ".")]}


@route("POST", rf"{UC}/tables/([^/]+)/monitor", "quality_monitors", "create")
def _monitor_create(store, m, q, b):
    table = unquote(m.group(1))
    if store.find("quality_monitors", table):
        raise already_exists(f"Monitor for table '{table}'")
    return store.put("quality_monitors", table, dict(b, table_name=table, status="MONITOR_STATUS_ACTIVE"))


@route("GET", rf"{UC}/tables/([^/]+)/monitor", "quality_monitors", "get")
def _monitor_get(store, m, q, b):
    return store.get("quality_monitors", unquote(m.group(1)), f"Monitor for table '{unquote(m.group(1))}'")


@route("DELETE", rf"{UC}/tables/([^/]+)/monitor", "quality_monitors", "delete")
def _monitor_delete(store, m, q, b):
    store.delete("quality_monitors", unquote(m.group(1)), f"Monitor for table '{unquote(m.group(1))}'")
    return {}
