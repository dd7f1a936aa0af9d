"""What the app stages share (apps, support_lakebase): the app's resources, grants to the app's own
service principal (read from the app, never guessed), its Postgres role on the Lakebase instance,
and a deployment of its source."""

from __future__ import annotations


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
    """USE_CATALOG, and USE_SCHEMA on the pipeline's schema (which exists only once it has run)."""
    grant(ctx.workspace, "catalog", catalog, principal, "USE_CATALOG")
    if not ctx.skip_locally(f"grant USE_SCHEMA on {catalog}.lakeflow to the app",
                            "the pipeline's schema exists only once it has run"):
        grant(ctx.workspace, "schema", f"{catalog}.lakeflow", principal, "USE_SCHEMA")


def postgres_role(principal):
    from databricks.sdk.service.database import (DatabaseInstanceRole, DatabaseInstanceRoleIdentityType,
                                                 DatabaseInstanceRoleMembershipRole)

    return DatabaseInstanceRole(name=principal, identity_type=DatabaseInstanceRoleIdentityType.SERVICE_PRINCIPAL,
                                membership_role=DatabaseInstanceRoleMembershipRole.DATABRICKS_SUPERUSER)


def deploy(w, name, source):
    from databricks.sdk.service.apps import AppDeployment

    w.apps.deploy(app_name=name, app_deployment=AppDeployment(source_code_path=source)).result()
