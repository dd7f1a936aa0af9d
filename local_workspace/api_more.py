"""More REST endpoints of the stand-in: every creation path of the pinned SDK that the kinds
registry knows (src/stage_runtime/kinds.py), with the get, list and delete calls cleanup and the
end-of-stage sweep make. Paths, bodies and list keys follow the installed databricks-sdk; every
created object records its creator, the principal every request acts as."""

from __future__ import annotations

import re
import time
from typing import Callable
from urllib.parse import unquote

from databricks.sdk.service import catalog, compute, database, knowledgeassistants, ml, supervisoragents

from . import wire as W
from .api import _need, _rfc3339, route
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
# Display names follow the API's rule (4-63 of letters, digits, `_`, `.`, `-`); a new assistant is
# CREATING for `tile_ready_after` reads (config, default 1; negative: forever), then ACTIVE; the service names its
# serving endpoint (endpoint_name is output only), which GET /serving-endpoints/<name> then answers.
DISPLAY_NAME = re.compile(r"[\w.-]{4,63}")
UPDATABLE = {"knowledge_assistants": ("display_name", "description", "instructions"),
             "multi_agent_supervisors": ("display_name", "description", "instructions")}


def _agent_bricks(collection_name: str, kind: str, list_key: str, endpoint_prefix: str, cls, list_cls) -> None:
    typed, typed_list = W.model(cls), W.model(list_cls)

    def view(store, key: str, obj: dict, read: bool = False) -> dict:
        if read and obj.get("state") == "CREATING":
            obj["_reads"] = obj.get("_reads", 0) + 1
            if 0 <= store.config.get("tile_ready_after", 1) <= obj["_reads"]:  # negative: never
                obj["state"] = "ACTIVE"
        shown = {k: v for k, v in obj.items() if k not in ("tile_id", "_reads", "children")}
        extra = {"supervisor_agent_id": key} if kind == "multi_agent_supervisors" else {}
        return dict(shown, name=f"{collection_name}/{key}", id=key, **extra,
                    display_name=obj.get("display_name") or obj.get("name"))

    def check_name(store, title: str, key: str | None = None) -> None:
        if not DISPLAY_NAME.fullmatch(title or ""):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"display_name '{title}' must be 4-63 letters, digits, "
                           "'_', '.' or '-'")
        for other_key, other in store.objects.get(kind, {}).items():
            if other_key != key and (other.get("display_name") or other.get("name")) == title:
                raise already_exists(f"{kind} {title}")

    @route("POST", rf"/api/2\.1/{collection_name}", kind, "create", request=typed, response=typed)
    def _create(store, m, q, b):
        check_name(store, _need(b, "display_name"))
        key = f"tile-{store.new_id()}"
        fields = {k: v for k, v in b.items() if k in UPDATABLE[kind]}
        obj = store.put(kind, key, dict(fields, tile_id=key, creator=store.me, state="CREATING",
                                        create_time=_rfc3339(_now_ms()),
                                        endpoint_name=f"{endpoint_prefix}-{key}-endpoint", children={}))
        return view(store, key, obj)

    @route("GET", rf"/api/2\.1/{collection_name}", kind, "list", response=typed_list, paged=list_key)
    def _list(store, m, q, b):
        listed = [view(store, k, o) for k, o in store.objects.get(kind, {}).items()]
        return {list_key: [{k: v for k, v in item.items() if k != "state"} for item in listed]}

    @route("GET", rf"/api/2\.1/{collection_name}/([^/]+)", kind, "get", response=typed)
    def _get(store, m, q, b):
        return view(store, m.group(1), store.get(kind, m.group(1)), read=True)

    @route("PATCH", rf"/api/2\.1/{collection_name}/([^/]+)", kind, "update", request=typed, response=typed)
    def _update(store, m, q, b):
        obj = store.get(kind, m.group(1))
        mask = [p for p in (q.get("update_mask") or "").split(",") if p]
        unknown = [p for p in mask if p not in UPDATABLE[kind]]
        if not mask or unknown:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"update_mask must list some of {', '.join(UPDATABLE[kind])}")
        if "display_name" in mask:
            check_name(store, b.get("display_name"), m.group(1))
        obj.update({p: b.get(p) for p in mask})
        return view(store, m.group(1), obj)

    @route("DELETE", rf"/api/2\.1/{collection_name}/([^/]+)", kind, "delete")
    def _delete(store, m, q, b):
        store.delete(kind, m.group(1))
        return {}


def _children(parent_kind: str, collection_name: str, child: str, id_query: str | None, fields: tuple[str, ...],
              updatable: tuple[str, ...], cls, list_cls) -> None:
    """Objects that live inside an Agent Bricks tile (knowledge sources, supervisor tools): created,
    listed, updated (only the `updatable` fields, named in update_mask) and deleted under it, and gone
    with it."""
    base = rf"/api/2\.1/{collection_name}/([^/]+)/{child}"
    typed = W.model(cls)

    def items(store, m) -> dict:
        return store.get(parent_kind, m.group(1)).setdefault("children", {})

    def view(m, key: str, obj: dict) -> dict:
        return dict(obj, name=f"{collection_name}/{m.group(1)}/{child}/{key}", id=key)

    @route("POST", base, parent_kind, "update", request=typed, response=typed)
    def _create(store, m, q, b):
        children = items(store, m)
        key = q.get(id_query) if id_query else f"ks-{store.new_id()}"
        if not key:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Missing required field: {id_query}")
        if key in children or any(c.get("display_name") == b.get("display_name") and b.get("display_name")
                                  for c in children.values()):
            raise already_exists(f"{child} {key}")
        children[key] = dict({k: b.get(k) for k in fields if b.get(k) is not None}, state="ACTIVE")
        if id_query:
            children[key]["tool_id"] = key
        return view(m, key, children[key])

    @route("GET", base, parent_kind, "get", response=W.model(list_cls), paged=child.replace("-", "_"))
    def _list(store, m, q, b):
        return {child.replace("-", "_"): [view(m, k, o) for k, o in items(store, m).items()]}

    @route("PATCH", base + r"/([^/]+)", parent_kind, "update", request=typed, response=typed)
    def _update(store, m, q, b):
        children = items(store, m)
        if m.group(2) not in children:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"{child} {m.group(2)} does not exist.")
        mask = [p for p in (q.get("update_mask") or "").split(",") if p]
        if not mask or any(p not in updatable for p in mask):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"update_mask: only {', '.join(updatable)} can be "
                           f"updated on a {child[:-1].replace('-', ' ')}, got {', '.join(mask) or 'nothing'}")
        children[m.group(2)].update({p: b.get(p) for p in mask})
        return view(m, m.group(2), children[m.group(2)])

    @route("DELETE", base + r"/([^/]+)", parent_kind, "update")
    def _delete(store, m, q, b):
        if items(store, m).pop(m.group(2), None) is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"{child} {m.group(2)} does not exist.")
        return {}


_agent_bricks("knowledge-assistants", "knowledge_assistants", "knowledge_assistants", "ka",
              knowledgeassistants.KnowledgeAssistant, knowledgeassistants.ListKnowledgeAssistantsResponse)
_agent_bricks("supervisor-agents", "multi_agent_supervisors", "supervisor_agents", "mas",
              supervisoragents.SupervisorAgent, supervisoragents.ListSupervisorAgentsResponse)
_children("knowledge_assistants", "knowledge-assistants", "knowledge-sources", None,
          ("display_name", "description", "source_type", "files", "index", "file_table"), ("display_name", "description"),
          knowledgeassistants.KnowledgeSource, knowledgeassistants.ListKnowledgeSourcesResponse)
_children("multi_agent_supervisors", "supervisor-agents", "tools", "tool_id",
          ("tool_type", "description", "genie_space", "knowledge_assistant", "uc_function", "uc_connection", "app",
           "volume"),
          # Only a tool's description can be changed in place: its type and target are fixed once it
          # exists (what the Supervisor Agents API refuses; issue 27 of this project reports it).
          ("description",), supervisoragents.Tool, supervisoragents.ListToolsResponse)


@route("POST", r"/api/2\.1/knowledge-assistants/([^/]+)/knowledge-sources:sync", "knowledge_assistants", "update")
def _ka_sync(store, m, q, b):
    store.get("knowledge_assistants", m.group(1))["synced"] = store.get("knowledge_assistants", m.group(1)).get(
        "synced", 0) + 1
    return {}


def tile_endpoint(store, name: str) -> dict | None:
    """The serving endpoint an Agent Bricks tile owns, as GET /serving-endpoints/<name> shows it."""
    for kind in ("knowledge_assistants", "multi_agent_supervisors"):
        for obj in store.all(kind):
            if obj.get("endpoint_name") == name:
                ready = obj.get("state", "ACTIVE") == "ACTIVE"
                return {"name": name, "endpoint_type": "AGENT", "creator": obj.get("creator"),
                        "state": {"ready": "READY" if ready else "NOT_READY", "config_update": "NOT_UPDATING"}}
    return None


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


@route("POST", r"/api/2\.0/database/instances/([^/]+)/roles", "database_roles", "create", request=W.model(database.DatabaseInstanceRole), response=W.model(database.DatabaseInstanceRole))
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
@route("POST", r"/api/2\.1/clusters/create", "clusters", "create", request=W.model(compute.ClusterSpec), response=W.model(compute.CreateClusterResponse))
def _cluster_create(store, m, q, b):
    cid = f"0000-{store.new_id()}-cluster"
    store.put("clusters", cid, dict(b, cluster_id=cid, state="RUNNING", creator_user_name=store.me))
    return {"cluster_id": cid}


@route("GET", r"/api/2\.1/clusters/get", "clusters", "get", response=W.model(compute.ClusterDetails))
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




# ---- models: workspace registry and Unity Catalog --------------------------------------------------
@route("POST", r"/api/2\.0/mlflow/registered-models/create", "model_registry_models", "create", request=W.model(ml.Model), response=W.model(ml.CreateModelResponse))
def _ml_model_create(store, m, q, b):
    name = _need(b, "name")
    if store.find("model_registry_models", name):
        raise already_exists(f"Registered Model (name={name})")
    model = {"name": name, "creation_timestamp": _now_ms(), "user_id": store.me, "id": f"m-{store.new_id()}",
             "tags": b.get("tags") or []}
    store.put("model_registry_models", name, model)
    return {"registered_model": model}


@route("GET", r"/api/2\.0/mlflow/databricks/registered-models/get", "model_registry_models", "get", response=W.model(ml.GetModelResponse))
def _ml_model_get(store, m, q, b):
    return {"registered_model_databricks": store.get("model_registry_models", q.get("name"),
                                                     f"Registered Model (name={q.get('name')})")}


@route("GET", r"/api/2\.0/mlflow/registered-models/list", "model_registry_models", "list", response=W.model(ml.ListModelsResponse), paged="registered_models")
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


@route("POST", rf"{UC}/tables", "tables", "create", request=W.model(catalog.TableInfo), response=W.model(catalog.TableInfo))
def _table_create(store, m, q, b):
    full_name = f"{_need(b, 'catalog_name')}.{_need(b, 'schema_name')}.{_need(b, 'name')}"
    store.get("schemas", f"{b['catalog_name']}.{b['schema_name']}", f"Schema '{b['catalog_name']}.{b['schema_name']}'")
    if store.find("tables", full_name):
        raise already_exists(f"Table '{full_name}'")
    return store.put("tables", full_name, dict(b, full_name=full_name, created_by=store.me, created_at=_now_ms(),
                                               table_id=f"t-{store.new_id()}"))


def _in_schema(store, kind: str, q: dict) -> list[dict]:
    """A schema's objects of one kind, as GET .../tables (or volumes)?catalog_name=&schema_name= lists them."""
    prefix = f"{q.get('catalog_name', '')}.{q.get('schema_name', '')}."
    return [o for k, o in store.objects.get(kind, {}).items() if k.startswith(prefix)]


@route("GET", rf"{UC}/tables", "tables", "list", response=W.model(catalog.ListTablesResponse), paged="tables")
def _tables_list(store, m, q, b):
    return {"tables": _in_schema(store, "tables", q)}


@route("GET", rf"{UC}/volumes", "volumes", "list", response=W.model(catalog.ListVolumesResponseContent), paged="volumes")
def _volumes_list(store, m, q, b):
    return {"volumes": _in_schema(store, "volumes", q)}


@route("DELETE", rf"{UC}/tables/([^/]+)", "tables", "delete")
def _table_delete(store, m, q, b):
    store.delete("tables", unquote(m.group(1)), f"Table '{unquote(m.group(1))}'")
    return {}


@route("GET", rf"{UC}/schemas", "schemas", "list", response=W.model(catalog.ListSchemasResponse), paged="schemas")
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


@route("GET", rf"{UC}/tables/([^/]+)/monitor", "quality_monitors", "get", response=W.model(catalog.MonitorInfo))
def _monitor_get(store, m, q, b):
    return store.get("quality_monitors", unquote(m.group(1)), f"Monitor for table '{unquote(m.group(1))}'")


@route("DELETE", rf"{UC}/tables/([^/]+)/monitor", "quality_monitors", "delete")
def _monitor_delete(store, m, q, b):
    store.delete("quality_monitors", unquote(m.group(1)), f"Monitor for table '{unquote(m.group(1))}'")
    return {}
