"""Stages `lakebase` and `apps` as they run on a workspace (Spark present, not a local run), against
the stand-in: the source table created with the job's DDL before the synced table, real storage
names, everything registered, reruns creating nothing; the app's resources, grants and the Postgres role
the platform gives it
by the app's own service principal; names sanitised from the catalog; a static app.yaml."""

from __future__ import annotations

import importlib.util

import pytest

from .conftest import ROOT
from .fake_env import configure, fake, objects, runtime  # noqa: F401  (fixtures)
from .test_runtime import RecordingSpark


def stage(name: str):
    spec = importlib.util.spec_from_file_location(f"stage_{name}_under_test", ROOT / "src" / "stages" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def workspace_ctx(runtime, tmp_path, name, params, spark):  # noqa: F811
    from stage_runtime.context import Params, StageContext
    from stage_runtime.state import SqliteState

    db = tmp_path / "state.sqlite"
    return StageContext({"name": name, "parameters": list(params), "state": {"catalog_parameter": "CATALOG"}},
                        Params(name, params), catalog=params["CATALOG"], target="default", run_id="run-1",
                        spark=spark, dbutils=object(), state_factory=lambda: SqliteState(str(db)))


@pytest.fixture
def prepared(runtime, fake, monkeypatch):  # noqa: F811
    """What the earlier stages left: the catalog, its recommender schema (refunder_stream)."""
    from databricks.sdk import WorkspaceClient

    monkeypatch.syspath_prepend(str(ROOT / "src"))
    w = WorkspaceClient()
    w.catalogs.create(name="My_Cat")
    w.schemas.create(name="recommender", catalog_name="My_Cat")
    w.schemas.create(name="lakeflow", catalog_name="My_Cat")
    return w


def test_lakebase_creates_the_source_then_the_synced_table_and_a_rerun_creates_nothing(prepared, fake, runtime,  # noqa: F811
                                                                                      tmp_path):
    from jobs import delta_io, refund_delta

    lakebase = stage("lakebase")

    class TheJobsDDL(RecordingSpark):  # the stand-in's catalog learns the table the DDL creates
        def sql(self, query, args=None):
            if query.startswith("CREATE TABLE IF NOT EXISTS"):
                fake.store.put("tables", "My_Cat.recommender.refund_recommendations", {"full_name": "x"})
            return super().sql(query, args)

    spark = TheJobsDDL()
    ctx = workspace_ctx(runtime, tmp_path, "lakebase", {"CATALOG": "My_Cat", "LAKEBASE_CAPACITY": "CU_2"}, spark)
    lakebase.run(ctx)
    ctx.close()
    create, cdf_on, total = [q for q, _ in spark.calls]
    assert create == (f"CREATE TABLE IF NOT EXISTS IDENTIFIER(:table) ({refund_delta.COLUMNS}) USING DELTA "
                      "TBLPROPERTIES (delta.enableChangeDataFeed = true)") and cdf_on == delta_io.CDF_ON
    assert total == "ALTER TABLE IDENTIFIER(:table) ADD COLUMNS (order_total_usd DOUBLE)"  # an older table's
    assert spark.calls[0][1] == {"table": "`My_Cat`.`recommender`.`refund_recommendations`"}
    synced = fake.store.find("synced_tables", "My_Cat.recommender.pg_recommendations")
    assert synced["database_instance_name"] == "my-catrefundmanager"
    assert synced["spec"]["new_pipeline_spec"] == {"storage_catalog": "My_Cat", "storage_schema": "recommender"}
    assert synced["spec"]["primary_key_columns"] == ["order_id"] and synced["spec"]["scheduling_policy"] == "CONTINUOUS"
    assert fake.store.find("database_instances", "my-catrefundmanager")["capacity"] == "CU_2"
    registered = sorted(ctx.registered)
    assert registered == [("database_catalogs", "my_catrefundmanager"), ("database_instances", "my-catrefundmanager"),
                          ("synced_tables", "My_Cat.recommender.pg_recommendations")]

    before = objects(fake)
    again = workspace_ctx(runtime, tmp_path, "lakebase", {"CATALOG": "My_Cat", "LAKEBASE_CAPACITY": "CU_2"},
                          TheJobsDDL())
    lakebase.run(again)
    again.close()
    assert objects(fake) == before and sorted(again.registered) == registered
    rows = again.state.list()
    assert len(rows) == 3 and {r.origin for r in rows} == {"created"}  # the rerun found them, as its own


def test_lakebase_says_what_is_wrong_with_its_capacity(prepared, runtime, tmp_path):  # noqa: F811
    ctx = workspace_ctx(runtime, tmp_path, "lakebase", {"CATALOG": "My_Cat", "LAKEBASE_CAPACITY": "huge"},
                        RecordingSpark())
    with pytest.raises(ValueError, match="LAKEBASE_CAPACITY must be one of CU_1, CU_2, CU_4, CU_8, got 'huge'"):
        stage("lakebase").run(ctx)


def test_apps_binds_the_app_to_its_resources_and_its_own_principal(prepared, fake, runtime, tmp_path):  # noqa: F811
    from databricks.sdk.service.database import DatabaseInstance

    prepared.database.create_database_instance(DatabaseInstance(name="my-catrefundmanager", capacity="CU_1"))
    prepared.database.get_database_instance("my-catrefundmanager")  # AVAILABLE
    apps = stage("apps")
    ctx = workspace_ctx(runtime, tmp_path, "apps", {"CATALOG": "My_Cat"}, RecordingSpark())
    apps.run(ctx)
    ctx.close()
    app = fake.store.find("apps", "refund-manager-my-cat")
    assert app["default_source_code_path"].endswith("/apps/refund_manager")
    resources = {r["name"]: {k: v for k, v in r.items() if k != "name"} for r in app["resources"]}
    warehouse = next(w for w in fake.store.all("warehouses") if w["name"] == "My_Cat-warehouse")
    assert resources == {
        "sql-warehouse": {"sql_warehouse": {"id": warehouse["id"], "permission": "CAN_USE"}},
        "database": {"database": {"instance_name": "my-catrefundmanager", "database_name": "caspers",
                                  "permission": "CAN_CONNECT_AND_CREATE"}},
        "all-events": {"uc_securable": {"securable_full_name": "My_Cat.lakeflow.all_events", "securable_type": "TABLE",
                                        "permission": "SELECT"}}}
    principal = app["service_principal_client_id"]
    grants = fake.store.objects["_grants"]
    assert grants == {"catalog/My_Cat": {principal: ["USE_CATALOG"]}, "schema/My_Cat.lakeflow": {principal: ["USE_SCHEMA"]}}
    role = fake.store.find("database_roles", f"my-catrefundmanager/{principal}")  # the platform made it
    assert role["identity_type"] == "SERVICE_PRINCIPAL" and role.get("_platform")
    assert app["active_deployment"]["source_code_path"] == app["default_source_code_path"]
    assert sorted(k for k, _ in ctx.registered) == ["apps", "warehouses"]  # the role is the platform's

    before = objects(fake)
    again = workspace_ctx(runtime, tmp_path, "apps", {"CATALOG": "My_Cat"}, RecordingSpark())
    apps.run(again)
    again.close()
    assert objects(fake) == before and len(again.state.list()) == 2  # updated and deployed again, nothing new


def test_names_are_derived_from_the_catalog_and_sanitised():
    import sys

    sys.path.insert(0, str(ROOT / "src"))
    from caspers import naming

    assert naming.lakebase_instance("caspersdev") == "caspersdevrefundmanager"  # the original's name
    assert naming.refund_manager_app("caspersdev") == "refund-manager-caspersdev"
    assert (naming.lakebase_instance("My_Cat"), naming.database_catalog("My_Cat")) == ("my-catrefundmanager",
                                                                                      "my_catrefundmanager")
    long_a, long_b = "a" * 70 + "x", "a" * 70 + "y"
    assert len(naming.lakebase_instance(long_a)) == 63 and naming.lakebase_instance(long_a) != naming.lakebase_instance(long_b)
    assert len(naming.refund_manager_app(long_a)) == 30 and naming.refund_manager_app(long_a) != naming.refund_manager_app(long_b)
    for catalog in ("x", "9lives", "Ünïcode_Cat", "a--b__c", "-x-"):
        app = naming.refund_manager_app(catalog)
        assert app[0].isalpha() and set(app) <= set("abcdefghijklmnopqrstuvwxyz0123456789-") and "--" not in app


@pytest.mark.parametrize("app, stage_file, env", [
    ("refund_manager", "apps.py", {"DATABRICKS_WAREHOUSE_ID": "sql-warehouse", "EVENTS_TABLE": "all-events"}),
    ("support_console", "support_lakebase.py", {"DATABRICKS_WAREHOUSE_ID": "sql-warehouse",
                                                "EVENTS_TABLE": "all-events", "SUPPORT_AGENT_ENDPOINT_NAME": "support-agent"}),
])
def test_the_apps_yaml_is_static_and_takes_its_values_from_resources(app, stage_file, env):
    import yaml

    app_yaml = yaml.safe_load((ROOT / "src" / "apps" / app / "app.yaml").read_text())
    assert app_yaml["command"] == ["uvicorn", f"{app}.app:app"]
    assert {e["name"]: e["valueFrom"] for e in app_yaml["env"]} == env
    source = (ROOT / "src" / "stages" / stage_file).read_text() + (ROOT / "src" / "caspers" / "app_stage.py").read_text()
    for name in {*env.values(), "database"}:  # every valueFrom names a resource the stage declares
        assert f'name="{name}"' in source or f'"{name}"' in source, name
    pins = dict(line.split("==") for line in (ROOT / "src" / "apps" / app / "requirements.txt")
                .read_text().split() if "==" in line)
    locks = {}
    for lock in ("requirements.lock", "requirements-agents.lock", "requirements-apps.lock"):
        locks.update(dict(line.split("==") for line in (ROOT / lock).read_text().splitlines()
                          if "==" in line and not line.startswith("#")))
    for name, version in pins.items():
        assert locks.get(name.split("[")[0]) == version, name
