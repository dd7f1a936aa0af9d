"""The local workspace's SQL warehouse: the Statement Execution API answered by a local Spark session.

The session is the workspace's one Spark (spark.py), which its Spark Connect clients share
(connect_proxy.py), with the same names: each Unity Catalog schema is a local database, and every
statement's names and name-valued parameters are mapped onto them by uc_names.py. Configured with POST /_fake/config
{"sql": {"catalog": "c", "seed": "module:function", "path": ["src"], "options": {...}}}: `seed` is a
callable of the project that fills the warehouse with what a workspace would hold when its jobs and
pipelines have run: `seed(spark, qualify, catalog, **options)`, `qualify(schema, table)` giving the
local name (folders in `path` are put on the import path first). Without a configuration every
statement fails as on a workspace without the data.
"""

from __future__ import annotations

import importlib
import sys
import threading

from .uc_names import Names, names_a_table


class SqlEngine:
    def __init__(self, config: dict, names: Names):
        self.catalog = config.get("catalog")
        self.config = config
        self.names = names
        self.lock = threading.Lock()
        self.spark = None

    def local(self, schema: str, name: str) -> str:
        return self.names.table(self.catalog, schema, name)

    def _start(self):
        from .spark import session

        spark = session("local-workspace")
        seed = self.config.get("seed")
        if seed:
            for folder in self.config.get("path") or []:
                if folder not in sys.path:
                    sys.path.insert(0, folder)
            module, _, function = seed.partition(":")
            fill = getattr(importlib.import_module(module), function)
            fill(spark, self.local, self.catalog, **(self.config.get("options") or {}))
        self.spark = spark

    def execute(self, statement: str, parameters: dict[str, str]) -> tuple[list[dict], list[list]]:
        with self.lock:
            if self.spark is None or self.spark.sparkContext._jsc is None:
                self._start()
            local = self.names.sql(statement)
            arguments = {key: self.names.argument(value) if isinstance(value, str) and names_a_table(statement, key)
                         else value for key, value in (parameters or {}).items()}
            frame = self.spark.sql(local, args=arguments)
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
