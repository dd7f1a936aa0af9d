"""The three hooks every generated notebook calls: open, run, finish."""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any

from .context import Params, StageContext, read_parameters

BUNDLE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def open_stage(stage: dict, notebook_globals: dict[str, Any]) -> StageContext:
    """Build the context from the notebook's globals (spark, dbutils on Databricks)."""
    dbutils = notebook_globals.get("dbutils")
    spark = notebook_globals.get("spark")
    params = Params(stage["name"], read_parameters(stage, dbutils))
    return StageContext(stage, params, spark=spark, dbutils=dbutils)


def load_stage_module(stage: dict):
    path = os.path.join(BUNDLE_ROOT, *stage["source"].split("/"))
    spec = importlib.util.spec_from_file_location(f"stage_source_{stage['name']}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"stage {stage['name']}: cannot load its source {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run_stage(ctx: StageContext) -> Any:
    module = load_stage_module(ctx.stage)
    return module.run(ctx)


def finish_stage(ctx: StageContext) -> None:
    """Flush registrations and verify nothing created went unregistered (see runtime docs)."""
    closer = getattr(ctx, "close", None)
    if closer is not None:
        closer()
