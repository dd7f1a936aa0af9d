"""What the streams' Delta sinks share: quoted names, a table created with Change Data Feed on from
the start (and turned on for a table an older version made without it), queries that say which
upstream to check when a table is missing, and inserts by key only (MERGE ... WHEN NOT MATCHED), so
a rerun or a retried job writes nothing twice.

Two engines behind one set of functions, chosen by what the Spark session is, never by a setting:
where Spark has Delta (Databricks), Spark SQL and delta-spark's DeltaTable; where it has none (local
pyspark), the same statements' meaning on local Delta tables written by delta-rs (local_delta.py),
which queries read as views of their current snapshot."""

from __future__ import annotations

from typing import Any

CDF_ON = "ALTER TABLE IDENTIFIER(:table) SET TBLPROPERTIES (delta.enableChangeDataFeed = true)"
# An order's total from its order_created event's body (the items' price times quantity), in Spark SQL
ORDER_TOTAL = ("round(aggregate(from_json(get_json_object({body}, '$.items'), 'ARRAY<STRUCT<price: DOUBLE, qty: INT>>'), "
               "CAST(0 AS DOUBLE), (acc, i) -> acc + i.price * coalesce(i.qty, 1)), 2)")


class MissingTable(RuntimeError):
    pass


def _local(spark: Any):
    """The local Delta tables when this session's engine has no Delta, else None."""
    from .local_delta import LocalTables, spark_has_delta

    return None if spark_has_delta(spark) else LocalTables.of(spark)


def quote(*parts: str) -> str:
    return ".".join("`" + part.replace("`", "``") + "`" for part in parts)


def create_table(spark: Any, table: str, columns: str, cdf: bool) -> None:
    local = _local(spark)
    if local is not None:
        from .local_delta import spark_schema

        local.create(table, spark_schema(spark, columns), cdf)
        return
    properties = " TBLPROPERTIES (delta.enableChangeDataFeed = true)" if cdf else ""
    spark.sql(f"CREATE TABLE IF NOT EXISTS IDENTIFIER(:table) ({columns}) USING DELTA{properties}", args={"table": table})
    if cdf:
        spark.sql(CDF_ON, args={"table": table})


def add_column(spark: Any, table: str, column: str) -> None:
    """`column` ("name TYPE") on a table an older version created without it; nothing if it is there."""
    local = _local(spark)
    if local is not None:
        from .local_delta import spark_schema

        local.add_column(table, spark_schema(spark, column).field(0))
        return
    try:
        spark.sql(f"ALTER TABLE IDENTIFIER(:table) ADD COLUMNS ({column})", args={"table": table})
    except Exception as err:
        if "FIELD_ALREADY_EXISTS" not in str(err) and "already exists" not in str(err):
            raise


def collect(spark: Any, query: str, args: dict, cap: int, missing_hint: str) -> list:
    local = _local(spark)
    # Locally a three-level name Spark cannot resolve (no local Delta table of that name) is missing too.
    missing = ("TABLE_OR_VIEW_NOT_FOUND",) + (("REQUIRES_SINGLE_PART_NAMESPACE",) if local is not None else ())
    try:
        bound = args if local is None else local.bind(spark, args)
        return spark.sql(query, args=bound).limit(cap).collect()
    except Exception as err:
        if any(code in str(err) for code in missing):
            raise MissingTable(f"{', '.join(sorted(args.values()))}: a table does not exist; {missing_hint}") from err
        raise


def insert_new(spark: Any, table: str, rows: list[tuple], schema: str, key: str) -> None:
    local = _local(spark)
    frame = spark.createDataFrame(rows, schema)  # one frame for both engines: the same types
    if local is not None:
        local.insert_new(table, frame.toArrow(), key)
        return
    from delta.tables import DeltaTable

    (DeltaTable.forName(spark, table).alias("t")
     .merge(frame.alias("s"), f"t.{key} = s.{key}").whenNotMatchedInsertAll().execute())
