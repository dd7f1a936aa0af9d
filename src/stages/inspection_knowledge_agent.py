"""Stage `inspection_knowledge_agent` (task Inspection_Knowledge_Agent).

Creates or updates the Agent Bricks Knowledge Assistant `<catalog>-inspection-knowledge` over the
inspection reports in `<catalog>.food_safety.reports` (found by name, its files source kept in line,
re-synced on rerun) and waits, bounded, until it is ACTIVE.
"""

from caspers import knowledge


def run(ctx):
    knowledge.ensure(ctx, "inspection", ctx.params["CATALOG"])
