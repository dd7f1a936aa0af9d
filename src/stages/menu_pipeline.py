"""Stage `menu_pipeline` (task Menu_Pipeline).

Creates or updates the batch menu and safety medallion pipeline over the menu and inspection
tables, runs it once and waits, bounded, for it to finish.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/menu_pipeline.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    raise NotImplementedError(
        f"stage menu_pipeline is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
