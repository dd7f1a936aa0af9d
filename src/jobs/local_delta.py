"""Delta tables on one machine, for the streams' sinks when the Spark session has no Delta engine
(local pyspark: delta-spark's jars come from Maven at run time and pin an older pyspark).

delta-rs (the `deltalake` package) writes the tables as Delta defines them: the transaction log,
`delta.enableChangeDataFeed`, MERGE, NOT NULL columns enforced, the change feed with `_change_type`
and `_commit_version`. Spark reads a table's current snapshot as delta-rs resolves it (the log's live
files, less deletes and rewrites), never the folder's parquet files, which keep every old version.

Names: a Unity Catalog name `catalog.schema.table` is the folder `<root>/<catalog>/<schema>/<table>`,
lower-cased as Unity Catalog compares names. `LocalTables.location` is the only place that mapping
is made. `LocalTables.of(spark)` puts the root under the session's warehouse folder, so the tables go
where that session keeps its own (a test's temporary folder, a local run's build folder).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

CDF = "delta.enableChangeDataFeed"
KEEP_SNAPSHOTS = 3  # published versions kept, for readers that listed an older one's files
_PART = re.compile(r"`((?:[^`]|``)+)`|([^`.]+)")


class ChangeFeedUnavailable(RuntimeError):
    pass


def _deltalake():
    """The delta-rs package, or an error that says how to get it (not an ImportError's traceback)."""
    try:
        import deltalake
    except ImportError as err:
        raise RuntimeError("local Delta tables need the `deltalake` package, pinned in requirements-dev.lock: "
                           ".venv/bin/pip install -r requirements-dev.lock") from err
    return deltalake


def parse(name: str) -> tuple[str, str, str] | None:
    """(catalog, schema, table) of a three-level name, each part plain or `quoted`; None otherwise."""
    parts, at = [], 0
    while True:
        found = _PART.match(name, at)
        if not found:
            return None
        parts.append(found.group(1).replace("``", "`") if found.group(1) is not None else found.group(2).strip())
        at = found.end()
        if at == len(name):
            break
        if name[at] != ".":
            return None
        at += 1
    return tuple(parts) if len(parts) == 3 and all(parts) else None  # type: ignore[return-value]


def spark_has_delta(spark: Any) -> bool:
    """Evidence of the engine, never a setting: False only when the engine says it has no `delta`
    data source. With the session's JVM in this process (local pyspark), whether it loads delta-spark's
    DeltaTable; through Spark Connect (serverless, or the local workspace's compute), whether the
    server resolves the `delta` format (open-source Spark answers DATA_SOURCE_NOT_FOUND). Anything
    unclear (a JVM that forbids the question, another error) is taken as Delta, so Databricks never
    writes to a local folder."""
    try:
        jvm = spark._jvm
    except Exception:  # Spark Connect answers "not supported"
        return connect_has_delta(spark)
    if jvm is None:
        return connect_has_delta(spark)
    return jvm_loads(jvm, "io.delta.tables.DeltaTable")


def connect_has_delta(spark: Any) -> bool:
    try:
        spark.read.format("delta").load("/nonexistent-delta-probe").schema
    except Exception as err:  # noqa: BLE001 - no such path, not a Delta table: the format itself is there
        return "DATA_SOURCE_NOT_FOUND" not in str(err)
    return True


def jvm_loads(jvm: Any, class_name: str) -> bool:
    try:
        jvm.org.apache.spark.util.Utils.getContextOrSparkClassLoader().loadClass(class_name)
        return True
    except Exception as err:
        java = getattr(err, "java_exception", None)
        return not (java is not None and java.getClass().getName() == "java.lang.ClassNotFoundException")


def _columns(schema) -> list[tuple[str, str]]:
    """Names and types: a table over parquet files reads every column as nullable."""
    return [(field.name, field.dataType.simpleString()) for field in schema.fields]


def _sql_string(text: str) -> str:
    """`text` as a Spark SQL string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def spark_schema(spark: Any, columns: str):
    """The Arrow schema of Spark DDL columns ("id STRING NOT NULL, ts TIMESTAMP"), as Spark maps
    them: the same types a frame of rows made with these columns has."""
    return spark.createDataFrame([], columns).toArrow().schema


class LocalTables:
    """`spark`, when given (a workspace's compute, through Spark Connect), also gets each table's
    current snapshot as a table of its own catalog under the same name, rewritten after every write:
    what SQL on that compute reads (the agents' functions and views, the warehouse), since
    open-source Spark cannot read a Delta log."""

    def __init__(self, root: str | Path, spark: Any = None):
        self.root = Path(root)
        self.spark = spark

    @classmethod
    def of(cls, spark: Any) -> "LocalTables":
        warehouse = spark.conf.get("spark.sql.warehouse.dir")
        path = unquote(urlparse(warehouse).path) if warehouse.startswith("file:") else warehouse
        # Only a Spark Connect session (a workspace's compute) holds three-level names; a local
        # pyspark session's queries read the snapshot through `bind` instead.
        return cls(Path(path) / "catalogs", spark if type(spark).__module__.startswith("pyspark.sql.connect") else None)

    def publish(self, name: str) -> None:
        """The snapshot of `name` as the Spark table `name` (nothing without a session). Readers see
        the old snapshot or the new one, never a table missing or half written (a Delta reader's
        promise): each version is written to a folder of its own, moved into place whole, and the
        table then pointed at it (ALTER TABLE ... SET LOCATION), where an overwrite would drop the
        table and delete its files while another session reads them. Writers of one table (a job and
        a stage) take turns on a lock file; the table never goes back to an older version, and the
        last KEEP_SNAPSHOTS folders stay for readers in flight."""
        if self.spark is None:
            return
        import fcntl
        import uuid

        from pyspark.sql.pandas.types import from_arrow_schema

        quoted = ".".join("`" + part.replace("`", "``") + "`" for part in parse(name))
        table = self.table(name)  # one snapshot: its version and its rows
        version, rows = table.version(), table.to_pyarrow_table()  # rows with their schema (an empty table too)
        frame = self.spark.createDataFrame(rows.to_pandas(), schema=from_arrow_schema(rows.schema))
        folders = self.snapshots(name)
        folder = folders / f"v{version:010d}"
        if not folder.exists():  # a version's rows never change: written once, then moved into place
            scratch = folders / f"tmp-{uuid.uuid4().hex}"
            frame.write.parquet(str(scratch))
            try:
                scratch.rename(folder)
            except OSError:  # another writer moved the same version first
                shutil.rmtree(scratch, ignore_errors=True)
        with open(folders / "lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = folders / "CURRENT"
            if current.exists() and current.read_text() > folder.name:
                return  # a newer version is published already
            self._point(quoted, folder, frame.schema)
            current.write_text(folder.name)
            versions = sorted(p for p in folders.iterdir() if p.name.startswith("v"))
            for old in versions[:-KEEP_SNAPSHOTS]:
                shutil.rmtree(old, ignore_errors=True)

    def _point(self, quoted: str, folder: Path, schema) -> None:
        """The Spark table `quoted` over the parquet folder, made if missing, made again on new columns."""
        location = _sql_string(str(folder))
        try:
            same_columns = _columns(self.spark.table(quoted).schema) == _columns(schema)
        except Exception:  # noqa: BLE001 - not published yet (TABLE_OR_VIEW_NOT_FOUND)
            same_columns = None
        if same_columns is False:  # a new schema: the rare swap that is not atomic
            self.spark.sql(f"DROP TABLE IF EXISTS {quoted}")
        if not same_columns:
            self.spark.sql(f"CREATE TABLE IF NOT EXISTS {quoted} USING parquet LOCATION {location}")
        self.spark.sql(f"ALTER TABLE {quoted} SET LOCATION {location}")

    def snapshots(self, name: str) -> Path:
        """Where a table's published snapshots are: beside the catalog's tables, in a folder no schema of
        the compute can be named (its name mapping, local_workspace/uc_names.py, refuses a leading `_`)."""
        catalog, schema, table = self.location(name).relative_to(self.root).parts
        folders = self.root / catalog / "_published" / schema / table
        folders.mkdir(parents=True, exist_ok=True)
        return folders

    # names ------------------------------------------------------------------------------------
    def location(self, name: str) -> Path:
        parts = parse(name)
        if parts is None:
            raise ValueError(f"{name}: a local Delta table is named catalog.schema.table")
        for part in parts:  # Unity Catalog refuses these characters in names; here they would leave the root
            if "/" in part or "\\" in part or part.startswith(".") or "\x00" in part:
                raise ValueError(f"{name}: {part!r} is not a valid name part")
        return self.root.joinpath(*(part.lower() for part in parts))

    def exists(self, name: str) -> bool:
        DeltaTable = _deltalake().DeltaTable

        if parse(name) is None:
            return False
        try:
            location = self.location(name)
        except ValueError:  # not a name this layer could hold
            return False
        return DeltaTable.is_deltatable(str(location))

    def table(self, name: str):
        DeltaTable = _deltalake().DeltaTable

        if not self.exists(name):
            raise ValueError(f"{name}: no such local Delta table (under {self.root})")
        return DeltaTable(str(self.location(name)))

    # writes -----------------------------------------------------------------------------------
    def create(self, name: str, schema, cdf: bool) -> None:
        """CREATE TABLE IF NOT EXISTS, then Change Data Feed on if asked (also on a table an older
        version created without it). An existing table's schema is left as it is, as in SQL."""
        DeltaTable, Schema = _deltalake().DeltaTable, _deltalake().Schema

        if not self.exists(name):
            location = self.location(name)
            location.mkdir(parents=True, exist_ok=True)
            DeltaTable.create(str(location), Schema.from_arrow(schema), mode="ignore",
                              configuration={CDF: "true"} if cdf else None)
        table = self.table(name)
        if cdf and table.metadata().configuration.get(CDF) != "true":  # one commit, only when it changes
            table.alter.set_table_properties({CDF: "true"})
        self.publish(name)

    def add_column(self, name: str, field) -> bool:
        """The column if the table lacks it (True), nothing if it has one of that name (False)."""
        table = self.table(name)
        Field = _deltalake().Field
        if field.name.lower() in (f.name.lower() for f in table.schema().fields):
            return False
        table.alter.add_columns(Field.from_arrow(field))
        self.publish(name)
        return True

    def insert_new(self, name: str, rows, key: str) -> int:
        """MERGE INTO name USING rows ON key WHEN NOT MATCHED THEN INSERT *: how many rows it
        inserted. A merge that inserts nothing writes no version."""
        column = '"' + key.replace('"', '""') + '"'
        merged = (self.table(name).merge(rows, f"t.{column} = s.{column}", source_alias="s", target_alias="t")
                  .when_not_matched_insert_all().execute())
        inserted = int(merged["num_target_rows_inserted"])
        if inserted:
            self.publish(name)
        return inserted

    # reads ------------------------------------------------------------------------------------
    def version(self, name: str) -> int:
        return self.table(name).version()

    def snapshot(self, name: str):
        """The current version's rows (Arrow)."""
        return self.table(name).to_pyarrow_table()

    def changes(self, name: str, starting_version: int = 0, ending_version: int | None = None):
        """The change feed (Arrow): each row with `_change_type`, `_commit_version`, `_commit_timestamp`.
        Like Delta, a range reaching back before the feed was on is refused, with the version to use."""
        import pyarrow as pa

        table = self.table(name)
        try:
            return pa.table(table.load_cdf(starting_version=starting_version, ending_version=ending_version))
        except Exception as err:
            if "change data" not in str(err).lower():
                raise
            since = self._feed_on_since(table)
            where = f"it is on from version {since}" if since is not None else "it is not on"
            raise ChangeFeedUnavailable(f"{name}: no change feed from version {starting_version}; {where}") from err

    @staticmethod
    def _feed_on_since(table) -> int | None:
        """The first version of the latest run of versions with the feed on."""
        DeltaTable = _deltalake().DeltaTable

        since = None
        for version in range(table.version(), -1, -1):
            if DeltaTable(table.table_uri, version=version).metadata().configuration.get(CDF) != "true":
                break
            since = version
        return since

    def view(self, spark: Any, name: str) -> str:
        """A temporary view of the table's current snapshot, made now (later writes need a new
        call): its name, for a query's IDENTIFIER(:table)."""
        rows = self.snapshot(name)  # refuses a name that is not a local table
        parts = tuple(p.lower() for p in parse(name))
        digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:10]  # two names never share a view
        view = "delta_" + "__".join(re.sub(r"\W", "_", p) for p in parts) + "_" + digest
        if rows.num_rows:
            spark.createDataFrame(rows).createOrReplaceTempView(view)
        else:  # Spark cannot infer a schema from no rows: it is the table's, in Spark's types
            from pyspark.sql.pandas.types import from_arrow_schema

            spark.createDataFrame([], schema=from_arrow_schema(rows.schema)).createOrReplaceTempView(view)
        return view

    def bind(self, spark: Any, args: dict) -> dict:
        """A query's arguments with every local Delta table's name replaced by a view of its snapshot."""
        return {key: self.view(spark, value) if isinstance(value, str) and self.exists(value) else value
                for key, value in args.items()}
