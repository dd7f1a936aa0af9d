"""The support stages as they run on a workspace (Spark present), against the stand-in: the
generator creates the requests table and its job (catalog-scoped, reset on rerun, SUPPORT_RATE
checked); the agent stage creates the reports table before its history functions (no stub made for
another stage); support_lakebase finds or creates its Lakebase, synced table, warehouse and the
console app with its resources, grants and Postgres role by the app's own principal; reruns create
nothing."""

from __future__ import annotations

import pytest

from .fake_env import fake, objects, runtime  # noqa: F401  (fixtures)
from .test_complaint_stages import _run, prepared  # noqa: F401  (prepared: the catalog and lakeflow schema)
from .test_refund_lakebase import stage as load_stage
from .test_refund_lakebase import workspace_ctx
from .test_runtime import RecordingSpark


class TablesDDL(RecordingSpark):
    """The stand-in's catalog learns the tables the stages' DDL creates."""

    def __init__(self, fake):  # noqa: F811
        super().__init__()
        self.fake = fake

    def sql(self, query, args=None):
        if query.startswith("CREATE TABLE IF NOT EXISTS"):
            name = args["table"].replace("`", "")
            self.fake.store.put("tables", name, {"full_name": name})
        return super().sql(query, args)


def test_the_generator_makes_its_table_and_one_job(prepared, fake, runtime, tmp_path):  # noqa: F811
    from jobs import support_delta

    spark = TablesDDL(fake)
    for _ in range(2):
        _run(runtime, tmp_path, "support_request_generator_stream", {"CATALOG": "My_Cat", "SUPPORT_RATE": "0.18"}, spark)
    assert spark.calls[0][0].startswith(f"CREATE TABLE IF NOT EXISTS IDENTIFIER(:table) ({support_delta.REQUEST_COLUMNS})")
    jobs = [j.settings for j in prepared.jobs.list(expand_tasks=True)]
    assert [j.name for j in jobs] == ["Support Request Generator (My_Cat)"]
    assert jobs[0].tasks[0].notebook_task.base_parameters == {"CATALOG": "My_Cat", "SUPPORT_RATE": "0.18",
                                                              "MAX_ORDERS_PER_RUN": "500"}
    with pytest.raises(ValueError, match="SUPPORT_RATE must be a fraction between 0 and 1 .*got '18%'"):
        _run(runtime, tmp_path, "support_request_generator_stream", {"CATALOG": "My_Cat", "SUPPORT_RATE": "18%"})


def test_the_agent_stage_makes_the_reports_table_before_its_functions(prepared, fake, runtime, tmp_path, monkeypatch):  # noqa: F811
    """Run up to its SQL: the table first, then the four functions of its own names."""
    from jobs import support_delta

    prepared.schemas.create(name="support", catalog_name="My_Cat")
    stage = load_stage("support_request_agent")

    class Stop(Exception):
        pass

    def stop(*args, **kwargs):
        raise Stop()

    monkeypatch.setattr(stage, "delivered_orders", stop)
    spark = TablesDDL(fake)
    ctx = workspace_ctx(runtime, tmp_path, "support_request_agent",
                        {"CATALOG": "My_Cat", "SIMULATOR_SCHEMA": "simulator",
                         "LLM_MODEL": "databricks-meta-llama-3-3-70b-instruct",
                         "SUPPORT_AGENT_ENDPOINT_NAME": "my_cat_support_agent"}, spark)
    with pytest.raises(Stop):
        stage.run(ctx)
    statements = [q for q, _ in spark.calls]
    assert statements[0].startswith(f"CREATE TABLE IF NOT EXISTS IDENTIFIER(:table) ({support_delta.REPORT_COLUMNS})")
    created = [q.split("(")[0].split()[-1] for q in statements if q.startswith("CREATE OR REPLACE FUNCTION")]
    assert created == ["`My_Cat`.`ai`.`support_order_overview`", "`My_Cat`.`ai`.`support_order_timing`",
                       "`My_Cat`.`ai`.`support_user_request_history`", "`My_Cat`.`ai`.`support_user_report_history`"]


def test_support_lakebase_provisions_the_console_and_can_be_rerun(prepared, fake, runtime, tmp_path):  # noqa: F811
    prepared.schemas.create(name="support", catalog_name="My_Cat")
    # the endpoint the agent stage serves (the app's resource must point at one that exists)
    fake.store.put("serving_endpoints", "my_cat_support_agent", {"name": "my_cat_support_agent", "id": "e1"})
    params = {"CATALOG": "My_Cat", "SUPPORT_AGENT_ENDPOINT_NAME": "my_cat_support_agent", "LAKEBASE_CAPACITY": "CU_1"}
    first = _run(runtime, tmp_path, "support_lakebase", params, TablesDDL(fake))
    synced = fake.store.find("synced_tables", "My_Cat.support.support_agent_reports_sync")
    assert synced["database_instance_name"] == "my-catsupportmanager"
    assert synced["spec"]["primary_key_columns"] == ["support_request_id"]
    app = prepared.apps.get("support-console-my-cat")
    resources = {r.name: r for r in app.resources}
    assert sorted(resources) == ["all-events", "database", "sql-warehouse", "support-agent"]
    assert resources["support-agent"].serving_endpoint.name == "my_cat_support_agent"
    assert resources["database"].database.database_name == "caspers_support"
    warehouses = [wh.name for wh in prepared.warehouses.list()]
    assert warehouses == ["My_Cat-support-warehouse"]  # not the Refund Manager's `<catalog>-warehouse`
    principal = app.service_principal_client_id
    role = prepared.database.get_database_instance_role("my-catsupportmanager", principal)
    assert role.identity_type.value == "SERVICE_PRINCIPAL"  # the platform's, made when the resource was attached
    grants = prepared.grants.get(securable_type="catalog", full_name="My_Cat")
    assert any(a.principal == principal and "USE_CATALOG" in [p.value for p in a.privileges]
               for a in grants.privilege_assignments)
    before = objects(fake)
    again = _run(runtime, tmp_path, "support_lakebase", params, TablesDDL(fake))
    assert objects(fake) == before and sorted(again.registered) == sorted(first.registered)
