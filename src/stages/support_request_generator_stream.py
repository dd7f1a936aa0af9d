"""Stage `support_request_generator_stream` (task Support_Request_Generator_Stream).

Creates the `support` schema and the table `<catalog>.support.raw_support_requests` (the job's own
DDL, src/jobs/support_delta.py), so the support agent's history function has its table from the
start without a stub made elsewhere; then creates (or resets) the job `Support Request Generator
(<catalog>)`, every 10 minutes, and starts it once now. Each run of the job turns a SUPPORT_RATE
sample of the delivered orders into support requests, exactly once per order (src/jobs/
support_generator.py).
"""

from caspers.params import fraction
from stage_runtime.ensure import ensure_job, ensure_schema

SCHEMA = "support"
MAX_ORDERS_PER_RUN = 500


def run(ctx):
    from caspers.scheduled import every_ten_minutes

    catalog = ctx.params["CATALOG"]
    rate = fraction("SUPPORT_RATE", ctx.params["SUPPORT_RATE"], "0.18")

    ensure_schema(ctx, catalog, SCHEMA)
    if ctx.needs_spark(f"create {catalog}.support.raw_support_requests"):
        from jobs.support_delta import RequestSink

        RequestSink(ctx.spark, catalog, rate).ensure()
    job_id = ensure_job(ctx, every_ten_minutes(ctx, f"Support Request Generator ({catalog})", "support_request_generator",
                                               {"CATALOG": catalog, "SUPPORT_RATE": repr(rate),
                                                "MAX_ORDERS_PER_RUN": str(MAX_ORDERS_PER_RUN)}))
    ctx.workspace.jobs.run_now(job_id=job_id)
