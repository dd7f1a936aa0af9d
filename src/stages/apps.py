"""Stage `apps` (task Databricks_App_Refund_Manager).

Creates the SQL warehouse and the Refund Manager Databricks App bound to it and to the Lakebase
database, grants it read access to all_events, and deploys it.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/apps.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    raise NotImplementedError(
        f"stage apps is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
