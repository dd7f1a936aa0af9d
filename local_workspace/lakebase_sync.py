"""Synced tables with rows: when the workspace is given a PostgreSQL server (`POST /_fake/config
{"lakebase_postgres": {"host": ..., "port": ..., "user": ...}}`, or `make workspace`, which starts one
in build/.local/postgres), each Lakebase instance's Postgres databases are databases of that server,
named `<instance>__<database>` (one server stands in for every instance), and each synced table is a
table `<schema>.<table>` there that follows its source, as the platform's managed pipeline does
(Databricks docs, "Sync data from Unity Catalog tables to a database instance"):

- the initial snapshot: the source's rows at its current version, with its columns (Postgres types
  from the Arrow types) and the primary key the spec names;
- CONTINUOUS: then the source's Change Data Feed, read with delta-rs from the version after the last
  one synced and applied in commit order (inserts and update post-images upserted by key, deletes
  deleted), every `synced_interval_s` seconds (default 5); TRIGGERED and SNAPSHOT tables take their
  snapshot once (their later updates, started through the synced table's pipeline, are not modelled);
- TRIGGERED and CONTINUOUS need Change Data Feed on the source, and key columns are never null; a
  sync that breaks either rule leaves the table SYNCED_TABLE_OFFLINE_FAILED with the reason in
  `data_synchronization_status.message`;
- deleting a database instance drops its databases; deleting a synced table leaves its Postgres table
  (the docs: drop it in Postgres to free the space).

Sources are the tables the project's jobs write with delta-rs (compute.delta_root); a source the
workspace's Spark holds in another format fails the sync, saying so. Values reach Postgres only as
parameters, names only through psycopg's identifier quoting.
"""

from __future__ import annotations

import threading
from typing import Any

ONLINE = "SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE"
FAILED = "SYNCED_TABLE_OFFLINE_FAILED"
SYNCED_ONCE = "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE"


def configured(store) -> dict | None:
    target = store.config.get("lakebase_postgres")
    return target if isinstance(target, dict) and target.get("port") else None


def database_name(instance: str, database: str) -> str:
    return f"{instance}__{database}"


def _connect(target: dict, dbname: str):
    import psycopg

    return psycopg.connect(host=target.get("host", "127.0.0.1"), port=int(target["port"]),
                           user=target.get("user", "postgres"), dbname=dbname, autocommit=True, connect_timeout=5)


def create_database(store, instance: str, database: str) -> None:
    """The instance's Postgres database (create_database_if_not_exists), when a server is configured."""
    target = configured(store)
    if not target:
        return
    from psycopg import sql

    name = database_name(instance, database)
    with _connect(target, "postgres") as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_instance(store, instance: str) -> None:
    """An instance's data goes with it: every database of the instance is dropped."""
    target = configured(store)
    if not target:
        return
    from psycopg import sql

    with _connect(target, "postgres") as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)",
                                            [database_name(instance, "")])]
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# ---- Arrow -> Postgres ----------------------------------------------------------------------------
def pg_type(arrow_type) -> str:
    import pyarrow as pa

    t = pa.types
    if t.is_boolean(arrow_type):
        return "boolean"
    if t.is_int8(arrow_type) or t.is_int16(arrow_type):
        return "smallint"
    if t.is_int32(arrow_type):
        return "integer"
    if t.is_integer(arrow_type):
        return "bigint"
    if t.is_float32(arrow_type):
        return "real"
    if t.is_floating(arrow_type):
        return "double precision"
    if t.is_decimal(arrow_type):
        return f"numeric({arrow_type.precision},{arrow_type.scale})"
    if t.is_timestamp(arrow_type):
        return "timestamp with time zone" if arrow_type.tz else "timestamp"
    if t.is_date(arrow_type):
        return "date"
    if t.is_binary(arrow_type) or t.is_large_binary(arrow_type):
        return "bytea"
    if t.is_string(arrow_type) or t.is_large_string(arrow_type):
        return "text"
    return "jsonb"  # arrays, maps and structs, as the platform syncs them


def _value(value: Any, kind: str):
    if kind == "jsonb" and value is not None:
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return value


# ---- one synced table -----------------------------------------------------------------------------
class SyncError(Exception):
    """Why a sync cannot be done; shown in the synced table's status."""


def _source(table: dict):
    from deltalake import DeltaTable

    from .compute import delta_root, delta_table

    parts = table["spec"]["source_table_full_name"].split(".")
    if len(parts) != 3 or not delta_table(parts):
        raise SyncError(f"source {'.'.join(parts)} is not a Delta table the local workspace can read "
                        "(it syncs the tables the project's jobs write with delta-rs)")
    return DeltaTable(str(delta_root().joinpath(*(p.lower() for p in parts))))


def sync_one(store, table: dict) -> None:
    """Bring one synced table up to its source: the snapshot first, then the change feed."""
    target = configured(store)
    source = _source(table)
    spec = table["spec"]
    policy = spec.get("scheduling_policy")
    state = table.setdefault("_sync", {})
    version = source.version()
    if "version" in state and (policy != "CONTINUOUS" or state["version"] >= version):
        return
    if policy != "SNAPSHOT" and source.metadata().configuration.get("delta.enableChangeDataFeed") != "true":
        raise SyncError(f"{spec['source_table_full_name']} does not have Change Data Feed enabled, which "
                        f"{policy} sync needs (ALTER TABLE ... SET TBLPROPERTIES (delta.enableChangeDataFeed = true))")
    _, schema, name = table["name"].split(".")
    database = _database_of(store, table)
    # One transaction each: a snapshot or a set of changes is in the table whole or not at all (a
    # failure mid-way, retried next round, never meets a half-made table of its own).
    with _connect(target, database) as conn, conn.transaction():
        if "version" not in state:
            data = source.to_pyarrow_table()
            columns = {f.name: pg_type(f.type) for f in data.schema}
            _create(conn, schema, name, columns, spec["primary_key_columns"])
            _upsert(conn, schema, name, columns, spec["primary_key_columns"], data.to_pylist())
        else:
            _apply_changes(conn, schema, name, source, state["version"] + 1, version, spec["primary_key_columns"])
    state["version"] = version


def _database_of(store, table: dict) -> str:
    """In a database catalog: the catalog's database; in a standard catalog: the one the table names."""
    catalog = store.find("database_catalogs", table["name"].split(".")[0])
    if catalog:
        return database_name(catalog["database_instance_name"], catalog["database_name"])
    if not (table.get("database_instance_name") and table.get("logical_database_name")):
        raise SyncError("a synced table in a standard catalog names its database_instance_name and logical_database_name")
    return database_name(table["database_instance_name"], table["logical_database_name"])


def _create(conn, schema: str, name: str, columns: dict[str, str], keys: list[str]) -> None:
    from psycopg import sql

    missing = [k for k in keys if k not in columns]
    if missing:
        raise SyncError(f"primary key column {missing[0]} is not a column of the source")
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    if conn.execute("SELECT to_regclass(%s)", [sql.Identifier(schema, name).as_string(conn)]).fetchone()[0]:
        raise SyncError(f"a table {schema}.{name} already exists in the database; drop it or choose another name")
    conn.execute(sql.SQL("CREATE TABLE {}.{} ({}, PRIMARY KEY ({}))").format(
        sql.Identifier(schema), sql.Identifier(name),
        sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in columns.items()),
        sql.SQL(", ").join(map(sql.Identifier, keys))))


def _table_columns(conn, schema: str, name: str) -> dict[str, str]:
    rows = conn.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s "
                        "AND table_name = %s ORDER BY ordinal_position", [schema, name]).fetchall()
    return {c: ("jsonb" if t == "jsonb" else t) for c, t in rows}


def _upsert(conn, schema: str, name: str, columns: dict[str, str], keys: list[str], rows: list[dict]) -> None:
    from psycopg import sql

    if not rows:
        return
    for row in rows:
        if any(row.get(k) is None for k in keys):
            raise SyncError(f"a row of the source has a null primary key ({', '.join(keys)}): keys are never null")
    others = [c for c in columns if c not in keys]
    statement = sql.SQL("INSERT INTO {}.{} ({}) VALUES ({}) ON CONFLICT ({}) DO {}").format(
        sql.Identifier(schema), sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", ").join(sql.Placeholder() * len(columns)), sql.SQL(", ").join(map(sql.Identifier, keys)),
        sql.SQL("UPDATE SET {}").format(sql.SQL(", ").join(
            sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in others)) if others else sql.SQL("NOTHING"))
    with conn.cursor() as cursor:
        cursor.executemany(statement, [[_value(row.get(c), t) for c, t in columns.items()] for row in rows])


def _apply_changes(conn, schema, name, source, first: int, last: int, keys: list[str]) -> None:
    import pyarrow as pa
    from psycopg import sql

    changes = pa.table(source.load_cdf(starting_version=first, ending_version=last)).to_pylist()
    changes.sort(key=lambda c: c["_commit_version"])  # commit order; within a commit the feed's order
    columns = _table_columns(conn, schema, name)
    for change in changes:
        kind = change["_change_type"]
        if kind in ("insert", "update_postimage"):
            _upsert(conn, schema, name, columns, keys, [change])
        elif kind == "delete":
            conn.execute(sql.SQL("DELETE FROM {}.{} WHERE {}").format(
                sql.Identifier(schema), sql.Identifier(name),
                sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in keys)),
                [change[k] for k in keys])


# ---- the sync loop --------------------------------------------------------------------------------
class Syncer:
    """A thread that keeps every synced table up to its source while a Postgres server is configured."""

    def __init__(self, store):
        self.store = store
        self.stopping = threading.Event()
        self.wake = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="synced-tables")

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        if self.thread.is_alive():
            self.thread.join(10)

    def kick(self) -> None:
        self.wake.set()

    def _loop(self) -> None:
        while not self.stopping.is_set():
            self.wake.wait(float(self.store.config.get("synced_interval_s", 5)))
            self.wake.clear()
            if not self.stopping.is_set() and configured(self.store):
                self.sync_all()

    def sync_all(self) -> None:
        with self.store.lock:
            tables = [t for t in self.store.all("synced_tables")
                      if t["data_synchronization_status"].get("detailed_state") != FAILED]
        for table in tables:
            status = table["data_synchronization_status"]
            try:
                sync_one(self.store, table)
            except SyncError as error:
                status.update(detailed_state=FAILED, message=str(error))
                continue
            except Exception as error:  # noqa: BLE001 - a source mid-write or Postgres restarting: next round
                status["message"] = f"sync retrying: {type(error).__name__}: {error}"
                continue
            policy = table["spec"].get("scheduling_policy")
            table["unity_catalog_provisioning_state"] = "ACTIVE"
            status.update(detailed_state=ONLINE if policy == "CONTINUOUS" else SYNCED_ONCE,
                          message=f"synced to version {table['_sync']['version']}")
