"""Stage `lakebase` (task Lakebase_Reverse_ETL).

Provisions the refund-manager Lakebase instance and its database catalog, and a continuous
synced table that copies refund recommendations into Postgres.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/lakebase.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    raise NotImplementedError(
        f"stage lakebase is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
