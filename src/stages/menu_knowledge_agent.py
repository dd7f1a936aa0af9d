"""Stage `menu_knowledge_agent` (task Menu_Knowledge_Agent).

Creates or updates the Agent Bricks Knowledge Assistant `<catalog>-menu-knowledge` over the menu
PDFs in `<catalog>.menu_documents.menus` (found by name, its files source kept in line, re-synced
on rerun) and waits, bounded, until it is ACTIVE.
"""

from caspers import knowledge


def run(ctx):
    knowledge.ensure(ctx, "menu", ctx.params["CATALOG"])
