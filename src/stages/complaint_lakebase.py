"""Stage `complaint_lakebase` (task Complaint_Lakebase).

Gives the complaint responses a Lakebase (managed Postgres): the instance `<catalog>complaintmanager`
(sanitised: caspers/naming.py) with LAKEBASE_CAPACITY, a bounded wait until it is AVAILABLE, a database
catalog over its Postgres database `caspers_complaints`, and a continuous synced table
<catalog>.complaints.pg_complaint_responses from complaint_responses (primary key complaint_id).
Everything is found or created, so the stage can be rerun (the original created the instance
unconditionally, failing on its second run, and polled for it forever).

The source table is the complaint agent stream job's; as stage lakebase does, this stage creates it
first when it is not there yet, with the job's own DDL (src/jobs/complaint_delta.py, Change Data
Feed on). Locally (no Spark) the synced table is skipped with it.
"""

from stage_runtime.ensure import ensure_synced_table

DATABASE = "caspers_complaints"


def run(ctx):
    from caspers import naming
    from caspers.lakebase_resources import provision, synced_table

    catalog = ctx.params["CATALOG"]
    instance = naming.complaint_instance(catalog)
    provision(ctx, instance, ctx.params["LAKEBASE_CAPACITY"], naming.complaint_catalog(catalog), DATABASE)

    source = f"{catalog}.complaints.complaint_responses"
    if ctx.needs_spark(f"create {source} with Change Data Feed if the stream's job has not yet, and its synced table"):
        from jobs.complaint_delta import ResponseSink

        ResponseSink(ctx.spark, catalog).ensure()
        ensure_synced_table(ctx, synced_table(f"{catalog}.complaints.pg_complaint_responses", instance, DATABASE,
                                              source, "complaint_id"))
