"""Job runs on the local workspace execute their tasks: a notebook task runs as a process of its own,
its exit value, output and error are readable through the Jobs API, and cancelling, deleting the job,
resetting or stopping the workspace kill it. Driven with the real databricks-sdk."""

from __future__ import annotations

import base64
import json
import os
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.service import jobs

from local_workspace import LocalWorkspace
from local_workspace.schedule import minutes


@pytest.fixture
def ws():
    local = LocalWorkspace().start()
    try:
        yield WorkspaceClient(host=local.url, token="t", auth_type="pat"), local
    finally:
        local.stop()


def notebook(folder: Path, name: str, source: str) -> str:
    """A notebook as `make run-local` references one: an absolute path without `.py`."""
    (folder / f"{name}.py").write_text("# Databricks notebook source\n" + textwrap.dedent(source))
    return str(folder / name)


def job(w, path: str, base_parameters: dict | None = None, **settings) -> int:
    task = jobs.Task(task_key="main", notebook_task=jobs.NotebookTask(notebook_path=path,
                                                                      base_parameters=base_parameters))
    return w.jobs.create(name="runs-test", tasks=[task], **settings).job_id


def finished(w, run_id: int, timeout_s: float = 60) -> jobs.Run:
    return w.jobs.wait_get_run_job_terminated_or_skipped(run_id, timeout=_seconds(timeout_s))


def _seconds(value: float):
    from datetime import timedelta

    return timedelta(seconds=value)


def output(w, run: jobs.Run, key: str = "main") -> jobs.RunOutput:
    task = next(t for t in run.tasks if t.task_key == key)
    return w.jobs.get_run_output(task.run_id)


def wait_for(check, timeout_s: float = 30):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


SLEEPER = """
    import os, pathlib, time
    pathlib.Path(dbutils.widgets.get("PID_FILE")).write_text(str(os.getpid()))
    time.sleep(600)
"""


def started_sleeper(w, tmp_path, name="sleeper", **settings) -> tuple[int, int, int]:
    """(job id, run id, pid) of a run whose task sleeps ten minutes."""
    pid_file = tmp_path / f"{name}.pid"
    job_id = job(w, notebook(tmp_path, name, SLEEPER), {"PID_FILE": str(pid_file)}, **settings)
    run_id = w.jobs.run_now(job_id).run_id
    pid = int(wait_for(lambda: pid_file.exists() and pid_file.read_text()))
    return job_id, run_id, pid


# ---- outcomes ------------------------------------------------------------------------------------
def test_a_notebook_that_succeeds_gives_its_exit_value_and_its_output(ws, tmp_path):
    w, _ = ws
    path = notebook(tmp_path, "ok", """
        # MAGIC %pip install --quiet something  (a comment in the source format)
        # COMMAND ----------
        import os
        print("hello from the task", os.getcwd())
        print("niceness", os.nice(0))
        dbutils.notebook.exit("42")
        print("never printed")
    """)
    run = finished(w, w.jobs.run_now(job(w, path)).run_id)
    assert (run.state.life_cycle_state.value, run.state.result_state.value) == ("TERMINATED", "SUCCESS")
    assert run.tasks[0].state.result_state.value == "SUCCESS" and run.tasks[0].run_id != run.run_id
    out = output(w, run)
    assert out.notebook_output.result == "42"
    assert f"hello from the task {tmp_path}" in out.logs and "never printed" not in out.logs
    assert f"niceness {min(19, os.nice(0) + 5)}" in out.logs  # tasks yield the machine to the workspace
    assert out.error is None


def test_a_notebook_that_raises_fails_the_run_with_its_error(ws, tmp_path):
    w, _ = ws
    path = notebook(tmp_path, "bad", """
        print("about to fail")
        raise ValueError("the data is wrong")
    """)
    run = finished(w, w.jobs.run_now(job(w, path)).run_id)
    assert (run.state.life_cycle_state.value, run.state.result_state.value) == ("TERMINATED", "FAILED")
    assert "main" in run.state.state_message and "ValueError: the data is wrong" in run.state.state_message
    out = output(w, run)
    assert out.error == "ValueError: the data is wrong"
    assert "Traceback" in out.error_trace and "about to fail" in out.logs


def test_the_output_of_a_whole_run_is_refused_as_on_databricks(ws, tmp_path):
    from databricks.sdk.errors import BadRequest

    w, _ = ws
    run = finished(w, w.jobs.run_now(job(w, notebook(tmp_path, "nb", "pass\n"))).run_id)
    with pytest.raises(BadRequest, match="individual task run"):
        w.jobs.get_run_output(run.run_id)


def test_widgets_come_from_base_parameters_notebook_params_and_job_parameters(ws, tmp_path):
    w, _ = ws
    path = notebook(tmp_path, "widgets", """
        import json
        dbutils.widgets.text("D", "from text()")
        dbutils.notebook.exit(json.dumps(dbutils.widgets.getAll(), sort_keys=True))
    """)
    job_id = job(w, path, {"A": "base", "B": "base", "R": "{{job.parameters.C}}!"},
                 parameters=[jobs.JobParameterDefinition(name="C", default="default")])
    first = finished(w, w.jobs.run_now(job_id).run_id)
    assert json.loads(output(w, first).notebook_output.result) == {
        "A": "base", "B": "base", "C": "default", "D": "from text()", "R": "default!"}
    second = finished(w, w.jobs.run_now(job_id, notebook_params={"B": "nb"}, job_parameters={"C": "job"}).run_id)
    assert json.loads(output(w, second).notebook_output.result) == {
        "A": "base", "B": "nb", "C": "job", "D": "from text()", "R": "job!"}


def test_a_missing_widget_fails_as_dbutils_does(ws, tmp_path):
    w, _ = ws
    run = finished(w, w.jobs.run_now(job(w, notebook(tmp_path, "nb", 'dbutils.widgets.get("NOPE")\n'))).run_id)
    assert run.state.result_state.value == "FAILED"
    assert "No input widget named NOPE is defined" in output(w, run).error


def test_tasks_run_in_dependency_order_and_a_failure_stops_the_downstream(ws, tmp_path):
    w, _ = ws
    trail = tmp_path / "trail.txt"
    step = notebook(tmp_path, "step", f"""
        with open({str(trail)!r}, "a") as f:
            f.write(dbutils.widgets.get("NAME"))
        if dbutils.widgets.get("NAME") == "x":
            raise RuntimeError("x fails")
    """)

    def task(key, *after):
        return jobs.Task(task_key=key, depends_on=[jobs.TaskDependency(task_key=a) for a in after] or None,
                         notebook_task=jobs.NotebookTask(notebook_path=step, base_parameters={"NAME": key}))

    ordered = w.jobs.create(name="dag", tasks=[task("c", "b"), task("b", "a"), task("a")]).job_id
    assert finished(w, w.jobs.run_now(ordered).run_id).state.result_state.value == "SUCCESS"
    assert trail.read_text() == "abc"
    trail.unlink()
    broken = w.jobs.create(name="dag", tasks=[task("x"), task("y", "x")]).job_id
    run = finished(w, w.jobs.run_now(broken).run_id)
    states = {t.task_key: t.state.result_state.value for t in run.tasks}
    assert run.state.result_state.value == "FAILED" and states == {"x": "FAILED", "y": "UPSTREAM_FAILED"}
    assert trail.read_text() == "x"


def test_a_deployed_notebook_runs_in_its_folder_with_its_neighbours(ws):
    w, _ = ws
    folder = "/Workspace/Users/tester@example.com/.bundle/t/files/jobs"
    for name, text in (("helper.py", "ANSWER = 'from the neighbour'\n"),
                       ("main.py", "# Databricks notebook source\nimport os, helper\n"
                                   "dbutils.notebook.exit(helper.ANSWER + ' in ' + os.path.basename(os.getcwd()))\n")):
        w.api_client.do("POST", "/api/2.0/workspace/import", body={
            "path": f"{folder}/{name}", "content": base64.b64encode(text.encode()).decode(), "overwrite": True})
    run = finished(w, w.jobs.run_now(job(w, f"{folder}/main")).run_id)
    assert run.state.result_state.value == "SUCCESS", run.state.state_message
    assert output(w, run).notebook_output.result == "from the neighbour in jobs"


def test_a_notebook_that_does_not_exist_fails_clearly(ws):
    w, _ = ws
    run = finished(w, w.jobs.run_now(job(w, "/Users/nobody/missing")).run_id)
    assert run.state.result_state.value == "FAILED" and "Unable to access the notebook" in run.state.state_message


def test_other_task_types_fail_saying_the_local_workspace_does_not_run_them(ws):
    w, _ = ws
    job_id = w.jobs.create(name="py", tasks=[jobs.Task(task_key="py", spark_python_task=jobs.SparkPythonTask(
        python_file="/x.py"))]).job_id
    run = finished(w, w.jobs.run_now(job_id).run_id)
    assert run.state.result_state.value == "FAILED"
    assert "runs only notebook_task and pipeline_task" in run.state.state_message
    assert "spark_python_task" in run.state.state_message


def test_a_pipeline_task_runs_an_update_of_its_pipeline(ws):
    w, local = ws
    pipeline_id = w.pipelines.create(name="p", catalog="main", schema="s").pipeline_id
    job_id = w.jobs.create(name="p", tasks=[jobs.Task(task_key="p", pipeline_task=jobs.PipelineTask(
        pipeline_id=pipeline_id))]).job_id
    assert finished(w, w.jobs.run_now(job_id).run_id).state.result_state.value == "SUCCESS"
    assert w.pipelines.get(pipeline_id).latest_updates[0].state.value == "COMPLETED"
    local.store.config["pipeline_update_fails"] = True
    assert finished(w, w.jobs.run_now(job_id).run_id).state.result_state.value == "FAILED"


def test_a_submitted_run_executes_too(ws, tmp_path):
    w, _ = ws
    path = notebook(tmp_path, "once", 'dbutils.notebook.exit("once")\n')
    run = w.jobs.submit(run_name="one-time", tasks=[jobs.SubmitTask(
        task_key="t", notebook_task=jobs.NotebookTask(notebook_path=path))]).result(timeout=_seconds(60))
    assert run.state.result_state.value == "SUCCESS" and output(w, run, "t").notebook_output.result == "once"
    assert run.run_id in [r.run_id for r in w.jobs.list_runs(run_type=jobs.RunType.SUBMIT_RUN)]
    assert run.run_id not in [r.run_id for r in w.jobs.list_runs(run_type=jobs.RunType.JOB_RUN)]


# ---- ending runs -----------------------------------------------------------------------------------
def test_cancel_kills_a_long_running_task(ws, tmp_path):
    w, _ = ws
    job_id, run_id, pid = started_sleeper(w, tmp_path)
    assert w.jobs.get_run(run_id).state.life_cycle_state.value == "RUNNING"
    w.jobs.cancel_run(run_id)
    run = w.jobs.get_run(run_id)
    assert (run.state.life_cycle_state.value, run.state.result_state.value) == ("TERMINATED", "CANCELED")
    assert wait_for(lambda: gone(pid))


def test_cancel_all_and_deleting_the_job_kill_its_runs(ws, tmp_path):
    w, _ = ws
    job_id, run_id, pid = started_sleeper(w, tmp_path, "a")
    w.jobs.cancel_all_runs(job_id=job_id)
    assert w.jobs.get_run(run_id).state.result_state.value == "CANCELED" and wait_for(lambda: gone(pid))
    job_id, run_id, pid = started_sleeper(w, tmp_path, "b")
    w.jobs.delete(job_id)
    assert w.jobs.get_run(run_id).state.result_state.value == "CANCELED" and wait_for(lambda: gone(pid))


def test_stopping_or_resetting_the_workspace_leaves_nothing_running(tmp_path):
    import urllib.request

    local = LocalWorkspace().start()
    w = WorkspaceClient(host=local.url, token="t", auth_type="pat")
    _, _, first = started_sleeper(w, tmp_path, "first")
    urllib.request.urlopen(urllib.request.Request(local.url + "/_fake/reset", data=b"{}", method="POST")).read()
    assert wait_for(lambda: gone(first))
    _, _, second = started_sleeper(w, tmp_path, "second")
    local.stop()
    assert gone(second) or wait_for(lambda: gone(second))
    assert not local.scratch.exists()


def test_a_run_beyond_max_concurrent_runs_is_skipped(ws, tmp_path):
    w, _ = ws
    job_id, run_id, pid = started_sleeper(w, tmp_path, max_concurrent_runs=1)
    skipped = finished(w, w.jobs.run_now(job_id).run_id)
    assert skipped.state.life_cycle_state.value == "SKIPPED"
    assert "limit of 1 maximum concurrent runs" in skipped.state.state_message
    assert [r.run_id for r in w.jobs.list_runs(job_id=job_id, active_only=True)] == [run_id]
    w.jobs.cancel_run(run_id)
    assert wait_for(lambda: gone(pid))


# ---- volumes ---------------------------------------------------------------------------------------
def test_a_file_a_task_writes_under_the_volumes_root_is_seen_through_the_files_api(ws, tmp_path):
    from databricks.sdk.service.catalog import VolumeType

    w, local = ws
    w.catalogs.create(name="c")
    w.schemas.create(name="s", catalog_name="c")
    w.volumes.create(catalog_name="c", schema_name="s", name="v", volume_type=VolumeType.MANAGED)
    path = notebook(tmp_path, "writer", """
        import os
        root = os.environ["DATABRICKS_VOLUMES_ROOT"]
        os.makedirs(os.path.join(root, "c", "s", "v", "day=1"))
        with open(os.path.join(root, "c", "s", "v", "day=1", "events.json"), "w") as f:
            f.write('{"event": 1}')
    """)
    assert finished(w, w.jobs.run_now(job(w, path)).run_id).state.result_state.value == "SUCCESS"
    assert [(e.name, e.is_directory) for e in w.files.list_directory_contents("/Volumes/c/s/v")] == [("day=1", True)]
    assert w.files.download("/Volumes/c/s/v/day=1/events.json").contents.read() == b'{"event": 1}'
    assert (local.store.volume_files.root / "c" / "s" / "v" / "day=1" / "events.json").is_file()
    w.volumes.delete("c.s.v")
    assert not (local.store.volume_files.root / "c" / "s" / "v").exists()


def test_the_volumes_root_can_be_a_folder_of_ones_choosing(tmp_path):
    local = LocalWorkspace(volumes_root=tmp_path / "vols").start()
    try:
        w = WorkspaceClient(host=local.url, token="t", auth_type="pat")
        import io

        w.files.upload("/Volumes/c/s/v/a.txt", io.BytesIO(b"hi"), overwrite=True)
        assert (tmp_path / "vols" / "c" / "s" / "v" / "a.txt").read_bytes() == b"hi"
    finally:
        local.stop()
    assert (tmp_path / "vols" / "c" / "s" / "v" / "a.txt").exists()  # not the workspace's to remove


# ---- schedules -------------------------------------------------------------------------------------
def test_the_quartz_forms_the_project_writes_are_understood_and_others_refused():
    assert minutes("0 0/10 * * * ?") == {0, 10, 20, 30, 40, 50}
    assert minutes("0 5/15 * * * ?") == {5, 20, 35, 50}
    assert minutes("0 7 * * * ?") == {7}
    assert minutes("0 * * * * ?") == set(range(60))
    for bad in ("0 0 12 * * ?", "30 0/5 * * * ?", "0 0/5 * * MON ?", "0 0/0 * * * ?", "every ten minutes"):
        with pytest.raises(ValueError, match="understands only|a step of"):
            minutes(bad)


def test_schedules_fire_only_when_enabled(ws, tmp_path):
    w, local = ws
    path = notebook(tmp_path, "tick", 'dbutils.notebook.exit("tick")\n')
    task = jobs.Task(task_key="main", notebook_task=jobs.NotebookTask(notebook_path=path))
    job_id = w.jobs.create(name="cron", tasks=[task], schedule=jobs.CronSchedule(
        quartz_cron_expression="0 0/10 * * * ?", timezone_id="UTC", pause_status=jobs.PauseStatus.UNPAUSED)).job_id
    odd = w.jobs.create(name="odd", tasks=[task], schedule=jobs.CronSchedule(
        quartz_cron_expression="0 0 12 ? * MON", timezone_id="UTC")).job_id
    local.scheduler.tick_s = 0.05
    time.sleep(0.3)
    assert list(w.jobs.list_runs(job_id=job_id)) == []  # off by default: nothing fires on its own
    local.scheduler.tick(datetime(2026, 1, 1, 10, 20, 30, tzinfo=timezone.utc))
    local.scheduler.tick(datetime(2026, 1, 1, 10, 20, 45, tzinfo=timezone.utc))  # the same minute: once
    local.scheduler.tick(datetime(2026, 1, 1, 10, 21, 0, tzinfo=timezone.utc))  # not due
    runs = list(w.jobs.list_runs(job_id=job_id))
    assert len(runs) == 1 and runs[0].trigger.value == "PERIODIC"
    assert finished(w, runs[0].run_id).state.result_state.value == "SUCCESS"
    refused = list(w.jobs.list_runs(job_id=odd))
    assert [r.state.life_cycle_state.value for r in refused] == ["INTERNAL_ERROR"]
    assert "understands only" in refused[0].state.state_message


def test_the_run_schedules_setting_starts_the_scheduler(ws, tmp_path):
    import urllib.request

    w, local = ws
    path = notebook(tmp_path, "tick", 'dbutils.notebook.exit("tick")\n')
    job_id = w.jobs.create(name="cron", tasks=[jobs.Task(task_key="main", notebook_task=jobs.NotebookTask(
        notebook_path=path))], schedule=jobs.CronSchedule(quartz_cron_expression="0 * * * * ?",
                                                          timezone_id="UTC")).job_id
    local.scheduler.tick_s = 0.05
    urllib.request.urlopen(urllib.request.Request(local.url + "/_fake/config", data=b'{"run_schedules": true}',
                                                  headers={"Content-Type": "application/json"}, method="POST")).read()
    assert wait_for(lambda: list(w.jobs.list_runs(job_id=job_id)), timeout_s=10)


# ---- the product's replay, run as its job ----------------------------------------------------------
def test_volume_paths_follow_the_volumes_root_where_one_is_given(monkeypatch):
    import sys

    from .conftest import ROOT

    sys.path.insert(0, str(ROOT / "src" / "data" / "canonical"))
    from replay_core import volume_path

    monkeypatch.delenv("DATABRICKS_VOLUMES_ROOT", raising=False)
    assert volume_path("c", "s", "v", "a.json") == "/Volumes/c/s/v/a.json"
    monkeypatch.setenv("DATABRICKS_VOLUMES_ROOT", "/tmp/vols")
    assert volume_path("c", "s", "misc", "_state.json") == "/tmp/vols/c/s/misc/_state.json"


def test_the_replay_job_writes_events_the_stage_sees_through_the_files_api(ws, tmp_path, monkeypatch):
    """The canonical replay notebook, run as the job stage canonical_data creates, writes its event
    files with open() into the events volume; the stage's own wait finds the first through the Files API."""
    import shutil

    from databricks.sdk.service.catalog import VolumeType

    from .conftest import ROOT
    from .dataset import shared_dataset

    monkeypatch.syspath_prepend(str(ROOT / "src"))
    from stage_runtime.waits import wait_for_first_file

    w, _ = ws
    folder = tmp_path / "canonical"
    folder.mkdir()
    for name in ("replay.py", "replay_core.py"):
        shutil.copy(ROOT / "src" / "data" / "canonical" / name, folder / name)
    (folder / "canonical_dataset").symlink_to(shared_dataset())
    w.catalogs.create(name="c")
    w.schemas.create(name="s", catalog_name="c")
    for volume in ("events", "misc"):
        w.volumes.create(catalog_name="c", schema_name="s", name=volume, volume_type=VolumeType.MANAGED)
    job_id = job(w, str(folder / "replay"), {"CATALOG": "c", "SCHEMA": "s", "VOLUME": "events", "START_DAY": "0",
                                             "SPEED_MULTIPLIER": "1.0"})
    run = finished(w, w.jobs.run_now(job_id).run_id, timeout_s=300)
    assert run.state.result_state.value == "SUCCESS", output(w, run).error_trace
    first = wait_for_first_file(w, "/Volumes/c/s/events", 5, poll_s=0.1, say=lambda _: None)
    assert first.startswith("/Volumes/c/s/events/") and w.files.download(first).contents.read()
    assert w.files.download("/Volumes/c/s/misc/_replay_state.json").contents.read().startswith(b"{")


def test_a_module_deleted_from_the_workspace_is_no_longer_importable_by_tasks(ws):
    w, _ = ws
    folder = "/Users/tester@example.com/gone"

    def upload(name, text):
        w.api_client.do("POST", "/api/2.0/workspace/import", body={
            "path": f"{folder}/{name}", "content": base64.b64encode(text.encode()).decode(), "overwrite": True})

    upload("helper.py", "X = 1\n")
    upload("main.py", "# Databricks notebook source\nimport helper\ndbutils.notebook.exit(str(helper.X))\n")
    job_id = job(w, f"{folder}/main")
    assert output(w, finished(w, w.jobs.run_now(job_id).run_id)).notebook_output.result == "1"
    w.workspace.delete(f"{folder}/helper.py")
    run = finished(w, w.jobs.run_now(job_id).run_id)
    assert run.state.result_state.value == "FAILED" and "No module named 'helper'" in run.state.state_message


def test_parameters_that_are_not_a_map_of_values_are_refused(ws, tmp_path):
    from databricks.sdk.errors import BadRequest

    w, _ = ws
    job_id = job(w, notebook(tmp_path, "nb", "pass\n"))
    for body in ({"notebook_params": ["A", "B"]}, {"job_parameters": {"A": {"nested": 1}}}):
        with pytest.raises(BadRequest, match="must be an object of names to values"):
            w.api_client.do("POST", "/api/2.2/jobs/run-now", body={"job_id": job_id, **body})
    assert list(w.jobs.list_runs(job_id=job_id)) == []


def test_a_task_reaches_its_workspace_through_the_sdk_and_its_spark_is_the_workspaces(ws, tmp_path, monkeypatch):
    w, local = ws
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    monkeypatch.setenv("DATABRICKS_HOST", "https://elsewhere.example.com")  # the workspace's own URL wins
    path = notebook(tmp_path, "client", """
        import json, os
        from databricks.sdk import WorkspaceClient
        me = WorkspaceClient().current_user.me().user_name
        one = spark.sql("SELECT 1 AS one").collect()[0].one
        dbutils.notebook.exit(json.dumps([os.environ["DATABRICKS_HOST"], me, os.environ["SPARK_REMOTE"], one]))
    """)
    run = finished(w, w.jobs.run_now(job(w, path)).run_id)
    assert run.state.result_state.value == "SUCCESS", output(w, run).error
    assert json.loads(output(w, run).notebook_output.result) == [local.url, "tester@example.com", local.spark_remote, 1]


def test_a_notebook_run_without_an_engine_fails_at_its_first_use_of_spark(tmp_path, monkeypatch):
    """The task runner alone (as a job task outside a workspace with compute): `spark` is None."""
    import subprocess
    import sys

    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    source = notebook(tmp_path, "sql", 'spark.sql("SELECT 1")\n') + ".py"
    params, result = tmp_path / "params.json", tmp_path / "result.json"
    params.write_text("{}")
    proc = subprocess.run([sys.executable, "-m", "local_workspace.notebook_task", source, str(params), str(result)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**{k: v for k, v in os.environ.items() if k != "SPARK_REMOTE"},
                               "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert proc.returncode == 1
    error = json.loads(result.read_text())["error"]
    assert "spark is None here" in error and "SPARK_REMOTE" in error


def test_the_schedule_speed_runs_the_scheduler_clock_faster_and_passes_every_minute(ws):
    from datetime import timedelta

    _, local = ws
    scheduler = local.scheduler
    start = datetime(2026, 1, 1, 10, 0, 30, tzinfo=timezone.utc)
    assert scheduler.moments(start) == [start]  # speed 1: the wall clock
    local.store.config["schedule_speed"] = 10
    assert scheduler.moments(start) == [start]  # anchored where it was
    later = scheduler.moments(start + timedelta(seconds=30))  # 300 s of the scheduler's clock
    assert later == [datetime(2026, 1, 1, 10, m, 0, tzinfo=timezone.utc) for m in range(1, 6)] + \
        [datetime(2026, 1, 1, 10, 5, 30, tzinfo=timezone.utc)]
