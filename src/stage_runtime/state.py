"""uc_state: where the runtime records every resource a stage created or adopted.

One table, `<CATALOG>._caspers_state.resources` (the name the guide documents), one row per
resource, keyed by (catalog, kind, identity) and upserted, so registering the same resource twice
updates its row instead of adding one. Columns:

    catalog, kind, identity, name, payload (JSON: the SDK request and response), stage, target,
    run_id, status ('active' | 'delete_failed'), last_error, created_at, updated_at

On Databricks it is a Delta table written with parameterised SQL only (`spark.sql(q, args=...)`,
`IDENTIFIER(:table)` for the name): no value is ever spliced into SQL text. Locally it is a SQLite
file with the same columns behind the same interface.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

STATE_SCHEMA = "_caspers_state"
STATE_TABLE = "resources"
COLUMNS = ("catalog", "kind", "identity", "name", "payload", "stage", "target", "run_id", "status", "last_error",
           "created_at", "updated_at")


@dataclass
class Row:
    catalog: str
    kind: str
    identity: str
    name: str = ""
    payload: str = "{}"
    stage: str = ""
    target: str = ""
    run_id: str = ""
    status: str = "active"
    last_error: str = ""
    created_at: str = ""
    updated_at: str = ""

    def data(self) -> Any:
        return json.loads(self.payload)


def to_payload(obj: Any) -> str:
    """The full SDK payload as JSON: SDK dataclasses through as_dict(), the rest as plain data."""
    if hasattr(obj, "as_dict"):
        obj = obj.as_dict()
    return json.dumps(obj, sort_keys=True, default=str, ensure_ascii=False)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


class SqliteState:
    """uc_state in a local SQLite file (make run-local): same rows, same interface."""

    def __init__(self, path: str):
        self.path = path
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS resources ("
                "catalog TEXT NOT NULL, kind TEXT NOT NULL, identity TEXT NOT NULL, name TEXT, payload TEXT NOT NULL, "
                "stage TEXT, target TEXT, run_id TEXT, status TEXT NOT NULL, last_error TEXT, "
                "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (catalog, kind, identity))")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def register(self, row: Row) -> None:
        now = _now()
        with self._connect() as db:
            db.execute(
                "INSERT INTO resources (catalog, kind, identity, name, payload, stage, target, run_id, status, "
                "last_error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', '', ?, ?) "
                "ON CONFLICT (catalog, kind, identity) DO UPDATE SET name = excluded.name, payload = excluded.payload, "
                "stage = excluded.stage, target = excluded.target, run_id = excluded.run_id, status = 'active', "
                "last_error = '', updated_at = excluded.updated_at",
                (row.catalog, row.kind, row.identity, row.name, row.payload, row.stage, row.target, row.run_id, now, now))

    def list(self, catalog: str, kind: str | None = None) -> list[Row]:
        query = f"SELECT {', '.join(COLUMNS)} FROM resources WHERE catalog = ?"
        args: tuple = (catalog,)
        if kind is not None:
            query += " AND kind = ?"
            args += (kind,)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY kind, created_at, identity", args).fetchall()
        return [Row(*(value if value is not None else "" for value in r)) for r in rows]

    def remove(self, catalog: str, kind: str, identity: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM resources WHERE catalog = ? AND kind = ? AND identity = ?", (catalog, kind, identity))

    def mark_failed(self, catalog: str, kind: str, identity: str, error: str) -> None:
        with self._connect() as db:
            db.execute("UPDATE resources SET status = 'delete_failed', last_error = ?, updated_at = ? "
                       "WHERE catalog = ? AND kind = ? AND identity = ?", (error, _now(), catalog, kind, identity))

    def catalogs(self) -> list[str]:
        with self._connect() as db:
            return [r[0] for r in db.execute("SELECT DISTINCT catalog FROM resources ORDER BY catalog")]


def quote_identifier(*parts: str) -> str:
    """A multi-part name for IDENTIFIER(:x): each part back-quoted, back quotes doubled."""
    return ".".join("`" + part.replace("`", "``") + "`" for part in parts)


# Every statement is a constant; values only ever travel in `args`.
DELTA_CREATE_SCHEMA = "CREATE SCHEMA IF NOT EXISTS IDENTIFIER(:schema)"
DELTA_CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS IDENTIFIER(:table) (catalog STRING NOT NULL, kind STRING NOT NULL, "
    "identity STRING NOT NULL, name STRING, payload STRING NOT NULL, stage STRING, target STRING, run_id STRING, "
    "status STRING NOT NULL, last_error STRING, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL) "
    "USING DELTA")
DELTA_REGISTER = (
    "MERGE INTO IDENTIFIER(:table) AS t USING (SELECT :catalog AS catalog, :kind AS kind, :identity AS identity, "
    ":name AS name, :payload AS payload, :stage AS stage, :target AS target, :run_id AS run_id) AS s "
    "ON t.catalog = s.catalog AND t.kind = s.kind AND t.identity = s.identity "
    "WHEN MATCHED THEN UPDATE SET name = s.name, payload = s.payload, stage = s.stage, target = s.target, "
    "run_id = s.run_id, status = 'active', last_error = '', updated_at = current_timestamp() "
    "WHEN NOT MATCHED THEN INSERT (catalog, kind, identity, name, payload, stage, target, run_id, status, last_error, "
    "created_at, updated_at) VALUES (s.catalog, s.kind, s.identity, s.name, s.payload, s.stage, s.target, s.run_id, "
    "'active', '', current_timestamp(), current_timestamp())")
DELTA_LIST = ("SELECT catalog, kind, identity, name, payload, stage, target, run_id, status, last_error, "
              "CAST(created_at AS STRING) AS created_at, CAST(updated_at AS STRING) AS updated_at "
              "FROM IDENTIFIER(:table) WHERE catalog = :catalog AND (:kind IS NULL OR kind = :kind) "
              "ORDER BY kind, created_at, identity")
DELTA_REMOVE = "DELETE FROM IDENTIFIER(:table) WHERE catalog = :catalog AND kind = :kind AND identity = :identity"
DELTA_MARK_FAILED = ("UPDATE IDENTIFIER(:table) SET status = 'delete_failed', last_error = :error, "
                     "updated_at = current_timestamp() WHERE catalog = :catalog AND kind = :kind AND identity = :identity")


class DeltaState:
    """uc_state as a Delta table in the run's catalog, through parameterised Spark SQL."""

    def __init__(self, spark: Any, catalog: str):
        self.spark = spark
        self.catalog = catalog
        self.table = quote_identifier(catalog, STATE_SCHEMA, STATE_TABLE)
        self._ready = False

    def _ensure(self) -> None:
        if not self._ready:
            self.spark.sql(DELTA_CREATE_SCHEMA, args={"schema": quote_identifier(self.catalog, STATE_SCHEMA)})
            self.spark.sql(DELTA_CREATE_TABLE, args={"table": self.table})
            self._ready = True

    def register(self, row: Row) -> None:
        self._ensure()
        values = {k: v for k, v in asdict(row).items() if k in ("catalog", "kind", "identity", "name", "payload",
                                                                "stage", "target", "run_id")}
        self.spark.sql(DELTA_REGISTER, args={"table": self.table, **values})

    def list(self, catalog: str, kind: str | None = None) -> list[Row]:
        self._ensure()
        frame = self.spark.sql(DELTA_LIST, args={"table": self.table, "catalog": catalog, "kind": kind})
        return [Row(**{c: (r[c] if r[c] is not None else "") for c in COLUMNS}) for r in frame.collect()]

    def remove(self, catalog: str, kind: str, identity: str) -> None:
        self.spark.sql(DELTA_REMOVE, args={"table": self.table, "catalog": catalog, "kind": kind, "identity": identity})

    def mark_failed(self, catalog: str, kind: str, identity: str, error: str) -> None:
        self.spark.sql(DELTA_MARK_FAILED, args={"table": self.table, "catalog": catalog, "kind": kind,
                                                "identity": identity, "error": error})


STATE_DB_ENV = "STAGE_STATE_DB"


def open_state(catalog: str, spark: Any = None):
    """SQLite when STAGE_STATE_DB names a file (local runs), the Delta table when Spark is here."""
    path = os.environ.get(STATE_DB_ENV)
    if path:
        return SqliteState(path)
    if spark is not None:
        return DeltaState(spark, catalog)
    raise RuntimeError(f"no uc_state store: set {STATE_DB_ENV} to a SQLite file for local runs "
                       "(make run-local does), or run on Databricks where Spark is available")
