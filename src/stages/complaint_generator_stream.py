"""Stage `complaint_generator_stream` (task Complaint_Generator_Stream).

Creates the `complaints` schema, then creates (or resets) the job `Complaint Generator Stream
(<catalog>)`, every 10 minutes, and starts it once now. Each run of the job (src/jobs/
complaint_generator_stream.py over complaint_generator.py) gives a COMPLAINT_RATE sample of the
delivered orders one complaint each, exactly once, worded by LLM_MODEL, into
<catalog>.complaints.raw_complaints (the job's table: declared under async_produces).

Fixed from the original (caspers-stages.md §2.8): the job's name is catalog-scoped and it is created
once and reset on rerun (the original made a new job on every run, colliding across catalogs).
"""

from caspers.params import fraction
from stage_runtime.ensure import ensure_job, ensure_schema

SCHEMA = "complaints"
MAX_ORDERS_PER_RUN = 100  # LLM calls per run; the rest waits for the next run


def run(ctx):
    catalog = ctx.params["CATALOG"]
    rate = fraction("COMPLAINT_RATE", ctx.params["COMPLAINT_RATE"], "0.15")
    llm_model = ctx.params["LLM_MODEL"]

    ensure_schema(ctx, catalog, SCHEMA)
    job_id = ensure_job(ctx, generator_job(ctx, catalog, rate, llm_model))
    ctx.workspace.jobs.run_now(job_id=job_id)



def generator_job(ctx, catalog, rate, llm_model):
    from caspers.scheduled import every_ten_minutes

    return every_ten_minutes(ctx, f"Complaint Generator Stream ({catalog})", "complaint_generator_stream",
                             {"CATALOG": catalog, "COMPLAINT_RATE": repr(rate), "LLM_MODEL": llm_model,
                              "MAX_ORDERS_PER_RUN": str(MAX_ORDERS_PER_RUN)})
