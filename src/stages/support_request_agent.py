"""Stage `support_request_agent` (task Support_Request_Agent).

Creates the support stub tables and UC tools, registers the DSPy support triage agent with its
deterministic credit policy, deploys it and waits for the endpoint.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/support_request_agent.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    simulator_schema = ctx.params["SIMULATOR_SCHEMA"]
    llm_model = ctx.params["LLM_MODEL"]
    support_agent_endpoint_name = ctx.params["SUPPORT_AGENT_ENDPOINT_NAME"]
    raise NotImplementedError(
        f"stage support_request_agent is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
