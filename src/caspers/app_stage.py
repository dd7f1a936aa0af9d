"""What the app stages share (apps, support_lakebase): the app's resources, grants to the app's own
service principal (read from the app, never guessed), its Postgres role on the Lakebase instance
(the platform's: attaching the database resource creates it), and a deployment of its source."""

from __future__ import annotations

APP_WAIT_S = 900  # an app's compute, deployment or role can take minutes on a workspace


def warehouse_resource(warehouse_id):
    from databricks.sdk.service import apps

    return apps.AppResource(name="sql-warehouse", sql_warehouse=apps.AppResourceSqlWarehouse(
        id=warehouse_id, permission=apps.AppResourceSqlWarehouseSqlWarehousePermission.CAN_USE))


def database_resource(instance, database):
    from databricks.sdk.service import apps

    return apps.AppResource(name="database", database=apps.AppResourceDatabase(
        instance_name=instance, database_name=database,
        permission=apps.AppResourceDatabaseDatabasePermission.CAN_CONNECT_AND_CREATE))


def table_resource(name, full_name):
    from databricks.sdk.service import apps

    return apps.AppResource(name=name, uc_securable=apps.AppResourceUcSecurable(
        securable_full_name=full_name, securable_type=apps.AppResourceUcSecurableUcSecurableType.TABLE,
        permission=apps.AppResourceUcSecurableUcSecurablePermission.SELECT))


def endpoint_resource(name, endpoint):
    from databricks.sdk.service import apps

    return apps.AppResource(name=name, serving_endpoint=apps.AppResourceServingEndpoint(
        name=endpoint, permission=apps.AppResourceServingEndpointServingEndpointPermission.CAN_QUERY))


def principal_of(w, name):
    principal = w.apps.get(name).service_principal_client_id
    if not principal:
        raise RuntimeError(f"app {name} has no service principal yet; run the stage again in a minute")
    return principal


def grant(w, kind, full_name, principal, privilege):
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    w.grants.update(securable_type=kind, full_name=full_name,
                    changes=[PermissionsChange(principal=principal, add=[Privilege(privilege)])])


def grant_events(ctx, catalog, principal):
    """USE_CATALOG, and USE_SCHEMA on the pipeline's schema (the lakeflow stage makes it)."""
    grant(ctx.workspace, "catalog", catalog, principal, "USE_CATALOG")
    grant(ctx.workspace, "schema", f"{catalog}.lakeflow", principal, "USE_SCHEMA")


def platform_role(w, instance, principal, timeout_s=APP_WAIT_S):
    """The Postgres role the platform creates for the app's service principal when the app's database
    resource is attached (CONNECT and CREATE on the database: the app makes its own schema). The
    platform owns it: a stage neither creates nor registers it, and it goes with the app."""
    from databricks.sdk.errors import NotFound
    from stage_runtime.waits import wait_until

    def check():
        try:
            return w.database.get_database_instance_role(instance_name=instance, name=principal)
        except NotFound:
            return None

    return wait_until(check, f"the Postgres role of the app's service principal on {instance}", timeout_s, 2.0,
                      hint="the platform creates it when the app's database resource is attached", max_poll_s=15.0)


def deploy(w, name, source, timeout_s=APP_WAIT_S):
    """Deploy the app's source once no deployment is in progress (creating an app starts one, and the
    Apps API refuses a second meanwhile); a conflict that comes anyway is waited out the same way."""
    from databricks.sdk.errors import ResourceConflict
    from databricks.sdk.service.apps import AppDeployment
    from stage_runtime.waits import wait_until

    def idle():
        return w.apps.get(name).pending_deployment is None

    for _ in range(3):
        wait_until(idle, f"the deployment in progress of app {name}", timeout_s, 2.0, max_poll_s=15.0,
                   hint="see the app's deployments under Compute > Apps")
        try:
            return w.apps.deploy(app_name=name, app_deployment=AppDeployment(source_code_path=source)).result()
        except ResourceConflict:
            continue  # another deployment started between our look and our call
    raise RuntimeError(f"app {name}: three deployments in a row were refused as another was in progress; run the "
                       "stage again once the app's deployments settle")
