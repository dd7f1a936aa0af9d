"""The Lakebase resources the Lakebase stages create (lakebase, complaint_lakebase), as SDK objects:
an instance, a database catalog over one of its Postgres databases, and a continuous synced table
whose pipeline keeps its state in the run's own catalog and schema (real names, not placeholders).
The stages themselves are the list of their steps."""

from __future__ import annotations

CAPACITIES = ("CU_1", "CU_2", "CU_4", "CU_8")
INSTANCE_TIMEOUT_S = 900


def database_instance(name, capacity):
    from databricks.sdk.service.database import DatabaseInstance

    if capacity not in CAPACITIES:
        raise ValueError(f"parameter LAKEBASE_CAPACITY must be one of {', '.join(CAPACITIES)}, got {capacity!r}")
    return DatabaseInstance(name=name, capacity=capacity)


def database_catalog(name, instance, database):
    from databricks.sdk.service.database import DatabaseCatalog

    return DatabaseCatalog(name=name, database_instance_name=instance, database_name=database,
                           create_database_if_not_exists=True)


def synced_table(name, instance, database, source, key):
    """A continuous synced table `name` (catalog.schema.table) of `source`, keyed by `key`."""
    from databricks.sdk.service.database import (NewPipelineSpec, SyncedDatabaseTable, SyncedTableSchedulingPolicy,
                                                 SyncedTableSpec)

    catalog, schema, _ = name.split(".")
    return SyncedDatabaseTable(
        name=name, database_instance_name=instance, logical_database_name=database,
        spec=SyncedTableSpec(source_table_full_name=source, primary_key_columns=[key],
                             scheduling_policy=SyncedTableSchedulingPolicy.CONTINUOUS,
                             create_database_objects_if_missing=True,
                             new_pipeline_spec=NewPipelineSpec(storage_catalog=catalog, storage_schema=schema)))


def provision(ctx, instance, capacity, catalog_name, database):
    """The instance (waiting, bounded, until it is AVAILABLE) and the database catalog over it."""
    from stage_runtime.ensure import ensure_database_catalog, ensure_database_instance
    from stage_runtime.waits import wait_for_database_instance

    ensure_database_instance(ctx, database_instance(instance, capacity))
    wait_for_database_instance(ctx.workspace, instance, INSTANCE_TIMEOUT_S,
                               hint="a new instance takes a few minutes to start")
    ensure_database_catalog(ctx, database_catalog(catalog_name, instance, database))
