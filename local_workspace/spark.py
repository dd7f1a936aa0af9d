"""One local Spark for the tests of a process. A JVM holds one SparkSession, and its static settings
(the warehouse folder) are those of whoever created it first, so every test and the stand-in's SQL
engine build it here: tables go to a temporary folder (never the working directory), and each user
names its databases with `unique()`, so two tests in one worker never share a table."""

from __future__ import annotations

import os
import sys
import tempfile
import uuid

WAREHOUSE = tempfile.mkdtemp(prefix="spark-warehouse-")


def session(app: str, cores: int = 2):
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the workers of Python UDFs: this interpreter
    return (SparkSession.builder.master(f"local[{cores}]").appName(app)
            .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false")
            .config("spark.sql.warehouse.dir", WAREHOUSE).config("spark.sql.session.timeZone", "UTC")
            .getOrCreate())


def unique(prefix: str = "t") -> str:
    """A database-name prefix no other test uses."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"
