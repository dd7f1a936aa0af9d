"""Stage `lakebase` (task Lakebase_Reverse_ETL).

Provisions the Refund Manager's Lakebase (managed Postgres): the instance `<catalog>refundmanager`
(sanitised: caspers/naming.py) with LAKEBASE_CAPACITY, a bounded wait until it is AVAILABLE, a database
catalog over its Postgres database `caspers`, and a continuous synced table
<catalog>.recommender.pg_recommendations from refund_recommendations (primary key order_id), whose
pipeline stores its state in the run's own catalog and schema (caspers/lakebase_resources.py).

The source table is the refund stream job's, written after stage refunder_stream ends. Rather than
race it, this stage creates it when it is not there yet, with the job's own DDL (src/jobs/
refund_delta.py: the schema, Change Data Feed on), so the synced table always has a source.
Locally the table is made on the local workspace's compute (a Delta table written by delta-rs:
src/jobs/local_delta.py); without Spark it cannot exist, so both steps are skipped.
"""

from stage_runtime.ensure import ensure_synced_table

DATABASE = "caspers"


def run(ctx):
    from caspers import naming
    from caspers.lakebase_resources import provision, synced_table

    catalog = ctx.params["CATALOG"]
    instance = naming.lakebase_instance(catalog)
    provision(ctx, instance, ctx.params["LAKEBASE_CAPACITY"], naming.database_catalog(catalog), DATABASE)

    source = f"{catalog}.recommender.refund_recommendations"
    if ctx.needs_spark(f"create {source} with Change Data Feed if the stream's job has not yet, and its synced table"):
        from jobs.refund_delta import DeltaSink

        DeltaSink(ctx.spark, catalog).ensure()
        ensure_synced_table(ctx, synced_table(f"{catalog}.recommender.pg_recommendations", instance, DATABASE,
                                              source, "order_id"))
