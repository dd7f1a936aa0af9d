"""Stage `support_lakebase` (task Support_Lakebase_And_App).

Provisions the support-manager Lakebase instance, database catalog, synced reports table and
OLTP tables, then creates, grants and deploys the support console app.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/support_lakebase.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    support_agent_endpoint_name = ctx.params["SUPPORT_AGENT_ENDPOINT_NAME"]
    raise NotImplementedError(
        f"stage support_lakebase is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
