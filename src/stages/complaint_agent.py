"""Stage `complaint_agent` (task Complaint_Agent).

Registers the complaint SQL tools, evaluates and registers the DSPy complaint triage agent,
deploys it with a production experiment, waits for the endpoint to be ready and starts
monitoring scorers.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/complaint_agent.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    llm_model = ctx.params["LLM_MODEL"]
    complaint_agent_endpoint_name = ctx.params["COMPLAINT_AGENT_ENDPOINT_NAME"]
    raise NotImplementedError(
        f"stage complaint_agent is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
