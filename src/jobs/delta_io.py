"""What the streams' Delta sinks share on Databricks: quoted names, a table created with Change
Data Feed on from the start (and turned on for a table an older version made without it), queries
that say which upstream to check when a table is missing, and inserts by key only (MERGE ... WHEN
NOT MATCHED), so a rerun or a retried job writes nothing twice."""

from __future__ import annotations

from typing import Any

CDF_ON = "ALTER TABLE IDENTIFIER(:table) SET TBLPROPERTIES (delta.enableChangeDataFeed = true)"
# An order's total from its order_created event's body (the items' price times quantity), in Spark SQL
ORDER_TOTAL = ("round(aggregate(from_json(get_json_object({body}, '$.items'), 'ARRAY<STRUCT<price: DOUBLE, qty: INT>>'), "
               "CAST(0 AS DOUBLE), (acc, i) -> acc + i.price * coalesce(i.qty, 1)), 2)")


class MissingTable(RuntimeError):
    pass


def quote(*parts: str) -> str:
    return ".".join("`" + part.replace("`", "``") + "`" for part in parts)


def create_table(spark: Any, table: str, columns: str, cdf: bool) -> None:
    properties = " TBLPROPERTIES (delta.enableChangeDataFeed = true)" if cdf else ""
    spark.sql(f"CREATE TABLE IF NOT EXISTS IDENTIFIER(:table) ({columns}) USING DELTA{properties}", args={"table": table})
    if cdf:
        spark.sql(CDF_ON, args={"table": table})


def add_column(spark: Any, table: str, column: str) -> None:
    """`column` ("name TYPE") on a table an older version created without it; nothing if it is there."""
    try:
        spark.sql(f"ALTER TABLE IDENTIFIER(:table) ADD COLUMNS ({column})", args={"table": table})
    except Exception as err:
        if "FIELD_ALREADY_EXISTS" not in str(err) and "already exists" not in str(err):
            raise


def collect(spark: Any, query: str, args: dict, cap: int, missing_hint: str) -> list:
    try:
        return spark.sql(query, args=args).limit(cap).collect()
    except Exception as err:
        if "TABLE_OR_VIEW_NOT_FOUND" in str(err):
            raise MissingTable(f"{', '.join(sorted(args.values()))}: a table does not exist; {missing_hint}") from err
        raise


def insert_new(spark: Any, table: str, rows: list[tuple], schema: str, key: str) -> None:
    from delta.tables import DeltaTable

    frame = spark.createDataFrame(rows, schema)
    (DeltaTable.forName(spark, table).alias("t")
     .merge(frame.alias("s"), f"t.{key} = s.{key}").whenNotMatchedInsertAll().execute())
