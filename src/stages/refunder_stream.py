"""Stage `refunder_stream` (task Refund_Recommender_Stream).

Creates the `recommender` schema, then creates (or resets) the job `Refund Recommender Stream
(<catalog>)`, every 10 minutes, and starts it once now. Each run of the job (src/jobs/
refund_recommender_stream.py over src/jobs/refund_stream.py) scores the delivered orders not yet
scored, exactly once, with the refund agent's endpoint, into
<catalog>.recommender.refund_recommendations (Change Data Feed on from its creation; the table is
the job's, so the stage declares it under async_produces and lakebase waits for it).
"""

from stage_runtime.ensure import ensure_job, ensure_schema

SCHEMA = "recommender"
MAX_ORDERS_PER_RUN = 2000  # newest first; 3.3x the most delivered orders a run meets (606: make bench-stream)


def run(ctx):
    catalog = ctx.params["CATALOG"]
    endpoint = ctx.params["REFUND_AGENT_ENDPOINT_NAME"]

    ensure_schema(ctx, catalog, SCHEMA)
    job_id = ensure_job(ctx, stream_job(ctx, catalog, endpoint))
    ctx.workspace.jobs.run_now(job_id=job_id)


def stream_job(ctx, catalog, endpoint):
    from caspers.scheduled import every_ten_minutes

    return every_ten_minutes(ctx, f"Refund Recommender Stream ({catalog})", "refund_recommender_stream",
                             {"CATALOG": catalog, "REFUND_AGENT_ENDPOINT_NAME": endpoint,
                              "MAX_ORDERS_PER_RUN": str(MAX_ORDERS_PER_RUN)})
