"""Stage `complaint_generator_stream` (task Complaint_Generator_Stream).

Creates and starts the scheduled job that samples delivered orders and writes synthetic
complaints into complaints.raw_complaints.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/complaint_generator_stream.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    complaint_rate = ctx.params["COMPLAINT_RATE"]
    llm_model = ctx.params["LLM_MODEL"]
    raise NotImplementedError(
        f"stage complaint_generator_stream is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
