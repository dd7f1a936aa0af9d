"""Stage `refunder_stream` (task Refund_Recommender_Stream).

Creates (or resets) and starts the scheduled job that scores delivered orders with the refund
agent into recommender.refund_recommendations.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/refunder_stream.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    refund_agent_endpoint_name = ctx.params["REFUND_AGENT_ENDPOINT_NAME"]
    raise NotImplementedError(
        f"stage refunder_stream is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
