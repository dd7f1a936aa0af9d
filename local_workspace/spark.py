"""One local Spark for the tests of a process, and for the local workspace that serves it. A JVM holds one SparkSession, and its static settings
(the warehouse folder) are those of whoever created it first, so every test and the stand-in's SQL
engine build it here: tables go to a temporary folder (never the working directory), and each user
names its databases with `unique()`, so two tests in one worker never share a table.

The session also serves Spark Connect on a free loopback port (`connect_address()`), the server the
local workspace's proxy passes its clients to (connect_proxy.py); a JVM holds one such server."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import threading
import uuid

WAREHOUSE = tempfile.mkdtemp(prefix="spark-warehouse-")
_STARTING = threading.Lock()


def session(app: str, cores: int = 2):
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the workers of Python UDFs: this interpreter
    # This is the server, never a Spark Connect client: a SPARK_REMOTE in the environment (the URL this
    # workspace gives its clients), or a client made earlier in this process, must not turn it into one.
    # One thread at a time: the first requests of several clients arrive together, and two JVM
    # launches at once leave one of them without a gateway.
    with _STARTING:
        hidden = {name: os.environ.pop(name) for name in ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED")
                  if name in os.environ}
        try:
            return _build(SparkSession.builder, app, cores)
        finally:
            os.environ.update(hidden)


def _build(builder, app: str, cores: int):
    return (builder.master(f"local[{cores}]").appName(app)
            .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false")
            .config("spark.sql.warehouse.dir", WAREHOUSE).config("spark.sql.session.timeZone", "UTC")
            # Clients write tables other sessions read at once (a pipeline's, a job's): no session may
            # keep an old file listing of a table, as Delta on Databricks always reads the latest version.
            .config("spark.sql.filesourceTableRelationCacheSize", "0")
            .config("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin")
            # A client's error is Spark's message (error class, SQL state, query context), not fifty
            # frames of the server's JVM, which a stage's report would otherwise end with.
            .config("spark.sql.connect.serverStacktrace.enabled", "false")
            .config("spark.connect.grpc.binding.address", "127.0.0.1")
            .config("spark.connect.grpc.binding.port", str(_free_port()))
            .getOrCreate())


def connect_address(app: str = "local-workspace") -> str:
    """host:port of this process's Spark Connect server (starting the session if need be)."""
    conf = session(app).sparkContext.getConf()
    return f"{conf.get('spark.connect.grpc.binding.address')}:{conf.get('spark.connect.grpc.binding.port')}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unique(prefix: str = "t") -> str:
    """A database-name prefix no other test uses."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"
