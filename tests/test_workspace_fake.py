"""The workspace stand-in answers the real databricks-sdk the way the stages and cleanup need."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import ROOT
from .fake_env import add_fault, fake, objects  # noqa: F401  (fixtures)


def test_runs_on_its_own_and_prints_its_url():
    proc = subprocess.Popen([sys.executable, "-m", "local_workspace", "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "/_fake/objects") as response:
            assert response.read() == b"{}"
    finally:
        proc.terminate()
        proc.wait(5)


def test_sdk_round_trip_of_the_resources_stages_create(fake):
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.errors import NotFound
    from databricks.sdk.service import apps, catalog, database, jobs

    w = WorkspaceClient()
    job = w.jobs.create(name="j", tasks=[jobs.Task(task_key="t", notebook_task=jobs.NotebookTask(notebook_path="/x"))])
    assert [j.job_id for j in w.jobs.list(name="j")] == [job.job_id] and list(w.jobs.list(name="other")) == []
    assert w.jobs.run_now(job_id=job.job_id).result().state.life_cycle_state.value == "TERMINATED"
    w.catalogs.create(name="c")
    w.schemas.create(name="s", catalog_name="c")
    w.volumes.create(catalog_name="c", schema_name="s", name="v", volume_type=catalog.VolumeType.MANAGED)
    assert w.warehouses.create(name="wh").result().state.value == "RUNNING"
    assert w.database.create_database_instance(database.DatabaseInstance(name="pg", capacity="CU_1")).result().state.value == "AVAILABLE"
    assert w.apps.create(apps.App(name="app")).result().compute_status.state.value == "ACTIVE"
    w.pipelines.create(name="p", catalog="c", schema="s")
    w.files.upload("/Volumes/c/s/v/a.json", io.BytesIO(b'{"x": 1}'))
    assert [(e.name, e.file_size) for e in w.files.list_directory_contents("/Volumes/c/s/v")] == [("a.json", 8)]
    live = objects(fake)
    assert set(live) == {"jobs", "catalogs", "schemas", "volumes", "warehouses", "database_instances", "apps", "pipelines"}
    w.catalogs.delete("c", force=True)
    with pytest.raises(NotFound):
        w.schemas.get("c.s")


def test_fault_injection_fails_the_chosen_fraction(fake):
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.errors import DatabricksError

    w = WorkspaceClient()
    ids = [w.jobs.create(name=f"j{i}").job_id for i in range(40)]
    add_fault(fake, kind="jobs", op="delete", fraction=0.3, mode="500", seed=7)
    failures = 0
    for job_id in ids:
        try:
            w.jobs.delete(job_id=job_id)
        except DatabricksError:
            failures += 1
    assert 5 <= failures <= 20
    assert len(objects(fake)["jobs"]) == failures


def test_429_is_retried_by_the_sdk_and_timeouts_fail(fake):
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    w = WorkspaceClient(config=Config(retry_timeout_seconds=60))
    add_fault(fake, kind="catalogs", op="create", fraction=0.3, mode="429", seed=1)
    for i in range(3):
        w.catalogs.create(name=f"c{i}")  # the SDK retries 429 until it passes
    assert len(objects(fake)["catalogs"]) == 3
    statuses = [entry["status"] for entry in _log(fake) if entry["op"] == "create"]
    assert 429 in statuses and statuses.count(200) == 3
    add_fault(fake, clear=True)
    add_fault(fake, kind="catalogs", op="get", fraction=1.0, mode="timeout", seconds=2)
    impatient = WorkspaceClient(config=Config(http_timeout_seconds=0.5, retry_timeout_seconds=2))
    started = time.monotonic()
    with pytest.raises(Exception):
        impatient.catalogs.get("c0")
    assert time.monotonic() - started < 15


def _log(server):
    import json

    with urllib.request.urlopen(server.url + "/_fake/log") as response:
        return json.load(response)


def test_lakebase_apps_and_grants_are_checked_as_the_real_api_checks_them(fake):
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.errors import BadRequest, NotFound, ResourceAlreadyExists
    from databricks.sdk.service import apps, catalog, database

    w = WorkspaceClient()
    with pytest.raises(BadRequest, match="lower-case letters, digits"):
        w.database.create_database_instance(database.DatabaseInstance(name="My_Cat", capacity="CU_1"))
    with pytest.raises(BadRequest, match="capacity must be one of CU_1"):
        w.database.create_database_instance(database.DatabaseInstance(name="pg", capacity="CU_3"))
    w.database.create_database_instance(database.DatabaseInstance(name="pg", capacity="CU_1"))
    with pytest.raises(BadRequest, match="is STARTING, not AVAILABLE"):  # the catalog needs a running instance
        w.database.create_database_catalog(database.DatabaseCatalog(name="pgcat", database_instance_name="pg",
                                                                    database_name="caspers"))
    assert w.database.get_database_instance("pg").state.value == "AVAILABLE"  # after a read
    w.database.create_database_catalog(database.DatabaseCatalog(name="pgcat", database_instance_name="pg",
                                                                database_name="caspers",
                                                                create_database_if_not_exists=True))
    with pytest.raises(ResourceAlreadyExists):
        w.database.create_database_catalog(database.DatabaseCatalog(name="pgcat", database_instance_name="pg",
                                                                    database_name="caspers"))

    w.catalogs.create(name="c")
    w.schemas.create(name="recommender", catalog_name="c")
    spec = database.SyncedTableSpec(source_table_full_name="c.recommender.src", primary_key_columns=["order_id"],
                                    scheduling_policy=database.SyncedTableSchedulingPolicy.CONTINUOUS,
                                    new_pipeline_spec=database.NewPipelineSpec(storage_catalog="storage_catalog",
                                                                               storage_schema="storage_schema"))
    synced = database.SyncedDatabaseTable(name="c.recommender.pg", database_instance_name="pg",
                                          logical_database_name="caspers", spec=spec)
    with pytest.raises(NotFound, match="Source table 'c.recommender.src' does not exist"):
        w.database.create_synced_database_table(synced)
    fake.store.put("tables", "c.recommender.src", {"full_name": "c.recommender.src"})  # what the stream's job made
    with pytest.raises(NotFound, match="Storage schema 'storage_catalog.storage_schema'"):  # the original's placeholders
        w.database.create_synced_database_table(synced)
    spec.new_pipeline_spec = database.NewPipelineSpec(storage_catalog="c", storage_schema="recommender")
    created = w.database.create_synced_database_table(synced)
    assert created.unity_catalog_provisioning_state.value == "PROVISIONING"
    assert w.database.get_synced_database_table("c.recommender.pg").unity_catalog_provisioning_state.value == "ACTIVE"

    with pytest.raises(BadRequest, match="2-30 characters"):
        w.apps.create(apps.App(name="Refund_Manager"))
    with pytest.raises(NotFound, match="Warehouse nope does not exist"):
        w.apps.create(apps.App(name="refunds", resources=[apps.AppResource(
            name="sql-warehouse", sql_warehouse=apps.AppResourceSqlWarehouse(
                id="nope", permission=apps.AppResourceSqlWarehouseSqlWarehousePermission.CAN_USE))]))
    app = w.apps.create(apps.App(name="refunds", resources=[apps.AppResource(
        name="database", database=apps.AppResourceDatabase(
            instance_name="pg", database_name="caspers",
            permission=apps.AppResourceDatabaseDatabasePermission.CAN_CONNECT_AND_CREATE))])).result()
    principal = app.service_principal_client_id
    with pytest.raises(BadRequest, match="privilege USE_SCHEMA does not apply to a catalog"):
        w.grants.update(securable_type="catalog", full_name="c", changes=[catalog.PermissionsChange(
            principal=principal, add=[catalog.Privilege.USE_SCHEMA])])
    with pytest.raises(NotFound, match="Schema 'c.lakeflow'"):
        w.grants.update(securable_type="schema", full_name="c.lakeflow", changes=[catalog.PermissionsChange(
            principal=principal, add=[catalog.Privilege.USE_SCHEMA])])
    w.grants.update(securable_type="catalog", full_name="c", changes=[catalog.PermissionsChange(
        principal=principal, add=[catalog.Privilege.USE_CATALOG])])
    assigned = w.grants.get(securable_type="catalog", full_name="c").privilege_assignments
    assert [(a.principal, [p.value for p in a.privileges]) for a in assigned] == [(principal, ["USE_CATALOG"])]
    with pytest.raises(BadRequest, match="has catalogs \\(pgcat\\)"):
        w.database.delete_database_instance("pg")


def test_the_links_commands_print_lead_to_a_page_showing_what_they_name(fake):  # noqa: F811
    """`<host>/` and `<host>/#job/<id>/run/<run>` (what run-local, deploy and hotfix print) in a real
    browser: the page lists the live objects, names written as text, and shows the linked run."""
    from databricks.sdk import WorkspaceClient
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    from .test_refund_app_browser import chromium

    w = WorkspaceClient()
    job = w.jobs.create(name="Replay <b>(cat)</b>").job_id
    run = w.jobs.run_now(job_id=job).run_id
    with urllib.request.urlopen(fake.url + "/") as response:
        assert response.headers["Content-Type"].startswith("text/html")
        page = response.read().decode()
    assert "Replay &lt;b&gt;(cat)&lt;/b&gt;" in page and "<b>(cat)" not in page
    browser = chromium()
    try:
        browser.get(f"{fake.url}/#job/{job}/run/{run}")
        title = WebDriverWait(browser, 30).until(ready.visibility_of_element_located((By.ID, "linked-title")))
        assert title.text == f"Run {run} of job {job}"
        assert f'"job_id": {job}' in browser.find_element(By.ID, "linked-body").text
        browser.get(f"{fake.url}/#job/999999")
        WebDriverWait(browser, 30).until(lambda b: b.find_element(By.ID, "linked-title").text.endswith(
            "not in this workspace"))
    finally:
        browser.quit()
