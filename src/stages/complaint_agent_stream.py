"""Stage `complaint_agent_stream` (task Complaint_Agent_Stream).

Creates and starts the scheduled job that sends each raw complaint to the complaint agent and
stores its answers in complaints.complaint_responses.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/complaint_agent_stream.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    complaint_agent_endpoint_name = ctx.params["COMPLAINT_AGENT_ENDPOINT_NAME"]
    raise NotImplementedError(
        f"stage complaint_agent_stream is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
