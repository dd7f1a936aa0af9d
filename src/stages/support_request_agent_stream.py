"""Stage `support_request_agent_stream` (task Support_Request_Agent_Stream).

Creates (or resets) and starts the scheduled job that sends support requests through the support
agent into support.support_agent_reports.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/support_request_agent_stream.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    support_agent_endpoint_name = ctx.params["SUPPORT_AGENT_ENDPOINT_NAME"]
    raise NotImplementedError(
        f"stage support_request_agent_stream is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
