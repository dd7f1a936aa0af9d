"""The local workspace's compute: Spark Connect clients (stages, job tasks, pipelines) and its SQL
warehouse share one Spark under Unity Catalog's names; pipeline updates run their sources.

Clients run in a subprocess, as stages and job tasks do (and because a Spark Connect client in this
process would turn later sessions of it into clients too)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from .conftest import ROOT
from .dataset import shared_dataset
from local_workspace import LocalWorkspace
from local_workspace.client import client_env
from local_workspace.uc_names import Names, NameError_

sys.path.insert(0, str(ROOT / "src" / "data" / "canonical"))  # replay_core: the replay's file format
sys.path.insert(0, str(ROOT / "src"))  # stage_runtime: the stages' waits

CLIENT = textwrap.dedent("""
    import json, os, sys
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.remote(os.environ["SPARK_REMOTE"]).getOrCreate()
    out = {}
    spark.range(5).withColumnRenamed("id", "order_id").write.mode("overwrite").saveAsTable("caspersdev.lakeflow.orders")
    out["by_identifier"] = spark.sql("SELECT count(*) AS n FROM IDENTIFIER(:t)",
                                     args={"t": "caspersdev.lakeflow.orders"}).collect()[0].n
    spark.sql("CREATE OR REPLACE VIEW `caspersdev`.`ai`.recent AS "
              "SELECT order_id FROM caspersdev.lakeflow.orders WHERE order_id > 2")
    spark.sql("CREATE OR REPLACE FUNCTION caspersdev.ai.times_ten(x BIGINT) RETURNS BIGINT RETURN x * 10")
    out["function_over_view"] = [r[0] for r in spark.sql(
        "SELECT caspersdev.ai.times_ten(order_id) FROM caspersdev.ai.recent ORDER BY 1").collect()]
    out["read_table"] = spark.read.table("caspersdev.lakeflow.orders").count()
    try:
        spark.table("caspersdev.nowhere.orders").count()
        out["missing"] = "found"
    except Exception as err:
        out["missing"] = str(err).split("]")[0] + "]"
    print("RESULT " + json.dumps(out))
""")


@pytest.fixture
def workspace(tmp_path):
    ws = LocalWorkspace(volumes_root=tmp_path / "volumes").start()
    env = client_env(ws.url, str(tmp_path))
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    from databricks.sdk import WorkspaceClient

    client = WorkspaceClient()
    client.catalogs.create("caspersdev")
    for schema in ("lakeflow", "ai", "simulator"):
        client.schemas.create(schema, "caspersdev")
    ws.store.put("warehouses", "wh1", {"id": "wh1", "name": "warehouse"})
    yield ws, client
    for key, value in saved.items():
        os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
    ws.stop()


def _client(ws, script: str) -> dict:
    env = dict(os.environ, SPARK_REMOTE=ws.spark_remote)
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT "):])


def _sql(client, statement: str):
    answer = client.statement_execution.execute_statement(warehouse_id="wh1", statement=statement, wait_timeout="30s")
    return answer.status.state.value, (answer.result.data_array if answer.result else answer.status.error.message)


def test_clients_and_the_warehouse_share_tables_under_unity_catalog_names(workspace):
    ws, client = workspace
    out = _client(ws, CLIENT)
    assert out["by_identifier"] == 5 and out["read_table"] == 5
    assert out["function_over_view"] == [30, 40]
    assert out["missing"].endswith("[TABLE_OR_VIEW_NOT_FOUND]")
    # what a client wrote is a Unity Catalog table, and the warehouse reads it by the same name
    info = client.tables.get("caspersdev.lakeflow.orders")
    assert (info.full_name, info.table_type.value) == ("caspersdev.lakeflow.orders", "MANAGED")
    assert client.tables.get("caspersdev.ai.recent").table_type.value == "VIEW"
    assert _sql(client, "SELECT sum(order_id) FROM caspersdev.lakeflow.orders") == ("SUCCEEDED", [["10"]])
    assert _sql(client, "SELECT caspersdev.ai.times_ten(2)") == ("SUCCEEDED", [["20"]])
    # a catalog deleted through the API takes its tables
    client.catalogs.delete("caspersdev", force=True)
    assert not client.tables.exists("caspersdev.lakeflow.orders").table_exists


def test_only_a_parameter_used_as_a_name_is_rewritten():
    from local_workspace.uc_names import names_a_table

    assert names_a_table("SELECT * FROM IDENTIFIER( :t ) WHERE id = :id", "t")
    assert not names_a_table("SELECT * FROM IDENTIFIER(:t) WHERE id = :id", "id")  # a value, kept as bound
    assert not names_a_table("SELECT * FROM IDENTIFIER(:table_name)", "table")


@pytest.mark.parametrize("text, expected", [
    ("SELECT * FROM caspersdev.lakeflow.all_events", "SELECT * FROM `p_caspersdev__lakeflow`.all_events"),
    ("SELECT * FROM `caspersdev`.`lakeflow`.`all events`", "SELECT * FROM `p_caspersdev__lakeflow`.`all events`"),
    ("CREATE SCHEMA IF NOT EXISTS caspersdev.ai", "CREATE SCHEMA IF NOT EXISTS `p_caspersdev__ai`"),
    ("SELECT * FROM IDENTIFIER('CaspersDev.AI.v')", "SELECT * FROM IDENTIFIER('`p_caspersdev__ai`.v')"),
    ("SELECT * FROM other.lakeflow.all_events", "SELECT * FROM other.lakeflow.all_events"),  # not a catalog here
    ("SELECT t.col FROM lakeflow.t AS t", "SELECT t.col FROM lakeflow.t AS t"),
])
def test_sql_text_names_map_to_local_databases(text, expected):
    assert Names("p", lambda: {"caspersdev"}).sql(text) == expected


def test_names_spark_cannot_hold_are_refused_with_the_reason():
    names = Names("p", lambda: {"caspersdev"})
    assert names.argument("caspersdev.ai.v") == "`p_caspersdev__ai`.`v`"
    assert names.argument("not a name") == "not a name"
    assert names.argument("not a name") == "not a name"
    # `a_`.`s` and `a`.`_s` would both be `p_a___s`, and deleting `a` would take `a_`'s: refused
    for catalog, schema in (("caspers-dev", "ai"), ("caspersdev", "a__b"), ("a_", "s"), ("a", "_s")):
        with pytest.raises(NameError_, match="letters, digits and single underscores"):
            names.database(catalog, schema)


def _events(volumes, days: int = 2) -> int:
    import replay_core as rc

    rows, _ = rc.read_window(str(shared_dataset() / "events.parquet"), rc.EPOCH, rc.EPOCH + days * rc.DAY)
    folder = volumes / "caspersdev" / "simulator" / "events"
    folder.mkdir(parents=True, exist_ok=True)
    records = rc.records(rows, loop=0, shift=0)
    (folder / rc.file_name((0, 60), 0)).write_bytes(rc.to_json_lines(records))
    return len(records)


def _pipeline(client, root: str, configuration: dict):
    from databricks.sdk.service.pipelines import PathPattern, PipelineLibrary

    created = client.pipelines.create(name="Order Items", catalog="caspersdev", schema="lakeflow", root_path=root,
                                      configuration=configuration,
                                      libraries=[PipelineLibrary(glob=PathPattern(include=f"{root}/transformations/**"))])
    update = client.pipelines.start_update(created.pipeline_id)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        state = client.pipelines.get_update(created.pipeline_id, update.update_id).update.state.value
        if state in ("COMPLETED", "FAILED"):
            return state
        time.sleep(1)
    raise AssertionError("the update did not end in 600 s")


def test_a_pipeline_update_runs_its_sources_on_the_workspace_spark(workspace, tmp_path):
    ws, client = workspace
    # the published figures of a two-day replay (issue 28's trial port): 18,528 events -> 4,043 silver rows
    assert _events(tmp_path / "volumes") == 18_528
    state = _pipeline(client, str(ROOT / "src" / "pipelines" / "order_items"),
                      {"EVENTS_PATH": "/Volumes/caspersdev/simulator/events", "EVENTS_FORMAT": "json"})
    assert state == "COMPLETED"
    assert client.tables.get("caspersdev.lakeflow.gold_order_header").table_type.value == "MANAGED"
    assert _sql(client, "SELECT count(*) FROM caspersdev.lakeflow.silver_order_items") == ("SUCCEEDED", [["4043"]])
    assert _sql(client, "SELECT count(*) FROM caspersdev.lakeflow.all_events") == ("SUCCEEDED", [["18528"]])


def test_a_pipeline_whose_source_fails_ends_failed(workspace, tmp_path):
    ws, client = workspace
    root = tmp_path / "broken"
    (root / "transformations").mkdir(parents=True)
    (root / "transformations" / "tables.py").write_text("raise RuntimeError('this source is broken')\n")
    assert _pipeline(client, str(root), {}) == "FAILED"
    pipeline = next(iter(ws.store.objects["pipelines"].values()))
    assert "this source is broken" in next(iter(pipeline["_updates"].values()))["_output"]


def test_a_wait_for_a_file_ends_when_the_run_that_writes_it_fails(workspace, tmp_path):
    from databricks.sdk.service import jobs

    from stage_runtime.waits import RunFailed, wait_for_first_file

    ws, client = workspace
    notebook = tmp_path / "writer.py"
    notebook.write_text("raise RuntimeError('the dataset is unreadable')\n")
    job = client.jobs.create(name="writer", tasks=[jobs.Task(task_key="write", notebook_task=jobs.NotebookTask(
        notebook_path=str(tmp_path / "writer")))])
    run_id = client.jobs.run_now(job_id=job.job_id).run_id
    started = time.monotonic()
    with pytest.raises(RunFailed, match="ended FAILED.*the dataset is unreadable"):
        wait_for_first_file(client, "/Volumes/caspersdev/simulator/events", 120, poll_s=0.5, run_id=run_id,
                            say=lambda text: None)
    assert time.monotonic() - started < 60  # not the whole timeout


def test_a_skipped_run_does_not_end_the_wait_for_a_file():
    """A run-now beyond max_concurrent_runs is SKIPPED while a scheduled run writes: the wait goes on
    (a scripted workspace: the run is SKIPPED, the file appears at the third look)."""
    from types import SimpleNamespace as NS

    from stage_runtime.waits import wait_for_first_file

    looks = []

    def listing(folder):
        looks.append(folder)
        return [NS(path=f"{folder}/events-0.json", is_directory=False, file_size=10)] if len(looks) >= 3 else []

    skipped = NS(state=NS(life_cycle_state=NS(value="SKIPPED"), result_state=None, state_message="limit reached"))
    w = NS(files=NS(list_directory_contents=listing), jobs=NS(get_run=lambda run_id: skipped))
    found = wait_for_first_file(w, "/Volumes/c/s/v", 60, poll_s=0.01, run_id=7, say=lambda text: None)
    assert found == "/Volumes/c/s/v/events-0.json" and len(looks) == 3


PUBLISHER = textwrap.dedent("""
    import json, os, sys
    sys.path.insert(0, os.environ["PROJECT_SRC"])
    import pyarrow as pa
    from pyspark.sql import SparkSession
    from jobs.local_delta import LocalTables
    spark = SparkSession.builder.remote(os.environ["SPARK_REMOTE"]).getOrCreate()
    tables = LocalTables.of(spark)
    name = "caspersdev.lakeflow.scored"
    tables.create(name, pa.schema([("n", pa.int64())]), cdf=True)
    for version in range(1, 10):  # each version holds 100 more rows than the last
        rows = pa.table({"n": pa.array(range(100 * (version - 1), 100 * version), pa.int64())})
        assert tables.insert_new(name, rows, "n") == 100
    kept = sorted(p.name for p in tables.snapshots(name).iterdir() if p.name.startswith("v"))
    print("RESULT " + json.dumps({"count": spark.table(name).count(), "kept": kept}))
""")

READER = textwrap.dedent("""
    import json, os, time
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.remote(os.environ["SPARK_REMOTE"]).getOrCreate()
    seen, errors, deadline = [], [], time.time() + float(os.environ["READ_FOR"])
    while time.time() < deadline:
        try:
            seen.append(spark.sql("SELECT count(*) AS c FROM caspersdev.lakeflow.scored").collect()[0].c)
        except Exception as err:
            errors.append(str(err)[:300])
    print("RESULT " + json.dumps({"seen": seen, "errors": errors}))
""")


def test_a_published_snapshot_is_swapped_whole_while_another_session_reads_it(workspace, monkeypatch):
    """Delta's promise to a reader, which the local snapshots keep: a query sees one whole version,
    never a missing table or a half-written one, while the streams publish new versions."""
    ws, _ = workspace
    monkeypatch.setenv("PROJECT_SRC", str(ROOT / "src"))
    first = _client(ws, PUBLISHER.replace("range(1, 10)", "range(1, 2)"))  # the table exists before reading
    assert first["count"] == 100
    env = dict(os.environ, SPARK_REMOTE=ws.spark_remote, READ_FOR="25")
    reader = subprocess.Popen([sys.executable, "-c", READER], env=env, stdout=subprocess.PIPE, text=True)
    time.sleep(3)  # the reader is querying
    written = _client(ws, PUBLISHER.replace("range(1, 10)", "range(2, 10)"))
    out, _ = reader.communicate(timeout=120)
    read = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[len("RESULT "):])
    assert read["errors"] == [] and read["seen"], read["errors"][:3]
    assert set(read["seen"]) <= {100 * k for k in range(1, 10)}  # whole versions only
    assert read["seen"] == sorted(read["seen"])  # never an older version after a newer one
    assert written["count"] == 900 and len(written["kept"]) == 3  # the last three versions' folders


EMPTY_TABLE_CLIENT = textwrap.dedent("""
    import json, os, sys
    sys.path.insert(0, os.environ["PROJECT_SRC"])
    import pyarrow as pa
    from pyspark.sql import SparkSession
    from jobs.local_delta import LocalTables
    spark = SparkSession.builder.remote(os.environ["SPARK_REMOTE"]).getOrCreate()
    tables = LocalTables.of(spark)
    name = "caspersdev.lakeflow.fresh"
    tables.create(name, pa.schema([("order_id", pa.string()), ("total", pa.float64())]), cdf=True)
    bound = tables.bind(spark, {"table": name, "cap": 5})
    found = spark.sql("SELECT * FROM IDENTIFIER(:table) LIMIT :cap", args=bound)
    print("RESULT " + json.dumps({"rows": found.count(), "columns": found.columns, "cap": bound["cap"]}))
""")


def test_a_query_over_a_local_delta_table_with_no_rows_yet_sees_its_columns(workspace, monkeypatch):
    # A stream's first scheduled run meets its sink with no rows: a Spark Connect client cannot infer a
    # schema from no rows, so the view must carry the table's own (the demo's streams failed on it).
    monkeypatch.setenv("PROJECT_SRC", str(ROOT / "src"))
    ws, _ = workspace
    assert _client(ws, EMPTY_TABLE_CLIENT) == {"rows": 0, "columns": ["order_id", "total"], "cap": 5}
