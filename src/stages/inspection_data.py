"""Stage `inspection_data` (task Inspection_Data).

Uploads the 12 food-safety inspection PDFs to a volume and loads the inspections and violations
tables.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/inspection_data.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    raise NotImplementedError(
        f"stage inspection_data is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
