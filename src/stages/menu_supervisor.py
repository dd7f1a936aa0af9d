"""Stage `menu_supervisor` (task Menu_Supervisor).

Creates or updates the Agent Bricks Multi-Agent Supervisor that routes questions to the Genie
space and the two Knowledge Assistants, found through their declared endpoint names.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/menu_supervisor.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    menu_knowledge_endpoint_name = ctx.params["MENU_KNOWLEDGE_ENDPOINT_NAME"]
    inspection_knowledge_endpoint_name = ctx.params["INSPECTION_KNOWLEDGE_ENDPOINT_NAME"]
    menu_supervisor_endpoint_name = ctx.params["MENU_SUPERVISOR_ENDPOINT_NAME"]
    raise NotImplementedError(
        f"stage menu_supervisor is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
