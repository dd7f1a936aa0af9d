"""The stand-in's SQL warehouse: the Statement Execution API answered by a local Spark session.

Configured with POST /_fake/config {"sql": {"catalog": "caspersdev", "simulator_schema": "simulator",
"dataset": "<folder of events.parquet>", "days": 2}}, it builds what a workspace would hold for that
catalog: `lakeflow.all_events` from the canonical dataset through the pipeline's own bronze logic,
the dimension tables, and the agents' functions and views (src/agents/*/sql.py). Those
live in local databases named `<prefix>_<schema>`; statements naming `` `catalog`.`schema` `` are
mapped onto them. Without a configuration every statement fails as on a workspace without the data.
"""

from __future__ import annotations

import re
import sys
import threading
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class SqlEngine:
    def __init__(self, config: dict):
        self.catalog = config["catalog"]
        self.simulator_schema = config.get("simulator_schema", "simulator")
        self.dataset = config["dataset"]
        self.days = int(config.get("days", 2))
        self.prefix = "fake" + uuid.uuid4().hex[:8]
        self.lock = threading.Lock()
        self.spark = None

    def local(self, schema: str, name: str) -> str:
        return f"`{self.prefix}_{schema}`.`{name}`"

    def _start(self):
        for folder in ("src/data/canonical", "src/pipelines/order_items", "src"):
            if str(ROOT / folder) not in sys.path:
                sys.path.insert(0, str(ROOT / folder))
        import dimensions
        import order_items_logic as logic
        import replay_core as rc
        from agents.complaint import sql as complaint_sql
        from agents.refund import sql as refund_sql
        from agents.support import sql as support_sql
        from jobs import support_delta
        from ..local_spark import session

        spark = session("workspace-stand-in-sql")
        for schema in ("lakeflow", self.simulator_schema, "ai", "support"):
            spark.sql(f"CREATE DATABASE IF NOT EXISTS `{self.prefix}_{schema}`")
        rows, _ = rc.read_window(str(Path(self.dataset) / "events.parquet"), rc.EPOCH, rc.EPOCH + self.days * rc.DAY)
        logic.bronze_events(spark.createDataFrame(rc.records(rows, loop=0, shift=0), logic.RAW_SCHEMA)) \
            .write.mode("overwrite").saveAsTable(self.local("lakeflow", "all_events"))
        spark.createDataFrame(dimensions.build(42)["locations"]).write.mode("overwrite") \
            .saveAsTable(self.local(self.simulator_schema, "locations"))
        for table, columns in ((support_delta.REQUESTS, support_delta.REQUEST_COLUMNS),
                               (support_delta.REPORTS, support_delta.REPORT_COLUMNS)):  # as the support stages make them
            spark.sql(f"CREATE TABLE IF NOT EXISTS {self.local('support', table)} ({columns.replace(' NOT NULL', '')})")
        for sql in (refund_sql, complaint_sql, support_sql):
            for _, statement in sql.statements(self.catalog, self.simulator_schema, qualify=self.local):
                spark.sql(statement)
        self.spark = spark

    def execute(self, statement: str, parameters: dict[str, str]) -> tuple[list[dict], list[list]]:
        with self.lock:
            if self.spark is None or self.spark.sparkContext._jsc is None:
                self._start()
            pattern = re.escape("`" + self.catalog.replace("`", "``") + "`") + r"\.`((?:[^`]|``)+)`"
            local = re.sub(pattern, lambda m: f"`{self.prefix}_{m.group(1)}`", statement)
            local = re.sub(rf"\b{re.escape(self.catalog)}\.(\w+)\.", lambda m: f"`{self.prefix}_{m.group(1)}`.", local)
            frame = self.spark.sql(local, args=parameters)
            columns = [{"name": f.name, "type_text": f.dataType.simpleString().upper(), "position": i}
                       for i, f in enumerate(frame.schema.fields)]
            rows = [[_text(value) for value in row] for row in frame.collect()]
            return columns, rows


def _text(value) -> str | None:
    """The JSON_ARRAY format carries every value as a string (or null)."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
