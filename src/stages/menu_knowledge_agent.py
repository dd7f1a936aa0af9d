"""Stage `menu_knowledge_agent` (task Menu_Knowledge_Agent).

Creates or updates the Agent Bricks Knowledge Assistant over the menu PDFs.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/menu_knowledge_agent.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    menu_knowledge_endpoint_name = ctx.params["MENU_KNOWLEDGE_ENDPOINT_NAME"]
    raise NotImplementedError(
        f"stage menu_knowledge_agent is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
