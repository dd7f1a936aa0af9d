"""What the workspace's compute can do, asked of the compute itself (never a setting): the stages
that configure a pipeline choose its readers by the answer. Databricks' compute has Auto Loader and
ai_parse_document; open-source Spark (the local workspace's) answers DATA_SOURCE_NOT_FOUND and
UNRESOLVED_ROUTINE. Without a session to ask, the workspace is taken to be Databricks."""

from __future__ import annotations

from typing import Any


def has_data_source(spark: Any, name: str, **options: str) -> bool:
    if spark is None:
        return True
    try:
        spark.read.format(name).options(**options).load("/nonexistent-probe").schema
    except Exception as err:  # noqa: BLE001 - any other complaint (no such path, no schema) means it is there
        return "DATA_SOURCE_NOT_FOUND" not in str(err)
    return True


def has_function(spark: Any, name: str) -> bool:
    if spark is None:
        return True
    try:
        spark.sql(f"SELECT {name}(NULL)").schema
    except Exception as err:  # noqa: BLE001 - a wrong argument, say, means the function is there
        return "UNRESOLVED_ROUTINE" not in str(err)
    return True
