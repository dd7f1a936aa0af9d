"""Stage `lakebase` (task Lakebase_Reverse_ETL).

Provisions the Refund Manager's Lakebase (managed Postgres): the instance `<catalog>refundmanager`
(sanitised: caspers/naming.py) with LAKEBASE_CAPACITY, a bounded wait until it is AVAILABLE, a database
catalog over its Postgres database `caspers`, and a continuous synced table
<catalog>.recommender.pg_recommendations from refund_recommendations (primary key order_id), whose
pipeline stores its state in the run's own catalog and schema.

The source table is the refund stream job's, written after stage refunder_stream ends. Rather than
race it, this stage creates it when it is not there yet, with the job's own DDL (src/jobs/
refund_delta.py: the schema, Change Data Feed on), so the synced table always has a source.
Locally (no Spark) that table cannot exist, so the synced table is skipped too; `make app-local`
does the sync into a local Postgres instead.
"""

from stage_runtime.ensure import ensure_database_catalog, ensure_database_instance, ensure_synced_table
from stage_runtime.waits import wait_for_database_instance

CAPACITIES = ("CU_1", "CU_2", "CU_4", "CU_8")
DATABASE = "caspers"
INSTANCE_TIMEOUT_S = 900


def run(ctx):
    from caspers import naming

    catalog = ctx.params["CATALOG"]
    capacity = ctx.params["LAKEBASE_CAPACITY"]
    if capacity not in CAPACITIES:
        raise ValueError(f"parameter LAKEBASE_CAPACITY must be one of {', '.join(CAPACITIES)}, got {capacity!r}")

    instance = naming.lakebase_instance(catalog)
    ensure_database_instance(ctx, database_instance(instance, capacity))
    wait_for_database_instance(ctx.workspace, instance, INSTANCE_TIMEOUT_S,
                               hint="a new instance takes a few minutes to start")
    ensure_database_catalog(ctx, database_catalog(naming.database_catalog(catalog), instance))

    source = f"{catalog}.recommender.refund_recommendations"
    if ctx.needs_spark(f"create {source} with Change Data Feed if the stream's job has not yet"):
        from jobs.refund_delta import DeltaSink

        DeltaSink(ctx.spark, catalog).ensure()
    if not ctx.skip_locally(f"create the synced table {catalog}.recommender.pg_recommendations",
                            "its source table exists only where Spark ran"):
        ensure_synced_table(ctx, synced_table(catalog, instance, source))


def database_instance(name, capacity):
    from databricks.sdk.service.database import DatabaseInstance

    return DatabaseInstance(name=name, capacity=capacity)


def database_catalog(name, instance):
    from databricks.sdk.service.database import DatabaseCatalog

    return DatabaseCatalog(name=name, database_instance_name=instance, database_name=DATABASE,
                           create_database_if_not_exists=True)


def synced_table(catalog, instance, source):
    from databricks.sdk.service.database import (NewPipelineSpec, SyncedDatabaseTable, SyncedTableSchedulingPolicy,
                                                 SyncedTableSpec)

    return SyncedDatabaseTable(
        name=f"{catalog}.recommender.pg_recommendations", database_instance_name=instance,
        logical_database_name=DATABASE,
        spec=SyncedTableSpec(source_table_full_name=source, primary_key_columns=["order_id"],
                             scheduling_policy=SyncedTableSchedulingPolicy.CONTINUOUS,
                             create_database_objects_if_missing=True,
                             # the sync pipeline's own state: real names in this catalog, not placeholders
                             new_pipeline_spec=NewPipelineSpec(storage_catalog=catalog, storage_schema="recommender")))
