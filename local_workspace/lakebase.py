"""Lakebase in the stand-in: database instances (STARTING, then AVAILABLE after some reads), database
catalogs, synced tables (provisioning, then online), instance roles, and Unity Catalog grants, each
checked as the real API checks it (names, enums, what must exist first)."""

from __future__ import annotations

import re
from urllib.parse import unquote

from databricks.sdk.service import catalog, database

from . import compute, lakebase_sync
from . import wire as W
from .api import _need, _now_ms, _rfc3339, route
from .store import ApiError, already_exists

CAPACITIES = ("CU_1", "CU_2", "CU_4", "CU_8")
SCHEDULING = ("CONTINUOUS", "TRIGGERED", "SNAPSHOT")
DB = r"/api/2\.0/database"


def _reads(store, obj: dict, setting: str, default: int) -> bool:
    """Count a read; True once the object has been read `setting` times (as a provisioning takes minutes)."""
    obj["_reads"] = obj.get("_reads", 0) + 1
    return obj["_reads"] >= store.config.get(setting, default)


def _view(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


# ---- instances -------------------------------------------------------------------------------------
@route("POST", DB + r"/instances", "database_instances", "create", request=W.model(database.DatabaseInstance), response=W.model(database.DatabaseInstance))
def _instance_create(store, m, q, b):
    name = _need(b, "name")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", name) or name.endswith("-"):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid instance name '{name}': lower-case letters, digits "
                       "and hyphens, 1-63 characters, not ending with a hyphen")
    if b.get("capacity") not in CAPACITIES:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"capacity must be one of {', '.join(CAPACITIES)}, "
                       f"got {b.get('capacity')!r}")
    if store.find("database_instances", name):
        raise already_exists(f"Database instance {name}")
    instance = dict(b, state="STARTING", uid=f"uid-{store.new_id()}", creator=store.me, creation_time=_rfc3339(_now_ms()),
                    read_write_dns=f"instance-{name}.database.stand-in", pg_version="PG_VERSION_16")
    return _view(store.put("database_instances", name, instance))


@route("GET", DB + r"/instances/([^/?]+)", "database_instances", "get", response=W.model(database.DatabaseInstance))
def _instance_get(store, m, q, b):
    instance = store.get("database_instances", unquote(m.group(1)), f"Database instance {m.group(1)}")
    if instance["state"] == "STARTING" and _reads(store, instance, "instance_ready_after", 1):
        instance["state"] = "AVAILABLE"
    return _view(instance)


@route("DELETE", DB + r"/instances/([^/?]+)", "database_instances", "delete")
def _instance_delete(store, m, q, b):
    name = unquote(m.group(1))
    store.get("database_instances", name, f"Database instance {name}")
    users = [c for c in store.all("database_catalogs") if c.get("database_instance_name") == name]
    if users and q.get("force") != "true":
        raise ApiError(400, "INVALID_STATE", f"Database instance {name} has catalogs ({users[0]['name']}); "
                       "delete them first or pass force")
    store.delete("database_instances", name)
    lakebase_sync.drop_instance(store, name)  # its Postgres databases go with it
    return {}


# ---- catalogs --------------------------------------------------------------------------------------
@route("POST", DB + r"/catalogs", "database_catalogs", "create", request=W.model(database.DatabaseCatalog), response=W.model(database.DatabaseCatalog))
def _catalog_create(store, m, q, b):
    name, instance = _need(b, "name"), _need(b, "database_instance_name")
    _need(b, "database_name")
    if not re.fullmatch(r"[A-Za-z0-9_]{1,255}", name):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid catalog name '{name}'")
    found = store.get("database_instances", instance, f"Database instance {instance}")
    if found["state"] != "AVAILABLE":
        raise ApiError(400, "INVALID_STATE", f"Database instance {instance} is {found['state']}, not AVAILABLE")
    if store.find("database_catalogs", name) or store.find("catalogs", name):
        raise already_exists(f"Catalog '{name}'")
    if b.get("create_database_if_not_exists"):
        lakebase_sync.create_database(store, instance, b["database_name"])
    return store.put("database_catalogs", name, dict(b, uid=f"uid-{store.new_id()}"))


@route("GET", DB + r"/catalogs/([^/?]+)", "database_catalogs", "get", response=W.model(database.DatabaseCatalog))
def _catalog_get(store, m, q, b):
    return store.get("database_catalogs", unquote(m.group(1)), f"Catalog '{unquote(m.group(1))}'")


@route("DELETE", DB + r"/catalogs/([^/?]+)", "database_catalogs", "delete")
def _catalog_delete(store, m, q, b):
    store.delete("database_catalogs", unquote(m.group(1)), f"Catalog '{unquote(m.group(1))}'")
    return {}


# ---- synced tables ---------------------------------------------------------------------------------
@route("POST", DB + r"/synced_tables", "synced_tables", "create", request=W.model(database.SyncedDatabaseTable), response=W.model(database.SyncedDatabaseTable))
def _synced_create(store, m, q, b):
    name = _need(b, "name")
    spec = _need(b, "spec")
    if name.count(".") != 2:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Synced table name '{name}' must be catalog.schema.table")
    source = _need(spec, "source_table_full_name")
    if not spec.get("primary_key_columns"):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "spec.primary_key_columns: at least one column")
    if spec.get("scheduling_policy") not in SCHEDULING:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"spec.scheduling_policy must be one of {', '.join(SCHEDULING)}")
    if store.find("tables", source) is None and compute.spark_table(store, source) is None:
        raise ApiError(404, "TABLE_DOES_NOT_EXIST", f"Source table '{source}' does not exist.")
    pipeline = spec.get("new_pipeline_spec") or {}
    storage = f"{pipeline.get('storage_catalog')}.{pipeline.get('storage_schema')}"
    if pipeline and store.find("schemas", storage) is None:
        raise ApiError(404, "SCHEMA_DOES_NOT_EXIST", f"Storage schema '{storage}' (new_pipeline_spec) does not exist.")
    instance = b.get("database_instance_name")
    if instance and store.find("database_instances", instance) is None:
        raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Database instance {instance} does not exist.")
    if store.find("synced_tables", name) or store.find("tables", name):
        raise already_exists(f"Table '{name}'")
    table = dict(b, data_synchronization_status={"detailed_state": "SYNCED_TABLE_PROVISIONING",
                                                 "pipeline_id": f"pl-sync-{store.new_id()}"},
                 unity_catalog_provisioning_state="PROVISIONING")
    if instance and spec.get("create_database_objects_if_missing"):
        lakebase_sync.create_database(store, instance, b.get("logical_database_name") or "")
    store.put("synced_tables", name, table)
    if getattr(store, "syncer", None):
        store.syncer.kick()  # the initial snapshot, when a Postgres server is configured
    return _view(table)


@route("GET", DB + r"/synced_tables/([^/?]+)", "synced_tables", "get", response=W.model(database.SyncedDatabaseTable))
def _synced_get(store, m, q, b):
    table = store.get("synced_tables", unquote(m.group(1)), f"Table '{unquote(m.group(1))}'")
    if table["unity_catalog_provisioning_state"] != "ACTIVE" and _reads(store, table, "synced_ready_after", 1):
        table["unity_catalog_provisioning_state"] = "ACTIVE"
        status = table["data_synchronization_status"]
        if status["detailed_state"] == "SYNCED_TABLE_PROVISIONING":
            status["detailed_state"] = lakebase_sync.ONLINE
    return _view(table)


@route("DELETE", DB + r"/synced_tables/([^/?]+)", "synced_tables", "delete")
def _synced_delete(store, m, q, b):
    store.delete("synced_tables", unquote(m.group(1)), f"Table '{unquote(m.group(1))}'")
    return {}


# ---- instance roles (create and delete are in api_more.py) ------------------------------------------
@route("GET", DB + r"/instances/([^/]+)/roles/([^/?]+)", "database_roles", "get", response=W.model(database.DatabaseInstanceRole))
def _role_get(store, m, q, b):
    return store.get("database_roles", f"{m.group(1)}/{unquote(m.group(2))}", f"Role {unquote(m.group(2))}")


# ---- Unity Catalog grants --------------------------------------------------------------------------
PRIVILEGES = {"catalog": {"USE_CATALOG", "BROWSE", "ALL_PRIVILEGES"},
              "schema": {"USE_SCHEMA", "SELECT", "ALL_PRIVILEGES"},
              "table": {"SELECT", "MODIFY", "ALL_PRIVILEGES"}}
SECURABLES = {"catalog": "catalogs", "schema": "schemas", "table": "tables"}


@route("PATCH", r"/api/2\.1/unity-catalog/permissions/([^/]+)/([^/?]+)", "grants", "update", request=W.keys(changes=W.listed(W.model(catalog.PermissionsChange))), response=W.model(catalog.UpdatePermissionsResponse))
def _grants_update(store, m, q, b):
    kind, full_name = m.group(1).lower(), unquote(m.group(2))
    if kind not in SECURABLES:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"securable type {kind} is not supported here")
    store.get(SECURABLES[kind], full_name, f"{kind.title()} '{full_name}'")
    grants = store.objects.setdefault("_grants", {}).setdefault(f"{kind}/{full_name}", {})
    for change in b.get("changes") or []:
        principal = _need(change, "principal")
        if principal not in store.principals:  # as Unity Catalog answers a grant to no one it knows
            raise ApiError(404, "PRINCIPAL_DOES_NOT_EXIST", f"Could not find principal with name {principal}")
        wrong = sorted(set(change.get("add") or []) - PRIVILEGES[kind])
        if wrong:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"privilege {wrong[0]} does not apply to a {kind}")
        held = set(grants.get(principal, [])) | set(change.get("add") or [])
        grants[principal] = sorted(held - set(change.get("remove") or []))
    return _assignments(grants)


@route("GET", r"/api/2\.1/unity-catalog/permissions/([^/]+)/([^/?]+)", "grants", "get", response=W.model(catalog.GetPermissionsResponse))
def _grants_get(store, m, q, b):
    grants = store.objects.get("_grants", {}).get(f"{m.group(1).lower()}/{unquote(m.group(2))}", {})
    return _assignments(grants)


def _assignments(grants: dict) -> dict:
    return {"privilege_assignments": [{"principal": p, "privileges": privileges}
                                      for p, privileges in sorted(grants.items()) if privileges]}
