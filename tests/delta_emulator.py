"""A stand-in for the SparkSession the Delta uc_state talks to on Databricks: it understands exactly
the runtime's constant statements (stage_runtime/state.py, DELTA_*) and keeps the table in memory,
so cleanup and registration can be tested on the workspace path, statement by statement.

Only those statements are accepted; anything else fails the test. The table does not exist until
DELTA_CREATE_TABLE runs: reading it before raises the error Databricks raises.

`catalog_exists` ties it to a workspace (the stand-in): the schema cannot be created in a catalog that
does not exist there (CATALOG_NOT_FOUND), and the table goes when its catalog is dropped. `path`
keeps the table in a JSON file, so processes that run one after another (a killed stage, its rerun,
the cleanup) share it, as they share the Delta table on a workspace."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Callable


class AnalysisException(Exception):
    pass


@dataclass
class EmulatedSpark:
    state_module: object
    rows: dict = field(default_factory=dict)  # (catalog, kind, identity) -> row dict
    schema_exists: bool = False
    table_exists: bool = False
    statements: list = field(default_factory=list)
    _result: list = field(default_factory=list)
    catalog_exists: Callable[[str], bool] | None = None
    tables: dict = field(default_factory=dict)  # tables written with saveAsTable: name -> rows
    catalog: str = ""
    path: str | None = None

    def __post_init__(self):
        if self.path and os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as handle:
                saved = json.load(handle)
            self.rows = {tuple(r["key"]): r["row"] for r in saved["rows"]}
            self.schema_exists, self.table_exists = saved["schema"], saved["table"]

    def sql(self, query: str, args: dict | None = None):
        st, args = self.state_module, dict(args or {})
        self.statements.append(query)
        known = {v: k for k, v in vars(st).items() if k.startswith("DELTA_") and isinstance(v, str)}
        name = known.get(query)
        if name is None:
            raise AssertionError(f"not one of the runtime's statements: {query}")
        if self.catalog_exists is not None and not self.catalog_exists(self.catalog):
            self.rows, self.schema_exists, self.table_exists = {}, False, False  # dropped with its catalog
        getattr(self, "_" + name.lower())(args)
        self._save()
        return self

    # What the free target's stages also ask of Spark: a DataFrame written as a table (the dimension
    # tables). Recorded by name; the table's catalog must exist, as on a workspace.
    def createDataFrame(self, frame):  # noqa: N802 - Spark's name
        return _Frame(self, len(frame))

    def _save(self):
        if self.path:
            with open(self.path, "w", encoding="utf-8") as handle:
                json.dump({"rows": [{"key": list(k), "row": r} for k, r in self.rows.items()],
                           "schema": self.schema_exists, "table": self.table_exists}, handle)

    def collect(self):
        result, self._result = self._result, []
        return result

    def _need_table(self):
        if not self.table_exists:
            raise AnalysisException("[TABLE_OR_VIEW_NOT_FOUND] The table or view `_caspers_state`.`resources` "
                                    "cannot be found.")

    def _delta_create_schema(self, args):
        if self.catalog_exists is not None and not self.catalog_exists(self.catalog):
            raise AnalysisException(f"[CATALOG_NOT_FOUND] The catalog `{self.catalog}` cannot be found.")
        self.schema_exists = True

    def _delta_create_table(self, args):
        assert self.schema_exists, "CREATE TABLE before its schema"
        self.table_exists = True

    def _delta_columns(self, args):
        self._need_table()
        self._result = [(column,) for column in self.state_module.COLUMNS]

    def _delta_add_origin(self, args):
        raise AssertionError("the emulated table has `origin` already")

    def _delta_register(self, args):
        self._need_table()
        key = (args["catalog"], args["kind"], args["identity"])
        row = self.rows.get(key)
        if row is None:
            self.rows[key] = dict(args, last_error="", created_at="t0", updated_at="t0")
            self.rows[key].pop("table")
            return
        row.update({k: v for k, v in args.items() if k not in ("table", "name", "origin")})
        row["name"] = row["name"] if args["name"] == "" else args["name"]
        row["origin"] = "created" if row["origin"] == "created" else args["origin"]
        row["last_error"] = ""

    def _delta_list(self, args):
        self._need_table()
        self._result = [dict(r) for key, r in sorted(self.rows.items())
                        if r["catalog"] == args["catalog"] and (args["kind"] is None or r["kind"] == args["kind"])]

    def _delta_remove(self, args):
        self._need_table()
        self.rows.pop((args["catalog"], args["kind"], args["identity"]), None)

    def _delta_mark_failed(self, args):
        self._need_table()
        row = self.rows.get((args["catalog"], args["kind"], args["identity"]))
        if row:
            row.update(status="delete_failed", last_error=args["error"])


@dataclass
class _Frame:
    spark: EmulatedSpark
    rows: int

    @property
    def write(self):
        return self

    def mode(self, _):
        return self

    def option(self, *_):
        return self

    def saveAsTable(self, name: str):  # noqa: N802 - Spark's name
        catalog = name.split(".", 1)[0].strip("`")
        if self.spark.catalog_exists is not None and not self.spark.catalog_exists(catalog):
            raise AnalysisException(f"[CATALOG_NOT_FOUND] The catalog `{catalog}` cannot be found.")
        self.spark.tables[name] = self.rows
