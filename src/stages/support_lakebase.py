"""Stage `support_lakebase` (task Support_Lakebase_And_App).

Gives the support reports a Lakebase and the Support Console:
- the instance `<catalog>supportmanager` (sanitised, LAKEBASE_CAPACITY), a bounded wait until it is
  AVAILABLE, a database catalog over its Postgres database `caspers_support`, and a continuous synced
  table <catalog>.support.support_agent_reports_sync (key support_request_id) from the stream's
  reports, whose source is created first with the stream's DDL when it is not there yet;
- the warehouse `<catalog>-support-warehouse` (the original shared `<catalog>-warehouse` with stage
  apps: one stage's cleanup then removed the other's);
- the app `support-console-<catalog>` (the original's fixed `supportconsole` collided across
  catalogs) over apps/support_console, whose app.yaml is static: the warehouse, the database, the
  events table and the support agent's endpoint reach it through its resources. The app creates its
  OLTP tables (operator actions, replies, request status, ratings, regenerated reports) idempotently
  when it starts, in the database its resource names;
- grants to the app's service principal (USE_CATALOG, USE_SCHEMA on lakeflow), its Postgres role (the platform's, waited for),
  and a deployment.
"""

from stage_runtime.ensure import ensure_app, ensure_synced_table, ensure_warehouse

DATABASE = "caspers_support"


def run(ctx):
    from caspers import app_stage, naming
    from caspers.agent_stage import warehouse_options
    from caspers.lakebase_resources import provision, synced_table

    catalog = ctx.params["CATALOG"]
    endpoint = ctx.params["SUPPORT_AGENT_ENDPOINT_NAME"]
    instance = naming.support_instance(catalog)
    provision(ctx, instance, ctx.params["LAKEBASE_CAPACITY"], naming.support_catalog(catalog), DATABASE)

    source = f"{catalog}.support.support_agent_reports"
    if ctx.needs_spark(f"create {source} with Change Data Feed if it is not there yet, and its synced table"):
        from jobs.support_delta import ReportSink

        ReportSink(ctx.spark, catalog).ensure()
        ensure_synced_table(ctx, synced_table(f"{source}_sync", instance, DATABASE, source, "support_request_id"))

    warehouse_id = ensure_warehouse(ctx, f"{catalog}-support-warehouse", **warehouse_options())
    app_source = ctx.bundle_path("apps", "support_console")
    name = ensure_app(ctx, support_console(naming.support_console_app(catalog), app_source, warehouse_id, instance,
                                           catalog, endpoint))
    principal = app_stage.principal_of(ctx.workspace, name)
    app_stage.grant_events(ctx, catalog, principal)
    app_stage.platform_role(ctx.workspace, instance, principal)  # the platform made it with the resource
    app_stage.deploy(ctx.workspace, name, app_source)


def support_console(name, source, warehouse_id, instance, catalog, endpoint):
    from databricks.sdk.service import apps

    from caspers import app_stage

    return apps.App(
        name=name, description=f"Casper's Kitchens Support Console for catalog {catalog}",
        default_source_code_path=source,
        resources=[app_stage.warehouse_resource(warehouse_id), app_stage.database_resource(instance, DATABASE),
                   app_stage.table_resource("all-events", f"{catalog}.lakeflow.all_events"),
                   app_stage.endpoint_resource("support-agent", endpoint)])
