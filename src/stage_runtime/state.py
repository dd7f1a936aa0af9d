"""uc_state: where the runtime records every resource a stage created or adopted.

One table, `<CATALOG>.<schema>.resources` (the schema is part of the spec's runtime contract;
Casper's Kitchens uses `_caspers_state`, the name the guide documents), one row per
resource, keyed by (catalog, kind, identity) and upserted, so registering the same resource twice
updates its row instead of adding one. Columns:

    catalog, kind, identity, name, payload (JSON: the SDK request and response), stage, target,
    run_id, status, origin, last_error, created_at, updated_at

- `status`: 'pending' (an intent recorded before the create call; its identity is `pending:<id>`
  until the call returns), 'active', or 'delete_failed'.
- `origin`: 'created' (the project made it: cleanup deletes it) or 'adopted' (it existed and a stage
  only found it: cleanup keeps it unless asked by name). A row once 'created' stays 'created', and a
  rerun that finds a resource without learning its name keeps the recorded name.

On Databricks it is a Delta table written with parameterised SQL only (`spark.sql(q, args=...)`,
`IDENTIFIER(:table)` for the name): no value is ever spliced into SQL text; concurrent-write
conflicts between tasks running in parallel are retried. Reading never creates anything: listing
a catalog without the table gives no rows. Locally it is a SQLite file (WAL, busy timeout, retries)
with the same columns behind the same interface.

The Delta table lives in the catalog it describes, so it cannot record the creation of that catalog
before the catalog exists. Until it does, rows wait in a journal on the machine's disk (`Journal`):
the catalog's intent row among them. The first write after the catalog exists moves them into the
table, in order. A run killed in between leaves the journal, which the next run on the same machine
reads; elsewhere the catalog carries its create's marker but no intent proves it, so it is adopted
and kept (evidence.py), never deleted on a guess.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any, Callable

DEFAULT_SCHEMA = "_uc_state"  # the spec's `state.schema` reaches the runtime through each notebook
STATE_TABLE = "resources"
COLUMNS = ("catalog", "kind", "identity", "name", "payload", "stage", "target", "run_id", "status", "origin",
           "last_error", "created_at", "updated_at")
PENDING_PREFIX = "pending:"


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
    origin: str = "created"
    last_error: str = ""
    created_at: str = ""
    updated_at: str = ""

    def data(self) -> Any:
        return json.loads(self.payload)

    @property
    def pending(self) -> bool:
        return self.status == "pending"


def to_payload(obj: Any) -> str:
    """The full SDK payload as JSON: SDK dataclasses through as_dict(), the rest as plain data."""
    if hasattr(obj, "as_dict"):
        obj = obj.as_dict()
    return json.dumps(obj, sort_keys=True, default=str, ensure_ascii=False)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def retry(action: Callable[[], Any], transient: Callable[[BaseException], bool], attempts: int = 8,
          first_wait: float = 0.05, sleep: Callable[[float], None] = time.sleep) -> Any:
    """Run `action`, retrying transient failures with jittered exponential backoff."""
    for attempt in range(attempts):
        try:
            return action()
        except Exception as err:  # noqa: BLE001
            if attempt == attempts - 1 or not transient(err):
                raise
            sleep(first_wait * (2 ** attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")


# ---- SQLite (local runs) --------------------------------------------------------------------------
SQLITE_UPSERT = (
    "INSERT INTO resources (catalog, kind, identity, name, payload, stage, target, run_id, status, origin, "
    "last_error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?) "
    "ON CONFLICT (catalog, kind, identity) DO UPDATE SET "
    "name = CASE WHEN excluded.name = '' THEN resources.name ELSE excluded.name END, "
    "payload = excluded.payload, stage = excluded.stage, target = excluded.target, run_id = excluded.run_id, "
    "status = excluded.status, "
    "origin = CASE WHEN resources.origin = 'created' THEN 'created' ELSE excluded.origin END, "
    "last_error = '', updated_at = excluded.updated_at")


def _sqlite_busy(err: BaseException) -> bool:
    return isinstance(err, sqlite3.OperationalError) and ("locked" in str(err) or "busy" in str(err))


class SqliteState:
    """uc_state in a local SQLite file (make run-local): same rows, same interface. Many writers
    (parallel stages, parallel tests) share it: WAL journal, a busy timeout, and retries."""

    def __init__(self, path: str, create: bool = True):
        self.path = path
        self.exists = os.path.exists(path)
        if not create:
            return
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        retry(self._create, _sqlite_busy)
        self.exists = True

    def _create(self) -> None:
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS resources ("
                "catalog TEXT NOT NULL, kind TEXT NOT NULL, identity TEXT NOT NULL, name TEXT, payload TEXT NOT NULL, "
                "stage TEXT, target TEXT, run_id TEXT, status TEXT NOT NULL, origin TEXT NOT NULL DEFAULT 'created', "
                "last_error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
                "PRIMARY KEY (catalog, kind, identity))")
            columns = {r[1] for r in db.execute("PRAGMA table_info(resources)")}
            if "origin" not in columns:  # a state file from before `origin` existed
                db.execute("ALTER TABLE resources ADD COLUMN origin TEXT NOT NULL DEFAULT 'created'")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA busy_timeout = 30000")
        return db

    def _write(self, statement: str, args: tuple) -> None:
        def attempt():
            with self._connect() as db:
                db.execute(statement, args)

        retry(attempt, _sqlite_busy)

    def register(self, row: Row) -> None:
        now = _now()
        self._write(SQLITE_UPSERT, (row.catalog, row.kind, row.identity, row.name, row.payload, row.stage,
                                    row.target, row.run_id, row.status, row.origin, now, now))

    def list(self, catalog: str, kind: str | None = None) -> list[Row]:
        if not self.exists:
            return []
        query = f"SELECT {', '.join(COLUMNS)} FROM resources WHERE catalog = ?"
        args: tuple = (catalog,)
        if kind is not None:
            query += " AND kind = ?"
            args += (kind,)

        def attempt():
            with self._connect() as db:
                return db.execute(query + " ORDER BY kind, created_at, identity", args).fetchall()

        return [Row(*(value if value is not None else "" for value in r)) for r in retry(attempt, _sqlite_busy)]

    def remove(self, catalog: str, kind: str, identity: str) -> None:
        self._write("DELETE FROM resources WHERE catalog = ? AND kind = ? AND identity = ?", (catalog, kind, identity))

    def mark_failed(self, catalog: str, kind: str, identity: str, error: str) -> None:
        self._write("UPDATE resources SET status = 'delete_failed', last_error = ?, updated_at = ? "
                    "WHERE catalog = ? AND kind = ? AND identity = ?", (error, _now(), catalog, kind, identity))


def quote_identifier(*parts: str) -> str:
    """A multi-part name for IDENTIFIER(:x): each part back-quoted, back quotes doubled."""
    return ".".join("`" + part.replace("`", "``") + "`" for part in parts)


# ---- Delta (Databricks) ---------------------------------------------------------------------------
# Every statement is a constant; values only ever travel in `args`.
DELTA_CREATE_SCHEMA = "CREATE SCHEMA IF NOT EXISTS IDENTIFIER(:schema)"
DELTA_CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS IDENTIFIER(:table) (catalog STRING NOT NULL, kind STRING NOT NULL, "
    "identity STRING NOT NULL, name STRING, payload STRING NOT NULL, stage STRING, target STRING, run_id STRING, "
    "status STRING NOT NULL, origin STRING, last_error STRING, created_at TIMESTAMP NOT NULL, "
    "updated_at TIMESTAMP NOT NULL) USING DELTA")
DELTA_REGISTER = (
    "MERGE INTO IDENTIFIER(:table) AS t USING (SELECT :catalog AS catalog, :kind AS kind, :identity AS identity, "
    ":name AS name, :payload AS payload, :stage AS stage, :target AS target, :run_id AS run_id, :status AS status, "
    ":origin AS origin) AS s "
    "ON t.catalog = s.catalog AND t.kind = s.kind AND t.identity = s.identity "
    "WHEN MATCHED THEN UPDATE SET name = CASE WHEN s.name = '' THEN t.name ELSE s.name END, payload = s.payload, "
    "stage = s.stage, target = s.target, run_id = s.run_id, status = s.status, "
    "origin = CASE WHEN t.origin = 'created' THEN 'created' ELSE s.origin END, last_error = '', "
    "updated_at = current_timestamp() "
    "WHEN NOT MATCHED THEN INSERT (catalog, kind, identity, name, payload, stage, target, run_id, status, origin, "
    "last_error, created_at, updated_at) VALUES (s.catalog, s.kind, s.identity, s.name, s.payload, s.stage, "
    "s.target, s.run_id, s.status, s.origin, '', current_timestamp(), current_timestamp())")
DELTA_LIST = ("SELECT catalog, kind, identity, name, payload, stage, target, run_id, status, "
              "coalesce(origin, 'created') AS origin, last_error, "
              "CAST(created_at AS STRING) AS created_at, CAST(updated_at AS STRING) AS updated_at "
              "FROM IDENTIFIER(:table) WHERE catalog = :catalog AND (:kind IS NULL OR kind = :kind) "
              "ORDER BY kind, created_at, identity")
DELTA_REMOVE = "DELETE FROM IDENTIFIER(:table) WHERE catalog = :catalog AND kind = :kind AND identity = :identity"
DELTA_MARK_FAILED = ("UPDATE IDENTIFIER(:table) SET status = 'delete_failed', last_error = :error, "
                     "updated_at = current_timestamp() WHERE catalog = :catalog AND kind = :kind AND identity = :identity")
DELTA_COLUMNS = "DESCRIBE TABLE IDENTIFIER(:table)"
DELTA_ADD_ORIGIN = "ALTER TABLE IDENTIFIER(:table) ADD COLUMNS (origin STRING)"

MISSING = ("TABLE_OR_VIEW_NOT_FOUND", "SCHEMA_NOT_FOUND", "CATALOG_NOT_FOUND", "NO_SUCH_CATALOG", "NoSuchTable",
           "NoSuchNamespace", "NoSuchDatabase", "UC_CATALOG_NOT_FOUND")
CONFLICTS = ("Concurrent", "DELTA_CONCURRENT", "MetadataChanged", "ProtocolChanged", "DELTA_METADATA_CHANGED")


def _missing(err: BaseException) -> bool:
    return any(token in str(err) or token in type(err).__name__ for token in MISSING)


def _catalog_missing(err: BaseException) -> bool:
    return any(token in str(err) for token in ("CATALOG_NOT_FOUND", "NO_SUCH_CATALOG", "UC_CATALOG_NOT_FOUND"))


def _conflict(err: BaseException) -> bool:
    return any(token in str(err) or token in type(err).__name__ for token in CONFLICTS)


class Journal:
    """Rows waiting for their catalog to exist: a JSON file on this machine's disk, rewritten whole
    (atomically) on each change. A handful of rows at most: the catalog's intent and what follows
    until its create answers."""

    def __init__(self, catalog: str, folder: str | None = None):
        digest = hashlib.sha256(catalog.encode()).hexdigest()[:16]
        self.path = os.path.join(folder or tempfile.gettempdir(), f"uc_state_journal_{digest}.json")

    def rows(self) -> list[Row]:
        try:
            with open(self.path, encoding="utf-8") as handle:
                return [Row(**r) for r in json.load(handle)]
        except FileNotFoundError:
            return []

    def _save(self, rows: list[Row]) -> None:
        if not rows:
            if os.path.exists(self.path):
                os.unlink(self.path)
            return
        temporary = self.path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump([asdict(r) for r in rows], handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    def add(self, row: Row) -> None:
        now = _now()
        row = Row(**{**asdict(row), "created_at": row.created_at or now, "updated_at": now})
        self._save([r for r in self.rows() if (r.kind, r.identity) != (row.kind, row.identity)] + [row])

    def drop(self, kind: str, identity: str) -> bool:
        rows = self.rows()
        kept = [r for r in rows if (r.kind, r.identity) != (kind, identity)]
        self._save(kept)
        return len(kept) != len(rows)


class DeltaState:
    """uc_state as a Delta table in the run's catalog, through parameterised Spark SQL; rows wait
    in a `Journal` while the catalog does not exist yet."""

    def __init__(self, spark: Any, catalog: str, sleep: Callable[[float], None] = time.sleep,
                 schema: str = DEFAULT_SCHEMA, journal_folder: str | None = None):
        self.spark = spark
        self.catalog = catalog
        self.schema = schema
        self.table = quote_identifier(catalog, schema, STATE_TABLE)
        self.journal = Journal(catalog, journal_folder)
        self._ready = False
        self._sleep = sleep

    def _sql(self, statement: str, **args: Any):
        return retry(lambda: self.spark.sql(statement, args=args), _conflict, sleep=self._sleep)

    def _ensure(self) -> bool:
        """Only writers create the schema and the table. False while the catalog does not exist."""
        if not self._ready:
            try:
                self._sql(DELTA_CREATE_SCHEMA, schema=quote_identifier(self.catalog, self.schema))
            except Exception as err:  # noqa: BLE001
                if _catalog_missing(err):
                    return False
                raise
            self._sql(DELTA_CREATE_TABLE, table=self.table)
            columns = {str(r[0]).lower() for r in self._sql(DELTA_COLUMNS, table=self.table).collect()}
            if columns and "origin" not in columns:  # a table from before `origin` existed
                self._sql(DELTA_ADD_ORIGIN, table=self.table)
            self._ready = True
            for waiting in self.journal.rows():  # rows written before the catalog existed, in order
                self._merge(waiting)
                self.journal.drop(waiting.kind, waiting.identity)
        return True

    def _merge(self, row: Row) -> None:
        values = {k: v for k, v in asdict(row).items() if k in ("catalog", "kind", "identity", "name", "payload",
                                                                "stage", "target", "run_id", "status", "origin")}
        self._sql(DELTA_REGISTER, table=self.table, **values)

    def register(self, row: Row) -> None:
        if not self._ensure():
            self.journal.add(row)
            return
        self._merge(row)

    def list(self, catalog: str, kind: str | None = None) -> list[Row]:
        waiting = [r for r in self.journal.rows() if r.catalog == catalog and kind in (None, r.kind)]
        try:
            frame = self._sql(DELTA_LIST, table=self.table, catalog=catalog, kind=kind)
            rows = frame.collect()
        except Exception as err:  # noqa: BLE001 - no table (or no catalog): nothing is registered
            if _missing(err):
                return waiting
            raise
        return [Row(**{c: (r[c] if r[c] is not None else "") for c in COLUMNS}) for r in rows] + waiting

    def remove(self, catalog: str, kind: str, identity: str) -> None:
        if self.journal.drop(kind, identity):
            return
        self._sql(DELTA_REMOVE, table=self.table, catalog=catalog, kind=kind, identity=identity)

    def mark_failed(self, catalog: str, kind: str, identity: str, error: str) -> None:
        self._sql(DELTA_MARK_FAILED, table=self.table, catalog=catalog, kind=kind, identity=identity, error=error)


STATE_DB_ENV = "STAGE_STATE_DB"


def open_state(catalog: str, spark: Any = None, create: bool = True, schema: str = DEFAULT_SCHEMA):
    """SQLite when STAGE_STATE_DB names a file (local runs), the Delta table when Spark is here.
    `create=False` for readers (listing, dry runs, cleanup): nothing is created to read."""
    path = os.environ.get(STATE_DB_ENV)
    if path:
        return SqliteState(path, create=create)
    if spark is not None:
        return DeltaState(spark, catalog, schema=schema)
    raise RuntimeError(f"no uc_state store: set {STATE_DB_ENV} to a SQLite file for local runs "
                       "(make run-local does), or run on Databricks where Spark is available")
