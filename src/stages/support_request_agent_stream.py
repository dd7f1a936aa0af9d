"""Stage `support_request_agent_stream` (task Support_Request_Agent_Stream).

Creates (or resets) the job `Support Request Agent Stream (<catalog>)`, every 10 minutes, and starts
it once now. Each run (src/jobs/support_request_agent_stream.py over support_stream.py and
scoring.py) sends the requests not yet reported, with the facts the policy needs (repeats in 30 days,
risk score, the order's total as the limit), to the support agent's endpoint, at most
MAX_REQUESTS_PER_RUN, into <catalog>.support.support_agent_reports (created by stage
support_request_agent, Change Data Feed on).
"""

from stage_runtime.ensure import ensure_job

MAX_REQUESTS_PER_RUN = 2000  # newest first; above the generator's ~580 a run, so the backlog drains


def run(ctx):
    from caspers.scheduled import every_ten_minutes

    catalog = ctx.params["CATALOG"]
    endpoint = ctx.params["SUPPORT_AGENT_ENDPOINT_NAME"]
    job_id = ensure_job(ctx, every_ten_minutes(ctx, f"Support Request Agent Stream ({catalog})",
                                               "support_request_agent_stream",
                                               {"CATALOG": catalog, "SUPPORT_AGENT_ENDPOINT_NAME": endpoint,
                                                "MAX_REQUESTS_PER_RUN": str(MAX_REQUESTS_PER_RUN)}))
    ctx.workspace.jobs.run_now(job_id=job_id)
