"""Run a pipeline folder of src/pipelines/ with the open-source Spark Declarative Pipelines runner
(`python -m pyspark.pipelines.cli run --spec`, what `spark-pipelines run` starts), against the
tests' own local Spark.

The runner is a Spark Connect client: `spark-pipelines` would start a JVM of its own, whose
in-memory catalog dies with it. Here the test process's JVM (local_workspace.spark) serves Spark
Connect too, so the test makes the input tables before the run and reads the pipeline's tables
after it in the same catalog, and a test module pays for one JVM, not two.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

RUN_TIMEOUT_S = 600


def connect_url(spark) -> str:
    """Spark Connect served by this process's JVM (started on the first call, on a free port)."""
    jvm = spark.sparkContext._jvm
    service = getattr(jvm.org.apache.spark.sql.connect.service, "SparkConnectService$").__getattr__("MODULE$")
    if not service.started():
        context = spark.sparkContext._jsc.sc()
        context.conf().set("spark.connect.grpc.binding.port", "0")  # two test workers, two servers
        service.start(context)
    return f"sc://localhost:{service.localPort()}"


def run_pipeline(spark, source: Path, work: Path, database: str, configuration: dict[str, str]) -> str:
    """Copy the pipeline folder `source` (as the bundle ships it), run it once into `database` of
    the session catalog, and return the runner's output; a failed run raises with that output."""
    root = work / source.name
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("__pycache__", "README.md"))
    spec = {
        "name": source.name,
        "storage": (work / "storage").as_uri(),  # checkpoints; the runner wants a URI
        "catalog": "spark_catalog",
        "database": database,
        "configuration": {"spark.sql.session.timeZone": "UTC", **configuration},
        "libraries": [{"glob": {"include": "transformations/**"}}],  # as the stages declare it
    }
    (root / "spark-pipeline.yml").write_text(yaml.safe_dump(spec))
    # The sources import the pipeline's logic module: its root folder is on the import path, as
    # root_path puts it on Databricks.
    path = [str(root)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    env = dict(os.environ, SPARK_REMOTE=connect_url(spark), PYTHONPATH=os.pathsep.join(path))
    proc = subprocess.run([sys.executable, "-m", "pyspark.pipelines.cli", "run", "--spec",
                           str(root / "spark-pipeline.yml")], env=env, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S)
    output = proc.stdout + proc.stderr
    if proc.returncode != 0 or "Run is COMPLETED" not in proc.stdout:
        raise AssertionError(f"spark-pipelines run of {source.name} failed ({proc.returncode}):\n{output[-6000:]}")
    return output
