"""The local workspace against the platform's rules: each case states a behaviour of Databricks, with
its source, and checks it through the real databricks-sdk. Every route the local workspace answers
has a case (the last test says which have none).

The suite runs against the local workspace, and against a real one when CONFORMANCE_HOST and
CONFORMANCE_TOKEN name it (cases that need the local control API, to inject a fault or a setting, run
locally only). Each case creates what it needs under a unique name and deletes it."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import time
import uuid

import pytest

from local_workspace import LocalWorkspace
from local_workspace.api import ROUTES

CASES: dict[str, tuple[tuple[str, str], ...]] = {}  # case -> (method, sample path) of the routes it covers
REAL = os.environ.get("CONFORMANCE_HOST")


def conforms(*routes: tuple[str, str], source: str, local_only: bool = False):
    """A case of the suite: the routes it exercises, where the behaviour is documented."""
    def register(case):
        CASES[case.__name__] = routes
        case.source, case.local_only = source, local_only
        return case

    return register


@pytest.fixture
def ws(tmp_path):
    """(client, local workspace)."""
    from databricks.sdk import WorkspaceClient

    local = LocalWorkspace().start()
    try:
        yield WorkspaceClient(host=local.url, token="t", auth_type="pat"), local
    finally:
        local.stop()


def _control(local, path: str, body: dict) -> None:
    import urllib.request

    request = urllib.request.Request(local.url + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(request).read()


def _name(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"




# ---- platform ------------------------------------------------------------------------------------
@conforms(("GET", "/.well-known/databricks-config"), ("GET", "/api/2.0/preview/scim/v2/Me"),
          source="SDK: WorkspaceClient() reads the host's configuration; current_user.me() answers the caller")
def me_is_the_caller(w, local):
    assert w.current_user.me().user_name


# ---- jobs ----------------------------------------------------------------------------------------
@conforms(("POST", "/api/2.2/jobs/create"), ("GET", "/api/2.2/jobs/get"), ("POST", "/api/2.2/jobs/delete"),
          source="databricks/cli libs/testserver/jobs.go (JobsCreate decodes jobs.CreateJob into jobs.JobSettings); "
                 "Jobs API 2.2: unknown fields are not stored, a deleted job is 400 INVALID_PARAMETER_VALUE")
def jobs_keep_only_what_the_api_knows(w, local):
    from databricks.sdk.errors import InvalidParameterValue, NotFound

    name = _name("conf-job-")
    job_id = w.api_client.do("POST", "/api/2.2/jobs/create", body={
        "name": name, "max_concurent_runs": 4, "performance_target": "NOT_A_TARGET", "max_concurrent_runs": 2})["job_id"]
    settings = w.api_client.do("GET", "/api/2.2/jobs/get", query={"job_id": job_id})["settings"]
    assert settings["max_concurrent_runs"] == 2 and "max_concurent_runs" not in settings
    assert "performance_target" not in settings
    job = w.jobs.get(job_id)
    assert job.creator_user_name and job.created_time
    w.jobs.delete(job_id)
    with pytest.raises((InvalidParameterValue, NotFound), match="does not exist"):
        w.jobs.get(job_id)


@conforms(("POST", "/api/2.2/jobs/create"),
          source="Jobs API: every task needs exactly one task type (notebook_task, spark_python_task, ...)")
def a_task_needs_a_body(w, local):
    from databricks.sdk.errors import BadRequest
    from databricks.sdk.service import jobs

    with pytest.raises(BadRequest, match="No task defined for only_a_key"):
        w.jobs.create(name=_name("conf-job-"), tasks=[jobs.Task(task_key="only_a_key")])


@conforms(("POST", "/api/2.2/jobs/reset"), ("POST", "/api/2.2/jobs/update"), ("GET", "/api/2.2/jobs/list"),
          source="Jobs API 2.2: reset replaces the settings, update merges them; list pages by `limit`/page_token")
def jobs_reset_update_and_list_in_pages(w, local):
    from databricks.sdk.service import jobs

    name = _name("conf-job-")
    ids = [w.jobs.create(name=name).job_id for _ in range(3)]
    w.jobs.reset(ids[0], new_settings=jobs.JobSettings(name=name, max_concurrent_runs=3))
    w.jobs.update(ids[0], new_settings=jobs.JobSettings(timeout_seconds=60))
    settings = w.jobs.get(ids[0]).settings
    assert (settings.max_concurrent_runs, settings.timeout_seconds) == (3, 60)
    first = w.api_client.do("GET", "/api/2.2/jobs/list", query={"name": name, "limit": 2})
    assert len(first["jobs"]) == 2 and first.get("next_page_token")
    assert sorted(j.job_id for j in w.jobs.list(name=name, limit=2)) == sorted(ids)  # the SDK reads every page
    for job_id in ids:
        w.jobs.delete(job_id)


@conforms(("POST", "/api/2.2/jobs/run-now"), ("GET", "/api/2.2/jobs/runs/get"), ("GET", "/api/2.2/jobs/runs/list"),
          ("POST", "/api/2.2/jobs/runs/submit"), ("POST", "/api/2.2/jobs/runs/cancel"),
          ("POST", "/api/2.2/jobs/runs/delete"),
          source="Jobs API 2.2: run-now answers a run id; runs/get and runs/list show it; submitted runs can be "
                 "canceled and deleted")
def runs_of_a_job(w, local):
    from databricks.sdk.service import jobs

    job_id = w.jobs.create(name=_name("conf-job-")).job_id
    run_id = w.jobs.run_now(job_id).run_id
    assert w.jobs.get_run(run_id).job_id == job_id
    assert run_id in [r.run_id for r in w.jobs.list_runs(job_id=job_id)]
    once = w.jobs.submit(run_name=_name("conf-run-"), tasks=[]).response.run_id
    w.jobs.cancel_run(once)
    w.jobs.delete_run(once)
    w.jobs.delete(job_id)


def _notebook_job(w, folder: str, name: str, source: str, **settings) -> int:
    """A job of one notebook task, the notebook imported into the workspace in source format."""
    from databricks.sdk.service import jobs, workspace

    w.workspace.mkdirs(folder)
    w.workspace.import_(f"{folder}/{name}", content=base64.b64encode(
        ("# Databricks notebook source\n" + source).encode()).decode(), format=workspace.ImportFormat.SOURCE,
        language=workspace.Language.PYTHON, overwrite=True)
    task = jobs.Task(task_key=name, notebook_task=jobs.NotebookTask(notebook_path=f"{folder}/{name}"))
    return w.jobs.create(name=_name("conf-job-"), tasks=[task], **settings).job_id


def _ended(w, run_id: int):
    from datetime import timedelta

    return w.jobs.wait_get_run_job_terminated_or_skipped(run_id, timeout=timedelta(minutes=20))


@conforms(("POST", "/api/2.2/jobs/run-now"), ("GET", "/api/2.2/jobs/runs/get"),
          ("GET", "/api/2.2/jobs/runs/get-output"),
          source="Jobs API 2.2 (SDK docstrings): a run goes PENDING, RUNNING, then TERMINATED with result_state "
                 "SUCCESS or FAILED (RunLifeCycleState, RunResultState); runs/get lists its task runs, each with a "
                 "run id of its own; runs/get-output of a task run gives the notebook's dbutils.notebook.exit value "
                 "(RunOutput.notebook_output) or its error and error_trace; of a multi-task run it is refused")
def a_run_executes_its_notebooks(w, local):
    from databricks.sdk.errors import BadRequest

    folder = f"/Users/{w.current_user.me().user_name}/{_name('conf-nb-')}"
    good = _notebook_job(w, folder, "good", 'print("working")\ndbutils.notebook.exit("done")\n')
    bad = _notebook_job(w, folder, "bad", 'raise ValueError("broken on purpose")\n')
    run = _ended(w, w.jobs.run_now(good).run_id)
    assert (run.state.life_cycle_state.value, run.state.result_state.value) == ("TERMINATED", "SUCCESS")
    assert [t.task_key for t in run.tasks] == ["good"] and run.tasks[0].run_id != run.run_id
    assert w.jobs.get_run_output(run.tasks[0].run_id).notebook_output.result == "done"
    failed = _ended(w, w.jobs.run_now(bad).run_id)
    assert failed.state.result_state.value == "FAILED" and "bad" in failed.state.state_message
    out = w.jobs.get_run_output(failed.tasks[0].run_id)
    assert "broken on purpose" in out.error and "broken on purpose" in out.error_trace
    with pytest.raises(BadRequest):
        w.jobs.get_run_output(failed.run_id)
    for job_id in (good, bad):
        w.jobs.delete(job_id)
    w.workspace.delete(folder, recursive=True)


@conforms(("POST", "/api/2.2/jobs/run-now"), ("POST", "/api/2.2/jobs/runs/cancel"),
          ("POST", "/api/2.2/jobs/runs/cancel-all"), ("GET", "/api/2.2/jobs/runs/list"),
          source="Jobs API 2.2 (SDK docstrings): cancel_run and cancel_all_runs end active runs (TERMINATED, "
                 "CANCELED); with max_concurrent_runs active runs a new run is skipped (JobSettings."
                 "max_concurrent_runs: 'new runs are skipped'; RunLifeCycleState.SKIPPED)")
def runs_are_canceled_and_skipped_beyond_the_limit(w, local):
    folder = f"/Users/{w.current_user.me().user_name}/{_name('conf-nb-')}"
    job_id = _notebook_job(w, folder, "sleeper", "import time\ntime.sleep(900)\n", max_concurrent_runs=1)
    first = w.jobs.run_now(job_id).run_id
    skipped = _ended(w, w.jobs.run_now(job_id).run_id)
    assert skipped.state.life_cycle_state.value == "SKIPPED"
    assert first in [r.run_id for r in w.jobs.list_runs(job_id=job_id, active_only=True)]
    w.jobs.cancel_run(first)
    assert _ended(w, first).state.result_state.value == "CANCELED"
    again = w.jobs.run_now(job_id).run_id
    w.jobs.cancel_all_runs(job_id=job_id)
    assert _ended(w, again).state.result_state.value == "CANCELED"
    w.jobs.delete(job_id)
    w.workspace.delete(folder, recursive=True)


# ---- pipelines -----------------------------------------------------------------------------------
@conforms(("POST", "/api/2.0/pipelines"), ("GET", "/api/2.0/pipelines"), ("GET", "/api/2.0/pipelines/x"),
          ("PUT", "/api/2.0/pipelines/x"), ("DELETE", "/api/2.0/pipelines/x"),
          ("POST", "/api/2.0/pipelines/x/clone"),
          source="Pipelines API: names are unique unless allow_duplicate_names; edits replace the spec; clone")
def pipelines_have_unique_names(w, local):
    from databricks.sdk.errors import ResourceAlreadyExists

    name = _name("conf-pipeline-")
    pipeline_id = w.pipelines.create(name=name, catalog="main", schema="conf", tags={"a": "b"}).pipeline_id
    with pytest.raises(ResourceAlreadyExists):
        w.pipelines.create(name=name, catalog="main", schema="conf")
    w.pipelines.update(pipeline_id, name=name, catalog="main", schema="conf2")
    assert w.pipelines.get(pipeline_id).spec.schema == "conf2"
    assert pipeline_id in [p.pipeline_id for p in w.pipelines.list_pipelines()]
    copy = w.pipelines.clone(pipeline_id=pipeline_id, name=_name("conf-clone-")).pipeline_id
    for one in (pipeline_id, copy):
        w.pipelines.delete(one)


@conforms(("POST", "/api/2.0/pipelines/x/updates"), ("GET", "/api/2.0/pipelines/x/updates/y"),
          source="Pipelines API: an update starts, runs, and completes", local_only=True)
def a_pipeline_update_runs_then_completes(w, local):
    pipeline_id = w.pipelines.create(name=_name("conf-pipeline-"), catalog="main", schema="conf").pipeline_id
    update = w.pipelines.start_update(pipeline_id).update_id
    states = [w.pipelines.get_update(pipeline_id, update).update.state.value for _ in range(2)]
    assert states[-1] == "COMPLETED"


# ---- apps ----------------------------------------------------------------------------------------
def _instance(w, name):
    from databricks.sdk.service.database import DatabaseInstance

    return w.database.create_database_instance(DatabaseInstance(name=name, capacity="CU_1")).result()


@conforms(("POST", "/api/2.0/apps"), ("GET", "/api/2.0/apps/x"), ("GET", "/api/2.0/apps"),
          ("POST", "/api/2.0/apps/x/deployments"), ("GET", "/api/2.0/apps/x/deployments/y"),
          ("DELETE", "/api/2.0/apps/x"),
          source="databricks/cli libs/testserver/apps.go AppsUpsert: a new app gets a service principal and is "
                 "deployed at once; Apps API: a deployment while one is in progress is refused",
          local_only=True)
def a_new_app_is_deployed_and_a_second_deploy_waits(w, local):
    from databricks.sdk.errors import ResourceConflict
    from databricks.sdk.service.apps import App, AppDeployment

    _control(local, "/_fake/config", {"app_deploy_reads": 3})
    name = _name("conf-app-")
    app = w.apps.create(app=App(name=name, default_source_code_path="/Workspace/src")).result()
    assert app.service_principal_client_id and app.pending_deployment is not None
    with pytest.raises(ResourceConflict, match="in progress"):
        w.apps.deploy(app_name=name, app_deployment=AppDeployment(source_code_path="/Workspace/src"))
    for _ in range(3):
        w.apps.get(name)
    assert w.apps.get(name).active_deployment.status.state.value == "SUCCEEDED"
    deployment = w.apps.deploy(app_name=name, app_deployment=AppDeployment(source_code_path="/Workspace/src2"))
    assert deployment.result().status.state.value == "SUCCEEDED"
    assert name in [a.name for a in w.apps.list()]
    w.apps.delete(name)


@conforms(("PATCH", "/api/2.0/apps/x"), ("POST", "/api/2.0/database/instances"),
          ("GET", "/api/2.0/database/instances/x/roles/y"),
          source="Databricks Apps: adding a Lakebase database resource creates a Postgres role for the app's "
                 "service principal, named by its client id")
def a_database_resource_gives_the_app_a_postgres_role(w, local):
    from databricks.sdk.service import apps

    instance, name = _name("conf-pg-"), _name("conf-app-")
    _instance(w, instance)
    app = w.apps.create(app=apps.App(name=name)).result()
    resource = apps.AppResource(name="database", database=apps.AppResourceDatabase(
        instance_name=instance, database_name="databricks_postgres",
        permission=apps.AppResourceDatabaseDatabasePermission.CAN_CONNECT_AND_CREATE))
    w.apps.update(name=name, app=apps.App(name=name, resources=[resource]))
    role = w.database.get_database_instance_role(instance_name=instance, name=app.service_principal_client_id)
    assert role.identity_type.value == "SERVICE_PRINCIPAL"
    w.apps.delete(name)
    w.database.delete_database_instance(instance, purge=True)


# ---- SQL warehouses and statements ---------------------------------------------------------------
@conforms(("POST", "/api/2.0/sql/warehouses"), ("GET", "/api/2.0/sql/warehouses/x"),
          ("GET", "/api/2.0/sql/warehouses"), ("DELETE", "/api/2.0/sql/warehouses/x"),
          source="SQL Warehouses API: create answers the id; the warehouse is listed and deleted by id")
def warehouses(w, local):
    name = _name("conf-wh-")
    warehouse = w.warehouses.create(name=name, cluster_size="2X-Small", max_num_clusters=1).result()
    assert w.warehouses.get(warehouse.id).name == name and warehouse.id in [x.id for x in w.warehouses.list()]
    w.warehouses.delete(warehouse.id)


@conforms(("POST", "/api/2.0/sql/statements"), ("GET", "/api/2.0/sql/statements/x"),
          ("GET", "/api/2.0/sql/statements/x/result/chunks/1"), ("POST", "/api/2.0/sql/statements/x/cancel"),
          source="Statement Execution API: wait_timeout=0s answers PENDING at once; poll GET until SUCCEEDED; "
                 "results beyond the first chunk come from result/chunks/{n}", local_only=True)
def statements_are_asynchronous_and_chunked(w, local):
    from databricks.sdk.service.sql import StatementState

    _control(local, "/_fake/config", {"statement_chunk_rows": 2, "sql": {"catalog": "conf"}})
    warehouse = w.warehouses.create(name=_name("conf-wh-")).result().id
    answer = w.statement_execution.execute_statement("SELECT id FROM range(5)", warehouse, wait_timeout="0s")
    assert answer.status.state == StatementState.PENDING
    states = [w.statement_execution.get_statement(answer.statement_id).status.state for _ in range(2)]
    assert states == [StatementState.RUNNING, StatementState.SUCCEEDED]
    done = w.statement_execution.get_statement(answer.statement_id)
    assert done.manifest.total_row_count == 5 and done.result.next_chunk_index == 1
    rest = w.statement_execution.get_statement_result_chunk_n(answer.statement_id, 1)
    assert rest.data_array == [["2"], ["3"]]
    other = w.statement_execution.execute_statement("SELECT 1", warehouse, wait_timeout="0s")
    w.statement_execution.cancel_execution(other.statement_id)
    assert w.statement_execution.get_statement(other.statement_id).status.state == StatementState.CANCELED


# ---- serving -------------------------------------------------------------------------------------
@conforms(("POST", "/api/2.0/serving-endpoints"), ("GET", "/api/2.0/serving-endpoints/x"),
          ("GET", "/api/2.0/serving-endpoints"), ("PUT", "/api/2.0/serving-endpoints/x/config"),
          ("DELETE", "/api/2.0/serving-endpoints/x"), ("POST", "/api/2.0/serving-endpoints/pt"),
          source="Model Serving API: a new or updated endpoint is NOT_READY until its config is served; an "
                 "update while one is in progress is refused (409); a UC model must exist", local_only=True)
def endpoints_take_time_and_refuse_a_second_update(w, local):
    from databricks.sdk.errors import NotFound, ResourceConflict
    from databricks.sdk.service.serving import EndpointCoreConfigInput, ServedEntityInput

    with pytest.raises(NotFound):
        missing = _name("conf-ep-")
        w.serving_endpoints.create(name=missing, config=EndpointCoreConfigInput(name=missing, served_entities=[
            ServedEntityInput(entity_name="c.s.missing", entity_version="1")]))
    name = _name("conf-ep-")
    endpoint = w.serving_endpoints.create(name=name).response
    assert endpoint.state.ready.value == "NOT_READY"
    with pytest.raises(ResourceConflict):  # its first configuration is still being served
        w.serving_endpoints.update_config(name=name, served_entities=[])
    while w.serving_endpoints.get(name).state.ready.value != "READY":
        pass
    w.serving_endpoints.update_config(name=name, served_entities=[])
    assert name in [e.name for e in w.serving_endpoints.list()]
    w.serving_endpoints.delete(name)


@conforms(("PUT", "/api/2.0/serving-endpoints/x/ai-gateway"), ("PATCH", "/api/2.0/serving-endpoints/x/tags"),
          source="SDK serving_endpoints.put_ai_gateway (answers the gateway as set; inference tables go to a "
                 "catalog and schema that must exist) and serving_endpoints.patch (EndpointTags: the "
                 "endpoint's tags after adding and deleting)")
def endpoint_gateway_and_tags(w, local):
    from databricks.sdk.errors import NotFound
    from databricks.sdk.service.serving import AiGatewayInferenceTableConfig, EndpointTag

    name = _name("conf-ep-")
    w.serving_endpoints.create(name=name)
    catalog = _name("confcat")
    w.catalogs.create(name=catalog)
    tables = AiGatewayInferenceTableConfig(enabled=True, catalog_name=catalog, schema_name="missing")
    with pytest.raises(NotFound):
        w.serving_endpoints.put_ai_gateway(name, inference_table_config=tables)
    w.schemas.create(name="agents", catalog_name=catalog)
    tables.schema_name = "agents"
    gateway = w.serving_endpoints.put_ai_gateway(name, inference_table_config=tables)
    assert gateway.inference_table_config.schema_name == "agents" and gateway.inference_table_config.enabled
    w.serving_endpoints.patch(name, add_tags=[EndpointTag(key="a", value="1"), EndpointTag(key="b", value="2")])
    tags = w.serving_endpoints.patch(name, delete_tags=["a"])
    assert [(t.key, t.value) for t in tags.tags] == [("b", "2")]
    w.serving_endpoints.delete(name)
    w.schemas.delete(f"{catalog}.agents")
    w.catalogs.delete(catalog)


@conforms(("POST", "/serving-endpoints/chat/completions"), ("POST", "/serving-endpoints/responses"),
          ("POST", "/serving-endpoints/x/invocations"), ("GET", "/api/2.1/unity-catalog/models/x/versions/1"),
          source="Model Serving: an unknown endpoint is 404 RESOURCE_DOES_NOT_EXIST; a UC model version "
                 "that does not exist is 404")
def unknown_endpoints_and_versions_are_404(w, local):
    from databricks.sdk.errors import NotFound

    for path in ("/serving-endpoints/chat/completions", "/serving-endpoints/responses",
                 f"/serving-endpoints/{_name('missing')}/invocations"):
        with pytest.raises(NotFound):
            w.api_client.do("POST", path, body={"model": _name("missing"), "messages": [], "input": []})
    with pytest.raises(NotFound):
        w.model_versions.get(f"main.default.{_name('missing')}", 1)


# ---- Unity Catalog -------------------------------------------------------------------------------
@conforms(("POST", "/api/2.1/unity-catalog/catalogs"), ("GET", "/api/2.1/unity-catalog/catalogs/x"),
          ("GET", "/api/2.1/unity-catalog/catalogs"), ("DELETE", "/api/2.1/unity-catalog/catalogs/x"),
          ("POST", "/api/2.1/unity-catalog/schemas"), ("GET", "/api/2.1/unity-catalog/schemas/x"),
          ("GET", "/api/2.1/unity-catalog/schemas"), ("DELETE", "/api/2.1/unity-catalog/schemas/x"),
          ("POST", "/api/2.1/unity-catalog/volumes"), ("GET", "/api/2.1/unity-catalog/volumes/x"),
          ("GET", "/api/2.1/unity-catalog/volumes"), ("DELETE", "/api/2.1/unity-catalog/volumes/x"),
          source="Unity Catalog API: objects report created_by and created_at; a catalog with content is "
                 "dropped only with force")
def unity_catalog_containers(w, local):
    from databricks.sdk.errors import BadRequest
    from databricks.sdk.service.catalog import VolumeType

    name = _name("conf_cat_")
    created = w.catalogs.create(name=name, properties={"uc_state_intent": "t"})
    assert created.created_by and created.created_at and created.properties == {"uc_state_intent": "t"}
    w.schemas.create(name="s", catalog_name=name)
    w.volumes.create(catalog_name=name, schema_name="s", name="v", volume_type=VolumeType.MANAGED)
    assert [s.name for s in w.schemas.list(catalog_name=name) if s.name == "s"] == ["s"]
    assert [v.name for v in w.volumes.list(catalog_name=name, schema_name="s")] == ["v"]
    assert w.volumes.read(f"{name}.s.v").created_by and w.schemas.get(f"{name}.s").created_at
    assert name in [c.name for c in w.catalogs.list()]
    with pytest.raises(BadRequest):
        w.catalogs.delete(name)
    w.volumes.delete(f"{name}.s.v")
    w.schemas.delete(f"{name}.s")
    w.catalogs.delete(name, force=True)


@conforms(("POST", "/api/2.1/unity-catalog/tables"), ("GET", "/api/2.1/unity-catalog/tables/x"),
          ("GET", "/api/2.1/unity-catalog/tables/x/exists"), ("GET", "/api/2.1/unity-catalog/tables"),
          ("DELETE", "/api/2.1/unity-catalog/tables/x"), ("POST", "/api/2.1/unity-catalog/functions"),
          ("GET", "/api/2.1/unity-catalog/functions/x"), ("GET", "/api/2.1/unity-catalog/functions"),
          ("DELETE", "/api/2.1/unity-catalog/functions/x"), ("POST", "/api/2.1/unity-catalog/models"),
          ("GET", "/api/2.1/unity-catalog/models/x"), ("GET", "/api/2.1/unity-catalog/models"),
          ("DELETE", "/api/2.1/unity-catalog/models/x"), ("POST", "/api/2.1/unity-catalog/tables/x/monitor"),
          ("GET", "/api/2.1/unity-catalog/tables/x/monitor"), ("DELETE", "/api/2.1/unity-catalog/tables/x/monitor"),
          source="Unity Catalog API: tables, functions, registered models and monitors live in a schema that "
                 "must exist", local_only=True)
def unity_catalog_leaves(w, local):
    from databricks.sdk.errors import NotFound

    name = _name("conf_cat_")
    w.catalogs.create(name=name)
    with pytest.raises(NotFound):
        w.registered_models.create(catalog_name=name, schema_name="missing", name="m")
    w.schemas.create(name="s", catalog_name=name)
    w.api_client.do("POST", "/api/2.1/unity-catalog/tables", body={"catalog_name": name, "schema_name": "s",
                                                                   "name": "t", "table_type": "MANAGED"})
    assert w.tables.exists(f"{name}.s.t").table_exists and w.tables.get(f"{name}.s.t").created_by
    assert [t.name for t in w.tables.list(catalog_name=name, schema_name="s")] == ["t"]
    w.registered_models.create(catalog_name=name, schema_name="s", name="m")
    assert w.registered_models.get(f"{name}.s.m").full_name == f"{name}.s.m"
    assert [m.full_name for m in w.registered_models.list(catalog_name=name)] == [f"{name}.s.m"]
    w.quality_monitors.create(table_name=f"{name}.s.t", assets_dir="/x", output_schema_name=f"{name}.s")
    assert w.quality_monitors.get(f"{name}.s.t").table_name == f"{name}.s.t"
    w.quality_monitors.delete(f"{name}.s.t")
    function = w.api_client.do("POST", "/api/2.1/unity-catalog/functions", body={"function_info": {
        "name": "f", "catalog_name": name, "schema_name": "s", "routine_definition": "1", "full_data_type": "INT"}})
    assert w.functions.get(function["full_name"]).name == "f"
    assert [f.name for f in w.functions.list(catalog_name=name, schema_name="s")] == ["f"]
    w.functions.delete(function["full_name"])
    w.registered_models.delete(f"{name}.s.m")
    w.tables.delete(f"{name}.s.t")
    w.catalogs.delete(name, force=True)


@conforms(("PATCH", "/api/2.1/unity-catalog/permissions/catalog/x"),
          ("GET", "/api/2.1/unity-catalog/permissions/catalog/x"),
          source="Unity Catalog permissions API: a grant to an unknown principal is refused (\"Could not find "
                 "principal with name ...\"); a privilege must apply to the securable")
def grants_name_known_principals(w, local):
    from databricks.sdk.errors import DatabricksError
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    name = _name("conf_cat_")
    w.catalogs.create(name=name)
    me = w.current_user.me().user_name
    w.grants.update("catalog", name, changes=[PermissionsChange(principal=me, add=[Privilege.USE_CATALOG])])
    assert [a.principal for a in w.grants.get("catalog", name).privilege_assignments] == [me]
    with pytest.raises(DatabricksError, match="Could not find principal with name nobody-"):
        w.grants.update("catalog", name, changes=[PermissionsChange(principal=_name("nobody-"),
                                                                      add=[Privilege.USE_CATALOG])])
    w.catalogs.delete(name, force=True)


# ---- MLflow experiments and the workspace model registry -------------------------------------------
@conforms(("POST", "/api/2.0/mlflow/experiments/create"), ("GET", "/api/2.0/mlflow/experiments/get"),
          ("GET", "/api/2.0/mlflow/experiments/get-by-name"), ("POST", "/api/2.0/mlflow/experiments/search"),
          ("POST", "/api/2.0/mlflow/experiments/delete"), ("POST", "/api/2.0/mlflow/experiments/restore"),
          source="MLflow REST API on Databricks: a deleted experiment keeps its name (create answers "
                 "RESOURCE_ALREADY_EXISTS) until it is restored")
def experiments_are_soft_deleted(w, local):
    from databricks.sdk.errors import ResourceAlreadyExists
    from databricks.sdk.service.ml import ExperimentTag

    name = f"/Shared/{_name('conf-exp-')}"
    eid = w.experiments.create_experiment(name=name, tags=[ExperimentTag(key="k", value="v")]).experiment_id
    assert ("k", "v") in [(t.key, t.value) for t in w.experiments.get_experiment(eid).experiment.tags]
    assert eid in [e.experiment_id for e in w.experiments.search_experiments()]
    w.experiments.delete_experiment(eid)
    with pytest.raises(ResourceAlreadyExists):
        w.experiments.create_experiment(name=name)
    assert w.experiments.get_by_name(name).experiment.lifecycle_stage == "deleted"
    w.experiments.restore_experiment(eid)
    w.experiments.delete_experiment(eid)


@conforms(("POST", "/api/2.0/mlflow/registered-models/create"),
          ("GET", "/api/2.0/mlflow/databricks/registered-models/get"), ("GET", "/api/2.0/mlflow/registered-models/list"),
          ("DELETE", "/api/2.0/mlflow/registered-models/delete"),
          source="Workspace model registry API: names are unique; get answers the Databricks view")
def workspace_models(w, local):
    name = _name("conf-model-")
    w.model_registry.create_model(name)
    assert w.model_registry.get_model(name).registered_model_databricks.name == name
    assert name in [m.name for m in w.model_registry.list_models()]
    w.model_registry.delete_model(name)


# ---- Genie, Agent Bricks -------------------------------------------------------------------------
def _space(table: str) -> str:
    return json.dumps({"version": 2, "data_sources": {"tables": [{"identifier": table}]}})


@conforms(("POST", "/api/2.0/genie/spaces"), ("GET", "/api/2.0/genie/spaces/x"), ("PATCH", "/api/2.0/genie/spaces/x"),
          ("GET", "/api/2.0/genie/spaces"), ("DELETE", "/api/2.0/genie/spaces/x"),
          source="Genie API: a space needs an existing warehouse and a serialized space of version 2 naming "
                 "tables by three-part names; the listing is paged", local_only=True)
def genie_spaces(w, local):
    from databricks.sdk.errors import BadRequest

    warehouse = w.warehouses.create(name=_name("conf-wh-")).result().id
    with pytest.raises(BadRequest):
        w.genie.create_space(warehouse_id=warehouse, serialized_space=_space("not_three_parts"))
    ids = [w.genie.create_space(warehouse_id=warehouse, serialized_space=_space("c.s.t"), title=f"t{i}").space_id
           for i in range(3)]
    w.genie.update_space(ids[0], title="renamed")
    assert w.genie.get_space(ids[0]).title == "renamed"
    page = w.genie.list_spaces(page_size=2)
    assert len(page.spaces) == 2 and page.next_page_token
    for space in ids:
        w.genie.trash_space(space)


@conforms(("POST", "/api/2.1/knowledge-assistants"), ("GET", "/api/2.1/knowledge-assistants/x"),
          ("PATCH", "/api/2.1/knowledge-assistants/x"), ("GET", "/api/2.1/knowledge-assistants"),
          ("DELETE", "/api/2.1/knowledge-assistants/x"), ("POST", "/api/2.1/knowledge-assistants/x/knowledge-sources"),
          ("GET", "/api/2.1/knowledge-assistants/x/knowledge-sources"),
          ("PATCH", "/api/2.1/knowledge-assistants/x/knowledge-sources/y"),
          ("DELETE", "/api/2.1/knowledge-assistants/x/knowledge-sources/y"),
          ("POST", "/api/2.1/knowledge-assistants/x/knowledge-sources:sync"),
          source="Agent Bricks Knowledge Assistants API (SDK 2.1 service): updates name the fields they change "
                 "(update_mask); display names are unique", local_only=True)
def knowledge_assistants(w, local):
    from databricks.sdk.common.types.fieldmask import FieldMask
    from databricks.sdk.errors import ResourceAlreadyExists
    from databricks.sdk.service.knowledgeassistants import FilesSpec, KnowledgeAssistant, KnowledgeSource

    name = _name("conf-ka-")
    assistant = w.knowledge_assistants.create_knowledge_assistant(KnowledgeAssistant(display_name=name, description="d"))
    with pytest.raises(ResourceAlreadyExists):
        w.knowledge_assistants.create_knowledge_assistant(KnowledgeAssistant(display_name=name, description="d"))
    w.knowledge_assistants.update_knowledge_assistant(assistant.name, KnowledgeAssistant(display_name=name,
                                                      description="e"), FieldMask(["description"]))
    assert w.knowledge_assistants.get_knowledge_assistant(assistant.name).description == "e"
    source = w.knowledge_assistants.create_knowledge_source(assistant.name, KnowledgeSource(
        display_name="docs", description="d", source_type="files", files=FilesSpec(path="/Volumes/c/s/v")))
    w.knowledge_assistants.update_knowledge_source(source.name, KnowledgeSource(
        display_name="docs", description="e", source_type="files"), FieldMask(["description"]))
    assert [s.description for s in w.knowledge_assistants.list_knowledge_sources(assistant.name)] == ["e"]
    w.knowledge_assistants.sync_knowledge_sources(assistant.name)
    w.knowledge_assistants.delete_knowledge_source(source.name)
    assert name in [a.display_name for a in w.knowledge_assistants.list_knowledge_assistants()]
    w.knowledge_assistants.delete_knowledge_assistant(assistant.name)


@conforms(("POST", "/api/2.1/supervisor-agents"), ("GET", "/api/2.1/supervisor-agents/x"),
          ("PATCH", "/api/2.1/supervisor-agents/x"), ("GET", "/api/2.1/supervisor-agents"),
          ("DELETE", "/api/2.1/supervisor-agents/x"), ("POST", "/api/2.1/supervisor-agents/x/tools"),
          ("GET", "/api/2.1/supervisor-agents/x/tools"), ("PATCH", "/api/2.1/supervisor-agents/x/tools/y"),
          ("DELETE", "/api/2.1/supervisor-agents/x/tools/y"),
          source="Agent Bricks Supervisor Agents API: only a tool's description can be updated; its type and "
                 "target are fixed (change them by replacing the tool)", local_only=True)
def supervisor_tools_update_only_their_description(w, local):
    from databricks.sdk.common.types.fieldmask import FieldMask
    from databricks.sdk.errors import BadRequest
    from databricks.sdk.service import supervisoragents as sa

    supervisor = w.supervisor_agents.create_supervisor_agent(sa.SupervisorAgent(display_name=_name("conf-sup-"),
                                                                                description="d"))
    w.supervisor_agents.update_supervisor_agent(supervisor.name, sa.SupervisorAgent(display_name="x", description="e"),
                                                FieldMask(["description"]))
    tool = w.supervisor_agents.create_tool(supervisor.name, sa.Tool(tool_type="genie_space", description="d",
                                                                    genie_space=sa.GenieSpace(id="s1")), "genie")
    w.supervisor_agents.update_tool(tool.name, sa.Tool(tool_type="genie_space", description="e"), FieldMask(["description"]))
    with pytest.raises(BadRequest, match="only description"):
        w.supervisor_agents.update_tool(tool.name, sa.Tool(tool_type="genie_space", genie_space=sa.GenieSpace(id="s2")),
                                        FieldMask(["genie_space"]))
    assert [t.description for t in w.supervisor_agents.list_tools(supervisor.name)] == ["e"]
    w.supervisor_agents.delete_tool(tool.name)
    assert supervisor.name in [s.name for s in w.supervisor_agents.list_supervisor_agents()]
    w.supervisor_agents.delete_supervisor_agent(supervisor.name)


@conforms(("POST", "/api/2.0/knowledge-assistants"), ("GET", "/api/2.0/knowledge-assistants/x"),
          ("PUT", "/api/2.0/knowledge-assistants/x"), ("POST", "/api/2.0/multi-agent-supervisors"),
          ("GET", "/api/2.0/multi-agent-supervisors/x"), ("PUT", "/api/2.0/multi-agent-supervisors/x"),
          ("GET", "/api/2.0/tiles"), ("DELETE", "/api/2.0/tiles/x"),
          source="the original demo's raw Agent Bricks tile calls (2.0): the create answer carries no tile id; "
                 "tiles are listed and deleted by id", local_only=True)
def raw_tiles(w, local):
    name = _name("conf-tile-")
    answer = w.api_client.do("POST", "/api/2.0/knowledge-assistants", body={"name": name})
    assert "tile_id" not in answer["knowledge_assistant"]
    tile = next(t for t in w.api_client.do("GET", "/api/2.0/tiles")["tiles"] if t.get("name") == name)["tile_id"]
    w.api_client.do("PUT", f"/api/2.0/knowledge-assistants/{tile}", body={"description": "x"})
    assert w.api_client.do("GET", f"/api/2.0/knowledge-assistants/{tile}")["knowledge_assistant"]["description"] == "x"
    supervisor = w.api_client.do("POST", "/api/2.0/multi-agent-supervisors", body={"name": _name("conf-tile-")})
    assert "tile_id" not in supervisor["multi_agent_supervisor"]
    sup_tile = next(t for t in w.api_client.do("GET", "/api/2.0/tiles")["tiles"]
                    if t.get("tile_type") == "multi_agent_supervisors")["tile_id"]
    w.api_client.do("PUT", f"/api/2.0/multi-agent-supervisors/{sup_tile}", body={"description": "x"})
    assert w.api_client.do("GET", f"/api/2.0/multi-agent-supervisors/{sup_tile}")
    for one in (tile, sup_tile):
        w.api_client.do("DELETE", f"/api/2.0/tiles/{one}")


# ---- workspace files and volumes -----------------------------------------------------------------
@conforms(("POST", "/api/2.0/workspace/import"), ("GET", "/api/2.0/workspace/export"),
          ("GET", "/api/2.0/workspace/get-status"), ("GET", "/api/2.0/workspace/list"),
          ("POST", "/api/2.0/workspace/delete"), ("POST", "/api/2.0/workspace/mkdirs"),
          source="Workspace API: import (base64), export, get-status, list, mkdirs, delete; a missing path is 404")
def workspace_files(w, local):
    from databricks.sdk.errors import NotFound
    from databricks.sdk.service.workspace import ImportFormat

    folder = f"/Users/{w.current_user.me().user_name}/{_name('conf-')}"
    w.workspace.mkdirs(folder)
    w.workspace.import_(f"{folder}/a.py", content=base64.b64encode(b"print(1)").decode(), format=ImportFormat.AUTO,
                        overwrite=True)
    assert base64.b64decode(w.workspace.export(f"{folder}/a.py").content).startswith(b"print(1)")
    assert w.workspace.get_status(f"{folder}/a.py").path == f"{folder}/a.py"
    assert [o.path for o in w.workspace.list(folder)] == [f"{folder}/a.py"]
    w.workspace.delete(folder, recursive=True)
    with pytest.raises(NotFound):
        w.workspace.get_status(f"{folder}/a.py")


@conforms(("PUT", "/api/2.0/fs/files/Volumes/c/s/v/a"), ("GET", "/api/2.0/fs/files/Volumes/c/s/v/a"),
          ("HEAD", "/api/2.0/fs/files/Volumes/c/s/v/a"), ("DELETE", "/api/2.0/fs/files/Volumes/c/s/v/a"),
          ("GET", "/api/2.0/fs/directories/Volumes/c/s/v/"),
          source="Files API: files in a volume are uploaded, read, listed (paged) and deleted")
def volume_files(w, local):
    from databricks.sdk.service.catalog import VolumeType

    catalog = _name("conf_cat_")
    w.catalogs.create(name=catalog)
    w.schemas.create(name="s", catalog_name=catalog)
    w.volumes.create(catalog_name=catalog, schema_name="s", name="v", volume_type=VolumeType.MANAGED)
    path = f"/Volumes/{catalog}/s/v/a.txt"
    w.files.upload(path, io.BytesIO(b"hello"), overwrite=True)
    assert w.files.download(path).contents.read() == b"hello"
    assert w.files.get_metadata(path).content_length == 5
    assert [e.name for e in w.files.list_directory_contents(f"/Volumes/{catalog}/s/v")] == ["a.txt"]
    w.files.delete(path)
    w.catalogs.delete(catalog, force=True)


# ---- Lakebase ------------------------------------------------------------------------------------
@conforms(("GET", "/api/2.0/database/instances/x"), ("DELETE", "/api/2.0/database/instances/x"),
          ("GET", "/api/2.0/database/instances"), ("POST", "/api/2.0/database/catalogs"),
          ("GET", "/api/2.0/database/catalogs/x"), ("DELETE", "/api/2.0/database/catalogs/x"),
          ("POST", "/api/2.0/database/synced_tables"), ("GET", "/api/2.0/database/synced_tables/x"),
          ("DELETE", "/api/2.0/database/synced_tables/x"), ("POST", "/api/2.0/database/instances/x/roles"),
          ("DELETE", "/api/2.0/database/instances/x/roles/y"), ("POST", "/api/2.0/database/tables"),
          ("GET", "/api/2.0/database/tables/x"), ("DELETE", "/api/2.0/database/tables/x"),
          source="Lakebase (database) API: an instance starts, then is AVAILABLE; catalogs and synced tables "
                 "name an existing instance; an instance with catalogs is deleted only with force")
def lakebase(w, local):
    from databricks.sdk.errors import BadRequest
    from databricks.sdk.service import database

    instance = _name("conf-pg-")
    assert _instance(w, instance).state.value == "AVAILABLE"
    assert instance in [i.name for i in w.database.list_database_instances()]
    catalog = _name("conf_pgcat_")
    w.database.create_database_catalog(database.DatabaseCatalog(name=catalog, database_instance_name=instance,
                                                                database_name="caspers", create_database_if_not_exists=True))
    assert w.database.get_database_catalog(catalog).database_instance_name == instance
    role = w.database.create_database_instance_role(instance, database.DatabaseInstanceRole(name="conf-role"))
    assert role.name == "conf-role"
    w.database.delete_database_instance_role(instance_name=instance, name="conf-role")
    with pytest.raises(BadRequest):
        w.database.delete_database_instance(instance)
    w.database.delete_database_catalog(catalog)
    w.database.delete_database_instance(instance, purge=True)


# ---- the rest of the registry's kinds --------------------------------------------------------------
@conforms(("POST", "/api/2.1/clusters/create"), ("GET", "/api/2.1/clusters/get"), ("GET", "/api/2.1/clusters/list"),
          ("POST", "/api/2.1/clusters/permanent-delete"), ("POST", "/api/2.0/secrets/scopes/create"),
          ("GET", "/api/2.0/secrets/scopes/list"), ("POST", "/api/2.0/secrets/scopes/delete"),
          ("POST", "/api/2.0/lakeview/dashboards"), ("GET", "/api/2.0/lakeview/dashboards/x"),
          ("GET", "/api/2.0/lakeview/dashboards"), ("DELETE", "/api/2.0/lakeview/dashboards/x"),
          ("POST", "/api/2.0/vector-search/endpoints"), ("GET", "/api/2.0/vector-search/endpoints/x"),
          ("GET", "/api/2.0/vector-search/endpoints"), ("DELETE", "/api/2.0/vector-search/endpoints/x"),
          ("POST", "/api/2.0/vector-search/indexes"), ("GET", "/api/2.0/vector-search/indexes/x"),
          ("GET", "/api/2.0/vector-search/indexes"), ("DELETE", "/api/2.0/vector-search/indexes/x"),
          ("POST", "/api/2.0/online-tables"), ("GET", "/api/2.0/online-tables/x"), ("DELETE", "/api/2.0/online-tables/x"),
          source="the SDK's create, get, list and delete of each kind uc_state tracks (src/stage_runtime/kinds.py)",
          local_only=True)
def every_kind_is_created_found_and_deleted(w, local):
    from databricks.sdk.service.catalog import OnlineTable
    from databricks.sdk.service.dashboards import Dashboard
    from databricks.sdk.service.vectorsearch import EndpointType, VectorIndexType

    cluster = w.clusters.create(spark_version="16.4.x-scala2.12", cluster_name=_name("conf-")).response.cluster_id
    assert w.clusters.get(cluster).cluster_id == cluster and cluster in [c.cluster_id for c in w.clusters.list()]
    w.clusters.permanent_delete(cluster)
    scope = _name("conf-scope-")
    w.secrets.create_scope(scope=scope)
    assert scope in [s.name for s in w.secrets.list_scopes()]
    w.secrets.delete_scope(scope)
    dashboard = w.lakeview.create(Dashboard(display_name=_name("conf-"))).dashboard_id
    assert w.lakeview.get(dashboard).dashboard_id == dashboard and dashboard in [d.dashboard_id for d in w.lakeview.list()]
    w.lakeview.trash(dashboard)
    endpoint = _name("conf-vs-")
    w.vector_search_endpoints.create_endpoint(name=endpoint, endpoint_type=EndpointType.STANDARD)
    assert w.vector_search_endpoints.get_endpoint(endpoint).name == endpoint
    assert endpoint in [e.name for e in w.vector_search_endpoints.list_endpoints()]
    index = w.vector_search_indexes.create_index(name="c.s.i", endpoint_name=endpoint, primary_key="id",
                                                 index_type=VectorIndexType.DELTA_SYNC).name
    assert w.vector_search_indexes.get_index(index).name == index
    assert index in [i.name for i in w.vector_search_indexes.list_indexes(endpoint_name=endpoint)]
    w.vector_search_indexes.delete_index(index)
    w.vector_search_endpoints.delete_endpoint(endpoint)
    online = w.online_tables.create(OnlineTable(name="c.s.online")).response.name
    assert w.online_tables.get(online).name == online
    w.online_tables.delete(online)


# ---- the suite itself ------------------------------------------------------------------------------
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_platform_rule(case, ws):
    globals()[case](*ws)


# Against a real workspace (CONFORMANCE_HOST and CONFORMANCE_TOKEN set), every case that needs no
# control API runs there too, one test each. Without one these tests do not exist (rather than
# skipped): the local suite above is complete on its own.
if REAL:
    @pytest.mark.parametrize("case", sorted(c for c in CASES if not globals()[c].local_only))
    def test_a_real_workspace_follows_the_same_rule(case):
        from databricks.sdk import WorkspaceClient

        globals()[case](WorkspaceClient(host=REAL, token=os.environ["CONFORMANCE_TOKEN"]), None)


def test_every_route_the_local_workspace_answers_has_a_case():
    """A route the product calls exists here (a missing one answers 501); each must be checked."""
    covered = {(m, p) for routes in CASES.values() for m, p in routes}
    missing = [f"{r.method} {r.pattern.pattern}" for r in ROUTES
               if not any(m == r.method and r.pattern.match(p) for m, p in covered)]
    assert missing == [], "routes without a conformance case: " + "; ".join(missing)


def test_every_case_says_where_the_rule_comes_from():
    assert all(globals()[case].source for case in CASES)
    assert not [c for c in CASES if not re.fullmatch(r"[a-z0-9_]+", c)] and time and base64
