"""Stage `complaint_agent_stream` (task Complaint_Agent_Stream).

Creates (or resets) the job `Complaint Agent Stream (<catalog>)`, every 10 minutes, and starts it
once now. Each run of the job (src/jobs/complaint_agent_stream.py over complaint_stream.py and
scoring.py) triages the raw complaints not yet answered, exactly once, at most MAX_COMPLAINTS_PER_RUN,
with the complaint agent's endpoint, into <catalog>.complaints.complaint_responses (Change Data Feed on
from its creation; the job's table, declared under async_produces).

Fixed from the original (caspers-stages.md §2.9, §3.1): a catalog-scoped job created once and reset
on rerun, a per-run cap and bounded concurrency.
"""

from stage_runtime.ensure import ensure_job

MAX_COMPLAINTS_PER_RUN = 2000  # newest first; each run also stops starting new ones after 8 minutes


def run(ctx):
    catalog = ctx.params["CATALOG"]
    endpoint = ctx.params["COMPLAINT_AGENT_ENDPOINT_NAME"]

    job_id = ensure_job(ctx, stream_job(ctx, catalog, endpoint))
    ctx.workspace.jobs.run_now(job_id=job_id)


def stream_job(ctx, catalog, endpoint):
    from caspers.scheduled import every_ten_minutes

    return every_ten_minutes(ctx, f"Complaint Agent Stream ({catalog})", "complaint_agent_stream",
                             {"CATALOG": catalog, "COMPLAINT_AGENT_ENDPOINT_NAME": endpoint,
                              "MAX_COMPLAINTS_PER_RUN": str(MAX_COMPLAINTS_PER_RUN)})
