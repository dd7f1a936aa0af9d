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
- a Postgres role for that service principal on the instance, member of DATABRICKS_SUPERUSER, so it
  can read the synced recommendations and create its refunds schema;
- a deployment of the app's source (an action on the app, not a resource of its own).
"""

from stage_runtime.ensure import ensure_app, ensure_database_role, ensure_warehouse


def run(ctx):
    from caspers import naming

    catalog = ctx.params["CATALOG"]
    w = ctx.workspace
    warehouse_id = ensure_warehouse(ctx, f"{catalog}-warehouse", **warehouse_options())
    instance = naming.lakebase_instance(catalog)
    source = ctx.bundle_path("apps", "refund_manager")
    name = ensure_app(ctx, refund_manager(naming.refund_manager_app(catalog), source, warehouse_id, instance, catalog))

    principal = w.apps.get(name).service_principal_client_id
    if not principal:
        raise RuntimeError(f"app {name} has no service principal yet; run the stage again in a minute")
    grant(w, "catalog", catalog, principal, "USE_CATALOG")
    if not ctx.skip_locally(f"grant USE_SCHEMA on {catalog}.lakeflow to the app",
                            "the pipeline's schema exists only once it has run"):
        grant(w, "schema", f"{catalog}.lakeflow", principal, "USE_SCHEMA")
    ensure_database_role(ctx, instance, postgres_role(principal))
    deploy(w, name, source)


def warehouse_options():
    from databricks.sdk.service.sql import CreateWarehouseRequestWarehouseType

    return {"cluster_size": "2X-Small", "min_num_clusters": 1, "max_num_clusters": 1, "auto_stop_mins": 10,
            "enable_serverless_compute": True, "warehouse_type": CreateWarehouseRequestWarehouseType.PRO}


def refund_manager(name, source, warehouse_id, instance, catalog):
    from databricks.sdk.service import apps

    return apps.App(
        name=name, description=f"Casper's Kitchens Refund Manager for catalog {catalog}",
        default_source_code_path=source,
        resources=[
            apps.AppResource(name="sql-warehouse", sql_warehouse=apps.AppResourceSqlWarehouse(
                id=warehouse_id, permission=apps.AppResourceSqlWarehouseSqlWarehousePermission.CAN_USE)),
            apps.AppResource(name="database", database=apps.AppResourceDatabase(
                instance_name=instance, database_name="caspers",
                permission=apps.AppResourceDatabaseDatabasePermission.CAN_CONNECT_AND_CREATE)),
            apps.AppResource(name="all-events", uc_securable=apps.AppResourceUcSecurable(
                securable_full_name=f"{catalog}.lakeflow.all_events",
                securable_type=apps.AppResourceUcSecurableUcSecurableType.TABLE,
                permission=apps.AppResourceUcSecurableUcSecurablePermission.SELECT)),
        ])


def grant(w, kind, full_name, principal, privilege):
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    w.grants.update(securable_type=kind, full_name=full_name,
                    changes=[PermissionsChange(principal=principal, add=[Privilege(privilege)])])


def postgres_role(principal):
    from databricks.sdk.service.database import (DatabaseInstanceRole, DatabaseInstanceRoleIdentityType,
                                                 DatabaseInstanceRoleMembershipRole)

    return DatabaseInstanceRole(name=principal, identity_type=DatabaseInstanceRoleIdentityType.SERVICE_PRINCIPAL,
                                membership_role=DatabaseInstanceRoleMembershipRole.DATABRICKS_SUPERUSER)


def deploy(w, name, source):
    from databricks.sdk.service.apps import AppDeployment

    w.apps.deploy(app_name=name, app_deployment=AppDeployment(source_code_path=source)).result()
