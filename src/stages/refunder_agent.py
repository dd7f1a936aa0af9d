"""Stage `refunder_agent` (task Refund_Recommender_Agent).

Registers the refund SQL tools and the delivery-time view, logs, evaluates and registers the
RefundGPT LangGraph agent in Unity Catalog, and deploys it to Model Serving.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/refunder_agent.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    simulator_schema = ctx.params["SIMULATOR_SCHEMA"]
    llm_model = ctx.params["LLM_MODEL"]
    refund_agent_endpoint_name = ctx.params["REFUND_AGENT_ENDPOINT_NAME"]
    raise NotImplementedError(
        f"stage refunder_agent is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
