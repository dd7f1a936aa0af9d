"""Stage `apps` (task Databricks_App_Refund_Manager).

Creates (or updates) the Refund Manager Databricks App, `refund-manager-<catalog>` (sanitised, at
most 30 characters: caspers/naming.py), over the bundle's apps/refund_manager folder, and everything it
needs:
- the warehouse `<catalog>-warehouse` it reads order timelines through;
- its resources: that warehouse (CAN_USE), the Lakebase database (CAN_CONNECT_AND_CREATE), and the
  table <catalog>.lakeflow.all_events (SELECT). Its app.yaml is static: the warehouse id and the
  events table reach the app through these resources, nothing is rewritten at run time;
- grants to the app's service principal, by its client id (read from the app, never guessed):
  USE_CATALOG on the catalog, USE_SCHEMA on <catalog>.lakeflow;
- its Postgres role on the instance, which the platform creates when the database resource is
  attached (CONNECT and CREATE: the app makes its refunds schema): waited for, never created here;
- a deployment of the app's source (an action on the app, not a resource of its own).
"""

from stage_runtime.ensure import ensure_app, ensure_warehouse


def run(ctx):
    from caspers import app_stage, naming
    from caspers.agent_stage import warehouse_options

    catalog = ctx.params["CATALOG"]
    warehouse_id = ensure_warehouse(ctx, f"{catalog}-warehouse", **warehouse_options())
    instance = naming.lakebase_instance(catalog)
    source = ctx.bundle_path("apps", "refund_manager")
    name = ensure_app(ctx, refund_manager(naming.refund_manager_app(catalog), source, warehouse_id, instance, catalog))

    principal = app_stage.principal_of(ctx.workspace, name)
    app_stage.grant_events(ctx, catalog, principal)
    app_stage.platform_role(ctx.workspace, instance, principal)  # the platform made it with the resource
    app_stage.deploy(ctx.workspace, name, source)


def refund_manager(name, source, warehouse_id, instance, catalog):
    from databricks.sdk.service import apps

    from caspers import app_stage

    return apps.App(
        name=name, description=f"Casper's Kitchens Refund Manager for catalog {catalog}",
        default_source_code_path=source,
        resources=[app_stage.warehouse_resource(warehouse_id), app_stage.database_resource(instance, "caspers"),
                   app_stage.table_resource("all-events", f"{catalog}.lakeflow.all_events")])
