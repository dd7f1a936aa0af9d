"""What a workspace's warehouse holds for the Casper's catalog once the replay job and the pipeline
have run, for the local workspace's SQL engine (local_workspace/sql_engine.py): `lakeflow.all_events`
from the canonical dataset through the pipeline's own bronze logic, the locations dimension, the
support tables as the support stages make them, and the agents' functions and views.

Used as the local workspace's seed: `python -m local_workspace --seed local_warehouse:seed
--path src --path src/data/canonical --path src/pipelines/order_items --option dataset=<folder>`.
"""

from __future__ import annotations

from pathlib import Path


def seed(spark, qualify, catalog: str, dataset: str, days: int | str = 2, simulator_schema: str = "simulator") -> None:
    import dimensions
    import order_items_logic as logic
    import replay_core as rc
    from agents.complaint import sql as complaint_sql
    from agents.refund import sql as refund_sql
    from agents.support import sql as support_sql
    from jobs import support_delta

    for schema in ("lakeflow", simulator_schema, "ai", "support"):
        spark.sql(f"CREATE DATABASE IF NOT EXISTS {qualify(schema, 'x').rsplit('.', 1)[0]}")
    rows, _ = rc.read_window(str(Path(dataset) / "events.parquet"), rc.EPOCH, rc.EPOCH + int(days) * rc.DAY)
    logic.bronze_events(spark.createDataFrame(rc.records(rows, loop=0, shift=0), logic.RAW_SCHEMA)) \
        .write.mode("overwrite").saveAsTable(qualify("lakeflow", "all_events"))
    spark.createDataFrame(dimensions.build(42)["locations"]).write.mode("overwrite") \
        .saveAsTable(qualify(simulator_schema, "locations"))
    for table, columns in ((support_delta.REQUESTS, support_delta.REQUEST_COLUMNS),
                           (support_delta.REPORTS, support_delta.REPORT_COLUMNS)):  # as the support stages make them
        spark.sql(f"CREATE TABLE IF NOT EXISTS {qualify('support', table)} ({columns.replace(' NOT NULL', '')})")
    for sql in (refund_sql, complaint_sql, support_sql):
        for _, statement in sql.statements(catalog, simulator_schema, qualify=qualify):
            spark.sql(statement)


def options(root: Path, dataset: str, days: int = 2) -> dict:
    """The local workspace's `sql` configuration that seeds the Casper's warehouse from `dataset`."""
    return {"seed": "local_warehouse:seed",
            "path": [str(root / "src"), str(root / "src" / "data" / "canonical"),
                     str(root / "src" / "pipelines" / "order_items")],
            "options": {"dataset": str(dataset), "days": days}}
