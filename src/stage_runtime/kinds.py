"""The registry of resource kinds: how each is created, identified, found, listed and deleted, and
the order in which cleanup deletes them. Tracking, the end-of-stage sweep and cleanup share it.

- `creates`: the REST calls (method, path pattern; the query string is not part of the path) that
  create a resource of the kind. Every HTTP request the tracked client sends is matched against
  them, whatever SDK method, casing or URL form produced it.
- `identity`: where the new resource's id is (the response, then the request body; `path_id` for
  the few created under a parent path, such as a table's monitor or an instance's role).
- `find(w, name)`: the resources with that name, used to resolve a creation that was recorded as an
  intent but never completed (a crash between the call and its registration) and to spot a
  duplicate left by a create the SDK re-sent after a timeout.
- `recent(w, catalog)`: one bounded listing (first page) for the end-of-stage sweep, with the creator
  where the API reports one.
- `gone(err)`: every answer a workspace gives for a resource that no longer exists.
A creation whose identity cannot be read from the call (the original demo's raw Agent Bricks tile
calls answer without the tile id) stays unsettled until the stage calls `ctx.track(kind, obj)`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, NamedTuple

PAGE = 100  # the sweep and name lookups read at most this many items per kind


class Found(NamedTuple):
    identity: str
    name: str
    creator: str | None = None  # None: the API does not say who created it
    created_ms: int | None = None  # None: the API does not say when


def is_not_found(err: BaseException) -> bool:
    from databricks.sdk.errors import NotFound

    return isinstance(err, NotFound)


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
    name_fields: tuple[str, ...] = ("name",)
    unique_names: bool = True  # a second create with the same name fails instead of duplicating
    find: Callable[[Any, str], list[Found]] | None = None
    recent: Callable[[Any, str], list[Found]] | None = None
    gone: Callable[[BaseException], bool] = is_not_found
    path_id: Callable[[re.Match, dict, dict], str | None] | None = None

    def identity(self, body: dict, response: dict, match: re.Match | None = None) -> str | None:
        if self.path_id is not None and match is not None:
            return self.path_id(match, body, response)
        for source in (response, body):
            for field in self.id_fields:
                value = _dig(source, field)
                if value not in (None, ""):
                    return str(value)
        return None

    def display_name(self, payload: dict) -> str:
        for source in (payload.get("response") or {}, payload.get("request") or {}, payload):
            for field in self.name_fields:
                value = _dig(source, field)
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


def _dig(source: Any, dotted: str) -> Any:
    value = source
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _first(items: Iterable[Any]) -> list[Any]:
    return list(itertools.islice(items, PAGE))


def _listing(fetch: Callable[[Any, str], Iterable[Any]], ident: str, label: str, creator: str | None,
             created: str | None = None):
    """A `recent` function: the first page of a listing as Found records (`created`: a field in
    epoch milliseconds)."""
    def recent(w, catalog: str) -> list[Found]:
        out = []
        for item in _first(fetch(w, catalog)):
            data = item.as_dict() if hasattr(item, "as_dict") else dict(item)
            identity = _dig(data, ident)
            if identity not in (None, ""):
                who = _dig(data, creator) if creator else None
                when = _dig(data, created) if created else None
                out.append(Found(str(identity), str(_dig(data, label) or ""), str(who) if who else None,
                                 int(when) if isinstance(when, (int, float)) else None))
        return out

    return recent


def _by_name(recent: Callable[[Any, str], list[Found]]):
    """A `find` function from a listing: the items whose name is exactly `name`."""
    def find(w, name: str) -> list[Found]:
        return [item for item in recent(w, "") if item.name == name]

    return find


def _get_by_name(get: Callable[[Any, str], Any], ident: str, creator: str | None = None):
    """A `find` function for kinds whose name is their identity: a get, NotFound meaning none."""
    def find(w, name: str) -> list[Found]:
        try:
            data = get(w, name)
        except Exception as err:  # noqa: BLE001
            if is_not_found(err):
                return []
            raise
        data = data.as_dict() if hasattr(data, "as_dict") else (data or {})
        who = _dig(data, creator) if creator else None
        return [Found(str(_dig(data, ident) or name), name, str(who) if who else None)]

    return find


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
    except Exception as err:  # noqa: BLE001 - already finished or gone: delete decides
        if not job_is_gone(err):
            pass
    w.jobs.delete_run(run_id=int(identity))


def _experiment_find(w, name: str) -> list[Found]:
    try:
        found = w.experiments.get_by_name(experiment_name=name).experiment
    except Exception as err:  # noqa: BLE001
        if is_not_found(err):
            return []
        raise
    return [Found(str(found.experiment_id), found.name or name)] if found and found.experiment_id else []


def _experiments_recent(w, catalog: str) -> list[Found]:
    out = []
    for exp in _first(w.experiments.search_experiments(max_results=PAGE, order_by=["creation_time DESC"])):
        owner = next((t.value for t in (exp.tags or []) if t.key == "mlflow.ownerEmail"), None)
        out.append(Found(str(exp.experiment_id), exp.name or "", owner, exp.creation_time))
    return out


def _role_id(match: re.Match, body: dict, response: dict) -> str | None:
    role = (response or {}).get("name") or (body or {}).get("name")
    return f"{match.group(1)}/{role}" if role else None


def _role_delete(w, identity: str, payload: dict) -> None:
    instance, _, role = identity.partition("/")
    w.database.delete_database_instance_role(instance_name=instance, name=role)


def _monitor_id(match: re.Match, body: dict, response: dict) -> str | None:
    from urllib.parse import unquote

    return unquote(match.group(1))


def _secret_scope_delete(w, identity: str, payload: dict) -> None:
    w.secrets.delete_scope(scope=identity)


def _uc_schemas(w, catalog: str):
    return w.schemas.list(catalog_name=catalog) if catalog else []


def _uc_models(w, catalog: str):
    return w.registered_models.list(catalog_name=catalog) if catalog else []


_jobs_recent = _listing(lambda w, c: w.jobs.list(limit=25), "job_id", "settings.name", "creator_user_name",
                       "created_time")
_pipelines_recent = _listing(lambda w, c: w.pipelines.list_pipelines(max_results=PAGE), "pipeline_id", "name",
                             "creator_user_name")
_endpoints_recent = _listing(lambda w, c: w.serving_endpoints.list(), "name", "name", "creator", "creation_timestamp")
_apps_recent = _listing(lambda w, c: w.apps.list(), "name", "name", "creator")
_warehouses_recent = _listing(lambda w, c: w.warehouses.list(), "id", "name", "creator_name")
_genie_recent = _listing(lambda w, c: _genie_spaces(w), "space_id", "title", None)
_dashboards_recent = _listing(lambda w, c: w.lakeview.list(page_size=PAGE), "dashboard_id", "display_name", None)
_clusters_recent = _listing(lambda w, c: w.clusters.list(), "cluster_id", "cluster_name", "creator_user_name")
_instances_recent = _listing(lambda w, c: w.database.list_database_instances(), "name", "name", "creator")
_vs_endpoints_recent = _listing(lambda w, c: w.vector_search_endpoints.list_endpoints(), "name", "name", "creator")
_ka_recent = _listing(lambda w, c: w.knowledge_assistants.list_knowledge_assistants(), "name", "display_name",
                      "creator")
_supervisors_recent = _listing(lambda w, c: w.supervisor_agents.list_supervisor_agents(), "name", "display_name",
                               "creator")
_ml_models_recent = _listing(lambda w, c: w.model_registry.list_models(max_results=PAGE), "name", "name", "user_id")
_uc_models_recent = _listing(_uc_models, "full_name", "full_name", "created_by")
_schemas_recent = _listing(_uc_schemas, "full_name", "full_name", "created_by")
_catalogs_recent = _listing(lambda w, c: w.catalogs.list(), "name", "name", "created_by")


def _genie_spaces(w):
    return w.genie.list_spaces(page_size=PAGE).spaces or []


def _scorer_delete(w, identity: str, payload: dict) -> None:
    """`<experiment id>/<name>`: stopped and deleted through MLflow (scorers have no SDK service)."""
    from mlflow.genai.scorers import delete_scorer

    experiment_id, name = identity.split("/", 1)
    delete_scorer(name=name, experiment_id=experiment_id)


def _scorer_gone(err: BaseException) -> bool:
    return is_not_found(err) or "RESOURCE_DOES_NOT_EXIST" in str(err) or "not found" in str(err).lower()


KINDS: tuple[Kind, ...] = (
    # Registered through MLflow, not a REST create the tracked client sees: stages ctx.track them.
    Kind("scorers", 5, (), ("identity",), _scorer_delete, unique_names=False, gone=_scorer_gone),
    Kind("experiments", 10, (("POST", r"/api/2\.0/mlflow/experiments/create"),), ("experiment_id",),
         lambda w, i, p: w.experiments.delete_experiment(i), find=_experiment_find, recent=_experiments_recent),
    Kind("job_runs", 15, (("POST", r"/api/2\.[0-2]/jobs/runs/submit"),), ("run_id",), _job_run_delete,
         name_fields=("run_name",), unique_names=False, gone=job_is_gone),
    Kind("jobs", 20, (("POST", r"/api/2\.[0-2]/jobs/create"),), ("job_id",),
         lambda w, i, p: w.jobs.delete(job_id=int(i)), name_fields=("name", "settings.name"), unique_names=False,
         find=lambda w, n: [Found(str(j.job_id), n, j.creator_user_name, j.created_time)
                            for j in _first(w.jobs.list(name=n))],
         recent=_jobs_recent, gone=job_is_gone),
    Kind("pipelines", 30, (("POST", r"/api/2\.0/pipelines"), ("POST", r"/api/2\.0/pipelines/[^/]+/clone")),
         ("pipeline_id",), lambda w, i, p: w.pipelines.delete(i), find=_by_name(_pipelines_recent),
         recent=_pipelines_recent),
    Kind("multi_agent_supervisors", 40, (("POST", r"/api/2\.0/multi-agent-supervisors"),
                                         ("POST", r"/api/2\.1/supervisor-agents")), ("tile_id",), _tile_delete,
         name_fields=("display_name", "name"), find=_by_name(_supervisors_recent), recent=_supervisors_recent,
         path_id=_tile_id),
    Kind("knowledge_assistants", 50, (("POST", r"/api/2\.0/knowledge-assistants"),
                                      ("POST", r"/api/2\.1/knowledge-assistants")), ("tile_id",), _tile_delete,
         name_fields=("display_name", "name"), find=_by_name(_ka_recent), recent=_ka_recent, path_id=_tile_id),
    Kind("genie_spaces", 60, (("POST", r"/api/2\.0/genie/spaces"),), ("space_id",),
         lambda w, i, p: w.genie.trash_space(i), name_fields=("title", "name"), unique_names=False,
         find=_by_name(_genie_recent), recent=_genie_recent),
    Kind("dashboards", 62, (("POST", r"/api/2\.0/lakeview/dashboards"),), ("dashboard_id",),
         lambda w, i, p: w.lakeview.trash(i), name_fields=("display_name",), unique_names=False,
         find=_by_name(_dashboards_recent), recent=_dashboards_recent),
    Kind("serving_endpoints", 70, (("POST", r"/api/2\.0/serving-endpoints"), ("POST", r"/api/2\.0/serving-endpoints/pt")),
         ("name",), lambda w, i, p: w.serving_endpoints.delete(i),
         find=_get_by_name(lambda w, n: w.serving_endpoints.get(n), "name", "creator"), recent=_endpoints_recent),
    Kind("online_tables", 72, (("POST", r"/api/2\.0/online-tables"),), ("name",),
         lambda w, i, p: w.online_tables.delete(i), find=_get_by_name(lambda w, n: w.online_tables.get(n), "name")),
    Kind("vector_search_indexes", 74, (("POST", r"/api/2\.0/vector-search/indexes"),), ("name",),
         lambda w, i, p: w.vector_search_indexes.delete_index(i),
         find=_get_by_name(lambda w, n: w.vector_search_indexes.get_index(n), "name", "creator")),
    Kind("vector_search_endpoints", 76, (("POST", r"/api/2\.0/vector-search/endpoints"),), ("name",),
         lambda w, i, p: w.vector_search_endpoints.delete_endpoint(i),
         find=_get_by_name(lambda w, n: w.vector_search_endpoints.get_endpoint(n), "name", "creator"),
         recent=_vs_endpoints_recent),
    Kind("quality_monitors", 78, (("POST", r"/api/2\.1/unity-catalog/tables/([^/]+)/monitor"),), ("table_name",),
         lambda w, i, p: w.quality_monitors.delete(i), name_fields=("table_name",), path_id=_monitor_id),
    Kind("apps", 80, (("POST", r"/api/2\.0/apps"),), ("name",), lambda w, i, p: w.apps.delete(i),
         find=_get_by_name(lambda w, n: w.apps.get(n), "name", "creator"), recent=_apps_recent),
    Kind("clusters", 85, (("POST", r"/api/2\.[01]/clusters/create"),), ("cluster_id",),
         lambda w, i, p: w.clusters.permanent_delete(i), name_fields=("cluster_name",), unique_names=False,
         find=_by_name(_clusters_recent), recent=_clusters_recent),
    Kind("warehouses", 90, (("POST", r"/api/2\.0/sql/warehouses"),), ("id",), lambda w, i, p: w.warehouses.delete(i),
         unique_names=False, find=_by_name(_warehouses_recent), recent=_warehouses_recent),
    Kind("model_registry_models", 92, (("POST", r"/api/2\.0/mlflow/registered-models/create"),),
         ("registered_model.name", "name"), lambda w, i, p: w.model_registry.delete_model(i),
         name_fields=("registered_model.name", "name"), recent=_ml_models_recent,
         find=_get_by_name(lambda w, n: w.model_registry.get_model(n), "registered_model_databricks.name")),
    Kind("registered_models", 94, (("POST", r"/api/2\.1/unity-catalog/models"),), ("full_name",),
         lambda w, i, p: w.registered_models.delete(i), name_fields=("full_name", "name"),
         find=_get_by_name(lambda w, n: w.registered_models.get(n), "full_name", "created_by"), recent=_uc_models_recent),
    Kind("functions", 96, (("POST", r"/api/2\.1/unity-catalog/functions"),), ("full_name",),
         lambda w, i, p: w.functions.delete(i), name_fields=("full_name", "function_info.name")),
    Kind("tables", 98, (("POST", r"/api/2\.1/unity-catalog/tables"),), ("full_name",),
         lambda w, i, p: w.tables.delete(i), name_fields=("full_name",)),
    Kind("synced_tables", 100, (("POST", r"/api/2\.0/database/synced_tables"),), ("name",),
         lambda w, i, p: w.database.delete_synced_database_table(i)),
    Kind("database_tables", 102, (("POST", r"/api/2\.0/database/tables"),), ("name",),
         lambda w, i, p: w.database.delete_database_table(i)),
    Kind("database_roles", 104, (("POST", r"/api/2\.0/database/instances/([^/]+)/roles"),), ("name",), _role_delete,
         path_id=_role_id),
    Kind("database_catalogs", 110, (("POST", r"/api/2\.0/database/catalogs"),), ("name",),
         lambda w, i, p: w.database.delete_database_catalog(i)),
    Kind("secret_scopes", 115, (("POST", r"/api/2\.0/secrets/scopes/create"),), ("scope",), _secret_scope_delete,
         name_fields=("scope",)),
    Kind("volumes", 120, (("POST", r"/api/2\.1/unity-catalog/volumes"),), ("full_name",),
         lambda w, i, p: w.volumes.delete(i)),
    Kind("schemas", 130, (("POST", r"/api/2\.1/unity-catalog/schemas"),), ("full_name",),
         lambda w, i, p: w.schemas.delete(i, force=True), name_fields=("full_name", "name"), recent=_schemas_recent),
    Kind("database_instances", 140, (("POST", r"/api/2\.0/database/instances"),), ("name",),
         lambda w, i, p: w.database.delete_database_instance(i, purge=True),
         find=_get_by_name(lambda w, n: w.database.get_database_instance(n), "name", "creator"),
         recent=_instances_recent),
    # Last, and only once everything else is gone: the state table lives in the catalog.
    Kind("catalogs", 1000, (("POST", r"/api/2\.1/unity-catalog/catalogs"),), ("name",),
         lambda w, i, p: w.catalogs.delete(i, force=True),
         find=_get_by_name(lambda w, n: w.catalogs.get(n), "name", "created_by"), recent=_catalogs_recent),
)

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
