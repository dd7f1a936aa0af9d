"""A workspace's compute on this machine: its table names on local Spark (uc_names.py) and its Spark
Connect endpoint (connect_proxy.py), one of each per workspace (per Store), made when first asked.

Unity Catalog is the source of truth, as on Databricks: a schema's Spark database is made when a
client first names it and the schema exists in the workspace (created through the API); a catalog
deleted through the API takes its databases with it."""

from __future__ import annotations

import tempfile
from pathlib import Path
import threading
import uuid

from .uc_names import Names

_LOCK = threading.RLock()
_NAMES: dict[int, Names] = {}
_MADE: dict[int, set[str]] = {}


def names(store) -> Names:
    with _LOCK:
        if id(store) not in _NAMES:
            _NAMES[id(store)] = _names_of(store)
        return _NAMES[id(store)]


def _names_of(store) -> Names:
    made = _MADE.setdefault(id(store), set())

    def known():
        catalogs = set(store.objects.get("catalogs", {}))
        configured = (store.config.get("sql") or {}).get("catalog")
        return catalogs | ({configured} if configured else set())

    def named(db: str, catalog: str, schema: str) -> None:
        if db not in made and spark_started() and _schema_exists(store, catalog, schema):
            _session().sql(f"CREATE DATABASE IF NOT EXISTS `{db}`")
            made.add(db)

    return Names("ws" + uuid.uuid4().hex[:8], known, named)


def _schema_exists(store, catalog: str, schema: str) -> bool:
    return any(key.lower() == f"{catalog}.{schema}" for key in store.objects.get("schemas", {}))


def drop_catalog(store, catalog: str) -> None:
    """The Spark databases of a deleted catalog's schemas (when Spark runs at all)."""
    if id(store) not in _NAMES or not spark_started():
        return
    prefix = f"{_NAMES[id(store)].prefix}_{catalog.lower()}__"
    spark = _session()
    for row in spark.sql("SHOW DATABASES").collect():
        if row[0].startswith(prefix):
            spark.sql(f"DROP DATABASE IF EXISTS `{row[0]}` CASCADE")
            _MADE.get(id(store), set()).discard(row[0])


def spark_started() -> bool:
    from pyspark import SparkContext

    return SparkContext._active_spark_context is not None


def _session():
    from .spark import session

    return session("local-workspace")


def forget(store) -> None:
    with _LOCK:
        _NAMES.pop(id(store), None)
        _MADE.pop(id(store), None)


# Spark Connect ------------------------------------------------------------------------------------
_PROXIES: dict[int, object] = {}


def remote(store, host: str = "127.0.0.1", port: int = 0) -> str:
    """The workspace's Spark Connect URL; Spark and its proxy start now. Spark first, in the caller's
    thread: pyspark launches the JVM with a preexec_fn, which must not run in a process whose gRPC
    threads are busy (a proxy's request thread), where the launch fails (JAVA_GATEWAY_EXITED)."""
    with _LOCK:
        if id(store) not in _PROXIES:
            from .connect_proxy import ConnectProxy
            from .spark import connect_address

            connect_address()
            _PROXIES[id(store)] = ConnectProxy(names(store), connect_address,
                                               lambda: str(store.volume_files.root), host=host,
                                               port=port).start()
        return _PROXIES[id(store)].url


_RUNNERS: dict[int, set] = {}  # the pipeline runners' processes of each workspace
_STOPPED: set[int] = set()


_OF_PIPELINE: dict[tuple[int, str], object] = {}


def started(store, process, pipeline_id: str) -> None:
    with _LOCK:
        _RUNNERS.setdefault(id(store), set()).add(process)
        _OF_PIPELINE[(id(store), pipeline_id)] = process
        if id(store) in _STOPPED:
            process.kill()


def stop_pipeline(store, pipeline_id: str) -> None:
    """A deleted pipeline stops: its runner, if one runs."""
    with _LOCK:
        process = _OF_PIPELINE.pop((id(store), pipeline_id), None)
    if process is not None and process.poll() is None:
        process.kill()


def stopped(store) -> bool:
    return id(store) in _STOPPED


def stop(store) -> None:
    """The workspace ends: its Spark Connect endpoint, its pipelines' runners and their loops."""
    with _LOCK:
        _STOPPED.add(id(store))
        proxy = _PROXIES.pop(id(store), None)
        runners = _RUNNERS.pop(id(store), set())
    for process in runners:
        if process.poll() is None:
            process.kill()
    if proxy is not None:
        proxy.stop()


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
    spark = _session()
    if delta_table(parts):
        return {"name": parts[2], "catalog_name": parts[0], "schema_name": parts[1], "full_name": full_name,
                "table_type": "MANAGED", "data_source_format": "DELTA"}
    if not spark.catalog.tableExists(f"{database}.{parts[2]}"):
        return None
    table = spark.catalog.getTable(f"{database}.{parts[2]}")
    kind = "VIEW" if table.tableType == "VIEW" else "MANAGED"
    return {"name": parts[2], "catalog_name": parts[0], "schema_name": parts[1], "full_name": full_name,
            "table_type": kind, "data_source_format": None if kind == "VIEW" else "DELTA"}


def state_dir(store) -> str:
    """Where the workspace keeps what its compute writes besides tables (pipeline checkpoints)."""
    with _LOCK:
        if not store.config.get("state_dir"):
            store.config["state_dir"] = tempfile.mkdtemp(prefix="local-workspace-")
        return store.config["state_dir"]


def delta_table(parts: list[str]) -> bool:
    """A Delta table of the local compute: open-source Spark has no Delta, so the project's jobs write
    them with delta-rs under `<warehouse>/catalogs/<catalog>/<schema>/<table>` (src/jobs/local_delta.py,
    LocalTables.of), the folder this Spark's warehouse setting gives its clients."""
    from .spark import WAREHOUSE

    return (Path(WAREHOUSE, "catalogs", *(p.lower() for p in parts)) / "_delta_log").is_dir()
