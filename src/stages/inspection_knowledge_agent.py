"""Stage `inspection_knowledge_agent` (task Inspection_Knowledge_Agent).

Creates or updates the Agent Bricks Knowledge Assistant over the inspection reports.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/inspection_knowledge_agent.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    inspection_knowledge_endpoint_name = ctx.params["INSPECTION_KNOWLEDGE_ENDPOINT_NAME"]
    raise NotImplementedError(
        f"stage inspection_knowledge_agent is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
