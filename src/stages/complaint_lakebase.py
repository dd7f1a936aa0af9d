"""Stage `complaint_lakebase` (task Complaint_Lakebase).

Provisions the complaint-manager Lakebase instance, its database catalog and a continuous synced
table of complaint responses.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/complaint_lakebase.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    raise NotImplementedError(
        f"stage complaint_lakebase is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
