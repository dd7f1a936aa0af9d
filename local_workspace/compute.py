"""A workspace's compute on this machine: its table names on local Spark (uc_names.py), its Spark
Connect endpoint (connect_proxy.py) and its pipelines' runner processes, held by one `Compute` per
workspace (on its Store, so it lives and dies with it), made when first asked.

Unity Catalog is the source of truth, as on Databricks: a schema's Spark database is made when a
client first names it and the schema exists in the workspace (created through the API); a catalog
deleted through the API takes exactly the databases named for it, and its Delta tables."""

from __future__ import annotations

import shutil
import tempfile
import threading
import uuid
from pathlib import Path

from .uc_names import Names

_LOCK = threading.RLock()


class Compute:
    def __init__(self, store):
        self.store = store
        self.databases: dict[str, str] = {}  # every database a name was mapped to -> its catalog
        self.made: set[str] = set()  # those this workspace created
        self.proxy = None
        self.runners: dict[str, object] = {}  # pipeline id -> its runner's process
        self.stopped = False
        self.names = Names("ws" + uuid.uuid4().hex[:8], self._known, self._named)

    def _known(self) -> set[str]:
        with self.store.lock:
            catalogs = set(self.store.objects.get("catalogs", {}))
        configured = (self.store.config.get("sql") or {}).get("catalog")
        return catalogs | ({configured} if configured else set())

    def _named(self, db: str, catalog: str, schema: str) -> None:
        with _LOCK:
            self.databases[db] = catalog.lower()
            if db in self.made or not spark_started() or not _schema_exists(self.store, catalog, schema):
                return
            self.made.add(db)
        _session().sql(f"CREATE DATABASE IF NOT EXISTS `{db}`")


def of(store) -> Compute:
    with _LOCK:
        if getattr(store, "_compute", None) is None:
            store._compute = Compute(store)
        return store._compute


def names(store) -> Names:
    return of(store).names


def _schema_exists(store, catalog: str, schema: str) -> bool:
    with store.lock:
        return any(key.lower() == f"{catalog}.{schema}".lower() for key in store.objects.get("schemas", {}))


def drop_catalog(store, catalog: str) -> None:
    """The Spark databases named for a deleted catalog (exactly those: the mapping recorded them) and
    its Delta tables' folder."""
    compute = of(store)
    with _LOCK:
        doomed = [db for db, owner in compute.databases.items() if owner == catalog.lower()]
        for db in doomed:
            compute.databases.pop(db)
            compute.made.discard(db)
    if spark_started():
        spark = _session()
        for db in doomed:
            spark.sql(f"DROP DATABASE IF EXISTS `{db}` CASCADE")
    shutil.rmtree(delta_root() / catalog.lower(), ignore_errors=True)


def spark_started() -> bool:
    from pyspark import SparkContext

    return SparkContext._active_spark_context is not None


def _session():
    from .spark import session

    return session("local-workspace")


# Spark Connect ------------------------------------------------------------------------------------
def remote(store, host: str = "127.0.0.1", port: int = 0) -> str:
    """The workspace's Spark Connect URL; Spark and its proxy start now. Spark first, in the caller's
    thread: pyspark launches the JVM with a preexec_fn, which must not run in a process whose gRPC
    threads are busy (a proxy's request thread), where the launch fails (JAVA_GATEWAY_EXITED)."""
    compute = of(store)
    with _LOCK:
        if compute.proxy is None:
            from .connect_proxy import ConnectProxy
            from .spark import connect_address

            connect_address()
            compute.proxy = ConnectProxy(compute.names, connect_address, store.volume_files.disk,
                                         host=host, port=port).start()
        return compute.proxy.url


# pipeline runners -----------------------------------------------------------------------------------
def started(store, process, pipeline_id: str) -> None:
    compute = of(store)
    with _LOCK:
        compute.runners[pipeline_id] = process
        if compute.stopped:
            process.kill()


def stop_pipeline(store, pipeline_id: str) -> None:
    """A deleted pipeline stops: its runner, if one runs."""
    with _LOCK:
        process = of(store).runners.pop(pipeline_id, None)
    if process is not None and process.poll() is None:
        process.kill()


def stopped(store) -> bool:
    return of(store).stopped


def stop(store) -> None:
    """The workspace ends: its Spark Connect endpoint, its pipelines' runners and their loops."""
    compute = of(store)
    with _LOCK:
        compute.stopped = True
        proxy, compute.proxy = compute.proxy, None
        runners = list(compute.runners.values())
        compute.runners.clear()
    for process in runners:
        if process.poll() is None:
            process.kill()
    if proxy is not None:
        proxy.stop()


# what Unity Catalog sees of the compute's tables -----------------------------------------------------
def spark_table(store, full_name: str) -> dict | None:
    """A table or view that exists on the workspace's Spark (a stage, a job or a pipeline wrote it)
    as Unity Catalog lists it, or None. Spark is not started to answer: no Spark, no such table."""
    parts = full_name.split(".")
    if len(parts) != 3 or not spark_started() or parts[0].lower() not in names(store).catalogs():
        return None
    try:
        database = names(store).database(parts[0], parts[1])
    except ValueError:
        return None
    info = {"name": parts[2], "catalog_name": parts[0], "schema_name": parts[1], "full_name": full_name}
    if delta_table(parts):
        return {**info, "table_type": "MANAGED", "data_source_format": "DELTA"}
    spark = _session()
    if not spark.catalog.tableExists(f"{database}.{parts[2]}"):
        return None
    if spark.catalog.getTable(f"{database}.{parts[2]}").tableType == "VIEW":
        return {**info, "table_type": "VIEW"}
    return {**info, "table_type": "MANAGED", "data_source_format": "PARQUET"}  # Spark's own tables: no Delta here


def state_dir(store) -> str:
    """Where the workspace keeps what its compute writes besides tables (pipeline checkpoints)."""
    with _LOCK:
        if not store.config.get("state_dir"):
            store.config["state_dir"] = tempfile.mkdtemp(prefix="local-workspace-")
        return store.config["state_dir"]


def delta_root() -> Path:
    """Where the compute's Delta tables are: open-source Spark has no Delta, so the project's jobs write
    them with delta-rs under `<warehouse>/catalogs/<catalog>/<schema>/<table>` (src/jobs/local_delta.py,
    LocalTables.of), the folder this Spark's warehouse setting gives its clients."""
    from .spark import WAREHOUSE

    return Path(WAREHOUSE, "catalogs")


def delta_table(parts: list[str]) -> bool:
    return (delta_root().joinpath(*(p.lower() for p in parts)) / "_delta_log").is_dir()
