"""Stage `menu_genie` (task Menu_Genie).

Creates a SQL warehouse and an AI/BI Genie space over the silver and gold menu and safety
tables.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/menu_genie.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    raise NotImplementedError(
        f"stage menu_genie is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
