"""The registry of resource kinds: how each is created, identified, looked up, listed and deleted,
what evidence it can carry, and the order in which cleanup deletes them. Tracking, the end-of-stage
sweep and cleanup share it; README.md has the same facts as a table.

- `creates`: the REST calls (method, path pattern; the query string is not part of the path) that
  create a resource of the kind. Every HTTP request a tracked client sends is matched against them.
- `identity`: where the new resource's id is (the response, then the request body; `path_id` for
  the few created under a parent path, such as a table's monitor or an instance's role).
- `fields`: where a listed or fetched object keeps its identity, name, creator and creation time.
- `lookup(w, name)`: every object of the kind with exactly that name (all pages). Every kind has one:
  without it an interrupted create could never be settled.
- `listing(w)`: every object of the kind (all pages), for the end-of-stage sweep; None where the API
  has no listing of the kind.
- `marker`: where a create carries the intent's token (evidence.py); None where the API keeps none.
- `uid_field`: a name-identified object's unique id, fingerprinted so cleanup never deletes a later
  object that took the name.
- `gone(err)`: every answer a workspace gives for a resource that no longer exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from . import lookups as lk
from .evidence import Marker, list_tag, map_tag, request_field
from .lookups import Fields, Found, is_not_found  # noqa: F401 - re-exported for the rest of the runtime


_JOB_GONE = re.compile(r"(does not exist|was deleted|has been deleted)", re.I)


def job_is_gone(err: BaseException) -> bool:
    """The Jobs API answers a deleted job with 400 INVALID_PARAMETER_VALUE "Job N does not exist",
    and sometimes 403; a 403 counts only when its message says the job is gone, so a real
    permission problem is never mistaken for success."""
    from databricks.sdk.errors import InvalidParameterValue, PermissionDenied

    if is_not_found(err):
        return True
    return isinstance(err, (InvalidParameterValue, PermissionDenied)) and bool(_JOB_GONE.search(str(err)))


@dataclass(frozen=True)
class Kind:
    name: str
    order: int  # cleanup deletes lower orders first
    creates: tuple[tuple[str, str], ...]
    id_fields: tuple[str, ...]  # looked up in the response, then the request body
    delete: Callable[[Any, str, dict], None]  # (workspace client, identity, payload)
    fields: Fields
    lookup: Callable[[Any, str], list[Found]] | None
    name_fields: tuple[str, ...] = ("name",)
    unique_names: bool = True  # a second create with the same name fails instead of duplicating
    listing: Callable[[Any, str], list[Found]] | None = None  # (client, catalog): every page
    marker: Marker | None = None
    uid_field: str | None = None
    gone: Callable[[BaseException], bool] = is_not_found
    path_id: Callable[[re.Match, dict, dict], str | None] | None = None
    identity_is_name: bool = True  # False where the identity is an id the workspace never reuses
    request_name: Callable[[dict], str] | None = None  # the name to look up, from a create's body

    def lookup_name(self, body: dict, match: re.Match | None) -> str:
        """What `lookup` takes for the object a create request makes."""
        if self.request_name is not None:
            return self.request_name(body)
        if self.identity_is_name:
            return self.identity(body, {}, match) or self.display_name({"request": body})
        return self.display_name({"request": body})

    def identity(self, body: dict, response: dict, match: re.Match | None = None) -> str | None:
        if self.path_id is not None and match is not None:
            return self.path_id(match, body, response)
        for source in (response, body):
            for field in self.id_fields:
                value = lk.dig(source, field)
                if value not in (None, ""):
                    return str(value)
        return None

    def display_name(self, payload: dict) -> str:
        for source in (payload.get("response") or {}, payload.get("request") or {}, payload):
            for field in self.name_fields:
                value = lk.dig(source, field)
                if value:
                    return str(value)
        return ""

    def match(self, method: str, path: str) -> re.Match | None:
        method = method.upper()
        for m, pattern in self.creates:
            found = re.fullmatch(pattern, path) if m == method else None
            if found:
                return found
        return None


# ---- per-kind operations ---------------------------------------------------------------------
def _tile_id(match: re.Match, body: dict, response: dict) -> str | None:
    """The SDK services (2.1) answer with `name` = `knowledge-assistants/<id>`; the raw tiles API
    (2.0) answers without the tile id, so the stage must ctx.track it."""
    if match.string.startswith("/api/2.1/"):
        return (response or {}).get("name") or None
    return (response or {}).get("tile_id") or None


def _tile_delete(w, identity: str, payload: dict) -> None:
    if "/" in identity:  # created through the SDK service: `knowledge-assistants/<id>`
        w.api_client.do("DELETE", f"/api/2.1/{identity}")
    else:  # created through the raw tiles API (the original demo's calls)
        w.api_client.do("DELETE", f"/api/2.0/tiles/{identity}")


def _job_run_delete(w, identity: str, payload: dict) -> None:
    try:
        w.jobs.cancel_run(run_id=int(identity))  # an active run cannot be deleted; do not wait here
    except Exception:  # noqa: BLE001 - already finished or gone: delete decides
        pass
    w.jobs.delete_run(run_id=int(identity))


def _role_id(match: re.Match, body: dict, response: dict) -> str | None:
    role = (response or {}).get("name") or (body or {}).get("name")
    return f"{match.group(1)}/{role}" if role else None


def _role_delete(w, identity: str, payload: dict) -> None:
    instance, _, role = identity.partition("/")
    w.database.delete_database_instance_role(instance_name=instance, name=role)


def _monitor_id(match: re.Match, body: dict, response: dict) -> str | None:
    from urllib.parse import unquote

    return unquote(match.group(1))


def _scorer_delete(w, identity: str, payload: dict) -> None:
    """`<experiment id>/<name>`: stopped and deleted through MLflow (scorers have no SDK service)."""
    from mlflow.genai.scorers import delete_scorer

    experiment_id, name = identity.split("/", 1)
    delete_scorer(name=name, experiment_id=experiment_id, version="all")  # every version: MLflow asks


def _scorer_gone(err: BaseException) -> bool:
    return is_not_found(err) or "RESOURCE_DOES_NOT_EXIST" in str(err) or "not found" in str(err).lower()


def _experiment_get(w, name: str):
    return w.experiments.get_by_name(experiment_name=name).experiment


def _model_get(w, name: str):
    return w.model_registry.get_model(name).registered_model_databricks


def _uc_table(w, name: str):
    return w.tables.get(name)


def _uc_catalog(w, name: str):
    return w.catalogs.get(name)


UC_FIELDS = dict(creator="created_by", created="created_at")
TWIN_FIELDS = dict(creator="_uc.created_by", created="_uc.created_at")

# Fields of each kind's objects (identity, name, creator, creation time), as the SDK's types name them.
F = {
    "experiments": Fields("experiment_id", "name", "tags[mlflow.ownerEmail]", "creation_time"),
    "job_runs": Fields("run_id", "run_name", "creator_user_name", "start_time"),
    "jobs": Fields("job_id", "settings.name", "creator_user_name", "created_time"),
    "pipelines": Fields("pipeline_id", "name", "creator_user_name"),
    "supervisors": Fields("name", "display_name", "creator", "create_time"),
    "assistants": Fields("name", "display_name", "creator", "create_time"),
    "genie_spaces": Fields("space_id", "title", None, "create_time"),
    "dashboards": Fields("dashboard_id", "display_name", None, "create_time"),
    "serving_endpoints": Fields("name", "name", "creator", "creation_timestamp"),
    "online_tables": Fields("name", "name", **TWIN_FIELDS),
    "vector_search_indexes": Fields("name", "name", "creator"),
    "vector_search_endpoints": Fields("name", "name", "creator", "creation_timestamp"),
    "quality_monitors": Fields("table_name", "table_name"),
    "apps": Fields("name", "name", "creator", "create_time"),
    "clusters": Fields("cluster_id", "cluster_name", "creator_user_name", "start_time"),
    "warehouses": Fields("id", "name", "creator_name"),
    "model_registry_models": Fields("name", "name", "user_id", "creation_timestamp"),
    "uc": Fields("full_name", "full_name", **UC_FIELDS),
    "catalogs": Fields("name", "name", **UC_FIELDS),
    "synced": Fields("name", "name", **TWIN_FIELDS),
    "database_roles": Fields("_identity", "name"),
    "database_catalogs": Fields("name", "name", **TWIN_FIELDS),
    "secret_scopes": Fields("name", "name"),
    "database_instances": Fields("name", "name", "creator", "creation_time"),
    "scorers": Fields("identity", "identity"),
}


def _uc_name(*parents: str):
    """A Unity Catalog object's full name from its create request (functions nest theirs)."""
    def name(body: dict) -> str:
        info = body.get("function_info") if isinstance(body.get("function_info"), dict) else body
        return ".".join(str(info.get(p) or "") for p in (*parents, "name"))

    return name


def _get(fetch, fields: Fields, twin=None):
    return lk.by_get(fetch, fields, twin)


def _role_lookup(w, identity: str) -> list[Found]:
    found = lk.by_get(lk.role, F["database_roles"])(w, identity)
    return [f._replace(identity=identity) for f in found]


KINDS: tuple[Kind, ...] = (
    # Registered through MLflow, not a REST create the tracked client sees: stages ctx.track them.
    Kind("scorers", 5, (), ("identity",), _scorer_delete, F["scorers"], None, unique_names=False,
         gone=_scorer_gone, identity_is_name=False),
    Kind("experiments", 10, (("POST", r"/api/2\.0/mlflow/experiments/create"),), ("experiment_id",),
         lambda w, i, p: w.experiments.delete_experiment(i), F["experiments"],
         _get(_experiment_get, F["experiments"]),
         listing=lk.listing(lambda w: w.experiments.search_experiments(), F["experiments"]),
         marker=list_tag("tags"), identity_is_name=False),
    Kind("job_runs", 15, (("POST", r"/api/2\.[0-2]/jobs/runs/submit"),), ("run_id",), _job_run_delete,
         F["job_runs"], lk.by_listing(lambda w: w.jobs.list_runs(run_type=_submit_run()), F["job_runs"]),
         name_fields=("run_name",), unique_names=False, gone=job_is_gone,
         marker=request_field("idempotency_token"), identity_is_name=False),
    Kind("jobs", 20, (("POST", r"/api/2\.[0-2]/jobs/create"),), ("job_id",),
         lambda w, i, p: w.jobs.delete(job_id=int(i)), F["jobs"],
         lambda w, n: [f for f in lk.listing(lambda w_: w_.jobs.list(name=n), F["jobs"])(w) if f.name == n],
         name_fields=("name", "settings.name"), unique_names=False,
         listing=lk.listing(lambda w: w.jobs.list(), F["jobs"]), gone=job_is_gone,
         marker=map_tag("tags", "settings.tags"), identity_is_name=False),
    Kind("pipelines", 30, (("POST", r"/api/2\.0/pipelines"), ("POST", r"/api/2\.0/pipelines/[^/]+/clone")),
         ("pipeline_id",), lambda w, i, p: w.pipelines.delete(i), F["pipelines"],
         lk.by_listing(lambda w: w.pipelines.list_pipelines(), F["pipelines"],
                       detail=lambda w, f: w.pipelines.get(f.identity)),
         listing=lk.listing(lambda w: w.pipelines.list_pipelines(), F["pipelines"]),
         marker=map_tag("tags", "spec.tags"), identity_is_name=False),
    Kind("multi_agent_supervisors", 40, (("POST", r"/api/2\.0/multi-agent-supervisors"),
                                         ("POST", r"/api/2\.1/supervisor-agents")), ("tile_id",), _tile_delete,
         F["supervisors"], lk.by_listing(lambda w: w.supervisor_agents.list_supervisor_agents(), F["supervisors"]),
         name_fields=("display_name", "name"), path_id=_tile_id, identity_is_name=False,
         listing=lk.listing(lambda w: w.supervisor_agents.list_supervisor_agents(), F["supervisors"])),
    Kind("knowledge_assistants", 50, (("POST", r"/api/2\.0/knowledge-assistants"),
                                      ("POST", r"/api/2\.1/knowledge-assistants")), ("tile_id",), _tile_delete,
         F["assistants"], lk.by_listing(lambda w: w.knowledge_assistants.list_knowledge_assistants(),
                                        F["assistants"]),
         name_fields=("display_name", "name"), path_id=_tile_id, identity_is_name=False,
         listing=lk.listing(lambda w: w.knowledge_assistants.list_knowledge_assistants(), F["assistants"])),
    Kind("genie_spaces", 60, (("POST", r"/api/2\.0/genie/spaces"),), ("space_id",),
         lambda w, i, p: w.genie.trash_space(i), F["genie_spaces"],
         lk.by_listing(lk.genie_spaces, F["genie_spaces"]), name_fields=("title", "name"), unique_names=False,
         listing=lk.listing(lk.genie_spaces, F["genie_spaces"]), identity_is_name=False),
    Kind("dashboards", 62, (("POST", r"/api/2\.0/lakeview/dashboards"),), ("dashboard_id",),
         lambda w, i, p: w.lakeview.trash(i), F["dashboards"],
         lk.by_listing(lambda w: w.lakeview.list(page_size=100), F["dashboards"]), name_fields=("display_name",),
         unique_names=False, listing=lk.listing(lambda w: w.lakeview.list(page_size=100), F["dashboards"]),
         identity_is_name=False),
    Kind("serving_endpoints", 70, (("POST", r"/api/2\.0/serving-endpoints"), ("POST", r"/api/2\.0/serving-endpoints/pt")),
         ("name",), lambda w, i, p: w.serving_endpoints.delete(i), F["serving_endpoints"],
         _get(lambda w, n: w.serving_endpoints.get(n), F["serving_endpoints"]),
         listing=lk.listing(lambda w: w.serving_endpoints.list(), F["serving_endpoints"]),
         marker=list_tag("tags"), uid_field="id"),
    Kind("online_tables", 72, (("POST", r"/api/2\.0/online-tables"),), ("name",),
         lambda w, i, p: w.online_tables.delete(i), F["online_tables"],
         _get(lambda w, n: w.online_tables.get(n), F["online_tables"], twin=_uc_table), uid_field="_uc.table_id"),
    Kind("vector_search_indexes", 74, (("POST", r"/api/2\.0/vector-search/indexes"),), ("name",),
         lambda w, i, p: w.vector_search_indexes.delete_index(i), F["vector_search_indexes"],
         _get(lambda w, n: w.vector_search_indexes.get_index(n), F["vector_search_indexes"])),
    Kind("vector_search_endpoints", 76, (("POST", r"/api/2\.0/vector-search/endpoints"),), ("name",),
         lambda w, i, p: w.vector_search_endpoints.delete_endpoint(i), F["vector_search_endpoints"],
         _get(lambda w, n: w.vector_search_endpoints.get_endpoint(n), F["vector_search_endpoints"]),
         listing=lk.listing(lambda w: w.vector_search_endpoints.list_endpoints(), F["vector_search_endpoints"]),
         uid_field="id"),
    Kind("quality_monitors", 78, (("POST", r"/api/2\.1/unity-catalog/tables/([^/]+)/monitor"),), ("table_name",),
         lambda w, i, p: w.quality_monitors.delete(i), F["quality_monitors"],
         _get(lambda w, n: w.quality_monitors.get(n), F["quality_monitors"]), name_fields=("table_name",),
         path_id=_monitor_id),
    Kind("apps", 80, (("POST", r"/api/2\.0/apps"),), ("name",), lambda w, i, p: w.apps.delete(i), F["apps"],
         _get(lambda w, n: w.apps.get(n), F["apps"]), listing=lk.listing(lambda w: w.apps.list(), F["apps"]),
         uid_field="id"),
    Kind("clusters", 85, (("POST", r"/api/2\.[01]/clusters/create"),), ("cluster_id",),
         lambda w, i, p: w.clusters.permanent_delete(i), F["clusters"],
         lk.by_listing(lambda w: w.clusters.list(), F["clusters"]), name_fields=("cluster_name",),
         unique_names=False, listing=lk.listing(lambda w: w.clusters.list(), F["clusters"]),
         marker=map_tag("custom_tags"), identity_is_name=False),
    Kind("warehouses", 90, (("POST", r"/api/2\.0/sql/warehouses"),), ("id",), lambda w, i, p: w.warehouses.delete(i),
         F["warehouses"], lk.by_listing(lambda w: w.warehouses.list(), F["warehouses"]), unique_names=False,
         listing=lk.listing(lambda w: w.warehouses.list(), F["warehouses"]),
         marker=list_tag("tags.custom_tags"), identity_is_name=False),
    Kind("model_registry_models", 92, (("POST", r"/api/2\.0/mlflow/registered-models/create"),),
         ("registered_model.name", "name"), lambda w, i, p: w.model_registry.delete_model(i),
         F["model_registry_models"], _get(_model_get, F["model_registry_models"]),
         name_fields=("registered_model.name", "name"),
         listing=lk.listing(lambda w: w.model_registry.list_models(), F["model_registry_models"]),
         marker=list_tag("tags"), uid_field="id"),
    Kind("registered_models", 94, (("POST", r"/api/2\.1/unity-catalog/models"),), ("full_name",),
         lambda w, i, p: w.registered_models.delete(i), F["uc"], _get(lambda w, n: w.registered_models.get(n), F["uc"]),
         name_fields=("full_name", "name"), request_name=_uc_name("catalog_name", "schema_name"),
         listing=lk.listing(lambda w, c: w.registered_models.list(catalog_name=c), F["uc"], scoped=True)),
    Kind("functions", 96, (("POST", r"/api/2\.1/unity-catalog/functions"),), ("full_name",),
         lambda w, i, p: w.functions.delete(i), F["uc"], _get(lambda w, n: w.functions.get(n), F["uc"]),
         name_fields=("full_name", "function_info.name"), uid_field="function_id",
         request_name=_uc_name("catalog_name", "schema_name")),
    Kind("tables", 98, (("POST", r"/api/2\.1/unity-catalog/tables"),), ("full_name",),
         lambda w, i, p: w.tables.delete(i), F["uc"], _get(_uc_table, F["uc"]), name_fields=("full_name",),
         marker=map_tag("properties"), uid_field="table_id", request_name=_uc_name("catalog_name", "schema_name")),
    Kind("synced_tables", 100, (("POST", r"/api/2\.0/database/synced_tables"),), ("name",),
         lambda w, i, p: w.database.delete_synced_database_table(i), F["synced"],
         _get(lambda w, n: w.database.get_synced_database_table(n), F["synced"], twin=_uc_table),
         uid_field="_uc.table_id"),
    Kind("database_tables", 102, (("POST", r"/api/2\.0/database/tables"),), ("name",),
         lambda w, i, p: w.database.delete_database_table(i), F["synced"],
         _get(lambda w, n: w.database.get_database_table(n), F["synced"], twin=_uc_table),
         uid_field="_uc.table_id"),
    Kind("database_roles", 104, (("POST", r"/api/2\.0/database/instances/([^/]+)/roles"),), ("name",), _role_delete,
         F["database_roles"], _role_lookup, path_id=_role_id),
    Kind("database_catalogs", 110, (("POST", r"/api/2\.0/database/catalogs"),), ("name",),
         lambda w, i, p: w.database.delete_database_catalog(i), F["database_catalogs"],
         _get(lambda w, n: w.database.get_database_catalog(n), F["database_catalogs"], twin=_uc_catalog),
         uid_field="uid"),
    Kind("secret_scopes", 115, (("POST", r"/api/2\.0/secrets/scopes/create"),), ("scope",),
         lambda w, i, p: w.secrets.delete_scope(scope=i), F["secret_scopes"], _get(lk.secret_scope, F["secret_scopes"]),
         name_fields=("scope",)),
    Kind("volumes", 120, (("POST", r"/api/2\.1/unity-catalog/volumes"),), ("full_name",),
         lambda w, i, p: w.volumes.delete(i), F["uc"], _get(lambda w, n: w.volumes.read(n), F["uc"]),
         uid_field="volume_id", request_name=_uc_name("catalog_name", "schema_name")),
    Kind("schemas", 130, (("POST", r"/api/2\.1/unity-catalog/schemas"),), ("full_name",),
         lambda w, i, p: w.schemas.delete(i, force=True), F["uc"], _get(lambda w, n: w.schemas.get(n), F["uc"]),
         name_fields=("full_name", "name"), marker=map_tag("properties"), uid_field="schema_id",
         request_name=_uc_name("catalog_name"),
         listing=lk.listing(lambda w, c: w.schemas.list(catalog_name=c), F["uc"], scoped=True)),
    Kind("database_instances", 140, (("POST", r"/api/2\.0/database/instances"),), ("name",),
         lambda w, i, p: w.database.delete_database_instance(i, purge=True), F["database_instances"],
         _get(lambda w, n: w.database.get_database_instance(n), F["database_instances"]),
         listing=lk.listing(lambda w: w.database.list_database_instances(), F["database_instances"]),
         marker=list_tag("custom_tags", "custom_tags", "effective_custom_tags"), uid_field="uid"),
    # Last, and only once everything else is gone: the state table lives in the catalog.
    Kind("catalogs", 1000, (("POST", r"/api/2\.1/unity-catalog/catalogs"),), ("name",),
         lambda w, i, p: w.catalogs.delete(i, force=True), F["catalogs"], _get(_uc_catalog, F["catalogs"]),
         listing=lk.listing(lambda w: w.catalogs.list(), F["catalogs"]), marker=map_tag("properties")),
)


def _submit_run():
    from databricks.sdk.service.jobs import RunType

    return RunType.SUBMIT_RUN


BY_NAME = {kind.name: kind for kind in KINDS}


def kind_for_call(method: str, path: str) -> tuple[Kind, re.Match] | None:
    for kind in KINDS:
        found = kind.match(method, path)
        if found:
            return kind, found
    return None


def get(name: str) -> Kind:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown resource kind {name!r}; known kinds: {', '.join(sorted(BY_NAME))}") from None
