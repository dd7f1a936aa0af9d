"""The registry of resource kinds: how each is created, identified and deleted, and the order in
which cleanup deletes them. Tracking and cleanup share this one table.

`creates` lists the REST calls (method, path pattern) that create a resource of the kind: every
call the tracked workspace client makes is matched against them, so a creation through any SDK
method is registered when its HTTP call returns. Kinds with `auto=False` are created through raw
REST calls whose response lacks the id (Agent Bricks tiles): the tracked client notices the
creation and the stage must call `ctx.track(kind, obj)`, or the task fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Kind:
    name: str
    order: int  # cleanup deletes lower orders first
    creates: tuple[tuple[str, str], ...]
    id_fields: tuple[str, ...]  # looked up in the response, then the request body
    delete: Callable[[Any, str, dict], None]  # (workspace client, identity, payload)
    name_fields: tuple[str, ...] = ("name",)
    auto: bool = True

    def identity(self, body: dict, response: dict) -> str | None:
        for source in (response, body):
            for field in self.id_fields:
                value = source.get(field) if isinstance(source, dict) else None
                if value not in (None, ""):
                    return str(value)
        return None

    def display_name(self, payload: dict) -> str:
        for source in (payload.get("response") or {}, payload.get("request") or {}, payload):
            for field in self.name_fields:
                value = source
                for part in field.split("."):  # dotted: "settings.name"
                    value = value.get(part) if isinstance(value, dict) else None
                if value:
                    return str(value)
        return ""

    def matches(self, method: str, path: str) -> bool:
        return any(m == method and re.fullmatch(p, path) for m, p in self.creates)


def _tile_delete(w, identity: str, payload: dict) -> None:
    w.api_client.do("DELETE", f"/api/2.0/tiles/{identity}")


KINDS: tuple[Kind, ...] = (
    Kind("experiments", 10, (("POST", r"/api/2\.0/mlflow/experiments/create"),), ("experiment_id",),
         lambda w, i, p: w.experiments.delete_experiment(i)),
    Kind("jobs", 20, (("POST", r"/api/2\.[0-2]/jobs/create"),), ("job_id",),
         lambda w, i, p: w.jobs.delete(job_id=int(i)), name_fields=("name", "settings.name")),
    Kind("pipelines", 30, (("POST", r"/api/2\.0/pipelines"),), ("pipeline_id",),
         lambda w, i, p: w.pipelines.delete(i)),
    Kind("multi_agent_supervisors", 40, (("POST", r"/api/2\.0/multi-agent-supervisors"),), ("tile_id", "id"),
         _tile_delete, auto=False),
    Kind("knowledge_assistants", 50, (("POST", r"/api/2\.0/knowledge-assistants"),), ("tile_id", "id"),
         _tile_delete, auto=False),
    Kind("genie_spaces", 60, (("POST", r"/api/2\.0/genie/spaces"),), ("space_id",),
         lambda w, i, p: w.genie.trash_space(i), name_fields=("title", "name")),
    Kind("serving_endpoints", 70, (("POST", r"/api/2\.0/serving-endpoints"),), ("name",),
         lambda w, i, p: w.serving_endpoints.delete(i)),
    Kind("apps", 80, (("POST", r"/api/2\.0/apps"),), ("name",), lambda w, i, p: w.apps.delete(i)),
    Kind("warehouses", 90, (("POST", r"/api/2\.0/sql/warehouses"),), ("id",), lambda w, i, p: w.warehouses.delete(i)),
    Kind("synced_tables", 100, (("POST", r"/api/2\.0/database/synced_tables"),), ("name",),
         lambda w, i, p: w.database.delete_synced_database_table(i)),
    Kind("database_catalogs", 110, (("POST", r"/api/2\.0/database/catalogs"),), ("name",),
         lambda w, i, p: w.database.delete_database_catalog(i)),
    Kind("volumes", 120, (("POST", r"/api/2\.1/unity-catalog/volumes"),), ("full_name",),
         lambda w, i, p: w.volumes.delete(i)),
    Kind("schemas", 130, (("POST", r"/api/2\.1/unity-catalog/schemas"),), ("full_name",),
         lambda w, i, p: w.schemas.delete(i, force=True)),
    Kind("database_instances", 140, (("POST", r"/api/2\.0/database/instances"),), ("name",),
         lambda w, i, p: w.database.delete_database_instance(i, purge=True)),
    # Last, and only once everything else is gone: the state table lives in the catalog.
    Kind("catalogs", 1000, (("POST", r"/api/2\.1/unity-catalog/catalogs"),), ("name",),
         lambda w, i, p: w.catalogs.delete(i, force=True)),
)

BY_NAME = {kind.name: kind for kind in KINDS}


def kind_for_call(method: str, path: str) -> Kind | None:
    for kind in KINDS:
        if kind.matches(method, path):
            return kind
    return None


def get(name: str) -> Kind:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown resource kind {name!r}; known kinds: {', '.join(sorted(BY_NAME))}") from None
